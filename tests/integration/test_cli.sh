#!/usr/bin/env bash
# End-to-end test of the rekap CLI on a real province from the master data:
# generate (deterministic), check, show against an independent sum of the
# forms, the PPWP CSV mode, misread forms, and the error paths.
# usage: test_cli.sh REKAP DATA_DIR
source "$(dirname "$0")/lib.sh" "$@"
prov=65   # Kalimantan Utara: a small real province

expect_rc 0 "gen one province with all five ballots" \
  "$rekap" gen --scope $prov --seed 7 --out "$tmp/el.json" --forms "$tmp/forms.jsonl"
expect_rc 0 "gen again with the same seed" \
  "$rekap" gen --scope $prov --seed 7 --out "$tmp/el2.json" --forms "$tmp/forms2.jsonl"
cmp -s "$tmp/el.json" "$tmp/el2.json" && cmp -s "$tmp/forms.jsonl" "$tmp/forms2.jsonl" \
  && ok "same seed, same bytes" || fail "same seed, same bytes"
"$rekap" gen --scope $prov --seed 8 --out "$tmp/el3.json" >/dev/null
cmp -s "$tmp/el.json" "$tmp/el3.json" && fail "another seed, other bytes" || ok "another seed, other bytes"

expect_rc 0 "check: every generated form passes" \
  "$rekap" check --election "$tmp/el.json" --quiet "$tmp/forms.jsonl"
grep -q " 0 with errors, 0 unreadable" "$tmp/out" && ok "check summary: no errors" || fail "check summary: $(cat "$tmp/out")"

expect_rc 0 "show --json" "$rekap" show --election "$tmp/el.json" --region $prov --json "$tmp/forms.jsonl"
cp "$tmp/out" "$tmp/show.json"
python3 - "$tmp/forms.jsonl" "$tmp/show.json" "$tmp/el.json" <<'PY' && ok "show totals equal the independent sum of the forms" || fail "show totals differ from the forms"
import json, sys, collections
forms = [json.loads(l) for l in open(sys.argv[1])]
show = json.load(open(sys.argv[2]))
el = json.load(open(sys.argv[3]))
ntps = sum(len(v) for v in el["tps"].values())
by = {c["contest"]: c for c in show["contests"]}
assert show["forms"]["counted"] == len(forms), show["forms"]
for kind in ("ppwp", "dpr", "dpd", "dprd_prov", "dprd_kab"):
    fs = [f for f in forms if f["contest"] == kind]
    c = by[kind]
    assert c["tps_counted"] == len(fs) == ntps == c["tps_expected"], (kind, c["tps_counted"], len(fs), ntps)
    assert c["valid"] == sum(f["valid"] for f in fs), kind
    assert c["invalid"] == sum(f["invalid"] for f in fs), kind
    assert c["voters"] == sum(f["voters"]["b4"][2] for f in fs), kind
    if kind in ("ppwp", "dpd"):
        want = [sum(f["votes"][i] for f in fs) for i in range(len(fs[0]["votes"]))]
    else:
        tot = collections.Counter()
        for f in fs:
            for p in f["parties"]:
                tot[p["no"]] += p["total"]
        want = [tot[p["no"]] for p in el["parties"]]
    got = [s["votes"] for s in c["selections"]]
    assert got == want, (kind, got, want)
    # children add up to the parent
    assert sum(ch["valid"] for ch in c["children"]) == c["valid"], kind
PY

# A misread form: 500 votes more for pair 01 at one TPS (the 800-votes case).
python3 - "$tmp/forms.jsonl" "$tmp/misread.json" <<'PY'
import json, sys
f = json.loads(open(sys.argv[1]).readline())
assert f["contest"] == "ppwp"
f["votes"][0] += 500
json.dump(f, open(sys.argv[2], "w"))
PY
expect_rc 1 "check: a misread form fails" "$rekap" check --election "$tmp/el.json" --lang en "$tmp/misread.json"
grep -q "VOTES_SUM" "$tmp/out" && ok "misread form names VOTES_SUM" || fail "misread form: $(cat "$tmp/out")"
expect_rc 0 "show with the misread form added" \
  "$rekap" show --election "$tmp/el.json" --json "$tmp/forms.jsonl" "$tmp/misread.json"
