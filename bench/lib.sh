# shellcheck shell=bash disable=SC2154 # $work: set by the caller
# bench/lib.sh — what the benchmark scripts share (sourced, from the
# repository's root, after `set -euo pipefail`): the build, wrk, rekapd
# started on free ports with the rate limits off (the load generators send
# from one address, far above any officer's or reader's allowance), the
# signed national feed, and the deploy/ nginx edge in front of a rekapd.
# The caller sets $work before starting a rekapd.

# The release build with TARGETS...; $rel is where they are.
bench_build() {
  scripts/build >/dev/null 2>&1 || scripts/build
  cmake --build build/release --target "$@" >/dev/null
  rel=$PWD/build/release
}

bench_need_wrk() {
  command -v wrk >/dev/null && return 0
  if [ "$(id -u)" -eq 0 ]; then apt-get install -y -qq wrk >/dev/null
  else sudo apt-get install -y -qq wrk >/dev/null; fi
}

# Every process a script starts goes in pids; bench_cleanup (an EXIT trap)
# ends them, each by its own id.
pids=()
bench_cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
}

# rekapd_start NAME DIR [ARGS...]: rekapd on DIR, ports in $work/NAME.ports,
# log in $work/rekapd-NAME.log, its pid in $rekapd_pid; returns once both
# listeners are up (rekapd writes the port file then). REKAPD_WRAP, when
# set, goes before rekapd: a profiler (`heaptrack -o FILE`; used for the
# memory breakdown of §7); $rekapd_pid and the RSS read are then the
# wrapper's.
rekapd_start() {
  local name=$1 dir=$2; shift 2
  rm -f "$work/$name.ports"
  ${REKAPD_WRAP:-} "$rel/rekapd" --dir "$dir" --ingest-port 0 --public-port 0 --port-file "$work/$name.ports" \
    --set ingest_ip_rate=0 --set ingest_key_rate=0 --set public_ip_rate=0 --log-level warn \
    "$@" 2>"$work/rekapd-$name.log" &
  rekapd_pid=$!; pids+=("$rekapd_pid")
  for _ in $(seq 600); do
    [ -s "$work/$name.ports" ] && return 0
    kill -0 "$rekapd_pid" 2>/dev/null || break
    sleep 0.2
  done
  echo "rekapd $name did not start:" >&2; tail -5 "$work/rekapd-$name.log" >&2; return 1
}

# rekapd_port NAME ingest|public
rekapd_port() { sed -n "s/^$2=//p" "$work/$1.ports"; }

# rekapd_stop PID: stop it cleanly (SIGTERM: it finishes the queue) and wait.
rekapd_stop() { kill -TERM "$1"; wait "$1" || true; }

# bench_feed: the national PPWP election enrolled in $work/prep/el and its
# signed submissions for bench/http_load in $work/signed.bin (made once by
# `bench_ingest prepare`, kept for later runs). Needs bench_ingest built.
bench_feed() {
  [ -f "$work/signed.bin" ] || "$rel/bench_ingest" prepare "$work/prep"
  [ -f "$work/signed.bin" ] || mv "$work/prep/signed.bin" "$work/signed.bin"
}

# rekapd_fresh NAME [ARGS...]: rekapd NAME (rekapd_start) on a fresh copy
# of the enrolled directory ($work/el), render_ms $RENDER_MS (default 250);
# its ports in $iport and $pport. The copy, and what the last run left to
# write back, are on disk before it starts, so no run pays for another's.
rekapd_fresh() {
  local name=$1; shift
  rm -rf "$work/el"; cp -r "$work/prep/el" "$work/el"; sync
  rekapd_start "$name" "$work/el" --set render_ms="${RENDER_MS:-250}" "$@"
  iport=$(rekapd_port "$name" ingest); pport=$(rekapd_port "$name" public)
}

# bench_free_ports N: N free loopback TCP ports, on one line.
bench_free_ports() {
  python3 -c 'import socket, sys
s = [socket.socket() for _ in range(int(sys.argv[1]))]
for x in s: x.bind(("127.0.0.1", 0))
print(*[x.getsockname()[1] for x in s])' "$1"
}

