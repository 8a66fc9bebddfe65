#!/usr/bin/env bash
# Slow and hostile clients against rekapd exposed directly (no nginx), issue
# 13 item 3 (docs/BENCHMARKS.md §8): officers' submissions, 10 a second on a
# fresh connection each from 50 addresses, timed while bench/slowloris.py
# holds the ingest port with slow-header and slow-body connections from 20
# addresses (127.0.0.2 … 127.0.0.21), side by side in one run:
#   A. no attack;
#   B. 1,100 slow connections, default settings;
#   C. 2,000 slow connections against a budget of 1,024 (the old default):
#      the fair shares at work;
#   D. as C with the floor off (ingest_min_rate=0): the shares alone;
#   and with REKAPD_BEFORE=<an older rekapd>, B against it (B-before).
# Target: at least 95 % of the submissions answered within 1 s under B.
# usage: [REKAPD_BEFORE=path] bench/slowloris.sh [WORKDIR]
#        (~3 minutes; SECONDS_EACH=20 per run)
set -euo pipefail
cd "$(dirname "$0")/.."
cmake --build build/release --target rekap rekapd >/dev/null
rel=$PWD/build/release
work=${1:-${TMPDIR:-/tmp}/rekap-slowloris}
each=${SECONDS_EACH:-20}
export REKAP_DATA=$PWD/data
rm -rf "$work"; mkdir -p "$work"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

echo "== setup: Kalimantan Utara (65), every form signed"
"$rel/rekap" gen --scope 65 --seed 7 --out "$work/el.json" --forms "$work/forms.jsonl" >/dev/null
"$rel/rekap" init --dir "$work/D0" --election "$work/el.json" --origin bench/slowloris >/dev/null
"$rel/rekap" enrol --dir "$work/D0" --generate "$work/keys" >/dev/null
"$rel/rekap" sign --keys "$work/keys" "$work/forms.jsonl" > "$work/bodies.jsonl"

# run NAME CONNS [rekapd --set ...]: a fresh directory, rekapd with its
# defaults but for the settings given, the attack (when CONNS > 0) ramped
# up for 6 s, then the officers for $each s; one JSON line per run
run() {
  local name=$1 conns=$2; shift 2
  local sets=() a; for a in "$@"; do sets+=(--set "$a"); done
  rm -rf "$work/D"; cp -r "$work/D0" "$work/D"; rm -f "$work/ports"
  "${bin:-$rel/rekapd}" --dir "$work/D" --ingest-port 0 --public-port 0 --port-file "$work/ports" \
    --set ingest_key_rate=0 "${sets[@]}" 2>"$work/$name.log" &
  local rp=$!; pids+=("$rp")
  for _ in $(seq 100); do [ -s "$work/ports" ] && break; sleep 0.2; done
  local port; port=$(sed -n 's/^ingest=//p' "$work/ports")
  local ap=
  if [ "$conns" -gt 0 ]; then
    python3 bench/slowloris.py attack "$port" --conns "$conns" --addrs 20 --seconds "$((each + 10))" \
      --out "$work/$name.attack.json" >/dev/null &
    ap=$!; pids+=("$ap"); sleep 6
  fi
  python3 bench/slowloris.py officers "$port" "$work/bodies.jsonl" --rate 10 --seconds "$each" \
    --addrs 50 --timeout 10 --start $((RANDOM * 3 % 10000)) --out "$work/$name.officers.json" >/dev/null
  curl -s "http://127.0.0.1:$port/metrics" > "$work/$name.metrics"
  [ -n "$ap" ] && wait "$ap"
  kill -TERM "$rp"; wait "$rp" || true
  python3 - "$name" "$work" "$@" <<'PY'
import json, os, re, sys
name, work, sets = sys.argv[1], sys.argv[2], sys.argv[3:]
o = json.load(open(f"{work}/{name}.officers.json"))
a = json.load(open(f"{work}/{name}.attack.json")) if os.path.exists(f"{work}/{name}.attack.json") else {}
m = open(f"{work}/{name}.metrics").read()
def metric(pat):
    return sum(int(v) for v in re.findall(r'^' + pat + r' (\d+)$', m, re.M))
log = f"{work}/{name}.log"
print(json.dumps({"run": name, "settings": sets,
    "officers": {k: o[k] for k in ("sent", "answered", "within_1s_pct", "p50_ms", "p99_ms", "statuses")},
    "attack": {k: a.get(k) for k in ("held_median", "held_max", "opened", "bytes_per_s", "cut_lifetime_p50")},
    "cut_slow": metric(r'rekapd_connections_cut_total\{reason="slow"\}'),
    "cut_share": metric(r'rekapd_connections_cut_total\{reason="share"\}'),
    "refused": metric(r'rekapd_connections_refused_total\{reason="\w+"\}'),
    "log_lines": sum(1 for _ in open(log)), "log_bytes": os.path.getsize(log)}))
PY
}

echo "== A. no attack";                            run A 0
echo "== B. 1,100 slow connections, defaults";     run B 1100
echo "== C. 2,000 against a budget of 1,024";      run C 2000 ingest_conn_max=1024
echo "== D. as C, the floor off";                  run D 2000 ingest_conn_max=1024 ingest_min_rate=0
if [ -n "${REKAPD_BEFORE:-}" ]; then
  echo "== B-before. as B, against $REKAPD_BEFORE"; bin=$REKAPD_BEFORE run B-before 1100
fi
