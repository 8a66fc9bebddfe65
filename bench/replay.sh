#!/usr/bin/env bash
# The full replay of election night (issue 13 item 1, docs/BENCHMARKS.md §7):
# every form of all five ballots through rekapd's HTTP ingest from many
# officers at once (a share misread; photos of 150-400 KiB PUT before their
# forms), the signed corrections of the misreads the rules reject, then the
# PPWP recaps level by level (kecamatan, kab/kota, province, nation), while
# the public crawls the results and polls the hot pages. Then rekapd's
# final totals are checked against the generator's truth.
#
# usage: bench/replay.sh [WORKDIR] [SCOPE]
#   WORKDIR  default $TMPDIR/rekap-replay; the preparation (WORKDIR/prep, not
#            timed) is kept and reused while SCOPE and the shares match
#   SCOPE    a province code (default 34, DI Yogyakarta: ~52k forms, ~1 min)
#            or `national` (~4.1 million forms: ~41 GB of disk, see §7)
# environment: CONNS (officers at once, 128: both cores busy here; 64 left
#   them waiting on the group commit), MISREAD_PERMILLE (20), PHOTO_PERMILLE
#   (20), CRAWLERS (2), CRAWL_RATE (500 req/s), HOT (2), HOT_RATE (200 req/s),
#   RENDER_MS (250)
# Exit status: 0 when every answer was the expected one and every total
# checks; 1 otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
work=${1:-${TMPDIR:-/tmp}/rekap-replay}
scope=${2:-34}
misread=${MISREAD_PERMILLE:-20}
photo=${PHOTO_PERMILLE:-20}
prep=$work/prep
bench_build rekapd replay_prep replay_load
mkdir -p "$work"
trap bench_cleanup EXIT

free_bytes() { df -B1 --output=avail "$work" | tail -1; }

