#!/usr/bin/env bash
# `rekap recap` (docs/CLI.md, docs/FORMATS.md "Signed recap"): the tiered
# recap (D.Hasil) of a small election end to end. Every TPS form of PPWP
# and DPRD kab/kota counted; recap keys for the five kecamatan of Kab.
# Tana Tidung (6504), the kab, the province (65) and the nation; for PPWP
# each kecamatan, the kab, the province and the nation, and for one DPRD
# kab district its two kecamatan and the kab (where it is determined)
# drafted, signed and accepted. On the way: a kecamatan recap that corrects one TPS
# (5 votes moved from pair 1 to pair 2), which `show` traces to that TPS
# and those numbers; totals that are not the sum of the rows (RECAP_SUM);
# a child adopted with nothing there (RECAP_CHILD_UNSIGNED); a kab recap
# adopting a kecamatan version a correction replaced (RECAP_CHILD_STALE);
# refusals (wrong key, version gap, not a recap level); a plenary record.
# Then `rekap verify` replays every recap and record, and a recap altered
# in the store is caught by both verify and show.
# usage: test_recap.sh REKAP DATA_DIR
source "$(dirname "$0")/lib.sh" "$@"
has() { grep -q -- "$1" "$2"; }

D=$tmp/D
KAB=6504
KECS="650401 650402 650403 650404 650405"
"$rekap" gen --scope 65 --seed 5 --contests ppwp,dprd_kab --out "$tmp/el.json" --forms "$tmp/forms.jsonl" >/dev/null \
  && "$rekap" init --dir "$D" --election "$tmp/el.json" >/dev/null \
  && "$rekap" enrol --dir "$D" --generate "$tmp/keys" >/dev/null \
  && "$rekap" submit --dir "$D" --keys "$tmp/keys" "$tmp/forms.jsonl" >/dev/null \
  || { echo "FAIL - setup"; exit 1; }
for r in $KECS $KAB 65 0; do
  "$rekap" keygen --out "$tmp/r$r.key" >/dev/null \
    && "$rekap" enrol --dir "$D" --region $r --recap "$tmp/r$r.key.pub" >/dev/null \
    || { echo "FAIL - recap key for $r"; exit 1; }
done

draft() { # REGION CONTEST FILE [draft options]: the draft into FILE, exit status in $tmp/out's test
  local r=$1 k=$2 f=$3; shift 3
  expect_rc 0 "draft $r $k $*" "$rekap" recap draft --dir "$D" --region "$r" --contest "$k" "$@"
  cp "$tmp/out" "$f"
}
submit() { # WANT-RC KEY-REGION FILE...: recap submit, the answers in $tmp/out
  local want=$1 key=$2; shift 2
  expect_rc "$want" "submit $(basename -a "$@" | tr '\n' ' ')with the key of $key" \
    "$rekap" recap submit --dir "$D" --key "$tmp/r$key.key" "$@"
}
# the unit-layout numbers of the PPWP form of TPS $1, $2 votes moved from pair 1 to 2
numbers() {
  python3 - "$tmp/forms.jsonl" "$1" "$2" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    f = json.loads(line)
    if f["tps"] == sys.argv[2] and f["contest"] == "ppwp":
        v = [x for r in ("dpt", "dptb", "dpk", "b1", "b2", "b3", "b4", "disabled") for x in f["voters"][r]]
        v += [f["ballots"][k] for k in ("received", "used", "damaged", "unused")]
        v += [f["valid"], f["invalid"], f["total"]] + f["votes"]
        move = int(sys.argv[3])
        assert v[31] >= move
        v[31] -= move
        v[32] += move
        print(" ".join(map(str, v)))
PY
}

# ---- drafts
draft 650401 ppwp "$tmp/k1.txt"
check "a first recap is version 1" has "^version 1$" "$tmp/k1.txt"
check "every TPS adopted at its counted version, the totals their sum" python3 - "$tmp/k1.txt" "$tmp/forms.jsonl" <<'PY'
import json, sys
text = open(sys.argv[1]).read().splitlines()
adopted = [l.split()[1] for l in text if l.startswith("adopt ")]
assert all(l.split()[2] == "1" for l in text if l.startswith("adopt "))
tps = set()
total = None
for line in open(sys.argv[2]):
    f = json.loads(line)
    if f["contest"] != "ppwp" or not f["tps"].startswith("650401"):
        continue
    tps.add(f["tps"])
    v = [x for r in ("dpt", "dptb", "dpk", "b1", "b2", "b3", "b4", "disabled") for x in f["voters"][r]]
    v += [f["ballots"][k] for k in ("received", "used", "damaged", "unused")]
    v += [f["valid"], f["invalid"], f["total"]] + f["votes"]
    total = v if total is None else [a + b for a, b in zip(total, v)]
