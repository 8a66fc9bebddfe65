#!/usr/bin/env bash
# Benchmark of issue 2: generate the national election with all five
# ballots' true C.Hasil forms, then check every form. Reports seconds,
# forms/s and peak RSS of each step, and compares the checker with the
# alternatives a reader would reach for on the same file in the same run:
# the I/O floor (cat) and a plain Python json.loads loop (parse only).
# usage: bench/national.sh [WORKDIR]   (needs ~4 GB free disk in WORKDIR)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build >/dev/null 2>&1 || scripts/build
rekap=$PWD/build/release/rekap
work=${1:-${TMPDIR:-/tmp}/rekap-bench}
mkdir -p "$work"

run() { # label command...: prints "label seconds peakKiB"
  local label=$1; shift
  /usr/bin/time -f "%e %M" -o "$work/time" "$@" >"$work/$label.out" 2>"$work/$label.err" || {
    echo "$label failed:"; tail -5 "$work/$label.err"; exit 1; }
  read -r secs kib <"$work/time"
  echo "$label $secs $kib"
}

gen=$(run gen "$rekap" gen --seed 2024 --out "$work/election.json" --forms "$work/forms.jsonl")
nforms=$(wc -l <"$work/forms.jsonl")
bytes=$(stat -c %s "$work/forms.jsonl")
check=$(run check "$rekap" check --election "$work/election.json" --quiet "$work/forms.jsonl")
cat_=$(run cat sh -c 'cat "$1" >/dev/null' cat "$work/forms.jsonl")
sample=500000
head -n $sample "$work/forms.jsonl" >"$work/sample.jsonl"
py=$(run python python3 -c '
import json, sys
n = 0
for line in open(sys.argv[1]):
    json.loads(line); n += 1
print(n)' "$work/sample.jsonl")
csample=$(run check_sample "$rekap" check --election "$work/election.json" --quiet "$work/sample.jsonl")

python3 - "$nforms" "$bytes" "$sample" "$gen" "$check" "$cat_" "$py" "$csample" "$work/gen.out" "$work/check.out" <<'PY'
import sys
nforms, nbytes, sample = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
def parse(s):
    label, secs, kib = s.split()
    return float(secs), int(kib)
gen, check, cat, py, csample = (parse(s) for s in sys.argv[4:9])
print(open(sys.argv[9]).read().strip())
print(open(sys.argv[10]).read().strip().splitlines()[-1])
print()
print(f"forms: {nforms:,} ({nbytes/1e9:.2f} GB of JSON lines)")
print(f"| step | seconds | forms/s | peak RSS |")
print(f"|---|---|---|---|")
print(f"| rekap gen (national, 5 ballots, with forms) | {gen[0]:.1f} | {nforms/gen[0]:,.0f} | {gen[1]/1024:.0f} MiB |")
print(f"| rekap check (every form, every rule, with election) | {check[0]:.1f} | {nforms/check[0]:,.0f} | {check[1]/1024:.0f} MiB |")
print(f"| cat (I/O floor) | {cat[0]:.1f} | {nforms/max(cat[0],0.01):,.0f} | {cat[1]/1024:.0f} MiB |")
print(f"| rekap check, first {sample:,} forms | {csample[0]:.1f} | {sample/csample[0]:,.0f} | {csample[1]/1024:.0f} MiB |")
print(f"| python3 json.loads only, first {sample:,} forms | {py[0]:.1f} | {sample/py[0]:,.0f} | {py[1]/1024:.0f} MiB |")
print()
print(f"check vs python parse-only, same {sample:,} forms: {py[0]/csample[0]:.2f}x")
PY