# bench_edge_start [VAR=value...]: the deploy/ edge in front of the rekapd
# on $iport and $pport, rendered by deploy/nginx/render.sh from the real
# template (TLS with a throwaway self-signed certificate, HTTP/2, the cache,
# the per-address limits), everything in $work/edge; VARs go to render.sh.
# Its public server on https://127.0.0.1:$edge_public, its ingest server on
# https://127.0.0.1:$edge_ingest; nginx's master pid in $edge_pid.
bench_edge_start() {
  local d=$work/edge user=()
  rm -rf "$d"; mkdir -p "$d"
  read -r edge_public edge_ingest < <(bench_free_ports 2)
  openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost \
    -keyout "$d/key.pem" -out "$d/cert.pem" 2>/dev/null
  env RUN="$d" CERT="$d/cert.pem" KEY="$d/key.pem" \
    PUBLIC_LISTEN="127.0.0.1:$edge_public" INGEST_LISTEN="127.0.0.1:$edge_ingest" \
    PUBLIC_UPSTREAM="127.0.0.1:$pport" INGEST_UPSTREAM="127.0.0.1:$iport" "$@" \
    bash deploy/nginx/render.sh >"$d/nginx.conf"
  [ "$(id -u)" -eq 0 ] && user=(-g "user root;")   # workers read and write $work
  nginx -t -q -c "$d/nginx.conf" "${user[@]}"
  nginx -c "$d/nginx.conf" "${user[@]}"
  edge_pid=$(cat "$d/nginx.pid"); pids+=("$edge_pid")
  [ -z "${EDGE_CPU:-}" ] || bench_edge_cap "$EDGE_CPU"
}

# bench_edge_cap CORES: nginx's processes held to CORES of CPU time by a
# cgroup's CPU quota, what systemd's CPUQuota= sets for a service (cgroup
# v1's cpu controller, or v2's cpu.max; needs root).
bench_edge_cap() {
  local q
  q=$(awk -v c="$1" 'BEGIN { printf "%d", c * 100000 }')
  if [ -w /sys/fs/cgroup/cpu ]; then
    edge_cg=/sys/fs/cgroup/cpu/rekap-edge-$$
    mkdir -p "$edge_cg"
    echo 100000 >"$edge_cg/cpu.cfs_period_us"
    echo "$q" >"$edge_cg/cpu.cfs_quota_us"
  elif [ -w /sys/fs/cgroup/cgroup.subtree_control ]; then
    echo +cpu >/sys/fs/cgroup/cgroup.subtree_control 2>/dev/null || true
    edge_cg=/sys/fs/cgroup/rekap-edge-$$
    mkdir -p "$edge_cg"
    echo "$q 100000" >"$edge_cg/cpu.max"
  else
    echo "bench_edge_cap: no cgroup CPU controller to write (root needed)" >&2
    return 1
  fi
  for p in "$edge_pid" $(pgrep -P "$edge_pid"); do echo "$p" >"$edge_cg/cgroup.procs"; done
}

# bench_edge_stop: nginx stops (its workers finish), and is gone.
bench_edge_stop() {
  kill -QUIT "$edge_pid" 2>/dev/null || true
  while kill -0 "$edge_pid" 2>/dev/null; do sleep 0.1; done
  edge_pid=
  [ -z "${edge_cg:-}" ] || { rmdir "$edge_cg" 2>/dev/null || true; edge_cg=; }
}

# bench_flood_start URL OUT: wrk floods URL at full speed in the
# background — the same settings for every flood a script compares
# ($FLOOD_THREADS, default 1, and $FLOOD_CONNS, default 128, connections),
# counting the answers by status; bench_flood_stop ends it (SIGINT: wrk
# then writes its summary and `status CODE: N` lines to OUT).
bench_flood_start() {
  cat >"$work/flood.lua" <<'LUA'
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) statuses = {} end
function response(status, headers, body) statuses[status] = (statuses[status] or 0) + 1 end
function done(summary, latency, requests)
  local all = {}
  for _, t in ipairs(threads) do
    for code, n in pairs(t:get("statuses")) do all[code] = (all[code] or 0) + n end
  end
  for code, n in pairs(all) do io.write(string.format("status %d: %d\n", code, n)) end
