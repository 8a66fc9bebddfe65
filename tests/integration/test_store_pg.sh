#!/usr/bin/env bash
# The store's unit tests (tests/unit/test_store.c) against a real
# PostgreSQL: a primary with its synchronous standby started by
# tests/pg/cluster.sh, its URI given as REKAP_TEST_PG_URI, so every PG case
# runs (on SQLite alone they are skipped). Then the privileges exactly as
# docs/STORE.md tells an operator to set them (its SQL block, run as
# written): a writer role that is not the owner enrols, ingests and
# verifies, but cannot UPDATE, DELETE, TRUNCATE, disable or drop the
# triggers; a reader role reads and cannot write; the owner's own UPDATE
# is refused by the trigger. rekap enrol --csv of thousands of keys takes
# a few transactions, not one per key, and still reports each refused row
# with its file:line. Skipped (77) without the PostgreSQL 15 server
# binaries.
# usage: test_store_pg.sh REKAP DATA_DIR
source "$(dirname "$0")/lib.sh" "$@"
here=$(cd "$(dirname "$0")/.." && pwd)
bin=$(dirname "$rekap")/test_store
[ -x /usr/lib/postgresql/15/bin/initdb ] || { echo "skipped: no PostgreSQL 15 server (scripts/deps installs postgresql-15)"; exit 77; }
[ -x "$bin" ] || { echo "FAIL - no $bin"; exit 1; }
pg=$tmp/pg
trap 'bash "$here/pg/cluster.sh" stop "$pg" >/dev/null 2>&1; rm -rf "$tmp"' EXIT
chmod 755 "$tmp"
expect_rc 0 "a PostgreSQL primary with a synchronous standby starts" bash "$here/pg/cluster.sh" start "$pg"
# shellcheck disable=SC1091
. "$pg/env"
expect_rc 0 "the store's unit tests pass against it" env REKAP_TEST_PG_URI="$PRIMARY" "$bin"
check "the PostgreSQL cases ran (not skipped)" sh -c "! grep -q 'PostgreSQL cases skipped' '$tmp/out' '$tmp/err'"

