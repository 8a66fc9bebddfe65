#!/usr/bin/env bash
# Benchmark of issue 3: ingest through the library path of the national
# PPWP election (~823k forms, each signed by its own enrolled TPS key),
# signatures verified, fsync-durable group commit, log published. Beside
# it, in the same run, the machine's Ed25519 verification ceiling on all
# cores. Then the restart (tally rebuild) and `rekap verify`.
# usage: bench/ingest.sh [WORKDIR]   (~1.5 GB free disk)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build >/dev/null 2>&1 || scripts/build
cmake --build build/release --target bench_ingest >/dev/null
bench=$PWD/build/release/bench_ingest
rekap=$PWD/build/release/rekap
work=${1:-${TMPDIR:-/tmp}/rekap-ingest}
rm -rf "$work"

echo "== setup (not measured): election, 823k keys enrolled, 823k forms signed"
"$bench" prepare "$work"
echo "== the machine's ceiling: Ed25519 verifications on every core"
"$bench" ceiling "$work"
echo "== ingest, then restart"
"$bench" run "$work"
echo "== rekap verify (seconds, peak KiB)"
/usr/bin/time -f "verify: %e s, peak RSS %M KiB" "$rekap" verify --dir "$work/el" | tail -8
