#!/usr/bin/env bash
# The commission's 2024 portal layout as the community's 2024 scrapers read
# it (docs/API.md, "The 2024 portal layout"; tests/conformance/README.md):
# first the schemas and the checker against the real 2024 files
# (tests/conformance/samples) and the checker's self-test; then one
# province (scope 65, seed 7) served by rekapd with its DEFAULT public rate
# limit, crawled with 16 keep-alive connections from one address at three
# moments -- nothing submitted, about a third of the forms, every form plus
# a correction (and a PSU re-count when `rekap sign` has --psu) -- every
# region list, region file, hhcd file, list, and the TPS files of four
# kecamatan plus ten others for all five contests (REKAP_2024_FULL=1: every
# TPS file at every moment, about four minutes). Every document must pass
# tests/conformance/check.py --contract, every answer must be 200 (no 429),
# and the numbers must equal the forms file's (tests/conformance/live.py).
# Skipped (77) without python3-jsonschema (scripts/deps installs it).
# usage: test_2024_layout.sh REKAP DATA_DIR
source "$(dirname "$0")/lib.sh" "$@"
conf=$(cd "$(dirname "$0")/../conformance" && pwd)
[ -x "$rekapd" ] || { echo "FAIL - no rekapd next to $rekap"; exit 1; }
python3 -c 'import jsonschema' 2>/dev/null \
  || { echo "skipped: python3 has no jsonschema module (Debian: python3-jsonschema, see scripts/deps)"; exit 77; }
D=$tmp/D
pid=
trap '[ -n "$pid" ] && kill -9 $pid 2>/dev/null; rm -rf "$tmp"' EXIT

# ---- the schemas are faithful: every real 2024 file passes, every
# breakage of one in the self-test is caught
python3 "$conf/check.py" --quiet "$conf/samples" >"$tmp/samples.out" 2>&1; rc=$?
check "check.py: every real 2024 sample passes its schema and order check" [ $rc = 0 ]
grep -v '^ *[a-z_]* *[0-9]* checked' "$tmp/samples.out" | head -20
python3 "$conf/selftest.py" >"$tmp/self.out" 2>&1; rc=$?
check "check.py's self-test: $(grep -c '^ok ' "$tmp/self.out") checks, each breakage of a real file caught" [ $rc = 0 ]
grep '^FAIL' "$tmp/self.out"

# ---- one province, its forms signed with three photos each
"$rekap" gen --scope 65 --seed 7 --out "$tmp/el.json" --forms "$tmp/forms.jsonl" >/dev/null \
  && "$rekap" init --dir "$D" --election "$tmp/el.json" --origin example.org/kaltara >/dev/null \
  && "$rekap" enrol --dir "$D" --generate "$tmp/keys" >/dev/null \
  || { echo "FAIL - setup"; exit 1; }
for i in 1 2 3; do
  printf '\xff\xd8\xff\xe0 halaman %s, formulir C.Hasil' "$i" > "$tmp/p$i.jpg"
  printf '\xff\xd8\xff\xe0 halaman %s, perbaikan' "$i" > "$tmp/c$i.jpg"
done
expect_rc 0 "every form signed (three photos each)" "$rekap" sign --keys "$tmp/keys" \
  --photo "$tmp/p1.jpg" --photo "$tmp/p2.jpg" --photo "$tmp/p3.jpg" "$tmp/forms.jsonl"
mv "$tmp/out" "$tmp/v1.jsonl"

# the public listener as shipped: no public_* setting; the ingest's limits
# are lifted so that the forms go in quickly (they are not under test)
if ! rekapd_up "$tmp/rekapd.log" --dir "$D" --set ingest_ip_rate=0 --set ingest_key_rate=0; then
  fail "rekapd starts (default public limits)"; tail -5 "$tmp/rekapd.log"; finish; exit 1
fi
ok "rekapd starts (default public limits)"
python3 "$conf/live.py" --rekap "$rekap" --public "http://127.0.0.1:$PP" --ingest "http://127.0.0.1:$IP" \
  --el "$tmp/el.json" --forms "$tmp/forms.jsonl" --keys "$tmp/keys" --signed "$tmp/v1.jsonl" \
  --photos "$tmp/p1.jpg" "$tmp/p2.jpg" "$tmp/p3.jpg" --fix-photos "$tmp/c1.jpg" "$tmp/c2.jpg" "$tmp/c3.jpg" \
  --work "$tmp" >"$tmp/live.out" 2>&1
grep -v '^live: ' "$tmp/live.out"
passes=$((passes + $(grep -c '^ok ' "$tmp/live.out")))
fails=$((fails + $(grep -c '^FAIL' "$tmp/live.out")))
grep -q '^live: ' "$tmp/live.out" || fail "the live checks ended early"

kill -TERM $pid; wait $pid 2>/dev/null; stopped=$?; pid=
check "SIGTERM: a clean stop" [ "$stopped" = 0 ]
grep -q '"level":"error"' "$tmp/rekapd.log" && { fail "errors in the log"; grep '"level":"error"' "$tmp/rekapd.log" | head -5; }
finish
