#!/usr/bin/env bash
# Build (when needed) and run every libFuzzer target of tests/fuzz for
# SECONDS each over its seed corpus (tests/fuzz/corpus/<target>/).
# Usage: tests/fuzz/run.sh BUILD_OUT SECONDS
#   BUILD_OUT/bin/fuzz_<target>        the fuzzers (tests/fuzz/build.sh)
#   BUILD_OUT/corpus/<target>/         inputs the fuzzer found (kept between runs)
#   BUILD_OUT/crashes/<target>/        crash-*, leak-*, timeout-*, oom-* reproducers
#   BUILD_OUT/logs/<target>.log        the fuzzer's output
# Exit 0 when every target ran clean, 1 on any crash, leak, timeout, OOM
# or sanitizer report (the reproducer paths are printed), 77 (skip) when
# clang cannot build a fuzzer. FUZZ_TARGETS="form_parse keys" runs a subset.
set -uo pipefail

if [ $# -ne 2 ]; then
    echo "usage: $0 BUILD_OUT SECONDS" >&2
    exit 2
fi
out=$1
secs=$2
here=$(cd "$(dirname "$0")" && pwd)
TARGETS=${FUZZ_TARGETS:-"form_parse entry recap checkpoint keys csv election route request_body"}
export FUZZ_TARGETS="$TARGETS"

bash "$here/build.sh" "$out/bin"
rc=$?
if [ $rc -eq 77 ]; then
    exit 77
elif [ $rc -ne 0 ]; then
    echo "fuzz: build failed ($rc)" >&2
    exit 1
fi

failed=0
for t in $TARGETS; do
    bin="$out/bin/fuzz_$t"
    work="$out/corpus/$t"
    crashes="$out/crashes/$t"
    log="$out/logs/$t.log"
    mkdir -p "$work" "$crashes" "$out/logs"
    before=$(find "$crashes" -type f | wc -l)
    echo "fuzz: $t for ${secs}s" >&2
    # New inputs go to the first directory (work); the seeds stay as they are.
    "$bin" -max_total_time="$secs" -rss_limit_mb=1024 -timeout=5 \
        -error_exitcode=1 -artifact_prefix="$crashes/" -print_final_stats=1 \
        "$work" "$here/corpus/$t" >"$log" 2>&1
    frc=$?
    after=$(find "$crashes" -type f | wc -l)
    if [ $frc -ne 0 ] || [ "$after" -gt "$before" ] ||
        grep -qE 'ERROR: (AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|libFuzzer)|runtime error:|fuzz contract broken' "$log"; then
        failed=1
        echo "fuzz: $t FAILED (exit $frc); log: $log" >&2
        grep -E 'ERROR:|runtime error:|fuzz contract broken|SUMMARY:' "$log" | head -5 >&2
        # the stack of the first report, without libFuzzer's and libc's frames
        awk '/^ *#0 /{on=1} on && !/^ *#[0-9]/{exit} on' "$log" |
            grep -vE 'in (fuzzer::|__sanitizer_|__pthread_kill|raise |abort |__libc_start|_start)|libc\.so' |
            head -20 >&2
        find "$crashes" -type f -newer "$bin" -printf 'fuzz: reproducer %p\n' >&2
        echo "fuzz: reproduce with: $bin <reproducer>" >&2
    else
        execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
        echo "fuzz: $t ok (${execs:-?} runs, corpus $(find "$work" -type f | wc -l) files)" >&2
    fi
done
exit $failed
