#!/usr/bin/env bash
# Public replicas (docs/REPLICAS.md) on one machine, over the primary's
# SQLite store (the PostgreSQL hot standby case: test_pg_replicas.sh):
# `rekap init --replica` and what it refuses; two replicas following a
# primary under a burst of forms (accepted and rejected); each serves the
# primary's signed checkpoint byte for byte, tiles a monitor verifies
# (`rekap verify` on the replica's own directory), and the same result
# documents; a replica restarted (kill -9) catches up; keys enrolled after a
# replica started are read again; a checkpoint signed by another key and a
# forged row in the store stop the following (503 "diverged" on /healthz,
# 503 REPLICA_STALE on every read, its files left at what it verified), and
# a replica refuses to start on a store with a forged row.
# usage: test_replica.sh REKAP DATA_DIR
source "$(dirname "$0")/lib.sh" "$@"
[ -x "$rekapd" ] || { echo "FAIL - no rekapd next to $rekap"; exit 1; }
P=$tmp/P R1=$tmp/R1 R2=$tmp/R2
trap 'for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done; [ -n "${KEEP:-}" ] && cp -r "$tmp" /tmp/keep-replica; rm -rf "$tmp"' EXIT

"$rekap" gen --scope 34 --contests ppwp --seed 11 --out "$tmp/el.json" --forms "$tmp/forms.jsonl" >/dev/null \
  || { echo "FAIL - rekap gen"; exit 1; }
"$rekap" init --dir "$P" --election "$tmp/el.json" --origin example.org/replica >"$tmp/init.out" \
  || { echo "FAIL - rekap init"; exit 1; }
VK=$(sed -n 's/^verifier key: //p' "$tmp/init.out")
"$rekap" enrol --dir "$P" --generate "$tmp/keys" >/dev/null || { echo "FAIL - rekap enrol"; exit 1; }
# the first 400 forms; every 25th misread (votes no longer sum to valid): 422
python3 - "$tmp/forms.jsonl" > "$tmp/forms2.jsonl" <<'PY'
import json, sys
for i, l in enumerate(open(sys.argv[1])):
    if i >= 400: break
    f = json.loads(l)
    if i % 25 == 3:
        f["votes"][0] += 7
    print(json.dumps(f))
PY
"$rekap" sign --keys "$tmp/keys" "$tmp/forms2.jsonl" > "$tmp/bodies.jsonl" || { echo "FAIL - rekap sign"; exit 1; }

# ---- rekap init --replica: what it refuses
"$rekap" init --dir "$tmp/other" --election "$tmp/el.json" --origin example.org/other >"$tmp/other.out"
OVK=$(sed -n 's/^verifier key: //p' "$tmp/other.out")
expect_rc 2 "--replica without --store is a usage error" \
  "$rekap" init --replica "$VK" --dir "$tmp/x1" --election "$tmp/el.json"
expect_rc 2 "--replica with --origin is a usage error" \
  "$rekap" init --replica "$VK" --store "$P/rekap.db" --origin a/b --dir "$tmp/x1" --election "$tmp/el.json"
expect_rc 2 "a relative store path is refused" \
  "$rekap" init --replica "$VK" --store rekap.db --dir "$tmp/x2" --election "$tmp/el.json"
check "  ... with INIT_STORE" grep -q INIT_STORE "$tmp/err"
expect_rc 3 "a verifier key of another log is refused" \
  "$rekap" init --replica "$OVK" --store "$P/rekap.db" --dir "$tmp/x3" --election "$tmp/el.json"
check "  ... with INGEST_REPLICA_KEY" grep -q INGEST_REPLICA_KEY "$tmp/err"
check "  ... and leaves no store.conf behind" test ! -e "$tmp/x3/store.conf"
expect_rc 3 "a malformed verifier key is refused" \
  "$rekap" init --replica "not-a-key" --store "$P/rekap.db" --dir "$tmp/x4" --election "$tmp/el.json"
check "  ... with a NOTE_ code" grep -q NOTE_ "$tmp/err"
"$rekap" gen --scope 34 --contests ppwp --seed 12 --out "$tmp/el-other.json" >/dev/null
expect_rc 3 "another election definition is refused" \
  "$rekap" init --replica "$VK" --store "$P/rekap.db" --dir "$tmp/x5" --election "$tmp/el-other.json"
