#!/usr/bin/env bash
# An election on a PostgreSQL primary with a synchronous standby and two
# public replicas on one box, behind the deploy/ nginx (docs/REPLICAS.md):
# rekapd ingests on the primary; two `rekapd --replica` follow the hot
# standby and serve the public through nginx's upstream pool. Checked: the
# replicas serve the primary's checkpoint byte for byte and the same results;
# `rekap verify` passes on a replica's directory; with one replica killed the
# edge still answers every read; then the primary's PostgreSQL and rekapd
# are killed (-9) mid-burst, the standby promoted (deploy/pg/failover.sh),
# rekapd restarted on it, and the replicas — still attached to the same
# server, now the primary — follow on: every acknowledged form is on them,
# and their new checkpoint extends the one they served before (consistency
# proof checked here, RFC 9162 2.1.4.2).
# Skips (77) without the PostgreSQL 15 server binaries or nginx.
# usage: test_pg_replicas.sh REKAP DATA_DIR
source "$(dirname "$0")/lib.sh" "$@"
root=$(cd "$(dirname "$0")/../.." && pwd)
cluster=$root/tests/pg/cluster.sh
failover=$root/deploy/pg/failover.sh
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
for b in initdb pg_ctl pg_basebackup psql postgres; do
  [ -x "$PGBIN/$b" ] || { echo "SKIP: no PostgreSQL 15 server binaries ($PGBIN/$b)"; exit 77; }
done
if [ "$(id -u)" -eq 0 ] && ! getent passwd postgres >/dev/null; then
  echo "SKIP: running as root without a 'postgres' user to run PostgreSQL as"; exit 77
fi
command -v nginx >/dev/null || { echo "SKIP: nginx is not installed (scripts/deps installs it)"; exit 77; }
[ -x "$rekapd" ] || { echo "FAIL - no rekapd next to $rekap"; exit 1; }

D=$tmp/D R1=$tmp/R1 R2=$tmp/R2
pgtmp=$(mktemp -d /tmp/rekap-pgr.XXXXXX)
chmod 755 "$pgtmp"
pg=$pgtmp/pg
export TMPDIR=$tmp # failover.sh's own files
trap 'for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done
      [ -f "$tmp/ng/nginx.pid" ] && kill "$(cat "$tmp/ng/nginx.pid")" 2>/dev/null
      bash "$cluster" stop "$pg" >/dev/null 2>&1; rm -rf "$tmp" "$pgtmp"' EXIT

if bash "$cluster" start "$pg" >"$tmp/cluster.out" 2>"$tmp/cluster.err"; then
  ok "a PostgreSQL primary and a synchronous standby start"
else
  fail "the cluster does not start"; cat "$tmp/cluster.err"; finish; exit
fi
# shellcheck disable=SC1091
. "$pg/env"

"$rekap" gen --scope 65 --contests ppwp --seed 5 --out "$tmp/el.json" --forms "$tmp/forms.jsonl" >/dev/null \
  || { echo "FAIL - rekap gen"; exit 1; }
expect_rc 0 "rekap init --store on the primary" \
  "$rekap" init --dir "$D" --election "$tmp/el.json" --origin example.org/pg-replicas --store "$PRIMARY"
VK=$(sed -n 's/^verifier key: //p' "$tmp/out")
expect_rc 0 "rekap enrol --generate" "$rekap" enrol --dir "$D" --generate "$tmp/keys"
"$rekap" sign --keys "$tmp/keys" "$tmp/forms.jsonl" > "$tmp/bodies.jsonl" || { echo "FAIL - rekap sign"; exit 1; }
expect_rc 0 "rekap init --replica on the hot standby (R1)" \
  "$rekap" init --replica "$VK" --store "$STANDBY" --dir "$R1" --election "$tmp/el.json"
expect_rc 0 "rekap init --replica on the hot standby (R2)" \
  "$rekap" init --replica "$VK" --store "$STANDBY" --dir "$R2" --election "$tmp/el.json"

