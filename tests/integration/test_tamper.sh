#!/usr/bin/env bash
# The store is input, the log is truth (docs/RELIABILITY.md): an operator
# with the server's disk inserts, flips and deletes store rows; each is
# refused at rekapd's start with a stable code naming the row, and found
# by `rekap verify`, whose totals never include what does not verify. Rows
# the log does not hold yet (a crash before publication) are re-verified
# as at ingest and logged; a forged one among them stops the start. Two
# writers on one directory: the second is refused.
# usage: test_tamper.sh REKAP DATA_DIR
source "$(dirname "$0")/lib.sh" "$@"
[ -x "$rekapd" ] || { echo "FAIL - no rekapd next to $rekap"; exit 1; }
D=$tmp/D
pid=
trap '[ -n "$pid" ] && kill -9 $pid 2>/dev/null; rm -rf "$tmp"' EXIT

"$rekap" gen --scope 65 --seed 7 --out "$tmp/el.json" --forms "$tmp/forms.jsonl" >/dev/null \
  && "$rekap" init --dir "$D" --election "$tmp/el.json" --origin example.org/tamper >/dev/null \
  && "$rekap" enrol --dir "$D" --generate "$tmp/keys" >/dev/null \
  && "$rekap" init --dir "$tmp/O" --election "$tmp/el.json" --origin example.org/other >/dev/null \
  && "$rekap" enrol --dir "$tmp/O" --generate "$tmp/okeys" >/dev/null \
  || { echo "FAIL - setup"; exit 1; }
head -n 200 "$tmp/forms.jsonl" >"$tmp/a.jsonl"
sed -n 201,300p "$tmp/forms.jsonl" >"$tmp/b.jsonl"
sed -n 301,310p "$tmp/forms.jsonl" >"$tmp/c.jsonl"
"$rekap" submit --dir "$D" --keys "$tmp/keys" "$tmp/a.jsonl" >/dev/null || fail "submit a"
cp -a "$D/log" "$tmp/log200"
"$rekap" submit --dir "$D" --keys "$tmp/keys" "$tmp/b.jsonl" >/dev/null || fail "submit b"
# Well-formed entries of TPS that D has not seen, signed by keys D never enrolled.
"$rekap" submit --dir "$tmp/O" --keys "$tmp/okeys" "$tmp/c.jsonl" >/dev/null || fail "submit c"
cp -a "$D" "$tmp/clean"

expect_rc 0 "the clean directory verifies" "$rekap" verify --dir "$D"
grep '^  ppwp' "$tmp/out" >"$tmp/clean.totals"
cp "$D/log/checkpoint" "$tmp/checkpoint300"

restore() { rm -rf "$D"; cp -a "$tmp/clean" "$D"; }
sql() { python3 - "$D/rekap.db" "$@"; }
starts() { # rekapd opens the directory (ports 0); 0 when it came up, the log in $tmp/rd.log
  : >"$tmp/rd.log"
  if rekapd_up "$tmp/rd.log" --dir "$D"; then kill -TERM $pid; wait $pid 2>/dev/null; pid=; return 0; fi
  wait $pid 2>/dev/null; pid=; return 1
}
refused() { # CODE description: rekapd refuses to start, naming CODE
  if starts; then fail "$2: rekapd started"; return; fi
  grep -q "\"code\":\"$1\"" "$tmp/rd.log" && ok "$2: start refused with $1" \
    || fail "$2: $(tail -2 "$tmp/rd.log")"
}
verify_finds() { # pattern description: verify exits 1, output matching pattern, clean totals
  expect_rc 1 "$2: verify exits 1" "$rekap" verify --dir "$D"
  grep -q "$1" "$tmp/out" && ok "$2: verify names it" || fail "$2: $(head -3 "$tmp/out")"
  grep '^  ppwp' "$tmp/out" | cmp -s - "$tmp/clean.totals" \
    && ok "$2: verify's totals are the clean ones" || fail "$2: totals moved: $(grep '^  ppwp' "$tmp/out")"
}

check "rekapd starts on the clean directory" starts

# 1. A forged row inserted after the last one: not signed by a key enrolled
#    for its TPS, its votes changed so they no longer add up, 'accepted'.
restore
sql "$tmp/O/rekap.db" <<'PY'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1]); o = sqlite3.connect(sys.argv[2])
tps, contest, version, b = o.execute("SELECT tps, contest, version, bytes FROM entry WHERE idx = 0").fetchone()
b = bytes(b); i = b.index(b'"votes":[') + 9
b = b[:i] + b"9" + b[i:]                       # a digit more for the first selection
n = c.execute("SELECT count(*) FROM entry").fetchone()[0]
c.execute("INSERT INTO entry (idx, tps, contest, version, accepted, bytes) VALUES (?,?,?,?,1,?)",
          (n, tps, contest, version, b))
c.commit()
PY
refused INGEST_STORE_UNVERIFIED "an inserted forged row"
grep -q 'store row 300' "$tmp/rd.log" && ok "the inserted row is named" || fail "row: $(tail -1 "$tmp/rd.log")"
verify_finds "the store holds 301 entries, the signed log 300" "an inserted forged row"
cmp -s "$D/log/checkpoint" "$tmp/checkpoint300" && ok "nothing was signed over the forged row" \
  || fail "the checkpoint moved"