assert adopted == sorted(tps), (len(adopted), len(tps))
assert text[-1] == "totals " + " ".join(map(str, total))
PY
expect_rc 2 "several DPRD kab districts in a kab: --district needed" \
  "$rekap" recap draft --dir "$D" --region $KAB --contest dprd_kab
check "the error lists them" has "dprd_kab-6504-01" "$tmp/err"
check "and says it in Bahasa Indonesia" has "pilih satu dengan --district" "$tmp/err"
draft $KAB dprd_kab "$tmp/dk.txt" --district dprd_kab-6504-01
check "a child with nothing counted is marked pending" has "^mark 650402 pending$" "$tmp/dk.txt"
expect_rc 2 "DPRD kab is not recapitulated at a province" \
  "$rekap" recap draft --dir "$D" --region 65 --contest dprd_kab
check "RECAP_LEVEL" has "RECAP_LEVEL" "$tmp/err"
expect_rc 2 "nor at a desa" "$rekap" recap draft --dir "$D" --region 6504012001 --contest ppwp
expect_rc 2 "--reason on a first recap" \
  "$rekap" recap draft --dir "$D" --region 650401 --contest ppwp --reason "x"
expect_rc 2 "--mark of a code that is no child" \
  "$rekap" recap draft --dir "$D" --region 650401 --contest ppwp --mark 6504022001001:psu:PSU
check "RECAP_CLI_CHILD" has "RECAP_CLI_CHILD" "$tmp/err"
echo "1 2 3" > "$tmp/short.txt"
expect_rc 3 "--correct with too few numbers" \
  "$rekap" recap draft --dir "$D" --region 650401 --contest ppwp --correct 6504012001001:"$tmp/short.txt"
check "RECAP_CLI_NUMBERS" has "RECAP_CLI_NUMBERS" "$tmp/err"
expect_rc 2 "an option of another subcommand" \
  "$rekap" recap show --dir "$D" --region 650401 --contest ppwp --key "$tmp/r0.key"

# ---- sign
expect_rc 0 "sign a recap" "$rekap" recap sign --key "$tmp/r650401.key" "$tmp/k1.txt"
check "the request body carries the text as signed" python3 - "$tmp/out" "$tmp/k1.txt" <<'PY'
import base64, json, sys
b = json.loads(open(sys.argv[1]).read())
assert b["submission"] == open(sys.argv[2]).read()
assert len(base64.b64decode(b["key"])) == 32 and len(base64.b64decode(b["sig"])) == 64
PY
sed 's/^version 1$/version 01/' "$tmp/k1.txt" > "$tmp/bad.txt"
expect_rc 1 "a text in another spelling is not signed" "$rekap" recap sign --key "$tmp/r650401.key" "$tmp/bad.txt"
check "RECAP_NOT_CANONICAL" has "RECAP_NOT_CANONICAL" "$tmp/err"

# ---- PPWP: the kecamatan
submit 1 $KAB "$tmp/k1.txt"
check "another region's key: refused KEY_WRONG_REGION" has "refused KEY_WRONG_REGION" "$tmp/out"
sed 's/^version 1$/version 3\nreason "lompat"/' "$tmp/k1.txt" > "$tmp/gap.txt"
submit 1 650401 "$tmp/gap.txt"
check "version 3 first: refused RECAP_VERSION_GAP" has "refused RECAP_VERSION_GAP" "$tmp/out"
submit 0 650401 "$tmp/k1.txt"
check "650401 v1 accepted" has "650401 ppwp ppwp v1: accepted #" "$tmp/out"
submit 0 650401 "$tmp/k1.txt"
check "the same text again: the same answer" has "accepted #.* (duplicate)" "$tmp/out"

