#!/usr/bin/env bash
# `rekap determine` (docs/CLI.md, docs/DETERMINATION.md): seats from a
# --votes table (threshold, CSV output, errors with file:line and exit 3,
# usage errors exit 2), and every contest of a small election directory
# determined read-only from its signed log, the log left as it was; with
# --json the document parses, agrees with the CSV, and is byte for byte
# what rekapd serves at /api/v1/determination/<contest>.json for the same
# directory.
# usage: test_determine.sh REKAP DATA_DIR
source "$(dirname "$0")/lib.sh" "$@"
has() { grep -q -- "$1" "$2"; }
hasnt() { ! grep -q -- "$1" "$2"; }

# national sums: party 1 8000, party 2 3500, party 3 390 (3.28%)
cat > "$tmp/v.csv" <<'CSV'
dapil,seats,party,votes
"I, barat",3,1,5000
"I, barat",3,2,1500
"I, barat",3,3,390
II,2,2,2000
II,2,1,3000
CSV
expect_rc 0 "dpr seats from a table" "$rekap" determine --contest dpr --votes "$tmp/v.csv" --csv
check "Sainte-Lague per dapil, party 3 under 4%" diff - "$tmp/out" <<'OUT'
dapil,party,seats
"I, barat",1,2
"I, barat",2,1
"I, barat",3,0
II,1,1
II,2,1
OUT
expect_rc 0 "text output" "$rekap" determine --contest dprd_kab --votes "$tmp/v.csv"
check "text names the threshold" has "threshold 0.00%" "$tmp/out"
expect_rc 0 "dpr as text" "$rekap" determine --contest dpr --votes "$tmp/v.csv"
check "3.28% is below 4%" has "below threshold" "$tmp/out"
expect_rc 0 "--threshold 3.28" "$rekap" determine --contest dpr --votes "$tmp/v.csv" --threshold 3.28
check "3.28% is in at 3.28" hasnt "below threshold" "$tmp/out"

printf 'dapil,seats,party,votes\nA,3,1,10\nA,3,1,20\n' > "$tmp/dup.csv"
expect_rc 3 "a party twice in a dapil" "$rekap" determine --contest dpr --votes "$tmp/dup.csv"
check "error names file:line and code" has "dup.csv:3: DETERMINE_CSV_DUPLICATE" "$tmp/err"
check "and says it in Bahasa Indonesia" has "tercantum dua kali" "$tmp/err"
expect_rc 3 "a missing file" "$rekap" determine --contest dpr --votes "$tmp/none.csv"
expect_rc 2 "--votes with ppwp" "$rekap" determine --contest ppwp --votes "$tmp/v.csv"
expect_rc 2 "no --contest" "$rekap" determine --votes "$tmp/v.csv"
expect_rc 2 "both --dir and --votes" "$rekap" determine --contest dpr --votes "$tmp/v.csv" --dir "$tmp"
expect_rc 2 "a bad threshold" "$rekap" determine --contest dpr --votes "$tmp/v.csv" --threshold 4.001
expect_rc 2 "--threshold with --dir" "$rekap" determine --contest dpr --dir "$tmp" --threshold 4

D=$tmp/D
"$rekap" gen --scope 65 --seed 5 --out "$tmp/el.json" --forms "$tmp/forms.jsonl" >/dev/null \
  && "$rekap" init --dir "$D" --election "$tmp/el.json" --origin example.org/determine >/dev/null \
  && "$rekap" enrol --dir "$D" --generate "$tmp/keys" >/dev/null \
  && "$rekap" submit --dir "$D" --keys "$tmp/keys" "$tmp/forms.jsonl" >/dev/null \
  || { echo "FAIL - setup"; exit 1; }
before=$(cd "$D/log" && find . -type f -exec sha256sum {} + | sort)
for k in ppwp dpr dpd dprd_prov dprd_kab; do
  expect_rc 0 "determine $k from the log" "$rekap" determine --dir "$D" --contest $k --csv
done
expect_rc 0 "ppwp as text" "$rekap" determine --dir "$D" --contest ppwp
check "ppwp: an outcome" grep -Eq "^(elected|second round):" "$tmp/out"
cp "$tmp/out" "$tmp/ppwp.txt"
check "every TPS counted, not provisional" has "TPS counted$" "$tmp/out"
expect_rc 0 "dpd csv" "$rekap" determine --dir "$D" --contest dpd --csv
check "dpd: four elected" [ "$(grep -c ',1$' "$tmp/out")" -eq 4 ]
expect_rc 0 "dpr csv" "$rekap" determine --dir "$D" --contest dpr --csv
seats=$(tail -n +2 "$tmp/out" | awk -F, '{s += $4} END {print s}')
want=$(python3 -c "import json,sys; print(sum(d['seats'] for d in json.load(open(sys.argv[1]))['contests']['dpr']))" "$tmp/el.json")
check "dpr: every seat given ($seats)" [ "$seats" = "$want" ]
for k in ppwp dpr dpd dprd_prov dprd_kab; do
  expect_rc 0 "determine $k --json" "$rekap" determine --dir "$D" --contest $k --json
  cp "$tmp/out" "$tmp/$k.json"
  check "$k: the JSON parses" python3 -m json.tool "$tmp/$k.json" /dev/null
done
check "dpr JSON: every TPS counted, from the TPS forms, every seat given" python3 - "$tmp/dpr.json" "$want" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["contest"] == "dpr" and d["source"] == "tps" and d["complete"] is True
assert d["tps"]["counted"] == d["tps"]["expected"] > 0
assert sum(x["allocated"] for x in d["districts"]) == int(sys.argv[2])
for x in d["districts"]:
    assert sum(p["seats"] for p in x["parties"]) == x["seats"] == len(x["elected"])
PY
check "ppwp JSON: the outcome the text printed" python3 - "$tmp/ppwp.json" "$tmp/ppwp.txt" <<'PY'
import json, sys
p = json.load(open(sys.argv[1]))["ppwp"]
text = open(sys.argv[2]).read()
want = {"elected": "elected: %02d " % (p["winner"] or {}).get("no", 0), "runoff": "second round:"}
assert want[p["outcome"]] in text
PY
expect_rc 2 "--json and --csv together" "$rekap" determine --dir "$D" --contest dpr --json --csv
expect_rc 2 "--json with --votes" "$rekap" determine --contest dpr --votes "$tmp/v.csv" --json
after=$(cd "$D/log" && find . -type f -exec sha256sum {} + | sort)
check "the log is left as it was" [ "$before" = "$after" ]

# the same directory served: the API's document is the CLI's
trap '[ -n "$pid" ] && kill -9 $pid 2>/dev/null; rm -rf "$tmp"' EXIT
rekapd_up "$tmp/rekapd.log" --dir "$D" --set public_ip_rate=0; up=$?
check "rekapd starts on the directory" [ $up -eq 0 ]
if [ $up -eq 0 ]; then
  for k in ppwp dpr dpd dprd_prov dprd_kab; do
    check "$k: /api/v1/determination/$k.json is the CLI's JSON" sh -c \
      "curl -sf 'http://127.0.0.1:$PP/api/v1/determination/$k.json' | cmp -s - '$tmp/$k.json'"
  done
  check "an unknown contest is 404" [ "$(curl -s -o /dev/null -w '%{http_code}' \
    "http://127.0.0.1:$PP/api/v1/determination/dprd.json")" = 404 ]
  kill -TERM $pid; wait $pid; check "rekapd stops cleanly" [ $? -eq 0 ]; pid=
fi
finish