# ---- the privileges docs/STORE.md tells an operator to set, as written there
psql=/usr/lib/postgresql/15/bin/psql
port=${PRIMARY##*:}; port=${port%%/*}
uri() { echo "postgresql://$1@127.0.0.1:$port/postgres"; }
sql() { "$psql" -X -q -v ON_ERROR_STOP=1 -d "$(uri "$1")" -c "$2"; }
"$rekap" gen --scope 65 --contests ppwp --out "$tmp/el.json" --forms "$tmp/forms.jsonl" >/dev/null
head -200 "$tmp/forms.jsonl" >"$tmp/some.jsonl"
expect_rc 0 "the owner makes the store (rekap init --store)" \
  "$rekap" init --dir "$tmp/D" --election "$tmp/el.json" --origin example.org/pg --store "$(uri rekap)"
sed -n '/^## The PostgreSQL store/,$p' "$here/../docs/STORE.md" |
  sed -n '/^```sql$/,/^```$/p' | sed '1d;/^```$/,$d' >"$tmp/grants.sql"
check "docs/STORE.md holds the GRANT/REVOKE block" grep -q "GRANT SELECT, INSERT ON officer, entry TO rekap_writer" "$tmp/grants.sql"
expect_rc 0 "the owner makes the writer and reader roles and runs the documented grants" sh -c \
  "'$psql' -X -q -v ON_ERROR_STOP=1 -d '$(uri rekap)' -c 'CREATE ROLE rekap_writer LOGIN; CREATE ROLE rekap_reader LOGIN;' && '$psql' -X -q -v ON_ERROR_STOP=1 -d '$(uri rekap)' -f '$tmp/grants.sql'"
uri rekap_writer >"$tmp/D/store.conf"
expect_rc 0 "the writer role enrols keys" "$rekap" enrol --dir "$tmp/D" --generate "$tmp/keys"
expect_rc 0 "the writer role ingests forms" "$rekap" submit --dir "$tmp/D" --keys "$tmp/keys" "$tmp/some.jsonl"
expect_rc 0 "rekap verify passes on the writer's store" "$rekap" verify --dir "$tmp/D"
for stmt in "UPDATE entry SET accepted = 0" "DELETE FROM entry" "TRUNCATE entry" \
            "DELETE FROM officer" "ALTER TABLE entry DISABLE TRIGGER USER" \
            "DROP TRIGGER entry_no_change ON entry"; do
  expect_rc 1 "the writer role cannot: $stmt" sql rekap_writer "$stmt"
done
expect_rc 1 "the reader role cannot insert" sql rekap_reader \
  "INSERT INTO meta (key, value) VALUES ('x', 'y')"
expect_rc 0 "the reader role reads the log" sql rekap_reader "SELECT count(*) FROM entry"
expect_rc 1 "the owner cannot update a logged entry either (trigger)" sql rekap "UPDATE entry SET accepted = 0"

# ---- rekap enrol --csv: thousands of keys per transaction (the inserts
# pipelined), more than one batch of them; a refused row (a key enrolled
# before, a key twice in the file) named by its file:line, in file order,
# and every other row enrolled
val() { "$psql" -X -q -A -t -v ON_ERROR_STOP=1 -d "$1" -c "$2"; }
"$rekap" gen --scope 21 --contests ppwp --out "$tmp/el21.json" --forms "$tmp/f21.jsonl" >/dev/null
"$rekap" init --dir "$tmp/S" --election "$tmp/el21.json" --origin example.org/s >/dev/null
"$rekap" enrol --dir "$tmp/S" --generate "$tmp/k21" >/dev/null
python3 - "$tmp/k21" >"$tmp/k21.csv" <<'PY'
import os, sys
print("region,public,name")
for f in sorted(os.listdir(sys.argv[1])):
    pub = next(l.split()[1] for l in open(os.path.join(sys.argv[1], f)) if l.startswith("public "))
    print(f"{f[:-4]},{pub},KPPS {f[:-4]}")
PY
n=$(($(wc -l <"$tmp/k21.csv") - 1))
head -101 "$tmp/k21.csv" >"$tmp/first.csv"
{ cat "$tmp/k21.csv"; sed -n 5000p "$tmp/k21.csv"; } >"$tmp/again.csv"
csvuri="$(uri rekap)?options=-csearch_path%3Dcsv"
sql rekap "CREATE SCHEMA csv"
check "more keys than one enrolment batch (4096)" [ "$n" -gt 4096 ]
expect_rc 0 "a store in schema csv" "$rekap" init --dir "$tmp/E" --election "$tmp/el21.json" \
  --origin example.org/csv --store "$csvuri"
expect_rc 0 "enrol --csv: 100 keys" "$rekap" enrol --dir "$tmp/E" --csv "$tmp/first.csv"
expect_rc 1 "enrol --csv: all $n keys, 100 of them enrolled already, one twice" \
  "$rekap" enrol --dir "$tmp/E" --csv "$tmp/again.csv"
check "enrolled $((n - 100)) of $((n + 1))" grep -q "^enrolled $((n - 100)) of $((n + 1)) keys" "$tmp/out"
check "101 rows refused with STORE_KEY_ENROLLED" [ "$(grep -c STORE_KEY_ENROLLED "$tmp/err")" -eq 101 ]
check "each refused row named by its file:line, in file order" \
  [ "$(grep -o 'again.csv:[0-9]*' "$tmp/err" | cut -d: -f2 | tr '\n' ' ')" = "$(seq 2 101 | tr '\n' ' ')$((n + 2)) " ]
check "every key enrolled, once" [ "$(val "$csvuri" "SELECT count(*) FROM officer")" -eq "$n" ]
check "in a few transactions, not one per key" \
  [ "$(val "$csvuri" "SELECT count(DISTINCT xmin::text) FROM officer")" -le 40 ]
finish