check "  ... with INGEST_ELECTION_CHANGED" grep -q INGEST_ELECTION_CHANGED "$tmp/err"
expect_rc 0 "rekap init --replica (R1)" \
  "$rekap" init --replica "$VK" --store "$P/rekap.db" --dir "$R1" --election "$tmp/el.json"
check "  ... prints the log's verifier key" grep -qF "verifier key: $VK" "$tmp/out"
check "  ... its log.key holds no secret" bash -c "! grep -q '^secret' '$R1/log.key'"
check "  ... its store.conf is the primary's store, mode 0600" \
  test "$(head -1 "$R1/store.conf")" = "$P/rekap.db" -a "$(stat -c %a "$R1/store.conf")" = 600
expect_rc 3 "a second init on the same directory is refused" \
  "$rekap" init --replica "$VK" --store "$P/rekap.db" --dir "$R1" --election "$tmp/el.json"
expect_rc 0 "rekap init --replica (R2)" \
  "$rekap" init --replica "$VK" --store "$P/rekap.db" --dir "$R2" --election "$tmp/el.json"
expect_rc 3 "rekapd without --replica refuses a replica's directory" \
  "$rekapd" --dir "$R1" --ingest-port 0 --public-port 0
check "  ... saying the log key has no secret" grep -q INGEST_LOG_KEY "$tmp/err"

