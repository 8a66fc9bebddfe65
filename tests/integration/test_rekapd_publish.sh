#!/usr/bin/env bash
# A publication that fails is an error (docs/RELIABILITY.md): with the log
# on a small filesystem that fills up, rekapd logs the failure, counts it
# in /metrics, answers /healthz 503 and refuses submissions with 503
# INGEST_LOG_UNPUBLISHED; once space is back it publishes by itself and
# acknowledges again, and every form acknowledged before, during and after
# is in the signed log. Needs root (a tmpfs mount); skipped (77) otherwise.
# usage: test_rekapd_publish.sh REKAP DATA_DIR
source "$(dirname "$0")/lib.sh" "$@"
D=$tmp/D
pid=
mnt=$tmp/logfs
mkdir -p "$mnt"
mount -t tmpfs -o size=4m tmpfs "$mnt" 2>/dev/null || { echo "skipped: cannot mount a tmpfs (needs root)"; exit 77; }
trap '[ -n "$pid" ] && kill -9 $pid 2>/dev/null; umount "$mnt" 2>/dev/null; rm -rf "$tmp"' EXIT

"$rekap" gen --scope 65 --seed 7 --out "$tmp/el.json" --forms "$tmp/forms.jsonl" >/dev/null \
  && "$rekap" init --dir "$D" --election "$tmp/el.json" --origin example.org/full >/dev/null \
  && "$rekap" enrol --dir "$D" --generate "$tmp/keys" >/dev/null \
  && head -n 400 "$tmp/forms.jsonl" >"$tmp/some.jsonl" \
  && "$rekap" sign --keys "$tmp/keys" "$tmp/some.jsonl" >"$tmp/bodies.jsonl" \
  || { echo "FAIL - setup"; exit 1; }
# the log directory lives on the small filesystem
cp -a "$D/log/." "$mnt/" && rm -rf "$D/log" && ln -s "$mnt" "$D/log"

rekapd_up "$tmp/rd.log" --dir "$D" --set ingest_ip_rate=0 --set ingest_key_rate=0
U=http://127.0.0.1:$IP
n=0
post() { # the next body: status in $code, body in $tmp/resp; 201s' indexes kept
  n=$((n + 1))
  sed -n "${n}p" "$tmp/bodies.jsonl" >"$tmp/body"
  code=$(curl -s -o "$tmp/resp" -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
    --data-binary @"$tmp/body" "$U/api/v1/submissions")
  [ "$code" = 201 ] && python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["index"])' "$tmp/resp" >>"$tmp/acked"
  return 0
}
health() { curl -s -o "$tmp/health" -w '%{http_code}' "$U/healthz"; }
metric() { curl -s "$U/metrics" | sed -n "s/^$1 //p"; }
: >"$tmp/acked"

for _ in $(seq 10); do post; done
check "ten forms acknowledged while there is space" [ "$(wc -l <"$tmp/acked")" -eq 10 ]
check "healthy: /healthz 200" [ "$(health)" = 200 ]

# fill the log's filesystem
dd if=/dev/zero of="$mnt/filler" bs=4k 2>/dev/null
refused=0
for _ in $(seq 200); do
  post
  if [ "$code" = 503 ]; then refused=1; break; fi
  sleep 0.05
done
check "with the disk full, a submission is refused with 503" [ $refused = 1 ]
check "with the stable code INGEST_LOG_UNPUBLISHED and both messages" python3 - "$tmp/resp" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
assert j["code"] == "INGEST_LOG_UNPUBLISHED" and j["message_id"] and j["message_en"], j
PY
check "/healthz answers 503 log_unpublished" [ "$(health)" = 503 ]
grep -q '"log_unpublished"' "$tmp/health" && ok "naming why" || fail "health: $(cat "$tmp/health")"
f=$(metric rekapd_log_publish_failures_total)
check "/metrics counts the failed publications ($f)" [ "${f:-0}" -ge 1 ]
check "/metrics: rekapd_log_healthy 0" [ "$(metric rekapd_log_healthy)" = 0 ]
check "the failure is logged once as an error line" \
  python3 -c 'import json,sys; l=[json.loads(x) for x in open(sys.argv[1])]; e=[x for x in l if x["event"]=="log_publish_failed"]; assert len(e)==1 and e[0]["level"]=="error", e' "$tmp/rd.log"
acked_during=$(wc -l <"$tmp/acked")
post
check "still refused while full" [ "$code" = 503 ]
check "and nothing more acknowledged" [ "$(wc -l <"$tmp/acked")" -eq "$acked_during" ]

# space comes back: publication resumes by itself
rm -f "$mnt/filler"
for _ in $(seq 50); do [ "$(health)" = 200 ] && break; sleep 0.1; done
check "healthy again by itself" [ "$(health)" = 200 ]
check "the recovery is logged" grep -q '"event":"log_published"' "$tmp/rd.log"
for _ in $(seq 10); do post; done
check "submissions are acknowledged again" [ "$code" = 201 ]
kill -TERM $pid; wait $pid; stopped=$?; pid=
check "rekapd stops cleanly" [ $stopped -eq 0 ]
size=$(sed -n 2p "$D/log/checkpoint")
check "every acknowledged index is under the signed checkpoint ($size)" \
  python3 -c 'import sys; a=[int(x) for x in open(sys.argv[1])]; assert a and max(a) < int(sys.argv[2]) and len(set(a)) == len(a), a' "$tmp/acked" "$size"
expect_rc 0 "rekap verify passes" "$rekap" verify --dir "$D"
finish
