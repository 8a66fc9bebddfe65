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
# the tests' Python helpers (rfc9162.py: the Merkle proof verifier)
export REKAP_IT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# rekapd beside rekap, started on free loopback ports (shared by the tests
# of the server). usage: rekapd_up LOG [rekapd arguments...]: starts it in
# the background (its stderr appended to LOG), its pid in $pid, its ports in
# $IP (ingest) and $PP (public); 0 once the port file is written, non-zero
# when rekapd exited (or took 30 s) first.
rekapd=$(dirname "$rekap")/rekapd
pid=
rekapd_up() {
  local log=$1; shift
  rm -f "$tmp/ports"
  "$rekapd" --ingest-port 0 --public-port 0 --port-file "$tmp/ports" "$@" 2>>"$log" &
  pid=$!
  for _ in $(seq 300); do [ -s "$tmp/ports" ] && break; kill -0 $pid 2>/dev/null || break; sleep 0.1; done
  IP=$(sed -n 's/^ingest=//p' "$tmp/ports" 2>/dev/null)
  PP=$(sed -n 's/^public=//p' "$tmp/ports" 2>/dev/null)
  [ -n "$IP" ] && [ -n "$PP" ]
}

# The operator edits a number behind the log's back: in the store DB, the
# first digit of "valid" in row IDX's entry changes (the no-update trigger
# dropped first). usage: store_bump DB IDX
store_bump() {
  python3 - "$1" "$2" <<'PY'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
c.execute("DROP TRIGGER IF EXISTS entry_no_update")
b = bytes(c.execute("SELECT bytes FROM entry WHERE idx = ?", (int(sys.argv[2]),)).fetchone()[0])
i = b.index(b'"valid":') + 8
b = b[:i] + (b"1" if b[i:i+1] != b"1" else b"2") + b[i+1:]
c.execute("UPDATE entry SET bytes = ? WHERE idx = ?", (b, int(sys.argv[2])))
c.commit()
PY
}

# forge_sig BODY OUT: the signed request body BODY with one bit of its
# signature flipped, into OUT: what someone without the officer's key sends.
forge_sig() {
  python3 - "$1" "$2" <<'PY'
import base64, json, sys
b = json.load(open(sys.argv[1]))
s = bytearray(base64.b64decode(b["sig"])); s[10] ^= 1
b["sig"] = base64.b64encode(bytes(s)).decode()
json.dump(b, open(sys.argv[2], "w"))
PY
}

# rekapd_named NAME DIR [rekapd arguments...]: one of several rekapd in a
# test (a primary and its replicas): started on free loopback ports with no
# rate limits, stderr appended to $tmp/NAME.log, its pid in pid_NAME, its
# ports in I_NAME (ingest; 0 for a replica) and P_NAME (public), and in
# $pids for the test's trap. 0 once its port file is written.
pids=()
rekapd_named() {
  local name=$1 dir=$2; shift 2
  rm -f "$tmp/$name.ports"
  "$rekapd" --dir "$dir" --ingest-port 0 --public-port 0 --port-file "$tmp/$name.ports" \
    --set public_ip_rate=0 --set ingest_ip_rate=0 --set ingest_key_rate=0 "$@" 2>>"$tmp/$name.log" &
  pids+=($!)
  eval "pid_$name=$!"
  for _ in $(seq 300); do [ -s "$tmp/$name.ports" ] && break; kill -0 $! 2>/dev/null || break; sleep 0.1; done
  eval "P_$name=$(sed -n 's/^public=//p' "$tmp/$name.ports" 2>/dev/null)"
  eval "I_$name=$(sed -n 's/^ingest=//p' "$tmp/$name.ports" 2>/dev/null)"
  [ -s "$tmp/$name.ports" ]
}

# nginx_conf [VAR=value...]: deploy/nginx rendered as production renders it
# into $tmp/ng/nginx.conf, on two free loopback ports ($np public, $ni
# ingest) with a throwaway certificate; the variables (PUBLIC_UPSTREAM,
# INGEST_UPSTREAM, READ_RATE, ...) are passed to render.sh. Sets nginx_user
# to the -g arguments nginx needs as root (workers read the test's dir).
nginx_conf() {
  read -r np ni < <(python3 -c 'import socket
s=[socket.socket() for _ in range(2)]
[x.bind(("127.0.0.1",0)) for x in s]
print(*[x.getsockname()[1] for x in s])')
  mkdir -p "$tmp/ng"
  openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost \
    -keyout "$tmp/ng/key.pem" -out "$tmp/ng/cert.pem" 2>/dev/null
  env RUN="$tmp/ng" CERT="$tmp/ng/cert.pem" KEY="$tmp/ng/key.pem" \
    PUBLIC_LISTEN="127.0.0.1:$np" INGEST_LISTEN="127.0.0.1:$ni" "$@" \
    bash "$REKAP_IT_DIR/../../deploy/nginx/render.sh" >"$tmp/ng/nginx.conf"
  nginx_user=(); [ "$(id -u)" -eq 0 ] && nginx_user=(-g "user root;")
}

# eventually SECONDS command...: the command succeeds within SECONDS
# (tried every 0.1 s): for what a server shows after its next render or
# round, on a machine that may be loaded.
eventually() {
  local end=$((SECONDS + $1)); shift
  until "$@"; do [ $SECONDS -lt $end ] || return 1; sleep 0.1; done
}