get() { curl -s -f "http://127.0.0.1:$1$2"; }
same_cp() { # PORT: the replica serves the primary's checkpoint (at most 30 s)
  for _ in $(seq 300); do
    [ "$(get "$1" /log/checkpoint)" = "$(get "$P_p" /log/checkpoint)" ] && return 0
    sleep 0.1
  done
  return 1
}
check "rekapd starts on the primary" rekapd_named p "$D" --set publish_interval_ms=100
check "replica R1 starts on the standby" rekapd_named r1 "$R1" --replica --set follow_interval_ms=50
check "replica R2 starts on the standby" rekapd_named r2 "$R2" --replica --set follow_interval_ms=50

# ---- nginx: the public pool over both replicas, ingest to the primary
nginx_conf READ_RATE=1000 READ_BURST=2000 WRITE_RATE=1000 WRITE_BURST=2000 \
  PUBLIC_UPSTREAM="127.0.0.1:$P_r1,127.0.0.1:$P_r2" INGEST_UPSTREAM=127.0.0.1:$I_p
check "the rendered pool names both replicas" \
  test "$(grep -c "server 127.0.0.1:\($P_r1\|$P_r2\) " "$tmp/ng/nginx.conf")" = 2
expect_rc 0 "nginx starts" nginx -c "$tmp/ng/nginx.conf" "${nginx_user[@]}"
edge=https://127.0.0.1:$np

# ---- a burst through the edge's ingest; the replicas follow
head -n 600 "$tmp/bodies.jsonl" > "$tmp/b1.jsonl"
python3 - "$ni" "$tmp/b1.jsonl" > "$tmp/codes1" <<'PY'
import http.client, ssl, sys, collections
ctx = ssl._create_unverified_context()
c = http.client.HTTPSConnection("127.0.0.1", int(sys.argv[1]), context=ctx, timeout=30)
n = collections.Counter()
for line in open(sys.argv[2], "rb"):
    c.request("POST", "/api/v1/submissions", body=line.strip(), headers={"Content-Type": "application/json"})
    r = c.getresponse(); r.read(); n[r.status] += 1
print(dict(n))
PY
check "600 forms through the edge, all 201 [$(cat "$tmp/codes1")]" grep -q "^{201: 600}$" "$tmp/codes1"
check "R1 serves the primary's checkpoint byte for byte" same_cp "$P_r1"
check "R2 serves the primary's checkpoint byte for byte" same_cp "$P_r2"
u=/api/v1/results/ppwp/65.json
edge_same() { cmp -s <(curl -sk "$edge$u" | sed 's/"ts":"[^"]*"//g') <(get "$P_p" "$u" | sed 's/"ts":"[^"]*"//g'); }
check "the edge (the pool) serves the primary's results" eventually 10 edge_same
check "the edge serves the primary's checkpoint" cmp -s <(curl -sk "$edge/log/checkpoint") <(get "$P_p" /log/checkpoint)
expect_rc 0 "rekap verify on R1's directory (its own tiles, the standby's rows)" "$rekap" verify --dir "$R1"

# ---- one replica down: the edge answers every read from the other
kill -9 "$pid_r1"; wait "$pid_r1" 2>/dev/null
codes=$(for i in $(seq 40); do curl -sk -o /dev/null -w '%{http_code}\n' "$edge/api/v1/results/ppwp/65.json?n=$i"; done | sort | uniq -c | tr -s ' \n' ' ')
check "with R1 killed, 40 reads through the edge: all 200 [$codes]" test "$codes" = " 40 200 "
check "R1 restarts and catches up" rekapd_named r1 "$R1" --replica --set follow_interval_ms=50
check "  ... to the primary's checkpoint" same_cp "$P_r1"

# ---- failover: the primary's PostgreSQL and rekapd killed mid-burst
before=$(get "$P_r2" /log/checkpoint)
N=$(echo "$before" | sed -n 2p)
sed -n 601,1400p "$tmp/bodies.jsonl" > "$tmp/burst.jsonl"
python3 - "$I_p" "$tmp/burst.jsonl" "$tmp/acked" > /dev/null 2>&1 <<'PY' &
import http.client, json, sys
c = http.client.HTTPConnection("127.0.0.1", int(sys.argv[1]), timeout=10)
with open(sys.argv[3], "w") as out:
    for i, line in enumerate(open(sys.argv[2], "rb")):
        try:
            c.request("POST", "/api/v1/submissions", body=line.strip(), headers={"Content-Type": "application/json"})
            r = c.getresponse(); b = json.loads(r.read())
        except Exception:
            break
        if r.status in (201, 422):
            out.write("%d %d\n" % (i, b["index"])); out.flush()
