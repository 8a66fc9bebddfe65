#!/usr/bin/env bash
# Failover of the PostgreSQL store (docs/OPERATIONS.md, "PostgreSQL with a
# synchronous standby") on a real primary and synchronous standby
# (tests/pg/cluster.sh): a burst of signed forms over HTTP, the primary and
# rekapd killed (-9) in its middle, then the operator's script
# deploy/pg/failover.sh promotes the standby and points the election
# directory at it (store.conf), and rekapd is restarted. Then every form
# acknowledged (201 or 422) before the kill must be there at its index, the
# log must verify (rekap verify), the checkpoint served after must extend
# the last one served before (the consistency proof checked here, RFC 9162
# 2.1.4.2), and new forms must be accepted. failover.sh must refuse (and
# change nothing) while the old primary still answers and while rekapd
# still holds the directory's lock; run again after the failover it changes
# nothing, starts rekapd itself and waits for its /healthz; on a second
# cluster it promotes with SELECT pg_promote() instead of pg_ctl.
# Skips (77) without the PostgreSQL 15 server binaries or a rekap without
# the PostgreSQL store (`rekap init --store`).
# usage: test_pg_failover.sh REKAP DATA_DIR
source "$(dirname "$0")/lib.sh" "$@"
cluster=$(cd "$(dirname "$0")/../pg" && pwd)/cluster.sh
failover=$(cd "$(dirname "$0")/../../deploy/pg" && pwd)/failover.sh
# failover.sh's own files (rekapd's output, the checkpoint's copy) in $tmp
export TMPDIR=$tmp
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
for b in initdb pg_ctl pg_basebackup psql postgres; do
  [ -x "$PGBIN/$b" ] || { echo "SKIP: no PostgreSQL 15 server binaries ($PGBIN/$b): scripts/deps installs postgresql-15"; exit 77; }
done
if [ "$(id -u)" -eq 0 ] && ! getent passwd postgres >/dev/null; then
  echo "SKIP: running as root without a 'postgres' user to run PostgreSQL as"; exit 77
fi
"$rekap" init --help 2>&1 | grep -q -- '--store' \
  || { echo "SKIP: this rekap has no PostgreSQL store ('rekap init --help' does not mention --store)"; exit 77; }
[ -x "$rekapd" ] || { echo "FAIL - no rekapd next to $rekap"; exit 1; }

D=$tmp/D
# the cluster's own directory: readable by the postgres user when run as root
pgtmp=$(mktemp -d /tmp/rekap-pg.XXXXXX)
chmod 755 "$pgtmp"
pg=$pgtmp/pg
burst=
trap '[ -n "$pid" ] && kill -9 $pid 2>/dev/null; [ -n "$burst" ] && kill $burst 2>/dev/null;
      bash "$cluster" stop "$pg" >/dev/null 2>&1; rm -rf "$tmp" "$pgtmp"' EXIT

# ---- the cluster
if bash "$cluster" start "$pg" >"$tmp/cluster.out" 2>"$tmp/cluster.err"; then
  ok "a primary and a synchronous standby start"
else
  fail "the cluster does not start"; cat "$tmp/cluster.err"; finish; exit
fi
# shellcheck disable=SC1091
. "$pg/env"
check "the cluster reports PRIMARY and STANDBY" test -n "${PRIMARY:-}" -a -n "${STANDBY:-}"
check "the standby streams synchronously" grep -q "^replication: standby1 streaming sync" \
  <(bash "$cluster" status "$pg")

# ---- the election on the primary
"$rekap" gen --scope 65 --contests ppwp --seed 7 --out "$tmp/el.json" --forms "$tmp/forms.jsonl" >/dev/null \
  || { echo "FAIL - rekap gen"; exit 1; }
expect_rc 0 "rekap init --store on the primary" \
  "$rekap" init --dir "$D" --election "$tmp/el.json" --origin example.org/failover --store "$PRIMARY"
check "the directory names its store in store.conf" grep -qF "$PRIMARY" "$D/store.conf"
expect_rc 0 "rekap enrol --generate" "$rekap" enrol --dir "$D" --generate "$tmp/keys"
# every 50th form misread (its votes no longer sum to valid): answered 422
python3 - "$tmp/forms.jsonl" > "$tmp/forms2.jsonl" <<'PY'
import json, sys
for i, l in enumerate(open(sys.argv[1])):
    f = json.loads(l)
    if i % 50 == 7:
        f["votes"][0] += 7
    print(json.dumps(f))