# 650402 corrects TPS 6504022001001 in the plenary: 5 votes from pair 1 to 2
T=$(grep -o '"tps":"650402[0-9]*","contest":"ppwp"' "$tmp/forms.jsonl" | head -1 | cut -d'"' -f4)
numbers "$T" 5 > "$tmp/fix.txt"
draft 650402 ppwp "$tmp/k2.txt" --correct "$T:$tmp/fix.txt:Salah baca suara paslon 1 dan 2"
check "the corrected row is in the text" has "^correct $T " "$tmp/k2.txt"
submit 0 650402 "$tmp/k2.txt"
expect_rc 0 "show 650402" "$rekap" recap show --dir "$D" --region 650402 --contest ppwp
cp "$tmp/out" "$tmp/show2.txt"
check "show: signed v1" has "^recap: signed v1" "$tmp/show2.txt"
check "show: the TPS's row is a correction" grep -Eq "^  $T +counted +v1 +correct$" "$tmp/show2.txt"
check "show: pair 1 differs, traced to the TPS" python3 - "$tmp/show2.txt" "$T" <<'PY'
import sys
out = open(sys.argv[1]).read()
t = sys.argv[2]
for field in ("votes[0]", "votes[1]"):
    head = next(l for l in out.splitlines() if l.startswith("  " + field + ": signed "))
    signed, says = int(head.split()[2].rstrip(",")), int(head.split()[-1])
    assert abs(signed - says) == 5, head
    block = out.split(head + "\n", 1)[1].splitlines()[0]
    assert block.startswith("    " + t + ": corrected "), block
assert sum(1 for l in out.splitlines() if l.startswith("  ") and ": signed " in l) == 2
PY

# 650403: totals that are not the sum of the rows (one vote moved in the totals only)
draft 650403 ppwp "$tmp/k3.txt"
awk '/^totals /{ $33 -= 1; $34 += 1 } { print }' "$tmp/k3.txt" > "$tmp/k3sum.txt"
submit 1 650403 "$tmp/k3sum.txt"
check "rejected RECAP_SUM" grep -Eq "v1: rejected #[0-9]+ RECAP_SUM$" "$tmp/out"
check "with the rule's message in English and Bahasa Indonesia" [ "$(grep -c '^  RECAP_SUM: ' "$tmp/out")" -eq 2 ]
draft $KAB ppwp "$tmp/kab0.txt"
check "the kab marks a kecamatan whose recap was rejected" \
  eval "grep -A1 '^mark 650403 pending$' '$tmp/kab0.txt' | grep -q 'ditolak'"
expect_rc 2 "a correction needs --reason" "$rekap" recap draft --dir "$D" --region 650403 --contest ppwp
draft 650403 ppwp "$tmp/k3.txt" --reason "Jumlah diperbaiki"
check "the correction is version 2 with its reason" has '^reason "Jumlah diperbaiki"$' "$tmp/k3.txt"
draft 650404 ppwp "$tmp/k4.txt"
draft 650405 ppwp "$tmp/k5.txt"
submit 0 650403 "$tmp/k3.txt"
submit 0 650404 "$tmp/k4.txt"
submit 0 650405 "$tmp/k5.txt"

# ---- PPWP: the kab, a stale adoption, the province and the nation
draft $KAB ppwp "$tmp/kab1.txt"
check "the kab adopts 650403 at v2" has "^adopt 650403 2$" "$tmp/kab1.txt"
submit 0 $KAB "$tmp/kab1.txt"
draft $KAB ppwp "$tmp/kab2.txt" --reason "Pleno ulang"
T1=$(grep -o '"tps":"650401[0-9]*","contest":"ppwp"' "$tmp/forms.jsonl" | sed -n 2p | cut -d'"' -f4)
numbers "$T1" 7 > "$tmp/fix1.txt"
draft 650401 ppwp "$tmp/k1b.txt" --reason "Koreksi TPS $T1" --correct "$T1:$tmp/fix1.txt"
submit 0 650401 "$tmp/k1b.txt"
expect_rc 0 "show the kab after 650401's correction" "$rekap" recap show --dir "$D" --region $KAB --contest ppwp
check "650401 adopted at a stale version" grep -Eq "^  650401 +signed +v2 +adopt v1 \(stale\)$" "$tmp/out"
check "the difference is traced to 650401" grep -Eq "^    650401: adopted v1 [0-9]+, v2 says [0-9]+$" "$tmp/out"
submit 1 $KAB "$tmp/kab2.txt"
check "rejected RECAP_CHILD_STALE" grep -Eq "v2: rejected #[0-9]+ RECAP_CHILD_STALE$" "$tmp/out"
draft $KAB ppwp "$tmp/kab3.txt" --reason "Mengikuti koreksi 650401"
submit 0 $KAB "$tmp/kab3.txt"
expect_rc 0 "show the kab" "$rekap" recap show --dir "$D" --region $KAB --contest ppwp
check "no difference left" has "^differences: none" "$tmp/out"
draft 65 ppwp "$tmp/p.txt"
check "the province adopts the kab, the others pending" \
  eval "grep -q '^adopt 6504 3$' '$tmp/p.txt' && grep -q '^mark 6501 pending$' '$tmp/p.txt'"
