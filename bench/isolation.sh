#!/usr/bin/env bash
# Isolation of ingest from the public side (issue 13): HTTP ingest of the
# national PPWP feed (bench/http_load, the signed forms of bench/http.sh)
# measured side by side in one run, each phase on a fresh copy of the
# enrolled directory:
#  1. unloaded;
#  2. while wrk floods rekapd's public port directly at full speed;
#  3. while the same wrk flood goes through the deploy/ nginx edge as it
#     runs on rekapd's own machine: the public server alone (the real
#     template rendered by deploy/nginx/render.sh with SERVERS=public: TLS,
#     the cache, `ssl http2`, where wrk's HTTP/1.1 is chosen by ALPN), its
#     CPU capped at deploy/systemd/rekap-nginx-public.service's CPUQuota
#     (a cgroup quota, as systemd sets it), its per-address limits set as
#     a flood from many addresses meets them (none bites): every request
#     reaches nginx at full speed;
#  4. the same without the cap (the one nginx of both servers, as on a
#     machine of its own): what the cap is for;
#  5. the same flood through the uncapped edge with the template's limits
#     as shipped: a flood from one address.
# Ingest goes straight to rekapd's ingest listener in every phase (why:
# docs/BENCHMARKS.md §3, "Isolation"). Targets: phase 2 >= 0.8x phase 1,
# phase 3 >= 0.9x phase 1.
# Each phase reports ingest's rate and latency, the flood's rate and
# answers by status, and the CPU of each program and of other work on the
# machine (bench_cpu_start): a run that shared the machine says so.
# usage: bench/isolation.sh [WORKDIR]   (~2 GB free disk; ~9 minutes)
# Shorter runs: FORMS=N (forms per phase, default all 823,227), WARMUP
# (seconds of flood before ingest starts, default 2); CONNS (ingest
# connections, 64), FLOOD_THREADS and FLOOD_CONNS (wrk's, 1 and 128).
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
bench_build rekapd bench_ingest http_load
bench_need_wrk
for tool in nginx openssl; do
  command -v "$tool" >/dev/null || { echo "isolation.sh: $tool is not installed (scripts/deps)" >&2; exit 1; }
done
work=${1:-${TMPDIR:-/tmp}/rekap-isolation}
conns=${CONNS:-64}
forms=${FORMS:-}
warmup=${WARMUP:-2}
prov=/api/v1/results/ppwp/32.json
mkdir -p "$work"
bench_feed
trap bench_cleanup EXIT
uptime | tee "$work/uptime.txt"

# ingest NAME: the feed through http_load into rekapd's ingest listener,
# and what else used the CPU meanwhile.
ingest() {
  bench_cpu_start "$work/cpu_$1.txt" ${edge_pid:+"$edge_pid"}
  # shellcheck disable=SC2086 # $forms: http_load's LIMIT, or nothing
  "$rel/http_load" "$work/signed.bin" 127.0.0.1 "$iport" "$conns" $forms | tee "$work/ingest_$1.txt"
  bench_cpu_stop
  sed 's/^/  /' "$work/cpu_$1.txt"
}

# flooded NAME URL: phase NAME, ingest while wrk floods URL.
flooded() {
  bench_flood_start "$2" "$work/flood_$1.txt"
  sleep "$warmup"
  ingest "$1"
  bench_flood_stop
  grep -E 'Requests/sec|status|Socket errors' "$work/flood_$1.txt" | sed 's/^/  flood: /'
}

# edge_flooded NAME [VAR=value...]: rekapd behind the deploy/ edge
# (render.sh's VARs), ingest while wrk floods the edge's public server.
edge_flooded() {
  local name=$1; shift
  rekapd_fresh "$name"
  bench_edge_start "$@"
  local edge=https://127.0.0.1:$edge_public$prov
  [ "$(curl -sk -o /dev/null -w '%{http_code}' "$edge")" = 200 ] || { echo "the edge does not answer $edge" >&2; exit 1; }
  flooded "$name" "$edge"
  bench_edge_stop
  rekapd_stop "$rekapd_pid"
  echo "  nginx error.log: $(wc -c <"$work/edge/error.log") bytes"
}

