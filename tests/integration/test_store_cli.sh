#!/usr/bin/env bash
# End-to-end test of the durable path of the rekap CLI on a real province:
# init an election directory, keys (keygen, enrol one, CSV, --generate),
# submit every generated form signed by its TPS's key, then check that the
# durable totals equal the file path's, that duplicates, corrections,
# refusals and rejections behave as documented (docs/CLI.md), and that the
# CSV export adds up to the same totals.
# usage: test_store_cli.sh REKAP DATA_DIR
source "$(dirname "$0")/lib.sh" "$@"
has() { grep -q -- "$1" "$2"; }           # pattern file
mode() { stat -c %a "$1"; }
prov=65   # Kalimantan Utara: a small real province
D=$tmp/D

"$rekap" gen --scope $prov --seed 7 --out "$tmp/el.json" --forms "$tmp/forms.jsonl" >/dev/null \
  || { echo "FAIL - gen"; exit 1; }
nforms=$(wc -l < "$tmp/forms.jsonl")

# ---- init
expect_rc 0 "init" "$rekap" init --dir "$D" --election "$tmp/el.json" --origin example.org/kaltara
check "init prints the verifier key" has "^verifier key: example.org/kaltara+[0-9a-f]\{8\}+" "$tmp/out"
vkey=$(sed -n 's/^verifier key: //p' "$tmp/out")
python3 - "$vkey" "$D/log/checkpoint" <<'PY' && ok "the verifier key names the key that signed the first checkpoint" || fail "verifier key and checkpoint signature differ"
import base64, hashlib, sys
name, kid, b64 = sys.argv[1].split("+", 2)
key = base64.b64decode(b64)
assert key[0] == 1 and len(key) == 33
want = hashlib.sha256(name.encode() + b"\n" + key).digest()[:4].hex()
assert kid == want, (kid, want)
text = open(sys.argv[2], encoding="utf-8").read()
sig = [l for l in text.split("\n") if l.startswith("\u2014 " + name + " ")]
assert sig and base64.b64decode(sig[0].split(" ")[2])[:4].hex() == kid
assert text.split("\n")[0] == name and text.split("\n")[1] == "0"
PY
expect_rc 3 "init: a directory that holds a store already" "$rekap" init --dir "$D" --election "$tmp/el.json"
check "INGEST_EXISTS" has INGEST_EXISTS "$tmp/err"
expect_rc 2 "init: an origin with a space" "$rekap" init --dir "$tmp/D2" --election "$tmp/el.json" --origin "a b"
check "INIT_ORIGIN" has INIT_ORIGIN "$tmp/err"
expect_rc 3 "init: a missing election file" "$rekap" init --dir "$tmp/D3" --election "$tmp/none.json"

# ---- keygen
expect_rc 0 "keygen" "$rekap" keygen --out "$tmp/k1.key" --name "Petugas Satu"
pub1=$(cat "$tmp/out")
check "secret key file is 0600" [ "$(mode "$tmp/k1.key")" = 600 ]
check "keygen prints the public key of FILE.pub" has "^public $pub1\$" "$tmp/k1.key.pub"
check "the public file has no secret" sh -c "! grep -q '^secret' '$tmp/k1.key.pub'"
expect_rc 3 "keygen refuses to overwrite" "$rekap" keygen --out "$tmp/k1.key"
check "KEY_EXISTS" has KEY_EXISTS "$tmp/err"
check "refused keygen left the key alone" has "^public $pub1\$" "$tmp/k1.key"
for k in k2 k3 k4 k5; do "$rekap" keygen --out "$tmp/$k.key" >/dev/null; done
chmod 644 "$tmp/k5.key"
expect_rc 0 "keygen --force" "$rekap" keygen --out "$tmp/k5.key" --force
check "--force replaced the key, 0600 again" [ "$(mode "$tmp/k5.key")" = 600 ]
expect_rc 2 "keygen without --out" "$rekap" keygen