# What a run adds to the disk, from the prepared feed: the store and the
# log hold each entry about twice (3.2 KB a form measured in Jawa Barat),
# and every photo once. The run must leave 10 GB to the machine's others.
check_disk() {
  local need
  need=$(python3 -c 'import json,sys; e=json.load(open(sys.argv[1]))
print(int(e["forms"] * 3200 + e["photo_bytes"] + 10e9))' "$prep/expected.json")
  if [ "$(free_bytes)" -lt "$need" ]; then
    echo "not enough disk in $work: $(free_bytes) bytes free, the run needs $need" \
         "(lower PHOTO_PERMILLE)" >&2
    exit 1
  fi
}

params="scope=$scope misread=$misread photo=$photo"
if [ "$(cat "$prep/params" 2>/dev/null)" != "$params" ]; then
  echo "== preparation (not timed): scope $scope, misreads ${misread}‰, photos ${photo}‰"
  if [ "$scope" = national ] && [ "$(free_bytes)" -lt 30000000000 ]; then
    echo "not enough disk in $work for the national preparation and run" >&2; exit 1
  fi
  rm -rf "$prep"
  /usr/bin/time -f "prep: %e s, peak RSS %M KiB" "$rel/replay_prep" --scope "$scope" \
    --misread-permille "$misread" --photo-permille "$photo" "$prep"
  echo "$params" >"$prep/params"
fi
rm -rf "$work/el" # the last run's directory: its disk is this run's
check_disk

echo "== the replay (timed)"
loadavg=$(cut -d' ' -f1 /proc/loadavg)  # the machine is shared: say how busy it was
cp -r "$prep/el" "$work/el"; rm -f "$work/load.json"
t0=$(date +%s.%N)
rekapd_start replay "$work/el" --set ingest_conn_per_ip=0 --set render_ms="${RENDER_MS:-250}"
up_s=$(python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.1f}')" "$t0" "$(date +%s.%N)")
echo "rekapd up in $up_s s"
rss_kib() { sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$rekapd_pid/status"; }
rss_start_kib=$(rss_kib)
# rekapd's RSS every second (seconds since the start, KiB) into rss.txt:
# how it grows with the log, not only its peak
( s=0; while kill -0 "$rekapd_pid" 2>/dev/null; do
    echo "$s $(rss_kib)"; sleep 1; s=$((s + 1)); done ) >"$work/rss.txt" 2>/dev/null &
pids+=($!)
province=$scope; [ "$scope" = national ] && province=32
load_rc=0
"$rel/replay_load" --conns "${CONNS:-128}" --crawlers "${CRAWLERS:-2}" \
  --crawl-rate "${CRAWL_RATE:-500}" --hot "${HOT:-2}" --hot-rate "${HOT_RATE:-200}" \
  --province "$province" --json "$work/load.json" "$prep" 127.0.0.1 \
  "$(rekapd_port replay ingest)" "$(rekapd_port replay public)" | tee "$work/load.txt" || load_rc=$?

echo "== the final totals against the generator's truth"
check_rc=0
python3 bench/replay_check.py "$prep/expected.json" "$(rekapd_port replay public)" \
  | tee "$work/check.txt" || check_rc=$?
hwm_kib=$(sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$rekapd_pid/status")
rss_end_kib=$(rss_kib)
# rekapd's CPU seconds (utime + stime): on a shared machine, forms per CPU
# second say more than forms per second
cpu_s=$(awk -v hz="$(getconf CLK_TCK)" '{ printf "%.1f", ($14 + $15) / hz }' "/proc/$rekapd_pid/stat")
rekapd_stop "$rekapd_pid"
el_bytes=$(du -sb "$work/el" | cut -f1)
photo_bytes=$(du -sb "$work/el/photos" | cut -f1)

python3 - "$work/load.json" "$prep/expected.json" "$hwm_kib" "$el_bytes" "$photo_bytes" \
  "$up_s" "$load_rc" "$check_rc" "$cpu_s" "$loadavg" "$rss_start_kib" "$rss_end_kib" <<'PY'
import json, sys
l, e = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
hwm, el, ph, up = int(sys.argv[3]) * 1024, int(sys.argv[4]), int(sys.argv[5]), float(sys.argv[6])
ok = sys.argv[7] == "0" and sys.argv[8] == "0"
cpu, loadavg = float(sys.argv[9]), sys.argv[10]
rss0, rss1 = int(sys.argv[11]) / 1024, int(sys.argv[12]) / 1024
wall = l["wall_s"]
print(f"""
summary, scope {e['scope']}: {e['tps']:,} TPS, {e['forms']:,} forms, {e['photos']:,} photos, \
{e['corrections']:,} corrections, {sum(e['recaps'].values())} recaps
| figure | measured | target |
|---|---|---|
| replay wall time (forms, photos, corrections, recaps) | {wall:.1f} s (rekapd up in {up:.1f} s before it) | national: ≤ 600 s |
| forms/s (all five ballots, photos PUT before their forms) | {l['forms_per_s']:,.0f} | — |
| form ingest latency | p50 {l['form_p50_ms']:.1f} ms, p99 {l['form_p99_ms']:.1f} ms | — |
| photo upload latency ({l['photos']:,} photos, {l['photo_bytes'] / 1e9:.2f} GB) | p50 {l['photo_p50_ms']:.1f} ms, p99 {l['photo_p99_ms']:.1f} ms | — |
| public reads during the replay (crawl + hot pages) | {l['public_per_s']:,.0f} req/s ({l['public_requests']:,}; {l['crawl_docs']:,} documents crawled, {l['public_errors']} not 200/304) | — |
| rekapd peak RSS (VmHWM) | {hwm / 2**20:,.0f} MiB (at the start {rss0:,.0f} MiB, at the end {rss1:,.0f} MiB) | ≤ 1024 MiB |
| disk of the election directory | {el / 1e9:.2f} GB ({ph / 1e9:.2f} GB photos, {(el - ph) / 1e9:.2f} GB store and log) | — |
| misreads caught by the rules (422, kept out, corrected) | {l['form_422']:,} of {e['misreads']:,} (prep expected {e['misreads_caught']:,}) | all that break a rule |
| misreads consistent with every rule (accepted) | {e['misreads_undetected']:,} | — |
| CPU: rekapd, the load tool (machine load average at the start: {loadavg}) | {cpu:.1f} s, {l['load_cpu_s']:.1f} s: {l['forms'] / cpu:,.0f} forms per rekapd CPU second | — |
| answers not as expected | {l['mismatches']} | 0 |
| final totals = truth + undetected misreads | {'yes' if sys.argv[8] == '0' else 'NO'} | yes |""")
print("OK" if ok else "FAILED")
sys.exit(0 if ok else 1)
PY