end
LUA
  wrk -t"${FLOOD_THREADS:-1}" -c"${FLOOD_CONNS:-128}" -d3600s -s "$work/flood.lua" "$1" >"$2" &
  flood_pid=$!; pids+=("$flood_pid")
}
bench_flood_stop() { kill -INT "$flood_pid" 2>/dev/null || true; wait "$flood_pid" || true; }

# bench_cpu_start OUT [PID...] / bench_cpu_stop: how busy the machine was
# while a measurement ran, and with what: every second, the CPU time of
# the benchmark's own processes (this script's descendants, and the PIDs'
# — nginx's master leaves the script's tree), of kernel threads, and of
# every other process (other work sharing the machine; with what no sample
# saw: processes that came and went within a second), and what the others
# wrote to disk. bench_cpu_stop writes one line to OUT: `cpu: ours X
# (PROGRAM X, ...), others Y, kernel Z, interrupts I (cores, over S s);
# others wrote W MB`.
bench_cpu_start() {
  local out=$1; shift
  python3 - "$out" "$$" "$@" <<'PY' &
import os, signal, sys, time
out, roots = sys.argv[1], set(sys.argv[2:])
hz = os.sysconf("SC_CLK_TCK")
def read(path):
    try:
        return open(path).read()
    except OSError:
        return ""
def procs():  # pid -> [kind, program, CPU ticks so far, bytes written so far]
    stat = {}
    for p in filter(str.isdigit, os.listdir("/proc")):
        st = read(f"/proc/{p}/stat")
        if st:
            f = st[st.rindex(")") + 2:].split()
            stat[p] = (f[1], st[st.index("(") + 1:st.rindex(")")], int(f[11]) + int(f[12]))
    def kind(p):
        if p == "2" or stat[p][0] == "2":
            return "kernel"
        while p in stat and p not in roots:
            p = stat[p][0]
        return "ours" if p in roots else "others"
    r = {}
    for p, (_, comm, t) in stat.items():
        k = kind(p)
        w = read(f"/proc/{p}/io").partition("\nwrite_bytes: ")[2].split("\n")[0] if k == "others" else ""
        r[p] = (k, comm, t, int(w or 0))
    return r
def busy():  # user, nice and system time of every CPU; interrupts (nobody's)
    f = [int(x) for x in open("/proc/stat").readline().split()[1:]]
    return f[0] + f[1] + f[2], f[5] + f[6]
acc, prog, wrote = dict.fromkeys(("ours", "others", "kernel"), 0), {}, 0
stop = []
signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
t0, (b0, i0), prev = time.time(), busy(), procs()
while not stop:
    time.sleep(1)
    cur = procs()
    for p, (k, comm, t, w) in cur.items():
        _, _, t1, w1 = prev.get(p, (k, comm, 0, 0))
        acc[k] += t - t1
        wrote += w - w1
        if k == "ours":
            prog[comm] = prog.get(comm, 0) + t - t1
    prev = cur
s, (b, i) = time.time() - t0, busy()
acc["others"] += max(0, b - b0 - sum(acc.values()))
c = lambda t: "%.2f" % (t / hz / s)
mine = ", ".join(f"{n} {c(t)}" for n, t in sorted(prog.items(), key=lambda x: -x[1]) if t / hz / s >= 0.005)
open(out, "w").write(f"cpu: ours {c(acc['ours'])} ({mine}), others {c(acc['others'])}, "
                     f"kernel {c(acc['kernel'])}, interrupts {c(i - i0)} (cores, over {s:.0f} s); "
                     f"others wrote {wrote / 1e6:.0f} MB\n")
PY
  cpu_pid=$!; pids+=("$cpu_pid")
}
bench_cpu_stop() { kill -TERM "$cpu_pid" 2>/dev/null || true; wait "$cpu_pid" || true; }

# bench_signed_bin BODIES OUT: `rekap sign`'s request bodies (JSON lines)
# as the records bench/http_load streams: [u32 length][submission][32-byte
# key][64-byte signature].
bench_signed_bin() {
  python3 - "$1" "$2" <<'PY'
import base64, json, struct, sys
with open(sys.argv[2], "wb") as out:
    for line in open(sys.argv[1]):
        b = json.loads(line)
        s = b["submission"].encode()
        out.write(struct.pack("<I", len(s)) + s + base64.b64decode(b["key"]) + base64.b64decode(b["sig"]))
PY
}
