#!/usr/bin/env bash
# `rekap export --format nist` (docs/CLI.md): a province generated, about
# two thirds of the TPS of one kab/kota (and a few of another) counted; the
# NIST SP 1500-100 v2 JSON of that kab/kota for every contest validates
# against the shipped schema (tests/schemas/), every id it refers to
# (ComposingGpUnitIds, ElectionDistrictId, GpUnitId, CandidateIds,
# PartyIds, ElectionScopeId) exists, only TPS of the region carry counts,
# and each selection's VoteCounts add up over the TPS to the column totals
# of `rekap export` (CSV) for the same TPS; the CSV of a region (--region,
# TPS rows or a level's). Failure paths: an unknown --format, an unknown
# --region, a --region below the rows, --level with nist.
# Skipped (77) without python3-jsonschema (scripts/deps installs it).
# usage: test_export_nist.sh REKAP DATA_DIR
source "$(dirname "$0")/lib.sh" "$@"
python3 -c 'import jsonschema' 2>/dev/null \
  || { echo "skipped: python3 has no jsonschema module (Debian: python3-jsonschema)"; exit 77; }
schema=$(cd "$(dirname "$0")/../schemas" && pwd)/NIST_V2_election_results_reporting.json
D=$tmp/D
K=6504

"$rekap" gen --scope 65 --seed 7 --out "$tmp/el.json" --forms "$tmp/forms.jsonl" >/dev/null \
  && "$rekap" init --dir "$D" --election "$tmp/el.json" --origin example.org/nist >/dev/null \
  && "$rekap" enrol --dir "$D" --generate "$tmp/keys" >/dev/null \
  || { echo "FAIL - setup"; exit 1; }
# every TPS of $K but each third one, and the first 20 forms of 6502
python3 - "$tmp/forms.jsonl" "$K" > "$tmp/part.jsonl" <<'PY'
import json, sys
n = 0
for line in open(sys.argv[1]):
    f = json.loads(line)
    if f["tps"].startswith(sys.argv[2]) and int(f["tps"][-3:]) % 3 != 0:
        sys.stdout.write(line)
    elif f["tps"].startswith("6502") and n < 20:
        n += 1
        sys.stdout.write(line)
PY
expect_rc 0 "submit part of the forms" "$rekap" submit --dir "$D" --keys "$tmp/keys" "$tmp/part.jsonl"

for c in ppwp dpr dpd dprd_prov dprd_kab; do
  expect_rc 0 "export --format nist --contest $c --region $K" \
    "$rekap" export --dir "$D" --format nist --contest $c --region $K
  cp "$tmp/out" "$tmp/$c.json"
  expect_rc 0 "export --contest $c (CSV)" "$rekap" export --dir "$D" --contest $c
  cp "$tmp/out" "$tmp/$c.csv"
  expect_rc 0 "$c: valid, ids resolve, sums equal the CSV's" \
    python3 - "$schema" "$tmp/$c.json" "$tmp/$c.csv" "$K" <<'PY'
import csv, json, sys
import jsonschema
schema = json.load(open(sys.argv[1]))
doc = json.load(open(sys.argv[2]))
K = sys.argv[4]
cls = jsonschema.validators.validator_for(schema)
cls.check_schema(schema)
errors = list(cls(schema).iter_errors(doc))
for e in errors[:5]:
    print("schema:", list(e.absolute_path), e.message[:300], file=sys.stderr)
assert not errors, "%d schema errors" % len(errors)

gp = {u["@id"]: u for u in doc["GpUnit"]}
assert len(gp) == len(doc["GpUnit"]), "duplicate GpUnit ids"
parties = {p["@id"] for p in doc.get("Party", [])}
el = doc["Election"][0]
cands = {c["@id"] for c in el.get("Candidate", [])}
assert el["ElectionScopeId"] == "ru-" + K and gp["ru-" + K]["Type"] == "county"
for u in doc["GpUnit"]:
    for c in u.get("ComposingGpUnitIds", []):
        assert c in gp, "ComposingGpUnitIds: no unit " + c
tps_units = {i for i, u in gp.items() if u["Type"] == "polling-place"}
assert tps_units and all(i.startswith("ru-" + K) and len(i) == 16 for i in tps_units)
# every TPS unit reachable from the scope through ComposingGpUnitIds
seen, todo = set(), ["ru-" + K]
while todo:
    u = todo.pop()
    seen.add(u)
    todo += gp[u].get("ComposingGpUnitIds", [])