echo "== 1. HTTP ingest, unloaded ($conns connections)"
rekapd_fresh unloaded
ingest unloaded
rekapd_stop "$rekapd_pid"

echo "== 2. HTTP ingest while wrk floods rekapd's public port directly"
rekapd_fresh direct
flooded direct "http://127.0.0.1:$pport$prov"
rekapd_stop "$rekapd_pid"

# The public edge's cap on rekapd's machine, in cores (CPUQuota=8% -> 0.08).
cap=$(sed -n 's/^CPUQuota=\([0-9.]*\)%$/\1/p' deploy/systemd/rekap-nginx-public.service)
[ -n "$cap" ] || { echo "no CPUQuota in deploy/systemd/rekap-nginx-public.service" >&2; exit 1; }
cap=$(awk -v q="$cap" 'BEGIN { print q / 100 }')
many=(READ_RATE=1000000 READ_BURST=1000000 READ_CONN=65535)

echo "== 3. HTTP ingest while the same flood goes through the deploy/ public edge on rekapd's machine (capped at $cap cores; many addresses)"
EDGE_CPU=$cap edge_flooded edge SERVERS=public "${many[@]}"

echo "== 4. HTTP ingest while the same flood goes through the deploy/ edge uncapped (many addresses)"
edge_flooded edgefree "${many[@]}"

echo "== 5. HTTP ingest while the same flood goes through the deploy/ edge (one address, limits as shipped)"
edge_flooded edge1

python3 - "$work" <<'PY'
import re, sys
w = sys.argv[1]
def read(f):
    return open(f"{w}/{f}").read()
def ingest(name):
    t = read(f"ingest_{name}.txt")
    rate = float(re.search(r"201: \d+ \(([\d.]+)/s\)", t).group(1))
    p = re.search(r"p50 ([\d.]+) ms, p99 ([\d.]+) ms", t)
    other = re.findall(r"status (\d+): (\d+)", t)
    cpu = re.search(r"others ([\d.]+).*others wrote (\d+) MB", read(f"cpu_{name}.txt"))
    return rate, (f"p50 {p.group(1)} ms, p99 {p.group(2)} ms" + "".join(f", {n} answered {c}" for c, n in other)
                  + f"; other work {cpu.group(1)} cores, {cpu.group(2)} MB written")
def flood(name):
    t = read(f"flood_{name}.txt")
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", t).group(1))
    mix = sorted((int(c), int(n)) for c, n in re.findall(r"^status (\d+): (\d+)", t, re.M))
    total = sum(n for _, n in mix) or 1
    s = ", ".join(f"{c} {100 * n / total:.1f}%" for c, n in mix)
    err = re.search(r"Socket errors: (.*)", t)
    return f"flood {rps:,.0f} req/s ({s}{'; socket errors ' + err.group(1) if err else ''})"
load = read("uptime.txt").strip().split("load average: ")[-1]
u, up = ingest("unloaded")
lines = [f"summary (load average at start {load}): HTTP ingest unloaded {u:,.0f} forms/s ({up})"]
for name, what, target in (("direct", "flood direct", 0.8),
                           ("edge", "flood through the public edge on rekapd's machine (capped), many addresses", 0.9),
                           ("edgefree", "flood through the edge uncapped, many addresses", None),
                           ("edge1", "flood through the edge, one address", None)):
    r, p = ingest(name)
    verdict = "" if target is None else f", target >= {target}x {'met' if r / u >= target else 'MISSED'}"
    lines.append(f"  {what}: {r:,.0f} forms/s ({p}) = {r / u:.2f}x unloaded{verdict}; {flood(name)}")
print("\n" + "\n".join(lines))
PY
