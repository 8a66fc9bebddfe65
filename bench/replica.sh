#!/usr/bin/env bash
# Public replicas (docs/REPLICAS.md), side by side in one run on a real
# PostgreSQL primary with a synchronous standby (tests/pg/cluster.sh):
#  1. replica lag: while bench/http_load ingests a province's forms (all five
#     contests) on the primary over CONNS connections (default 8: a load
#     that lasts as long as the probe), bench/replica_probe.py sends
#     its own forms one by one and times, from each acknowledgement, when a
#     replica on the hot standby has verified and counted it (/healthz) and
#     when its TPS document shows it;
#  2. public reads: wrk on the same province JSON against the primary's
#     public listener and against the replica's, one after the other, with
#     no ingest running (the same box: a ratio, not a capacity).
# usage: bench/replica.sh [WORKDIR] [PROVINCE]   (default DI Yogyakarta, 34; ~3 min)
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
bench_need_wrk
bench_build rekap rekapd http_load
work=${1:-${TMPDIR:-/tmp}/rekap-replica}
scope=${2:-34}
conns=${CONNS:-8}
wrk_time=${WRK_TIME:-10s}
export REKAP_DATA=$PWD/data
rm -rf "$work"; mkdir -p "$work"; chmod 755 "$work"
cleanup() {
  bench_cleanup
  bash tests/pg/cluster.sh stop "$work/pg" >/dev/null 2>&1 || true
}
trap cleanup EXIT

echo "== setup: province $scope, all five contests, keys, signed bodies, PostgreSQL + standby"
"$rel/rekap" gen --scope "$scope" --out "$work/el.json" --forms "$work/forms.jsonl" >/dev/null
bash tests/pg/cluster.sh start "$work/pg" >/dev/null
# shellcheck disable=SC1091
. "$work/pg/env"
"$rel/rekap" init --dir "$work/D" --election "$work/el.json" --origin bench/replica --store "$PRIMARY" >"$work/init.out"
vk=$(sed -n 's/^verifier key: //p' "$work/init.out")
"$rel/rekap" enrol --dir "$work/D" --generate "$work/keys" >/dev/null
"$rel/rekap" init --replica "$vk" --store "$STANDBY" --dir "$work/R" --election "$work/el.json" >/dev/null
"$rel/rekap" sign --keys "$work/keys" "$work/forms.jsonl" >"$work/bodies.jsonl"
# the probe's forms: 200 spread over the file; the load: all the others
awk 'NR % 200 == 7 && n < 200 { print > "'"$work/probe.jsonl"'"; n++; next } { print }' \
  "$work/bodies.jsonl" >"$work/load.jsonl"
bench_signed_bin "$work/load.jsonl" "$work/signed.bin"
echo "  $(wc -l <"$work/load.jsonl") load forms, $(wc -l <"$work/probe.jsonl") probe forms"

rekapd_start primary "$work/D"
rekapd_start replica "$work/R" --replica
ip=$(rekapd_port primary ingest) pp=$(rekapd_port primary public) rp=$(rekapd_port replica public)

echo "== 1. replica lag while the primary ingests at full speed ($conns connections)"
rm -f "$work/load.done"
( "$rel/http_load" "$work/signed.bin" 127.0.0.1 "$ip" "$conns" >"$work/load.txt"; touch "$work/load.done" ) &
load=$!
sleep 1
python3 bench/replica_probe.py "$work/probe.jsonl" "$ip" "$rp" 20 "$work/load.done" "$work/probes.txt" \
  | tee "$work/lag.txt"
wait "$load"
cat "$work/load.txt"
for _ in $(seq 300); do
  [ "$(curl -s "http://127.0.0.1:$rp/log/checkpoint")" = "$(curl -s "http://127.0.0.1:$pp/log/checkpoint")" ] && break
  sleep 0.1
done
echo "  replica checkpoint = primary checkpoint: $(curl -s "http://127.0.0.1:$rp/log/checkpoint" | sed -n 2p) entries"

echo "== 2. public read of the province JSON: primary vs replica (no ingest running)"
prov=/api/v1/results/ppwp/$scope.json
sleep 1
cmp <(curl -s "http://127.0.0.1:$pp$prov" | sed 's/"ts":"[^"]*"//') \
    <(curl -s "http://127.0.0.1:$rp$prov" | sed 's/"ts":"[^"]*"//') && echo "  the same document on both"
wrk -t2 -c64 -d"$wrk_time" "http://127.0.0.1:$pp$prov" | tee "$work/wrk_primary.txt"
wrk -t2 -c64 -d"$wrk_time" "http://127.0.0.1:$rp$prov" | tee "$work/wrk_replica.txt"

python3 - "$work" <<'PY'
import re, sys
w = sys.argv[1]
rps = lambda f: float(re.search(r"Requests/sec:\s+([\d.]+)", open(f"{w}/{f}").read()).group(1))
load = open(f"{w}/load.txt").read()
fs = float(re.search(r"201: \d+ \(([\d.]+)/s\)", load).group(1))
p, r = rps("wrk_primary.txt"), rps("wrk_replica.txt")
print(f"\ningest on the primary during the probe:  {fs:9.0f} forms/s")
print(open(f"{w}/lag.txt").read().strip())
print(f"public read, primary:                   {p:9.0f} req/s")
print(f"public read, replica:                   {r:9.0f} req/s")
print(f"ratio replica/primary:                  {r / p:9.2f}")
PY