# ---- the primary and two replicas
get() { curl -s -f "http://127.0.0.1:$1$2"; }
health() { curl -s "http://127.0.0.1:$1/healthz"; }
# published PORT: the log_published /healthz reports
published() { health "$1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["log_published"])'; }
# caught_up PORT: the replica's checkpoint is the primary's (at most 20 s)
caught_up() {
  for _ in $(seq 200); do
    [ "$(get "$1" /log/checkpoint)" = "$(get "$P_p" /log/checkpoint)" ] && return 0
    sleep 0.1
  done
  return 1
}
submit() { # FILE: POST each body; the statuses counted in $tmp/codes
  while read -r l; do
    curl -s -o /dev/null -w "%{http_code}\n" -X POST -H 'Content-Type: application/json' \
      --data "$l" "http://127.0.0.1:$I_p/api/v1/submissions"
  done < "$1" | sort | uniq -c > "$tmp/codes"
}

check "the primary starts" rekapd_named p "$P" --set publish_interval_ms=100
check "replica R1 starts" rekapd_named r1 "$R1" --replica --set follow_interval_ms=50
check "replica R2 starts (replica = 1 in --set)" rekapd_named r2 "$R2" --set replica=1
check "a replica has no ingest listener (port file: ingest=0)" test "$I_r1" = 0
check "a replica's /healthz: 200, role replica" \
  bash -c "curl -s -f http://127.0.0.1:$P_r1/healthz | grep -q '\"role\":\"replica\"'"
check "a replica answers a POST with 405" \
  test "$(curl -s -o /dev/null -w '%{http_code}' -X POST --data x "http://127.0.0.1:$P_r1/api/v1/submissions")" = 405

head -n 300 "$tmp/bodies.jsonl" > "$tmp/b1.jsonl"
submit "$tmp/b1.jsonl"
check "300 forms answered: 288 accepted (201), 12 rejected (422) [$(tr -s ' \n' ' ' < "$tmp/codes")]" \
  test "$(tr -s ' \n' ' ' < "$tmp/codes")" = " 288 201 12 422 "
check "R1 serves the primary's checkpoint byte for byte" caught_up "$P_r1"
check "R2 serves the primary's checkpoint byte for byte" caught_up "$P_r2"
check "  ... of all 300 entries" test "$(get "$P_r1" /log/checkpoint | sed -n 2p)" = 300
same_doc() { # PATH: the same bytes on the primary and R1 but for "ts" (when each rendered)
  cmp -s <(get "$P_p" "$1" | sed 's/"ts":"[^"]*"//g') <(get "$P_r1" "$1" | sed 's/"ts":"[^"]*"//g')
}
for u in /api/v1/results/ppwp/34.json /api/v1/anomalies/ppwp.json /pemilu/hhcw/ppwp.json /log/tile/entries/001.p/44 /log/tile/0/000; do
  check "the same $u on the primary and R1" eventually 10 same_doc "$u"
done
check "every tile and bundle R1 wrote is the primary's, byte for byte" \
  bash -c "cd '$R1/log' && find tile -type f | while read -r f; do cmp -s \"\$f\" '$P/log/'\"\$f\" || [ ! -e '$P/log/'\"\$f\" ] || exit 1; done"
expect_rc 0 "rekap verify on R1's own directory (its tiles, the replayed store)" \
  "$rekap" verify --dir "$R1"
check "a rejected form is listed on the replica's anomaly page" \
  eventually 10 bash -c "curl -s http://127.0.0.1:$P_r1/api/v1/anomalies/ppwp.json | grep -q '\"total\":12'"

# ---- a replica killed and restarted catches up
kill -9 "$pid_r1"; wait "$pid_r1" 2>/dev/null
sed -n 301,350p "$tmp/bodies.jsonl" > "$tmp/b2.jsonl"
submit "$tmp/b2.jsonl"
check "R1 restarts after kill -9" rekapd_named r1 "$R1" --replica --set follow_interval_ms=50
check "  ... and catches rekapd_named with the primary (350 entries)" caught_up "$P_r1"
check "  ... R2 has followed meanwhile" caught_up "$P_r2"

# ---- a new replica seeded with a copy of a replica's log (docs/REPLICAS.md)
"$rekap" init --replica "$VK" --store "$P/rekap.db" --dir "$tmp/R3" --election "$tmp/el.json" >/dev/null
cp -r "$R1/log/." "$tmp/R3/log/"
check "R3, seeded with R1's log, starts" rekapd_named r3 "$tmp/R3" --replica --set follow_interval_ms=50
check "  ... and serves the primary's checkpoint" caught_up "$P_r3"
kill -TERM "$pid_r3"; wait "$pid_r3" 2>/dev/null
printf 'x' >> "$tmp/R3/log/tile/entries/000"
expect_rc 3 "a seed with an edited bundle is refused at start" "$rekapd" --replica --dir "$tmp/R3" --public-port 0
check "  ... as TLOG_CORRUPT" grep -q TLOG_CORRUPT "$tmp/err"

# ---- keys enrolled after the replicas started
kill -TERM "$pid_p"; wait "$pid_p" 2>/dev/null
# a second key for the TPS of form 351, enrolled now (the primary stopped)
tps351=$(sed -n 351p "$tmp/forms2.jsonl" | python3 -c 'import json,sys; print(json.load(sys.stdin)["tps"])')
mkdir -p "$tmp/keys2"
"$rekap" keygen --out "$tmp/keys2/$tps351.key" --name "KPPS $tps351 (new)" >/dev/null
check "a second key for one TPS is enrolled while the replicas run" \
  "$rekap" enrol --dir "$P" --region "$tps351" "$tmp/keys2/$tps351.key.pub"
sed -n 351p "$tmp/forms2.jsonl" > "$tmp/f351.jsonl"
"$rekap" sign --keys "$tmp/keys2" "$tmp/f351.jsonl" > "$tmp/b351.jsonl"
check "the primary starts again" rekapd_named p "$P" --set publish_interval_ms=100
submit "$tmp/b351.jsonl"
check "the form signed with the new key is accepted" grep -qE '^ *1 201$' "$tmp/codes"
check "R1 reads the new key and follows past it" caught_up "$P_r1"
check "  ... and stays healthy" eventually 10 bash -c "curl -s -f http://127.0.0.1:$P_r1/healthz | grep -q '\"status\":\"ok\"'"

# ---- a checkpoint signed by another key stops R2's following
kill -TERM "$pid_p"; wait "$pid_p" 2>/dev/null
python3 -c 'import sqlite3,sys; sys.stdout.write(sqlite3.connect(sys.argv[1]).execute("SELECT value FROM meta WHERE key=?",("log_checkpoint",)).fetchone()[0])' "$P/rekap.db" > "$tmp/shared"
check "the primary shares its checkpoint in the store (meta log_checkpoint)" \
  cmp -s "$tmp/shared" "$P/log/checkpoint"
served=$(get "$P_r2" /log/checkpoint)
# the other log's checkpoint, its origin renamed: a valid note, another key
python3 - "$P/rekap.db" "$tmp/other/log/checkpoint" <<'PY'
import sqlite3, sys
other = open(sys.argv[2]).read().replace("example.org/other", "example.org/replica")
c = sqlite3.connect(sys.argv[1])
c.execute("UPDATE meta SET value = ? WHERE key = 'log_checkpoint'", (other,))
c.commit()
PY
diverged() { # PORT: /healthz says 503 diverged within 10 s
  for _ in $(seq 100); do
    [ "$(curl -s -o "$tmp/h" -w '%{http_code}' "http://127.0.0.1:$1/healthz")" = 503 ] \
      && grep -q '"status":"diverged"' "$tmp/h" && return 0
    sleep 0.1
  done
  return 1
}
check "R2 refuses a checkpoint signed by another key: /healthz 503 diverged" diverged "$P_r2"
cp "$tmp/h" "$tmp/h2"
check "  ... R1 too" diverged "$P_r1"
mv "$tmp/h2" "$tmp/h"
check "  ... naming TLOG_KEY" grep -q TLOG_KEY "$tmp/h"
check "  ... and logs replica_diverged" grep -q '"event":"replica_diverged"' "$tmp/r2.log"
check "  ... keeps the checkpoint it verified" test "$(cat "$R2/log/checkpoint")" = "$served"
stale() { # PORT PATH: 503 REPLICA_STALE
  [ "$(curl -s -o "$tmp/s" -w '%{http_code}' "http://127.0.0.1:$1$2")" = 503 ] && grep -q REPLICA_STALE "$tmp/s"
}
check "  ... and serves no more reads (503 REPLICA_STALE: the edge asks another replica)" \
  stale "$P_r2" /api/v1/results/ppwp/34.json
check "  ... not even the log" stale "$P_r2" /log/checkpoint
python3 - "$P/rekap.db" "$tmp/shared" <<'PY'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
c.execute("UPDATE meta SET value = ? WHERE key = 'log_checkpoint'", (open(sys.argv[2]).read(),))
c.commit()
PY
kill -TERM "$pid_r1" "$pid_r2"; wait "$pid_r1" "$pid_r2" 2>/dev/null
check "R1 and R2 restarted on the good checkpoint follow again" \
  rekapd_named r1 "$R1" --replica --set follow_interval_ms=50
check "  ... (R2)" rekapd_named r2 "$R2" --replica --set follow_interval_ms=50
check "  ... healthy" eventually 10 bash -c "curl -s -f http://127.0.0.1:$P_r1/healthz | grep -q '\"status\":\"ok\"' && curl -s -f http://127.0.0.1:$P_r2/healthz | grep -q '\"status\":\"ok\"'"

# ---- a forged row in the store stops R1's following
served=$(get "$P_r1" /log/checkpoint)
python3 - "$P/rekap.db" <<'PY'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
idx, tps, kind, ver, acc, b = c.execute("SELECT idx, tps, contest, version, accepted, bytes FROM entry ORDER BY idx LIMIT 1 OFFSET 5").fetchone()
n = c.execute("SELECT count(*) FROM entry").fetchone()[0]
b = bytes(b)
# the next version of that form, with a number changed and the old signature
b = b.replace(b"\nversion %d\n" % ver, b"\nversion %d\nreason \"salah ketik\"\n" % (ver + 1), 1)
i = b.index(b'"valid":') + 8
b = b[:i] + (b"1" if b[i:i+1] != b"1" else b"2") + b[i+1:]
c.execute("INSERT INTO entry (idx, tps, contest, version, accepted, bytes) VALUES (?,?,?,?,?,?)",
          (n, tps, kind, ver + 1, acc, b))
c.commit()
PY
check "R1 refuses a forged row: /healthz 503 diverged" diverged "$P_r1"
check "  ... naming INGEST_STORE_UNVERIFIED" grep -q INGEST_STORE_UNVERIFIED "$tmp/h"
check "  ... keeps the checkpoint it verified" test "$(cat "$R1/log/checkpoint")" = "$served"
check "  ... and serves no more reads" stale "$P_r1" /api/v1/results/ppwp/34.json
check "  ... R2 refuses it too" diverged "$P_r2"
kill -TERM "$pid_r1"; wait "$pid_r1" 2>/dev/null
expect_rc 3 "R1 does not start on a store with a forged row" \
  "$rekapd" --replica --dir "$R1" --public-port 0
check "  ... saying which row" grep -q INGEST_STORE_UNVERIFIED "$tmp/err"

finish