# 1b. The same entry well formed (unchanged bytes) but its key is not enrolled here.
restore
sql "$tmp/O/rekap.db" <<'PY'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1]); o = sqlite3.connect(sys.argv[2])
row = o.execute("SELECT tps, contest, version, accepted, bytes FROM entry WHERE idx = 1").fetchone()
n = c.execute("SELECT count(*) FROM entry").fetchone()[0]
c.execute("INSERT INTO entry (idx, tps, contest, version, accepted, bytes) VALUES (?,?,?,?,?,?)", (n,) + row)
c.commit()
PY
refused INGEST_STORE_UNVERIFIED "an inserted row signed by a key not enrolled here"
grep -q 'KEY_NOT_ENROLLED' "$tmp/rd.log" && ok "the reason is the key" || fail "why: $(tail -1 "$tmp/rd.log")"

# 2. A row's 'accepted' flipped 1 -> 0 behind the triggers' back.
restore
sql <<'PY'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
c.execute("DROP TRIGGER entry_no_update")
c.execute("UPDATE entry SET accepted = 0 WHERE idx = 5")
c.commit()
PY
refused INGEST_STORE_COLUMNS "a flipped 'accepted' column"
grep -q 'store row 5 ' "$tmp/rd.log" && ok "the flipped row is named" || fail "row: $(tail -1 "$tmp/rd.log")"
verify_finds "MISMATCH entry 5: store" "a flipped 'accepted' column"

# 3. A row in the middle deleted.
restore
sql <<'PY'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
c.execute("DROP TRIGGER entry_no_delete")
c.execute("DELETE FROM entry WHERE idx = 100")
c.commit()
PY
refused INGEST_STORE_GAP "a deleted row in the middle"
grep -q 'no row 100' "$tmp/rd.log" && ok "the missing row is named" || fail "row: $(tail -1 "$tmp/rd.log")"
verify_finds "MISMATCH entry 100: store" "a deleted row in the middle"

# 4. The last rows deleted: the signed log holds more than the store.
restore
sql <<'PY'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
c.execute("DROP TRIGGER entry_no_delete")
c.execute("DELETE FROM entry WHERE idx >= 290")
c.commit()
PY
refused INGEST_LOG_AHEAD "the last rows deleted"

# 5. A logged row's bytes edited (a vote changed).
restore
store_bump "$D/rekap.db" 7
refused INGEST_STORE_LOG_MISMATCH "an edited logged row"
verify_finds "MISMATCH entry 7: store" "an edited logged row"

# 6. A crash before publication: the log on disk holds 200 entries, the
#    store 300. The 100 rows are re-verified and logged again, exactly.
restore
rm -rf "$D/log"; cp -a "$tmp/log200" "$D/log"
check "rekapd starts with the store ahead of the log" starts
check "the log is published up to the store, to the same tree" cmp -s "$D/log/checkpoint" "$tmp/checkpoint300"
expect_rc 0 "and everything verifies" "$rekap" verify --dir "$D"

# 6b. The same, with one of the rows past the log altered: the start stops there.
restore
rm -rf "$D/log"; cp -a "$tmp/log200" "$D/log"
store_bump "$D/rekap.db" 250
refused INGEST_STORE_UNVERIFIED "an altered row the log does not hold yet"
grep -q 'store row 250 .*SIG_INVALID' "$tmp/rd.log" && ok "named with its signature failure" \
  || fail "why: $(tail -1 "$tmp/rd.log")"
python3 - "$D/log/checkpoint" <<'PY' && ok "the log was not extended past it" || fail "the log grew"
import sys
assert open(sys.argv[1]).read().split("\n")[1] == "200"
PY

# 7. One writer per directory.
restore
python3 -c 'import fcntl, sys, time
f = open(sys.argv[1], "a"); fcntl.flock(f, fcntl.LOCK_EX); time.sleep(60)' "$D/lock" & holder=$!
sleep 0.5
expect_rc 3 "a second writer (rekap submit) is refused" "$rekap" submit --dir "$D" --keys "$tmp/keys" "$tmp/a.jsonl"
grep -q INGEST_LOCKED "$tmp/err" && ok "with INGEST_LOCKED" || fail "second writer: $(cat "$tmp/err")"
kill $holder; wait $holder 2>/dev/null
rekapd_up "$tmp/rd1.log" --dir "$D"
expect_rc 3 "rekap enrol beside a running rekapd is refused" "$rekap" enrol --dir "$D" --generate "$tmp/k2"
grep -q "INGEST_LOCKED.*pid $pid" "$tmp/err" && ok "naming rekapd's pid" || fail "enrol: $(cat "$tmp/err")"
timeout 60 "$rekapd" --dir "$D" --ingest-port 0 --public-port 0 2>"$tmp/rd2.log"; rc=$?
[ $rc -ne 0 ] && grep -q INGEST_LOCKED "$tmp/rd2.log" && ok "a second rekapd is refused" \
  || fail "second rekapd: exit $rc $(tail -1 "$tmp/rd2.log")"
kill -9 $pid; wait $pid 2>/dev/null; pid=
check "after a kill -9 the lock is free again" starts

finish