PY
"$rekap" sign --keys "$tmp/keys" "$tmp/forms2.jsonl" > "$tmp/bodies.jsonl" || { echo "FAIL - rekap sign"; exit 1; }
n=$(wc -l < "$tmp/bodies.jsonl")
head -n $((n - 100)) "$tmp/bodies.jsonl" > "$tmp/burst.jsonl"      # the burst
tail -n 100 "$tmp/bodies.jsonl" > "$tmp/after.jsonl"                 # after the failover

cat > "$tmp/rekapd.conf" <<EOF
ingest_ip_rate = 0
ingest_key_rate = 0
public_ip_rate = 0
publish_interval_ms = 100
log_level = info
EOF
start() { rekapd_up "$tmp/rekapd.log" --dir "$D" --config "$tmp/rekapd.conf"; }
checkpoint() { curl -s -f "http://127.0.0.1:$PP/log/checkpoint"; }
cp_size() { sed -n 2p "$1"; }
check "rekapd starts on the primary" start

# ---- failover.sh refuses while the old primary still answers (fencing)
cp "$D/store.conf" "$tmp/store.conf.0"
standby_in_recovery() { # (whole output first: grep -q's early exit would fail the pipe)
  bash "$cluster" status "$pg" > "$tmp/status" && grep -q '^standby: running.*in recovery' "$tmp/status"
}
expect_rc 3 "failover.sh refuses while the old primary still answers (exit 3)" \
  bash "$failover" --dir "$D" --old-primary "$PRIMARY" --standby "$STANDBY" --sql-promote
check "it says the old primary still answers and must be stopped" \
  sh -c "grep -q 'old primary .* still answers' '$tmp/err' && grep -q 'Stop it' '$tmp/err'"
check "store.conf is unchanged after that refusal" cmp -s "$tmp/store.conf.0" "$D/store.conf"
check "the standby was not promoted (still in recovery)" standby_in_recovery

# ---- the burst: 8 clients; every 201/422 recorded with its index; at 400
# acknowledgements a mark file tells the shell to kill
python3 - "$IP" "$tmp/burst.jsonl" "$tmp/acked" "$tmp/half" <<'PY' &
import http.client, json, sys, threading, time
port, lines, out, half = int(sys.argv[1]), open(sys.argv[2], "rb").read().splitlines(), sys.argv[3], sys.argv[4]
acked, lock = [], threading.Lock()
def work(k):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    for i in range(k, len(lines), 8):
        try:
            c.request("POST", "/api/v1/submissions", lines[i], {"Content-Type": "application/json"})
            r = c.getresponse(); b = r.read()
        except (OSError, http.client.HTTPException):
            return                                    # rekapd is gone
        if r.status in (201, 422):
            with lock:
                acked.append((i, r.status, json.loads(b)["index"]))
                if len(acked) == 400:
                    open(half, "w").close()
        time.sleep(0.02)                              # a paced burst (<= 400/s): the kill lands in it
ts = [threading.Thread(target=work, args=(k,)) for k in range(8)]
[t.start() for t in ts]; [t.join() for t in ts]
with open(out, "w") as f:
    for i, st, idx in acked:
        f.write(f"{i} {st} {idx}\n")
PY
burst=$!
for _ in $(seq 600); do                              # at most 30 s
  [ -e "$tmp/half" ] && checkpoint > "$tmp/cp0" && [ "$(cp_size "$tmp/cp0")" -gt 0 ] && break
  kill -0 $burst 2>/dev/null || break
  sleep 0.05
done
checkpoint > "$tmp/cp_before" || cp "$tmp/cp0" "$tmp/cp_before" 2>/dev/null
N=$(cp_size "$tmp/cp_before" 2>/dev/null)
bash "$cluster" kill-primary "$pg" >/dev/null 2>"$tmp/kill.err"; killed=$?
# the operator forgot rekapd: failover.sh must refuse while it holds <dir>/lock
bash "$failover" --dir "$D" --old-primary "$PRIMARY" --standby "$STANDBY" --sql-promote \
  >"$tmp/fo_lock.out" 2>"$tmp/fo_lock.err"; fo_lock=$?
rekapd_pid=$pid
kill -9 $pid; wait $pid 2>/dev/null; pid=
wait $burst; burst=
check "the primary's postmaster is killed (kill -9)" [ "$killed" -eq 0 ]
nacked=$(wc -l < "$tmp/acked")
nburst=$(wc -l < "$tmp/burst.jsonl")
check "a checkpoint with entries was served before the kill (size ${N:-none})" [ "${N:-0}" -gt 0 ]
check "some of the burst was acknowledged before the kill ($nacked)" [ "$nacked" -ge 400 ]
check "the kill came before the burst's end ($nacked < $nburst)" [ "$nacked" -lt "$nburst" ]
check "both 201 and 422 were acknowledged" sh -c "grep -q ' 201 ' '$tmp/acked' && grep -q ' 422 ' '$tmp/acked'"
check "failover.sh refuses while rekapd still holds the directory's lock (exit $fo_lock, wanted 4)" [ "$fo_lock" -eq 4 ]
[ "$fo_lock" -eq 4 ] || head -5 "$tmp/fo_lock.err"
check "it names rekapd's pid and says to stop it" \
  sh -c "grep -q '(pid $rekapd_pid) still holds' '$tmp/fo_lock.err' && grep -q 'Stop it first' '$tmp/fo_lock.err'"
