#!/usr/bin/env bash
# Power loss, quick (issue 13; docs/RELIABILITY.md, "How a power cut is
# simulated"). First the simulation itself: each case of
# tests/powerloss/probe.py changes files through libc under the shim
# (libpowerloss.so), with or without the syncs that make the changes
# durable, pl_rollback takes back what a power cut would lose, and what is
# left is checked. Then the soak of soak_lib.sh with power cuts: rekapd
# under the shim, SIGKILLed at SOAK_CUTS (default 4) random moments under
# load (half of them by the shim itself, at a random journaled change),
# every unsynced change taken back, restarted on what is left, and
# checked as after a kill. bench/soak.sh --powerloss runs it long.
# Skips (77) where the shim is not built (not Linux).
# usage: test_powerloss.sh REKAP DATA_DIR
source "$(dirname "$0")/lib.sh" "$@"
source "$(dirname "$0")/soak_lib.sh"
bin=$(dirname "$rekap")
shim=$bin/libpowerloss.so pl_rollback=$bin/pl_rollback
probe_py=$REKAP_IT_DIR/../powerloss/probe.py
[ -f "$shim" ] && [ -x "$pl_rollback" ] || { echo "SKIP: no $shim or $pl_rollback (Linux only)"; exit 77; }
# preloaded into an ASan build, the shim comes before the ASan runtime
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0

# ---- the simulation: what a cut keeps and what it loses
# probe CASE: a fresh root holding old ("hello world") and old2
# ("second"), the case run under the shim, then the cut's rollback.
probe() {
  rm -rf "$tmp/pr" "$tmp/pj"; mkdir -p "$tmp/pr"
  printf 'hello world' >"$tmp/pr/old"; printf 'second' >"$tmp/pr/old2"
  # (in a subshell: the sqlite case ends in SIGKILL, which bash would report)
  (env LD_PRELOAD="$shim" POWERLOSS_ROOT="$tmp/pr" POWERLOSS_JOURNAL="$tmp/pj" \
    python3 "$probe_py" "$1"; :) 2>"$tmp/probe.err"
  "$pl_rollback" "$tmp/pj" "$tmp/pr" >"$tmp/rollback.out"
}
is() { [ "$(cat "$tmp/pr/$1" 2>/dev/null)" = "$2" ]; }   # NAME CONTENT
gone() { [ ! -e "$tmp/pr/$1" ]; }

probe write_nosync
check "writes without fsync are lost: a new file, an overwrite and an append" \
  sh -c "[ ! -e '$tmp/pr/new' ] && [ \"\$(cat '$tmp/pr/old')\" = 'hello world' ]"
check "(the shim journaled them: $(cat "$tmp/rollback.out"))" grep -q "undid [1-9][0-9]* name changes, [1-9]" "$tmp/rollback.out"
probe write_fsync
check "an overwrite followed by fsync is kept" is old "HELLO world"
probe create_fsync_only
check "a new file fsynced but its directory not: its name is lost" gone new
probe create_dirsync_only
check "a new file whose directory is synced but not its content: there, empty" is new ""
probe rename_nodirsync
check "a rename without a directory sync is undone (the old file is back, the temp file gone)" \
  sh -c "[ \"\$(cat '$tmp/pr/old')\" = 'hello world' ] && [ ! -e '$tmp/pr/tmp' ]"
probe rename_dirsync
check "a rename followed by a directory sync is kept" \
  sh -c "[ \"\$(cat '$tmp/pr/old')\" = replacement ] && [ ! -e '$tmp/pr/tmp' ]"
probe unlink_nodirsync
check "an unlink without a directory sync is undone" is old "hello world"
probe unlink_dirsync
check "an unlink followed by a directory sync is kept" gone old
probe truncate_nosync
check "truncate and open(O_TRUNC) without fsync are undone" \
  sh -c "[ \"\$(cat '$tmp/pr/old')\" = 'hello world' ] && [ \"\$(cat '$tmp/pr/old2')\" = second ]"
probe mkdir_subdir_synced
check "a directory whose parent was not synced is lost with what it holds" gone d
probe syncfs
check "syncfs makes everything durable (new file, rename, mkdir)" \
  sh -c "[ \"\$(cat '$tmp/pr/new')\" = kept ] && [ -e '$tmp/pr/renamed' ] && [ ! -e '$tmp/pr/old2' ] && [ -d '$tmp/pr/d' ]"
probe stdio
check "mkstemp + fdopen + fwrite, renamed and the directory synced, never fsynced: the name is kept, the content lost" \
  sh -c "[ -e '$tmp/pr/cp' ] && [ ! -s '$tmp/pr/cp' ] && ! ls '$tmp/pr' | grep -q tmp"
probe sqlite
check "SQLite (WAL): a commit with synchronous=FULL is kept, one with OFF lost, -shm removed" \
  sh -c "[ \"\$(python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(\"SELECT x FROM t\").fetchall())' '$tmp/pr/db')\" = '[(1,)]' ] && [ ! -e '$tmp/pr/db-shm' ]"

# ---- the soak: rekapd under the shim, power cuts under load
cat >"$tmp/rekapd-pl" <<SH
#!/bin/sh
exec env LD_PRELOAD="$shim" POWERLOSS_ROOT="$D" POWERLOSS_JOURNAL="$soak/journal" \
  POWERLOSS_CUT_AT="\$(cat "$soak/cut_at" 2>/dev/null)" "$rekapd" "\$@"
SH
chmod +x "$tmp/rekapd-pl"
rekapd=$tmp/rekapd-pl
soak_run power "${SOAK_CUTS:-4}"
finish
