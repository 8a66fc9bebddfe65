#!/usr/bin/env bash
# Memory of rekapd's public documents per contest at national scale (issue
# 9: every contest in the 2024 layout, rendered once per change): starts
# rekapd on the national election of seed 2024 (all five contests, 823,227
# TPS; bench_ingest's setup, made once), reads the "public_documents" log
# line (documents and bytes kept per contest: rekap's results, the 2024
# hhcw and hhcd files) and rekapd's RSS, and times the first render.
# usage: bench/layout2024.sh [WORKDIR]   (~1.5 GB free disk)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build >/dev/null 2>&1 || scripts/build
cmake --build build/release --target rekapd bench_ingest >/dev/null
rel=$PWD/build/release
work=${1:-${TMPDIR:-/tmp}/rekap-http}
mkdir -p "$work"
[ -d "$work/prep/el" ] || "$rel/bench_ingest" prepare "$work/prep"
rm -rf "$work/l24"; cp -r "$work/prep/el" "$work/l24"
rm -f "$work/ports24"
t0=$(date +%s.%N)
"$rel/rekapd" --dir "$work/l24" --ingest-port 0 --public-port 0 --port-file "$work/ports24" \
  2>"$work/rekapd24.log" &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
for _ in $(seq 600); do [ -s "$work/ports24" ] && break; sleep 0.2; done
t1=$(date +%s.%N)
pport=$(sed -n 's/^public=//p' "$work/ports24")
echo "first render and start: $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }') s"
grep '"public_rendered"\|"public_documents"' "$work/rekapd24.log"
grep -E 'VmRSS|RssAnon' "/proc/$pid/status"
# a few documents of each kind, to show they are there
for u in /pemilu/hhcw/ppwp.json /pemilu/hhcw/pdpr.json /pemilu/hhcd/pdpr/0.json \
         /pemilu/hhcw/pdprdk/32.json /pemilu/hhcw/pdpd/32.json; do
  printf '%s %s bytes\n' "$u" "$(curl -s "http://127.0.0.1:$pport$u" | wc -c)"
done
kill -TERM $pid; wait $pid || true