# ---- enrol
tps1=$(python3 -c 'import json,sys; print(json.loads(open(sys.argv[1]).readline())["tps"])' "$tmp/forms.jsonl")
kab=${tps1:0:4}
expect_rc 0 "enrol one KPPS key" "$rekap" enrol --dir "$D" --region "$tps1" "$tmp/k1.key.pub"
expect_rc 1 "enrol the same key again" "$rekap" enrol --dir "$D" --region "$tps1" "$tmp/k1.key.pub"
check "STORE_KEY_ENROLLED" has STORE_KEY_ENROLLED "$tmp/err"
expect_rc 1 "enrol a KPPS key for a kabupaten" "$rekap" enrol --dir "$D" --region "$kab" "$tmp/k2.key.pub"
check "INGEST_ROLE_LEVEL" has INGEST_ROLE_LEVEL "$tmp/err"
expect_rc 0 "enrol a recap key" "$rekap" enrol --dir "$D" --region "$kab" --recap "$tmp/k2.key.pub"
expect_rc 3 "enrol a missing key file" "$rekap" enrol --dir "$D" --region "$tps1" "$tmp/none.pub"
{
  echo "region,public,name"
  echo "$tps1,$(sed -n 's/^public //p' "$tmp/k3.key.pub"),\"Petugas, Tiga\""
  echo "${kab}01,$(sed -n 's/^public //p' "$tmp/k4.key.pub"),PPK"
  echo "$tps1,not-base64,Bad"
  echo "6599999999999,$(sed -n 's/^public //p' "$tmp/k5.key.pub"),Nowhere"
} > "$tmp/keys.csv"
expect_rc 1 "enrol --csv with two bad rows" "$rekap" enrol --dir "$D" --csv "$tmp/keys.csv"
check "CSV: 2 of 4 enrolled" has "enrolled 2 of 4 keys" "$tmp/out"
check "CSV: a bad key names file:line" has "keys.csv:4: public: ENROL_CSV_KEY" "$tmp/err"
check "CSV: an unknown region names file:line" has "keys.csv:5.*INGEST_REGION_UNKNOWN" "$tmp/err"
printf 'tps,key\n' > "$tmp/bad.csv"
expect_rc 3 "enrol --csv with a wrong header" "$rekap" enrol --dir "$D" --csv "$tmp/bad.csv"
check "ENROL_CSV_HEADER" has ENROL_CSV_HEADER "$tmp/err"
expect_rc 0 "enrol --generate for every TPS" "$rekap" enrol --dir "$D" --generate "$tmp/keys"
ntps=$(python3 -c 'import json,sys; print(sum(len(v) for v in json.load(open(sys.argv[1]))["tps"].values()))' "$tmp/el.json")
check "one secret key file per TPS" [ "$(ls "$tmp/keys" | wc -l)" -eq "$ntps" ]
check "generated key files are 0600" [ "$(mode "$tmp/keys/$tps1.key")" = 600 ]
expect_rc 1 "enrol --generate again refuses to overwrite" "$rekap" enrol --dir "$D" --generate "$tmp/keys" --region "$kab"
check "KEY_EXISTS on --generate" has KEY_EXISTS "$tmp/err"
expect_rc 2 "enrol: --csv and a key file" "$rekap" enrol --dir "$D" --csv "$tmp/keys.csv" "$tmp/k1.key.pub"

# ---- submit every form
expect_rc 0 "submit every form with --keys" "$rekap" submit --dir "$D" --keys "$tmp/keys" "$tmp/forms.jsonl"
cp "$tmp/out" "$tmp/submit.out"
check "every form accepted" has "^forms $nforms: accepted $nforms " "$tmp/submit.out"
check "one answer line per form" [ "$(grep -c ': accepted #' "$tmp/submit.out")" -eq "$nforms" ]
check "throughput on stderr" has "forms/s" "$tmp/err"

expect_rc 0 "show --dir --json" "$rekap" show --dir "$D" --json
cp "$tmp/out" "$tmp/dir.json"
expect_rc 0 "show --election --json over the same forms" "$rekap" show --election "$tmp/el.json" --json "$tmp/forms.jsonl"
cp "$tmp/out" "$tmp/file.json"
python3 - "$tmp/dir.json" "$tmp/file.json" <<'PY' && ok "the durable path and the file path give the same totals" || fail "durable totals differ from the file totals"
import json, sys
a, b = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
assert a["contests"] == b["contests"]
assert a["forms"]["counted"] == b["forms"]["counted"] and a["forms"]["flagged"] == b["forms"]["flagged"]
assert a["forms"]["read"] == b["forms"]["read"]
PY

# ---- a duplicate gets the same answer
head -1 "$tmp/forms.jsonl" > "$tmp/one.jsonl"
first=$(grep -m1 "forms.jsonl:1:" "$tmp/submit.out" | sed 's/.*accepted #\([0-9]*\).*/\1/')
expect_rc 0 "submit the same form again" "$rekap" submit --dir "$D" --keys "$tmp/keys" "$tmp/one.jsonl"
check "duplicate: same index, marked" has "accepted #$first\( flagged [A-Z_,]*\)\? (duplicate)" "$tmp/out"

size() { sed -n 2p "$D/log/checkpoint"; }
log0=$(size)
check "the log holds every form" [ "$log0" -eq "$nforms" ]
"$rekap" export --dir "$D" --contest ppwp > "$tmp/before.csv"

