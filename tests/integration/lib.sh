# Shared by the CLI integration tests (sourced, not run): the arguments,
# a scratch directory removed on exit, and TAP-like ok/FAIL lines ending in
# the "N passed, N failed" summary CTest's log shows.
# usage in a test: source "$(dirname "$0")/lib.sh" "$@"
set -uo pipefail
rekap=$1
data=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0 passes=0
ok()   { passes=$((passes + 1)); echo "ok   - $1"; }
fail() { fails=$((fails + 1)); echo "FAIL - $1"; }
check() { # description command...: passes when the command succeeds
  local what=$1; shift
  if "$@"; then ok "$what"; else fail "$what"; fi
}
expect_rc() { # expected-rc description command...: output in $tmp/out, $tmp/err
  local want=$1 what=$2; shift 2
  "$@" >"$tmp/out" 2>"$tmp/err"; local rc=$?
  if [ "$rc" -eq "$want" ]; then ok "$what"; else fail "$what (exit $rc, wanted $want)"; head -5 "$tmp/err"; fi
}
finish() { # the summary line and the exit status
  echo "$passes passed, $fails failed"
  [ "$fails" -eq 0 ]
}
export REKAP_DATA=$data