PY
burst=$!
sleep 1.5
bash "$cluster" kill-primary "$pg" >/dev/null 2>&1
kill -9 "$pid_p"; wait "$pid_p" 2>/dev/null
wait "$burst" 2>/dev/null
acked=$(wc -l < "$tmp/acked")
check "forms were acknowledged in the burst before the kill ($acked)" test "$acked" -gt 0
expect_rc 0 "failover.sh promotes the standby and points the primary's directory at it" \
  bash "$failover" --dir "$D" --old-primary "$PRIMARY" --standby "$STANDBY" \
    --pgdata "$pg/standby" --pg-ctl "$PGBIN/pg_ctl"
check "rekapd restarts on the promoted standby (the edge's ingest port)" \
  rekapd_named p "$D" --set publish_interval_ms=100 --set ingest_port="$I_p"
check "R1 follows on (the server it reads is now the primary)" same_cp "$P_r1"
check "R2 follows on" same_cp "$P_r2"
python3 - "$P_r2" "$tmp/burst.jsonl" "$tmp/acked" <<'PY' && ok "every form acknowledged before the kill is on R2, at its index" || fail "an acknowledged form is missing on R2"
import base64, http.client, json, sys
port = int(sys.argv[1])
lines = open(sys.argv[2], "rb").read().splitlines()
c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
for row in open(sys.argv[3]):
    i, idx = map(int, row.split())
    sub = json.loads(lines[i])["submission"]
    c.request("GET", "/api/v1/proof/%d" % idx)
    r = c.getresponse(); doc = json.loads(r.read())
    assert r.status == 200, (idx, r.status)
    # the entry the replica serves at that index carries that submission
    c.request("GET", doc["entry_bundle"])
    r = c.getresponse(); b = r.read()
    at, k, found = 0, idx % 256, None
    for j in range(k + 1):
        n = b[at] << 8 | b[at + 1]
        found = b[at + 2:at + 2 + n]; at += 2 + n
    assert sub.encode() in found, idx
PY
after=$(get "$P_r2" /log/checkpoint)
M=$(echo "$after" | sed -n 2p)
python3 - "$P_r2" "$N" "$M" "$before" "$after" <<'PY' && ok "R2's checkpoint after the failover ($M) extends the one it served before ($N): consistency proof verified" || fail "no verified consistency proof from $N to $M"
import base64, http.client, json, os, sys
sys.path.insert(0, os.environ["REKAP_IT_DIR"])
from rfc9162 import verify_consistency
port, n1, n2 = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
root = lambda cp: base64.b64decode(cp.split("\n")[2])
c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
c.request("GET", "/api/v1/consistency?from=%d&to=%d" % (n1, n2))
r = c.getresponse(); doc = json.loads(r.read())
assert r.status == 200 and n2 > n1
proof = [bytes.fromhex(h) for h in doc["proof"]]
assert verify_consistency(n1, n2, root(sys.argv[4]), root(sys.argv[5]), proof)
PY
tail -n 50 "$tmp/bodies.jsonl" > "$tmp/after.jsonl"
codes=$(while read -r l; do curl -sk -o /dev/null -w '%{http_code}\n' -H 'Content-Type: application/json' --data "$l" "https://127.0.0.1:$ni/api/v1/submissions"; done < "$tmp/after.jsonl" | sort | uniq -c | tr -s ' \n' ' ')
check "new forms through the edge after the failover: 50 accepted [$codes]" test "$codes" = " 50 201 "
check "  ... and on both replicas" sh -c "$(declare -f same_cp get); P_p=$P_p; same_cp $P_r1 && same_cp $P_r2"
expect_rc 0 "rekap verify on R2's directory after the failover" "$rekap" verify --dir "$R2"

finish
