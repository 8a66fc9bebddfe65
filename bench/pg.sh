#!/usr/bin/env bash
# HTTP ingest on PostgreSQL with a synchronous standby against SQLite, side
# by side in one run (docs/BENCHMARKS.md §5): the same signed PPWP forms of
# a province, sent by bench/http_load over 64 keep-alive connections to a
# fresh rekapd on each store. On PostgreSQL a 201 means the batch's COMMIT
# returned, which with synchronous_standby_names means the standby has it.
# Also timed: rekap enrol --csv of every TPS's key into PostgreSQL.
# usage: bench/pg.sh [WORKDIR] [PROVINCE]   (default Jawa Barat, 32; ~3 min)
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
bench_build rekap rekapd http_load
work=${1:-${TMPDIR:-/tmp}/rekap-pg}
scope=${2:-32}
conns=${CONNS:-64}
rm -rf "$work"; mkdir -p "$work"
chmod 755 "$work"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  bash tests/pg/cluster.sh stop "$work/pg" >/dev/null 2>&1 || true
}
trap cleanup EXIT

echo "== setup: province $scope, PPWP forms, keys, signed bodies"
"$rel/rekap" gen --scope "$scope" --contests ppwp --out "$work/el.json" --forms "$work/forms.jsonl" >/dev/null
bash tests/pg/cluster.sh start "$work/pg" >"$work/pg.env"
# shellcheck disable=SC1091
. "$work/pg/env"
"$rel/rekap" init --dir "$work/sqlite" --election "$work/el.json" --origin bench/sqlite >/dev/null
"$rel/rekap" init --dir "$work/pgdir" --election "$work/el.json" --origin bench/pg \
  --store "$PRIMARY" >/dev/null
"$rel/rekap" enrol --dir "$work/sqlite" --generate "$work/keys" >/dev/null
python3 - "$work/keys" >"$work/keys.csv" <<'PY'
import os, sys
print("region,public,name")
for f in sorted(os.listdir(sys.argv[1])):
    if f.endswith(".key"):
        pub = next(l.split()[1] for l in open(os.path.join(sys.argv[1], f)) if l.startswith("public "))
        print(f"{f[:-4]},{pub},KPPS {f[:-4]}")
PY
t0=$(date +%s.%N)
"$rel/rekap" enrol --dir "$work/pgdir" --csv "$work/keys.csv" | tail -1
enrol_s=$(python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.1f}')" "$t0" "$(date +%s.%N)")
echo "  enrolment into PostgreSQL: $enrol_s s"
"$rel/rekap" sign --keys "$work/keys" "$work/forms.jsonl" >"$work/bodies.jsonl"
bench_signed_bin "$work/bodies.jsonl" "$work/signed.bin"
echo "  $(wc -l <"$work/bodies.jsonl") signed forms"

run() { # DIR NAME: a fresh rekapd on DIR, the whole load, stopped
  local dir=$1 name=$2
  rm -f "$work/ports"
  "$rel/rekapd" --dir "$dir" --ingest-port 0 --public-port 0 --port-file "$work/ports" \
    --set ingest_ip_rate=0 --set ingest_key_rate=0 --set public_ip_rate=0 \
    --log-level warn 2>"$work/rekapd-$name.log" &
  local pid=$!; pids+=("$pid")
  for _ in $(seq 300); do [ -s "$work/ports" ] && break; sleep 0.2; done
  local iport; iport=$(sed -n 's/^ingest=//p' "$work/ports")
  echo "== HTTP ingest on $name ($conns connections)"
  "$rel/http_load" "$work/signed.bin" 127.0.0.1 "$iport" "$conns" | tee "$work/load-$name.txt"
  kill -TERM "$pid"; wait "$pid" || true
}
run "$work/sqlite" sqlite
run "$work/pgdir" pg-sync

python3 - "$work" "$enrol_s" <<'PY'
import re, sys
w = sys.argv[1]
def rate(name):
    t = open(f"{w}/load-{name}.txt").read()
    r = float(re.search(r"201: \d+ \(([\d.]+)/s\)", t).group(1))
    lat = dict(re.findall(r"(p50|p99)[ =:]+([\d.]+ ?ms)", t))
    return r, lat
s, sl = rate("sqlite")
p, pl = rate("pg-sync")
print(f"\nSQLite (fsync):                      {s:9.0f} forms/s  {sl}")
print(f"PostgreSQL + synchronous standby:    {p:9.0f} forms/s  {pl}")
print(f"ratio PostgreSQL/SQLite:             {p / s:9.2f}")
print(f"enrolment of the keys (--csv) into PostgreSQL: {sys.argv[2]} s")
PY
