#!/usr/bin/env bash
# `rekap verify` end to end: a clean election directory verifies, and each
# kind of tampering is found and named — a changed entry in the log's
# files, a changed row in the store (the operator editing the database),
# a checkpoint checked against another key, and a log mirror served
# without its last bundle.
# usage: test_verify.sh REKAP DATA_DIR
source "$(dirname "$0")/lib.sh" "$@"
prov=65
D=$tmp/D

"$rekap" gen --scope $prov --seed 11 --out "$tmp/el.json" --forms "$tmp/forms.jsonl" >/dev/null
head -n 600 "$tmp/forms.jsonl" >"$tmp/some.jsonl"
expect_rc 0 "init" "$rekap" init --dir "$D" --election "$tmp/el.json" --origin example.org/verify
vkey=$(sed -n 's/^verifier key: //p' "$tmp/out")
expect_rc 0 "enrol a key per TPS" "$rekap" enrol --dir "$D" --generate "$tmp/keys"
expect_rc 0 "submit 600 forms" "$rekap" submit --dir "$D" --keys "$tmp/keys" "$tmp/some.jsonl"

expect_rc 0 "verify a clean directory" "$rekap" verify --dir "$D"
grep -q "entries 600: 600 accepted, 0 rejected, 0 not verified (not counted); 0 mismatches" "$tmp/out" && ok "all 600 entries checked" \
  || fail "summary: $(cat "$tmp/out")"
expect_rc 0 "verify with the verifier key given" "$rekap" verify --dir "$D" --key "$vkey"
python3 - "$tmp/some.jsonl" "$tmp/out" <<'PY' && ok "recomputed PPWP totals equal the forms" || fail "recomputed totals differ"
import json, re, sys
fs = [json.loads(l) for l in open(sys.argv[1]) if json.loads(l)["contest"] == "ppwp"]
want = [sum(f["votes"][i] for f in fs) for i in range(3)]
line = [l for l in open(sys.argv[2]) if l.strip().startswith("ppwp")][0]
got = [int(x) for x in re.search(r"pairs (\d+) / (\d+) / (\d+)", line).groups()]
assert got == want, (got, want)
PY

# Another key's view: the checkpoint is not signed by it.
other=$("$rekap" init --dir "$tmp/other" --election "$tmp/el.json" --origin example.org/verify | sed -n 's/^verifier key: //p')
expect_rc 1 "verify against another key" "$rekap" verify --dir "$D" --key "$other"
grep -q "NOTE_" "$tmp/err" && ok "the signature problem is named" || fail "key: $(cat "$tmp/err")"

# A mirror whose entry bundle was altered: one byte of an entry.
cp -r "$D/log" "$tmp/mirror"
python3 - "$tmp/mirror/tile/entries/000" <<'PY'
import sys
p = sys.argv[1]
b = bytearray(open(p, "rb").read())
i = b.index(b'"votes":[') + 9
b[i] = ord("9") if b[i] != ord("9") else ord("8")
open(p, "wb").write(bytes(b))
PY
expect_rc 1 "verify a mirror with an altered entry" "$rekap" verify --dir "$D" --log "$tmp/mirror"
grep -q "TLOG_ROOT\|TLOG_CORRUPT" "$tmp/err" && ok "the altered log is named" || fail "mirror: $(cat "$tmp/err")"
rm -rf "$tmp/mirror"; cp -r "$D/log" "$tmp/mirror"
rm -f "$tmp/mirror/tile/entries/002.p/"*
expect_rc 1 "verify a mirror missing its last bundle" "$rekap" verify --dir "$D" --log "$tmp/mirror"

# The operator edits a number in the database behind the log's back.
cp "$D/rekap.db" "$tmp/rekap.db.orig"
store_bump "$D/rekap.db" 5
expect_rc 1 "verify finds the edited store row" "$rekap" verify --dir "$D"
grep -q "MISMATCH entry 5: store" "$tmp/out" && ok "the edited entry is named" || fail "store: $(cat "$tmp/out")"
cp "$tmp/rekap.db.orig" "$D/rekap.db"; rm -f "$D/rekap.db-wal" "$D/rekap.db-shm"
expect_rc 0 "the original store verifies again" "$rekap" verify --dir "$D"

expect_rc 2 "verify without --dir" "$rekap" verify
expect_rc 0 "verify --help" "$rekap" verify --help
finish