check "store.conf is unchanged after that refusal" cmp -s "$tmp/store.conf.0" "$D/store.conf"
check "the standby was not promoted by it (still in recovery)" standby_in_recovery

# ---- failover (deploy/pg/failover.sh): promote the standby, point the directory at it
expect_rc 0 "failover.sh promotes the standby (pg_ctl promote) and points store.conf at it" \
  bash "$failover" --dir "$D" --old-primary "$PRIMARY" --standby "$STANDBY" \
    --pgdata "$pg/standby" --pg-ctl "$PGBIN/pg_ctl"
cp "$tmp/out" "$tmp/failover.out"; cp "$tmp/err" "$tmp/failover.err"
check "the old primary is down, the standby read-write" sh -c \
  "bash '$cluster' status '$pg' | grep -q '^primary: stopped' && bash '$cluster' status '$pg' | grep -q '^standby: running.*read-write'"
check "store.conf names the promoted standby" sh -c "grep -qF '$STANDBY' '$D/store.conf' && ! grep -qF '$PRIMARY' '$D/store.conf'"
check "store.conf is still mode 0600, and no temp file is left beside it" sh -c \
  "[ \"\$(stat -c %a '$D/store.conf')\" = 600 ] && ! ls -A '$D' | grep -q '^[.]store[.]conf[.]'"
fo_n=$(sed -n 's/.*consistency?from=\([0-9]*\).*/\1/p' "$tmp/failover.out")
check "failover.sh prints the checks to run: rekap verify, the consistency proof from the last checkpoint (${fo_n:-none} >= ${N:-none})" \
  sh -c "grep -qF 'rekap verify --dir $D' '$tmp/failover.out' && [ '${fo_n:-0}' -ge '${N:-1}' ]"
check "rekapd restarts on the promoted standby" start || { tail -5 "$tmp/rekapd.log"; }

# ---- every acknowledged form is there, at its index, with its verdict
python3 - "$IP" "$tmp/burst.jsonl" "$tmp/acked" <<'PY' && ok "every acknowledged form (201 and 422) is there, at its index" || fail "an acknowledged form was lost"
import http.client, json, sys
port, lines = int(sys.argv[1]), open(sys.argv[2], "rb").read().splitlines()
c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
for row in open(sys.argv[3]):
    i, st, idx = map(int, row.split())
    c.request("POST", "/api/v1/submissions", lines[i], {"Content-Type": "application/json"})
    r = c.getresponse(); b = json.loads(r.read())
    assert r.status == st and b["duplicate"] is True and b["index"] == idx, (i, st, idx, r.status, b)
PY

# ---- the checkpoint after extends the one before: the proof checked here
cat > "$tmp/consistent.py" <<'PY'
# usage: consistent.py PUBLIC_PORT CHECKPOINT_BEFORE: fetch the current
# checkpoint and the consistency proof from the older one's size to it, and
# verify the proof (RFC 9162 2.1.4.2) from the OLD checkpoint's root to the
# NEW checkpoint's root (not to the answer's roots). Prints "n1 n2".
import base64, json, os, sys, urllib.request
pub = "http://127.0.0.1:%s" % sys.argv[1]
def tree_head(text): return int(text.split(b"\n")[1]), base64.b64decode(text.split(b"\n")[2])
n1, r1 = tree_head(open(sys.argv[2], "rb").read())
n2, r2 = tree_head(urllib.request.urlopen(pub + "/log/checkpoint").read())
sys.path.insert(0, os.environ["REKAP_IT_DIR"])
from rfc9162 import verify_consistency as consistent
assert n2 >= n1, (n1, n2)
r = urllib.request.urlopen(pub + "/api/v1/consistency?from=%d&to=%d" % (n1, n2))
assert r.status == 200
cr = json.load(r)
assert cr["from"] == n1 and cr["to"] == n2, cr
assert consistent(n1, n2, r1, r2, [bytes.fromhex(p) for p in cr["proof"]]), cr
print(n1, n2)
PY
check "the checkpoint after the failover extends the last one served before (consistency proof)" \
  python3 "$tmp/consistent.py" "$PP" "$tmp/cp_before"
checkpoint > "$tmp/cp_failover"

