#!/usr/bin/env bash
# The crash soak, long (issue 13; docs/RELIABILITY.md "Kills and power
# cuts under load", docs/BENCHMARKS.md §9): the soak of tests/integration/soak_lib.sh
# (the same checks as the quick CTest versions test_soak and test_powerloss)
# with CUTS cuts on a larger election (Kalimantan Tengah, all five contests:
# 42,520 forms and their corrections), on the release build.
#   kills: rekapd SIGKILLed at CUTS random moments under a load of signed
#          forms over HTTP (500 submissions/s, 8 connections; every 20th
#          form with a photo of 150-450 KiB PUT before it);
#   power: the same under the power-loss shim (tests/powerloss): every cut
#          SIGKILLs rekapd, at a random moment or at a random journaled
#          change, and takes back every change not yet synced.
# After each restart: every acknowledged submission there at its index,
# every acknowledged photo served with its bytes' SHA-256, the checkpoint
# consistent with the last one served (proof checked), the totals served
# equal to those recomputed from the log. The programs run from copies
# taken at the start (soak_lib.sh): build/release may be rebuilt meanwhile.
# usage: bench/soak.sh [--kill | --powerloss | --both] [CUTS]
#        (default --both 50: ~7 min). Each run's ok/FAIL lines go to
#        $TMPDIR/rekap-soak-<mode>.log; the summary lines are printed.
# The SOAK_* settings of soak_lib.sh may be set in the environment.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
modes=(kill power)
case "${1:-}" in
  --kill) modes=(kill); shift ;;
  --powerloss) modes=(power); shift ;;
  --both) shift ;;
esac
export SOAK_CUTS=${1:-50}
export SOAK_SCOPE=${SOAK_SCOPE:-62} SOAK_RATE=${SOAK_RATE:-500}
export SOAK_PHOTO_FORMS=${SOAK_PHOTO_FORMS:-1000000} # photos among all the forms
bench_build rekap rekapd powerloss pl_rollback
status=0
for mode in "${modes[@]}"; do
  script=tests/integration/test_soak.sh
  [ "$mode" = power ] && script=tests/integration/test_powerloss.sh
  out=${TMPDIR:-/tmp}/rekap-soak-$mode.log
  echo "== $mode: $SOAK_CUTS cuts, scope $SOAK_SCOPE, $SOAK_RATE submissions/s (log: $out)"
  t0=$SECONDS
  bash "$script" "$rel/rekap" "$PWD/data" >"$out" 2>&1 || status=1
  grep -E '^(soak|power cuts|FAIL|      *[0-9]+ )|passed, ' "$out" || true
  echo "  $((SECONDS - t0)) s in all (preparation included)"
done
exit $status
