#!/usr/bin/env bash
# The store's unit tests (tests/unit/test_store.c) against a real
# PostgreSQL: a primary with its synchronous standby started by
# tests/pg/cluster.sh, its URI given as REKAP_TEST_PG_URI, so every PG case
# runs (on SQLite alone they are skipped). Skipped (77) without the
# PostgreSQL 15 server binaries.
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
finish