# ---- new forms after the failover
python3 - "$IP" "$tmp/after.jsonl" <<'PY' && ok "new forms are accepted after the failover" || fail "new forms after the failover"
import http.client, json, sys
c = http.client.HTTPConnection("127.0.0.1", int(sys.argv[1]), timeout=30)
for l in open(sys.argv[2], "rb").read().splitlines():
    c.request("POST", "/api/v1/submissions", l, {"Content-Type": "application/json"})
    r = c.getresponse(); b = json.loads(r.read())
    assert r.status in (201, 422) and b["duplicate"] is False and isinstance(b["index"], int), (r.status, b)
PY
grown() { [ "$(checkpoint | sed -n 2p)" -gt "$(cp_size "$tmp/cp_failover")" ]; }
for _ in $(seq 100); do grown && break; sleep 0.1; done
check "the checkpoint grows with them" grown
check "and still extends the one served before the kill" python3 "$tmp/consistent.py" "$PP" "$tmp/cp_before"

kill -TERM $pid; wait $pid; stopped=$?; pid=
check "rekapd stops cleanly on the promoted standby" [ "$stopped" = 0 ]
expect_rc 0 "rekap verify after the failover" "$rekap" verify --dir "$D"
check "the final checkpoint holds every form sent ($(sed -n 2p "$D/log/checkpoint") >= $((nacked + 100)))" \
  [ "$(sed -n 2p "$D/log/checkpoint")" -ge $((nacked + 100)) ]

# ---- failover.sh again, now starting rekapd itself: a re-run promotes
# nothing, leaves store.conf alone, and waits for rekapd's /healthz
expect_rc 0 "failover.sh run again: starts rekapd (--rekapd-cmd) and waits for its /healthz" \
  bash "$failover" --dir "$D" --old-primary "$PRIMARY" --standby "$STANDBY" --sql-promote --wait 60 \
    --rekapd-cmd "exec '$rekapd' --dir '$D' --config '$tmp/rekapd.conf' --ingest-port 0 --public-port 0 --port-file '$tmp/ports2'" \
    --port-file "$tmp/ports2"
pid=$(tr -dc 0-9 < "$D/lock")                        # that rekapd: the EXIT trap kills it
check "it promoted nothing and left store.conf as it was" \
  sh -c "grep -q 'already read-write' '$tmp/err' && grep -q 'already names the standby' '$tmp/err' && grep -qF '$STANDBY' '$D/store.conf'"
check "the rekapd it started answers /healthz with 200" \
  curl -s -f -o /dev/null "http://127.0.0.1:$(sed -n 's/^ingest=//p' "$tmp/ports2")/healthz"
stopped_by_term() { [ -n "$pid" ] && kill -TERM "$pid" && for _ in $(seq 300); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done; return 1; }
check "and stops on SIGTERM" stopped_by_term
kill -0 "$pid" 2>/dev/null || pid=
bash "$cluster" stop "$pg" >/dev/null 2>&1

# ---- a second cluster: failover.sh promotes with SELECT pg_promote() (--sql-promote)
pg2=$pgtmp/pg2 D2=$tmp/D2
trap '[ -n "$pid" ] && kill -9 $pid 2>/dev/null; bash "$cluster" stop "$pg" >/dev/null 2>&1;
      bash "$cluster" stop "$pg2" >/dev/null 2>&1; rm -rf "$tmp" "$pgtmp"' EXIT
if bash "$cluster" start "$pg2" >"$tmp/cluster2.out" 2>"$tmp/cluster2.err"; then
  P2=$(sed -n 's/^PRIMARY=//p' "$tmp/cluster2.out") S2=$(sed -n 's/^STANDBY=//p' "$tmp/cluster2.out")
  mkdir "$D2" && (umask 077 && printf '%s\n' "$P2" > "$D2/store.conf")
  bash "$cluster" kill-primary "$pg2" >/dev/null 2>&1
  expect_rc 0 "failover.sh --sql-promote promotes the standby of a second cluster" \
    bash "$failover" --dir "$D2" --old-primary "$P2" --standby "$S2" --sql-promote
  check "it promoted with pg_promote, the standby is read-write" sh -c \
    "grep -q 'pg_promote' '$tmp/err' && bash '$cluster' status '$pg2' | grep -q '^standby: running.*read-write'"
  check "its store.conf names the promoted standby, mode 0600" \
    sh -c "[ \"\$(head -n 1 '$D2/store.conf')\" = '$S2' ] && [ \"\$(stat -c %a '$D2/store.conf')\" = 600 ]"
  bash "$cluster" stop "$pg2" >/dev/null 2>&1
else
  fail "the second cluster does not start"; head -5 "$tmp/cluster2.err"
fi
finish