# ---- refusals change nothing
python3 - "$tmp/forms.jsonl" "$tmp" <<'PY'
import json, sys
forms = [json.loads(l) for l in open(sys.argv[1])]
out = sys.argv[2]
ppwp = [f for f in forms if f["contest"] == "ppwp"]
def dump(name, f):
    with open(f"{out}/{name}.json", "w") as fh:
        json.dump(f, fh)
f = dict(ppwp[0]); f["votes"] = list(f["votes"]); f["votes"][0] -= 1; f["votes"][1] += 1
dump("conflict", f)                       # same TPS, version 1, other numbers
dump("other", ppwp[1])                    # another TPS's form
f = dict(ppwp[0]); f["tps"] = f["tps"][:10] + "999"
dump("unknown", f)                        # a TPS not in the election
f = dict(ppwp[0]); f["votes"] = list(f["votes"]); d = min(5, f["votes"][1]); f["votes"][0] += d; f["votes"][1] -= d
dump("fix", f)                            # a correction: d votes from pair 2 to pair 1
open(f"{out}/delta", "w").write(str(d))
f = dict(ppwp[2]); f["votes"] = list(f["votes"]); f["votes"][0] = min(999, f["votes"][0] + 500)
dump("misread", f)                        # breaks VOTES_SUM (hard)
PY
expect_rc 1 "version 1 again with other numbers" "$rekap" submit --dir "$D" --keys "$tmp/keys" "$tmp/conflict.json"
check "VERSION_CONFLICT" has "refused VERSION_CONFLICT" "$tmp/out"
expect_rc 1 "a form signed by another TPS's key" "$rekap" submit --dir "$D" --key "$tmp/k1.key" "$tmp/other.json"
check "KEY_WRONG_TPS" has "refused KEY_WRONG_TPS" "$tmp/out"
expect_rc 1 "a form for an unknown TPS" "$rekap" submit --dir "$D" --key "$tmp/k1.key" "$tmp/unknown.json"
check "TPS_UNKNOWN" has "refused TPS_UNKNOWN" "$tmp/out"
expect_rc 1 "a key never enrolled" "$rekap" submit --dir "$D" --key "$tmp/k5.key" "$tmp/one.jsonl"
check "KEY_NOT_ENROLLED" has "refused KEY_NOT_ENROLLED" "$tmp/out"
expect_rc 1 "a correction that skips a version" "$rekap" submit --dir "$D" --keys "$tmp/keys" --version 3 --reason "skip" "$tmp/fix.json"
check "VERSION_GAP" has "refused VERSION_GAP" "$tmp/out"
echo '{"format":"rekap-chasil/1"' > "$tmp/broken.json"
expect_rc 1 "an unreadable form" "$rekap" submit --dir "$D" --keys "$tmp/keys" "$tmp/broken.json"
check "unreadable form refused with its code" has "broken.json: refused FORM_" "$tmp/out"
"$rekap" export --dir "$D" --contest ppwp > "$tmp/after.csv"
check "refusals leave the log alone" [ "$(size)" -eq "$log0" ]
check "refusals leave the counted forms alone" cmp -s "$tmp/before.csv" "$tmp/after.csv"

# ---- a correction moves the totals by exactly its delta
delta=$(cat "$tmp/delta")
expect_rc 0 "a correction (version 2)" "$rekap" submit --dir "$D" --keys "$tmp/keys" --version 2 \
  --reason "angka salah baca" --photo "$tmp/el.json" "$tmp/fix.json"
check "the correction is logged next" has "v2: accepted #$log0\( flagged [A-Z_,]*\)\?\$" "$tmp/out"
"$rekap" show --dir "$D" --json > "$tmp/fixed.json"
python3 - "$tmp/dir.json" "$tmp/fixed.json" "$delta" <<'PY' && ok "totals moved by exactly the delta" || fail "correction delta wrong"
import json, sys
a, b, d = json.load(open(sys.argv[1])), json.load(open(sys.argv[2])), int(sys.argv[3])
pa = [c for c in a["contests"] if c["contest"] == "ppwp"][0]
pb = [c for c in b["contests"] if c["contest"] == "ppwp"][0]
va, vb = [s["votes"] for s in pa["selections"]], [s["votes"] for s in pb["selections"]]
assert vb == [va[0] + d, va[1] - d, va[2]], (va, vb)
assert pa["valid"] == pb["valid"] and pa["tps_counted"] == pb["tps_counted"]
assert b["forms"]["read"] == a["forms"]["read"] + 1 and b["forms"]["duplicate"] == 1
assert [c for c in a["contests"] if c["contest"] != "ppwp"] == [c for c in b["contests"] if c["contest"] != "ppwp"]
PY
"$rekap" export --dir "$D" --contest ppwp > "$tmp/fixed.csv"
check "export shows the corrected version" has "^$tps1,ppwp,2," "$tmp/fixed.csv"
expect_rc 1 "another, different version 2" "$rekap" submit --dir "$D" --keys "$tmp/keys" --version 2 \
  --reason "again" "$tmp/conflict.json"