assert tps_units <= seen, "TPS not composed into the scope"

sums = {}  # selection's SequenceOrder / party -> votes
counted = set()
for ct in el["Contest"]:
    assert ct["ElectionDistrictId"] in gp
    n = 0
    for s in ct["ContestSelection"]:
        for i in s.get("CandidateIds", []):
            assert i in cands, i
        for i in s.get("PartyIds", []):
            assert i in parties, i
        if "PartyIds" in s:
            key = s["PartyIds"][0].split("-")[1]
        else:
            key = str(s["SequenceOrder"])
        for v in s.get("VoteCounts", []):
            assert v["GpUnitId"] in tps_units and v["Type"] == "total"
            counted.add(v["GpUnitId"][3:])
            sums[key] = sums.get(key, 0) + v["Count"]
    assert ct["SubUnitsReported"] <= ct["TotalSubUnits"]
for b in el.get("BallotCounts", []):
    assert b["GpUnitId"] in tps_units

rows = [r for r in csv.DictReader(open(sys.argv[3])) if r["tps"].startswith(K)]
assert rows, "no counted TPS in the CSV"
assert {r["tps"] for r in rows} == counted or not sums, "counted TPS differ"
assert len(el.get("BallotCounts", [])) == len(rows)
assert sum(b["BallotsRejected"] for b in el["BallotCounts"]) == sum(int(r["invalid"]) for r in rows)
want = {}
for r in rows:
    for col, v in r.items():
        if v == "" or not col.startswith(("pair_", "cand_", "party_")):
            continue
        key = col.split("_")[1]
        want[key] = want.get(key, 0) + int(v)
assert sums == want, "sums %s != CSV %s" % (sums, want)
print("units %d, TPS counted %d, votes %d" % (len(gp), len(rows), sum(sums.values())))
PY
  cat "$tmp/out"
done

# a province too (its kab/kota's GpUnits and every dapil of its DPRD)
expect_rc 0 "export --format nist --contest dprd_kab --region 65" \
  "$rekap" export --dir "$D" --format nist --contest dprd_kab --region 65
check "province: valid JSON, status partial" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["Status"] == "unofficial-partial" and len(d["Election"][0]["Contest"]) > 1
' "$tmp/out"

expect_rc 2 "unknown --format: usage error" "$rekap" export --dir "$D" --format xml
check "unknown --format: says so" grep -q "unknown format 'xml'" "$tmp/err"
expect_rc 2 "unknown --region: usage error" "$rekap" export --dir "$D" --format nist --region 6599
check "unknown --region: says so" grep -q "no region with the code '6599'" "$tmp/err"
check "unknown --region: nothing written" test ! -s "$tmp/out"
expect_rc 2 "--level with --format nist: usage error" \
  "$rekap" export --dir "$D" --format nist --level desa
# CSV for any region: the TPS rows within it, or the rows of a level within it
expect_rc 0 "csv --region $K: its TPS" "$rekap" export --dir "$D" --contest ppwp --region $K
check "csv --region $K: only TPS of $K, every one counted there" python3 - "$tmp/out" "$tmp/part.jsonl" "$K" <<'PY'
import csv, json, sys
rows = list(csv.DictReader(open(sys.argv[1])))
want = {json.loads(l)["tps"] for l in open(sys.argv[2])
        if json.loads(l)["contest"] == "ppwp" and json.loads(l)["tps"].startswith(sys.argv[3])}
got = {r[next(iter(r))] for r in rows}
sys.exit(0 if got == want and want else 1)
PY
expect_rc 0 "csv --region 65 --level kecamatan" "$rekap" export --dir "$D" --level kecamatan --region 6502
check "csv --level kecamatan --region 6502: only kecamatan of 6502" \
  python3 -c 'import csv,sys; r=list(csv.DictReader(open(sys.argv[1]))); sys.exit(0 if r and all(x["code"].startswith("6502") for x in r) else 1)' "$tmp/out"
expect_rc 2 "csv --region below the rows: usage error" "$rekap" export --dir "$D" --level kabupaten --region 650101
expect_rc 2 "csv unknown --region: usage error" "$rekap" export --dir "$D" --region 6599
expect_rc 2 "--date not a date: usage error" "$rekap" export --dir "$D" --format nist --date 2024-2-14
expect_rc 0 "--format csv is the default's bytes" "$rekap" export --dir "$D" --format csv --contest dpr
check "--format csv: same as no --format" cmp -s "$tmp/out" "$tmp/dpr.csv"

finish