sed 's/^region 65$/region 6504012001/' "$tmp/p.txt" > "$tmp/desa.txt"
sed 's/^contest ppwp$/contest dprd_kab/; s/^district ppwp$/district dprd_kab-6504-01/' "$tmp/p.txt" > "$tmp/level.txt"
submit 1 65 "$tmp/desa.txt" "$tmp/level.txt" "$tmp/p.txt"
check "a desa is not a recap region: refused RECAP_REGION" has "refused RECAP_REGION:" "$tmp/out"
check "DPRD kab at a province: refused RECAP_LEVEL" has "refused RECAP_LEVEL:" "$tmp/out"
check "the province accepted" has "p.txt: 65 ppwp ppwp v1: accepted" "$tmp/out"
check "the summary" has "^texts 3: accepted 1, rejected 0, refused 2$" "$tmp/out"
draft 0 ppwp "$tmp/n.txt"
check "the nation adopts the province" has "^adopt 65 1$" "$tmp/n.txt"
submit 0 0 "$tmp/n.txt"

# ---- DPRD kab (district dprd_kab-6504-01: 650401 and 650402, determined at the kab):
# a child adopted with nothing there, then the chain
DK=dprd_kab-6504-01
draft $KAB dprd_kab "$tmp/dkab.txt" --district $DK
sed '/^mark 650401 pending$/{N;s/.*/adopt 650401 1/}' "$tmp/dkab.txt" > "$tmp/dkab-unsigned.txt"
submit 1 $KAB "$tmp/dkab-unsigned.txt"
check "rejected RECAP_CHILD_UNSIGNED" grep -Eq "v1: rejected #[0-9]+ RECAP_CHILD_UNSIGNED$" "$tmp/out"
for r in 650401 650402; do
  draft $r dprd_kab "$tmp/d$r.txt"
  check "$r lies in one DPRD kab district: $DK" has "^district $DK$" "$tmp/d$r.txt"
  submit 0 $r "$tmp/d$r.txt"
done
draft $KAB dprd_kab "$tmp/dkab.txt" --district $DK --reason "Semua kecamatan sudah"
submit 0 $KAB "$tmp/dkab.txt"
check "the kab's DPRD recap accepted" has "6504 dprd_kab $DK v2: accepted" "$tmp/out"

# ---- a plenary record
expect_rc 0 "record an objection" "$rekap" recap record --dir "$D" --region 650402 --contest ppwp \
  --kind objection --by "Saksi Paslon 1, Budi" --text "Keberatan atas koreksi TPS $T"
cp "$tmp/out" "$tmp/rec.txt"
check "record 1 on recap v1" eval "grep -q '^number 1$' '$tmp/rec.txt' && grep -q '^recap 1$' '$tmp/rec.txt'"
submit 0 650402 "$tmp/rec.txt"
check "the record accepted" has "650402 ppwp ppwp record 1: accepted" "$tmp/out"
sed 's/^number 1$/number 3/' "$tmp/rec.txt" > "$tmp/rec3.txt"
submit 1 650402 "$tmp/rec3.txt"
check "a record number gap: refused RECORD_NUMBER_GAP" has "refused RECORD_NUMBER_GAP" "$tmp/out"
expect_rc 0 "show 650402 with its record" "$rekap" recap show --dir "$D" --region 650402 --contest ppwp
check "show: the record" has "#1 objection (recap v1) by \"Saksi Paslon 1, Budi\"" "$tmp/out"

# ---- verify replays every recap and record
expect_rc 0 "verify" "$rekap" verify --dir "$D"
check "16 recaps and 1 record replayed" has "recaps 16 and plenary records 1 replayed" "$tmp/out"

# ---- a recap altered in the store, behind the log's back
cp -r "$D" "$tmp/T"
python3 - "$tmp/T/rekap.db" <<'PY'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
c.execute("DROP TRIGGER IF EXISTS entry_no_update")
idx, b = c.execute("SELECT idx, bytes FROM entry WHERE tps = '650402/0' AND version = 1").fetchone()
b = bytes(b)
i = b.index(b"\ntotals ") + 8
b = b[:i] + (b"1" if b[i:i+1] != b"1" else b"2") + b[i+1:]
c.execute("UPDATE entry SET bytes = ? WHERE idx = ?", (b, idx))
c.commit()
PY
expect_rc 1 "verify finds the altered recap" "$rekap" verify --dir "$tmp/T"
check "a store mismatch" grep -q "^MISMATCH entry [0-9]*: store" "$tmp/out"
expect_rc 3 "show refuses the altered row" "$rekap" recap show --dir "$tmp/T" --region 650402 --contest ppwp
check "INGEST_STORE_NOT_LOGGED" has "INGEST_STORE_NOT_LOGGED" "$tmp/err"

finish