check "a second version 2 conflicts" has "refused VERSION_CONFLICT" "$tmp/out"

# ---- a form breaking a hard rule is logged, rejected, not counted
expect_rc 1 "a misread correction" "$rekap" submit --dir "$D" --keys "$tmp/keys" --version 2 --reason "koreksi" "$tmp/misread.json"
check "rejected with its code and an index" has "v2: rejected #$((log0 + 1)) .*VOTES_SUM" "$tmp/out"
"$rekap" show --dir "$D" --json > "$tmp/rejected.json"
python3 - "$tmp/fixed.json" "$tmp/rejected.json" <<'PY' && ok "the rejected form is not counted" || fail "a rejected form changed the totals"
import json, sys
a, b = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
assert a["contests"] == b["contests"]
assert b["forms"]["rejected"] == 1 and b["forms"]["read"] == a["forms"]["read"] + 1
PY
check "the log holds the rejected entry" [ "$(size)" -eq $((log0 + 2)) ]

# ---- the export adds up to the totals shown
"$rekap" show --dir "$D" --region $prov --json > "$tmp/prov.json"
for k in ppwp dpr dpd dprd_prov dprd_kab; do
  "$rekap" export --dir "$D" --contest $k > "$tmp/tps_$k.csv" \
    && "$rekap" export --dir "$D" --contest $k --level kabupaten > "$tmp/kab_$k.csv" \
    || fail "export $k"
done
python3 - "$tmp" "$tmp/prov.json" <<'PY' && ok "export sums (TPS and kabupaten rows) equal the shown totals" || fail "export sums differ"
import csv, json, sys
tmp, show = sys.argv[1], json.load(open(sys.argv[2]))
for c in show["contests"]:
    k = c["contest"]
    for name in ("tps", "kab"):
        rows = list(csv.DictReader(open(f"{tmp}/{name}_{k}.csv")))
        sel_cols = [h for h in rows[0] if h.startswith(("pair_", "cand_", "party_"))]
        num = lambda r, h: int(r[h]) if r[h] else 0
        n = len(rows) if name == "tps" else sum(num(r, "tps_counted") for r in rows)
        assert n == c["tps_counted"], (k, name, n)
        for col in ("dpt", "voters", "valid", "invalid"):
            assert sum(num(r, col) for r in rows) == c[col], (k, name, col)
        sums = [sum(num(r, h) for r in rows) for h in sel_cols]
        want = [s["votes"] for s in c["selections"]]
        assert sums[:len(want)] == want and not any(sums[len(want):]), (k, name, sums, want)
PY

# ---- usage and failures
expect_rc 3 "submit: no such directory" "$rekap" submit --dir "$tmp/none" --keys "$tmp/keys" "$tmp/one.jsonl"
expect_rc 2 "submit: no key" "$rekap" submit --dir "$D" "$tmp/one.jsonl"
expect_rc 2 "submit: a correction without a reason" "$rekap" submit --dir "$D" --keys "$tmp/keys" --version 2 "$tmp/one.jsonl"
expect_rc 2 "submit: a reason on version 1" "$rekap" submit --dir "$D" --keys "$tmp/keys" --reason x "$tmp/one.jsonl"
expect_rc 3 "submit: a missing key file" "$rekap" submit --dir "$D" --key "$tmp/none.key" "$tmp/one.jsonl"
expect_rc 3 "submit: a public key cannot sign" "$rekap" submit --dir "$D" --key "$tmp/k1.key.pub" "$tmp/one.jsonl"
check "KEY_NO_SECRET" has KEY_NO_SECRET "$tmp/err"
expect_rc 2 "show: --dir and form files" "$rekap" show --dir "$D" "$tmp/one.jsonl"
expect_rc 3 "show: no such directory" "$rekap" show --dir "$tmp/none"
expect_rc 2 "export: unknown level" "$rekap" export --dir "$D" --level planet
expect_rc 2 "export: unknown contest" "$rekap" export --dir "$D" --contest senate
expect_rc 3 "export: no such directory" "$rekap" export --dir "$tmp/none"
for c in init keygen enrol submit export; do expect_rc 0 "$c --help" "$rekap" $c --help; done

finish