python3 - "$tmp/show.json" "$tmp/out" <<'PY' && ok "misread form is rejected, totals unchanged" || fail "misread form changed the totals"
import json, sys
a, b = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
assert b["forms"]["rejected"] == 1 and b["forms"]["counted"] == a["forms"]["counted"]
pa = [c for c in a["contests"] if c["contest"] == "ppwp"][0]
pb = [c for c in b["contests"] if c["contest"] == "ppwp"][0]
assert pa["selections"] == pb["selections"] and pa["valid"] == pb["valid"]
PY
expect_rc 0 "show: a second form for a counted TPS" \
  "$rekap" show --election "$tmp/el.json" --json "$tmp/forms.jsonl" "$tmp/forms.jsonl"
grep -q DUPLICATE_FORM "$tmp/err" && ok "duplicates are reported" || fail "duplicates not reported"

# PPWP outcome per province from a CSV, reproduced exactly.
printf 'kode,01,02,03\n65,101234,250321,60777\n' > "$tmp/ppwp.csv"
expect_rc 0 "gen with a PPWP CSV" \
  "$rekap" gen --scope $prov --seed 7 --out "$tmp/elc.json" --forms "$tmp/formsc.jsonl" --contests ppwp --ppwp-csv "$tmp/ppwp.csv"
python3 - "$tmp/formsc.jsonl" <<'PY' && ok "PPWP CSV totals reproduced exactly" || fail "PPWP CSV totals differ"
import json, sys
fs = [json.loads(l) for l in open(sys.argv[1])]
assert all(f["contest"] == "ppwp" for f in fs)
got = [sum(f["votes"][i] for f in fs) for i in range(3)]
assert got == [101234, 250321, 60777], got
PY
expect_rc 0 "check the CSV-driven forms" "$rekap" check --election "$tmp/elc.json" --quiet "$tmp/formsc.jsonl"
printf 'kode,01,02,03\n65,99999999,1,1\n' > "$tmp/huge.csv"
expect_rc 3 "gen: a CSV over the province's voters is refused" \
  "$rekap" gen --scope $prov --seed 7 --out "$tmp/x.json" --forms "$tmp/x.jsonl" --ppwp-csv "$tmp/huge.csv"
grep -q GEN_PPWP_CAPACITY "$tmp/err" && ok "capacity error code" || fail "capacity error: $(cat "$tmp/err")"
[ ! -e "$tmp/x.jsonl" ] && ok "nothing half-written" || fail "a partial forms file was left"
printf 'kode,01,02\n65,1,2,3\n' > "$tmp/bad.csv"
expect_rc 3 "gen: a malformed CSV" "$rekap" gen --scope $prov --out "$tmp/x.json" --ppwp-csv "$tmp/bad.csv"

# Bad input and usage.
echo '{"format":"rekap-chasil/1"' > "$tmp/broken.json"
expect_rc 1 "check: unparseable form" "$rekap" check "$tmp/broken.json"
grep -q FORM_JSON "$tmp/out" && ok "FORM_JSON code" || fail "FORM_JSON: $(cat "$tmp/out")"
expect_rc 3 "check: missing election file" "$rekap" check --election "$tmp/none.json" "$tmp/broken.json"
grep -q FILE_OPEN "$tmp/err" && ok "FILE_OPEN code" || fail "FILE_OPEN: $(cat "$tmp/err")"
expect_rc 2 "show: unknown region" "$rekap" show --election "$tmp/el.json" --region 7777 "$tmp/forms.jsonl"
expect_rc 2 "unknown command" "$rekap" frobnicate
expect_rc 2 "gen: bad seed" "$rekap" gen --seed x
for c in gen check show; do expect_rc 0 "$c --help" "$rekap" $c --help; done
expect_rc 0 "--help" "$rekap" --help

finish
