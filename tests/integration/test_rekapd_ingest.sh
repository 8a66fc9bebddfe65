#!/usr/bin/env bash
# End-to-end test of rekapd's ingest listener (docs/API.md) on a real
# province: forms signed with `rekap sign` and sent over HTTP; duplicates,
# every refusal and its status, rejected forms with both messages, photos
# (stored, again, wrong hash, too big, path tricks), the status route,
# metrics, rate limits, the whole-request deadline, a clean SIGTERM, and a
# kill -9 in the middle of a burst: every form answered 201 must be there
# after the restart, and the log must grow consistently.
# usage: test_rekapd_ingest.sh REKAP DATA_DIR
source "$(dirname "$0")/lib.sh" "$@"
[ -x "$rekapd" ] || { echo "FAIL - no rekapd next to $rekap"; exit 1; }
has() { grep -q -- "$1" "$2"; }
D=$tmp/D
pid=

"$rekap" gen --scope 65 --seed 7 --out "$tmp/el.json" --forms "$tmp/forms.jsonl" >/dev/null \
  && "$rekap" init --dir "$D" --election "$tmp/el.json" --origin example.org/kaltara >/dev/null \
  && "$rekap" enrol --dir "$D" --generate "$tmp/keys" >/dev/null \
  || { echo "FAIL - setup"; exit 1; }

# ---- rekap sign
expect_rc 0 "rekap sign every form" "$rekap" sign --keys "$tmp/keys" "$tmp/forms.jsonl"
mv "$tmp/out" "$tmp/bodies.jsonl"
check "one request body per form" [ "$(wc -l < "$tmp/bodies.jsonl")" -eq "$(wc -l < "$tmp/forms.jsonl")" ]
expect_rc 2 "rekap sign without a key" "$rekap" sign "$tmp/forms.jsonl"
expect_rc 2 "rekap sign: a correction without a reason" "$rekap" sign --keys "$tmp/keys" --version 2 "$tmp/forms.jsonl"

# ---- start / stop
start() { # extra rekapd arguments...: start it and wait for the port file
  rekapd_up "$tmp/rekapd.log" --dir "$D" --config "$tmp/rekapd.conf" "$@"
  local up=$?
  P=$IP U=http://127.0.0.1:$IP
  return $up
}
stop() { # signal: stop it, the exit status in $stopped
  kill -"$1" $pid; wait $pid 2>/dev/null; stopped=$?; pid=
}
trap '[ -n "$pid" ] && kill -9 $pid 2>/dev/null; rm -rf "$tmp"' EXIT
cat > "$tmp/rekapd.conf" <<EOF
# a test configuration: generous limits, small photos
ingest_ip_rate = 0
ingest_key_rate = 0
photo_max = 100000
log_level = info
EOF

check "rekapd starts and writes the port file" start
check "the port file names both ports" has "^public=[0-9]" "$tmp/ports"
check "structured logs: a JSON 'listening' line" \
  python3 -c 'import json,sys; assert any(json.loads(l)["event"] == "listening" for l in open(sys.argv[1]))' "$tmp/rekapd.log"

post() { # body-file: POST it; status in $code, body in $tmp/resp
  code=$(curl -s -o "$tmp/resp" -D "$tmp/hdr" -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
    --data-binary @"$1" "$U/api/v1/submissions")
}
jq_py() { # python-expression over the response J: exit status
  python3 -c "import json,sys; J=json.load(open(sys.argv[1])); sys.exit(0 if ($1) else 1)" "$tmp/resp"
}

# ---- a page on another origin (the officer's page) may send: CORS
pre=$(curl -s -D- -o /dev/null -X OPTIONS -H 'Origin: http://portal.example' \
  -H 'Access-Control-Request-Method: POST' -H 'Access-Control-Request-Headers: content-type' \
  "$U/api/v1/submissions" | tr -d '\r')
check "a CORS preflight of a submission: 204, any origin, POST, Content-Type" sh -c \
  "echo '$pre' | grep -q '^HTTP/1.1 204' && echo '$pre' | grep -qi '^Access-Control-Allow-Origin: \*' &&
   echo '$pre' | grep -qi '^Access-Control-Allow-Methods: POST' && echo '$pre' | grep -qi '^Access-Control-Allow-Headers: Content-Type'"
pre=$(curl -s -D- -o /dev/null -X OPTIONS "$U/api/v1/photos/$(printf '%064d' 0)" | tr -d '\r')
check "a CORS preflight of a photo: 204, PUT" sh -c "echo '$pre' | grep -q '^HTTP/1.1 204' && echo '$pre' | grep -qi '^Access-Control-Allow-Methods: PUT'"
check "OPTIONS elsewhere: 404" [ "$(curl -s -o /dev/null -w '%{http_code}' -X OPTIONS "$U/nope")" = 404 ]

# ---- a submission, and the same again
sed -n 1p "$tmp/bodies.jsonl" > "$tmp/b1.json"
post "$tmp/b1.json"
check "POST a signed form: 201" [ "$code" = 201 ]
check "its answer is readable by any page (Access-Control-Allow-Origin)" grep -qi '^Access-Control-Allow-Origin: \*' "$tmp/hdr"
check "accepted with a log index and a receipt" jq_py 'J["status"] == "accepted" and J["index"] == 0 and J["receipt"]["log_index"] == 0 and len(J["receipt"]["submission_sha256"]) == 64'
cp "$tmp/resp" "$tmp/first.json"
post "$tmp/b1.json"
check "the same submission again: 201" [ "$code" = 201 ]
check "the same answer, marked duplicate" python3 - "$tmp/first.json" "$tmp/resp" <<'PY'
import json, sys
a, b = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
assert b.pop("duplicate") is True and a.pop("duplicate") is False and a == b, (a, b)
PY

# ---- forms that break rules, and refusals
python3 - "$tmp/forms.jsonl" "$tmp" <<'PY'
import json, sys
forms = [json.loads(l) for l in open(sys.argv[1])]
ppwp = [f for f in forms if f["contest"] == "ppwp"]
def dump(name, f):
    json.dump(f, open(f"{sys.argv[2]}/{name}.json", "w"))
f = dict(ppwp[1]); f["votes"] = list(f["votes"]); f["votes"][0] += 7
dump("misread", f)                                  # VOTES_SUM
f = dict(ppwp[2]); f["tps"] = f["tps"][:10] + "999"
dump("unknown", f)                                  # TPS_UNKNOWN
dump("gap", ppwp[3])                                # signed as version 3: VERSION_GAP
open(f"{sys.argv[2]}/tps2", "w").write(ppwp[2]["tps"])
PY
tps2=$(cat "$tmp/tps2")
"$rekap" sign --keys "$tmp/keys" "$tmp/misread.json" > "$tmp/misread.body"
post "$tmp/misread.body"
check "a misread form: 422" [ "$code" = 422 ]
check "422 names VOTES_SUM with messages in both languages and a log index" \
  jq_py 'J["code"] == "RULES_BROKEN" and J["status"] == "rejected" and isinstance(J["index"], int) and "VOTES_SUM" in J["codes"] and all(r["message_id"] and r["message_en"] and r["message_id"] != r["message_en"] for r in J["rules"]) and any(r["code"] == "VOTES_SUM" for r in J["rules"]) and J["message_id"] and J["message_en"]'
post "$tmp/misread.body"
check "the rejected form again: the same 422" jq_py 'J["status"] == "rejected" and J["duplicate"] is True'

forge_sig "$tmp/b1.json" "$tmp/badsig.json"
post "$tmp/badsig.json"
check "a bad signature: 403 SIG_INVALID" [ "$code" = 403 ]
check "error body: code and both messages" jq_py 'J["code"] == "SIG_INVALID" and J["message_id"] and J["message_en"]'
"$rekap" sign --key "$tmp/keys/$tps2.key" "$tmp/unknown.json" > "$tmp/unknown.body"
post "$tmp/unknown.body"
check "an unknown TPS: 404 TPS_UNKNOWN" [ "$code" = 404 ] && check "TPS_UNKNOWN" jq_py 'J["code"] == "TPS_UNKNOWN"'
"$rekap" sign --keys "$tmp/keys" --version 3 --reason "salah hitung" "$tmp/gap.json" > "$tmp/gap.body"
post "$tmp/gap.body"
check "a version gap: 409 VERSION_GAP" [ "$code" = 409 ] && check "VERSION_GAP" jq_py 'J["code"] == "VERSION_GAP"'
python3 -c 'import json; print(json.dumps({"submission": "x" * 300000, "key": "", "sig": ""}))' > "$tmp/big.json"
post "$tmp/big.json"
check "an oversized body: 413" [ "$code" = 413 ] && check "BODY_TOO_LARGE" jq_py 'J["code"] == "BODY_TOO_LARGE"'
echo '{"submission": "x"' > "$tmp/broken.json"
post "$tmp/broken.json"
check "a body that is not JSON: 400 REQUEST_JSON" [ "$code" = 400 ]
echo '{"submission": "rekap-submission/1\n", "key": "AAAA", "sig": ""}' > "$tmp/badkey.json"
post "$tmp/badkey.json"
check "a key that is not 32 bytes: 400 REQUEST_KEY" [ "$code" = 400 ] && check "REQUEST_KEY" jq_py 'J["code"] == "REQUEST_KEY"'
code=$(curl -s -o "$tmp/resp" -w '%{http_code}' "$U/api/v1/submissions")
check "GET on the submissions route: 405" [ "$code" = 405 ]
code=$(curl -s -o "$tmp/resp" -w '%{http_code}' "$U/nothing/here")
check "an unknown path: 404 NOT_FOUND" [ "$code" = 404 ] && check "NOT_FOUND" jq_py 'J["code"] == "NOT_FOUND"'

# ---- photos
head -c 50000 /dev/urandom > "$tmp/photo.jpg"
h=$(sha256sum "$tmp/photo.jpg" | cut -d' ' -f1)
put() { # path file: PUT; status in $code
  code=$(curl -s --path-as-is -o "$tmp/resp" -w '%{http_code}' -X PUT --data-binary @"$2" "$U$1")
}
put "/api/v1/photos/$h" "$tmp/photo.jpg"
check "a photo: 201" [ "$code" = 201 ]
check "stored content-addressed, byte for byte" cmp -s "$tmp/photo.jpg" "$D/photos/$h"
put "/api/v1/photos/$h" "$tmp/photo.jpg"
check "the same photo again: 200" [ "$code" = 200 ]
head -c 50000 /dev/urandom > "$tmp/other.jpg"
h2=$(sha256sum "$tmp/other.jpg" | cut -d' ' -f1)
put "/api/v1/photos/$h2" "$tmp/photo.jpg"
check "a photo under another hash: 422 PHOTO_HASH_MISMATCH" [ "$code" = 422 ] && check "PHOTO_HASH_MISMATCH" jq_py 'J["code"] == "PHOTO_HASH_MISMATCH"'
check "nothing kept of it" [ ! -e "$D/photos/$h2" ]
head -c 200000 /dev/urandom > "$tmp/huge.jpg"
h3=$(sha256sum "$tmp/huge.jpg" | cut -d' ' -f1)
put "/api/v1/photos/$h3" "$tmp/huge.jpg"
check "a photo over photo_max: 413" [ "$code" = 413 ] && check "PHOTO_TOO_LARGE" jq_py 'J["code"] == "PHOTO_TOO_LARGE"'
check "nothing kept of the big one" [ ! -e "$D/photos/$h3" ]
put "/api/v1/photos/../../evil" "$tmp/photo.jpg"
check "a path with ..: 400" [ "$code" = 400 ] && check "PHOTO_NAME" jq_py 'J["code"] == "PHOTO_NAME"'
put "/api/v1/photos/..%2F..%2Fevil" "$tmp/photo.jpg"
check "an encoded ../: 400" [ "$code" = 400 ]
put "/api/v1/photos/${h^^}" "$tmp/photo.jpg"
check "uppercase hex: 400" [ "$code" = 400 ]
check "nothing written outside photos/" [ ! -e "$D/evil" ] && check "no evil file above" [ ! -e "$tmp/evil" ]
check "no temp files left" [ -z "$(ls -A "$D/photos" | grep -v "^$h\$")" ]

# ---- status
code=$(curl -s -o "$tmp/resp" -w '%{http_code}' "$U/api/v1/tps/$(sed -n 's/.*"tps":"\([0-9]*\)".*/\1/p' "$tmp/first.json")/status")
check "status of a TPS: 200" [ "$code" = 200 ]
check "status shows version 1 accepted at index 0" jq_py 'J["contests"][0] == {**J["contests"][0], "contest": "ppwp", "version": 1, "status": "accepted", "index": 0, "counted_version": 1}'
code=$(curl -s -o "$tmp/resp" -w '%{http_code}' "$U/api/v1/tps/6599999999999/status")
check "status of an unknown TPS: 404" [ "$code" = 404 ]

# ---- metrics
curl -s "$U/metrics" > "$tmp/metrics"
check "metrics: requests by route and status" has 'rekapd_ingest_http_requests_total{route="submissions",code="201"} 2' "$tmp/metrics"
check "metrics: a latency histogram" has 'rekapd_ingest_http_request_duration_seconds_bucket{route="submissions",le="+Inf"}' "$tmp/metrics"
check "metrics: photo bytes" has "rekapd_photo_bytes_total 50000" "$tmp/metrics"
check "metrics: queue depth" has "rekapd_ingest_queue_depth 0" "$tmp/metrics"

# ---- SIGTERM: clean exit, the log verifies
stop TERM
check "SIGTERM: exit 0" [ "$stopped" = 0 ]
check "logs say stopped" has '"event":"stopped"' "$tmp/rekapd.log"
expect_rc 0 "rekap verify after a clean stop" "$rekap" verify --dir "$D"

# ---- rate limits and the whole-request deadline
check "rekapd starts with low limits" start --set ingest_ip_rate=1 --set ingest_ip_burst=3 --set ingest_timeout=2
# (a TPS's status: /healthz and /metrics are outside the per-address budget)
for i in 1 2 3 4 5 6; do curl -s -o /dev/null -D "$tmp/h$i" "$U/api/v1/tps/6599999999999/status"; done
check "past the burst: 429" has "^HTTP/1.1 429" "$tmp/h6"
check "429 says when to retry" grep -qi "^Retry-After: [1-9]" "$tmp/h6"
check "the deadline cuts a client trickling its headers" python3 - "$P" <<'PY'
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(b"POST /api/v1/submissions HTTP/1.1\r\nHost: x\r\n")
t0 = time.time()
try:
    while time.time() - t0 < 10:
        s.sendall(b"X")        # one byte a second: never silent long enough for an idle timeout
        time.sleep(0.5)
        s.setblocking(False)
        try:
            if s.recv(1) == b"":
                break
        except BlockingIOError:
            pass
        s.setblocking(True)
except (BrokenPipeError, ConnectionResetError):
    pass
sys.exit(0 if time.time() - t0 < 6 else 1)
PY
stop TERM
check "stopped again cleanly" [ "$stopped" = 0 ]

# ---- a full writer queue: 503 with Retry-After, nothing half-done
check "rekapd starts with a queue of one" start --set queue_max=1 --set batch_max=1
tail -n +8001 "$tmp/bodies.jsonl" | head -400 > "$tmp/busy.jsonl"
python3 - "$P" "$tmp/busy.jsonl" > "$tmp/busy.out" <<'PY'
import http.client, sys, threading
port, lines = int(sys.argv[1]), open(sys.argv[2], "rb").read().splitlines()
seen, lock = [], threading.Lock()
def work(k):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    for i in range(k, len(lines), 16):
        c.request("POST", "/api/v1/submissions", lines[i], {"Content-Type": "application/json"})
        r = c.getresponse(); r.read()
        with lock:
            seen.append((r.status, r.getheader("Retry-After")))
ts = [threading.Thread(target=work, args=(k,)) for k in range(16)]
[t.start() for t in ts]; [t.join() for t in ts]
print(len(seen), sum(s == 201 for s, _ in seen), sum(s == 503 and ra is not None for s, ra in seen))
PY
read -r nall n201 n503 < "$tmp/busy.out"
check "every request answered 201 or 503 with Retry-After ($n201 + $n503 of $nall)" [ "$((n201 + n503))" -eq 400 ]
check "a queue of one overflows under 16 clients" [ "$n503" -gt 0 ]
stop TERM
check "stopped after the overflow" [ "$stopped" = 0 ]

# ---- kill -9 in the middle of a burst
size() { sed -n 2p "$D/log/checkpoint"; }
check "rekapd starts for the burst" start
tail -n +2 "$tmp/bodies.jsonl" | head -6000 > "$tmp/burst.jsonl"
python3 - "$P" "$tmp/burst.jsonl" "$tmp/acked" <<'PY' &
import http.client, json, sys, threading
port, lines, out = int(sys.argv[1]), open(sys.argv[2], "rb").read().splitlines(), sys.argv[3]
acked, lock = [], threading.Lock()
def work(k):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    for i in range(k, len(lines), 8):
        try:
            c.request("POST", "/api/v1/submissions", lines[i], {"Content-Type": "application/json"})
            r = c.getresponse(); b = r.read()
            if r.status == 201:
                with lock:
                    acked.append((i, json.loads(b)["index"]))
        except (OSError, http.client.HTTPException):
            return
ts = [threading.Thread(target=work, args=(k,)) for k in range(8)]
[t.start() for t in ts]; [t.join() for t in ts]
with open(out, "w") as f:
    for i, idx in acked:
        f.write(f"{i} {idx}\n")
PY
burst=$!
for _ in $(seq 100); do                             # until a part of the burst is in
  n=$(curl -s "$U/metrics" | sed -n 's/^rekapd_submissions_total{result="accepted"} //p')
  [ "${n:-0}" -ge 1000 ] && break; sleep 0.05
done
served=$(size)
stop 9
wait $burst
nacked=$(wc -l < "$tmp/acked")
check "some of the burst was acknowledged before the kill ($nacked)" [ "$nacked" -gt 0 ]
check "and the kill came before its end" [ "$nacked" -lt 6000 ]
check "rekapd restarts after kill -9" start
python3 - "$P" "$tmp/burst.jsonl" "$tmp/acked" <<'PY' && ok "every acknowledged form is there, at its index" || fail "an acknowledged form was lost"
import http.client, json, sys
port, lines = int(sys.argv[1]), open(sys.argv[2], "rb").read().splitlines()
c = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
for row in open(sys.argv[3]):
    i, idx = map(int, row.split())
    c.request("POST", "/api/v1/submissions", lines[i], {"Content-Type": "application/json"})
    r = c.getresponse(); b = json.loads(r.read())
    assert r.status == 201 and b["duplicate"] and b["index"] == idx, (i, idx, r.status, b)
PY
stop TERM
check "stopped after the check" [ "$stopped" = 0 ]
check "the new checkpoint covers the last one served ($(size) >= $served)" [ "$(size)" -ge "$served" ]
expect_rc 0 "rekap verify after kill -9 and restart" "$rekap" verify --dir "$D"
check "the store holds every acknowledged form" [ "$(size)" -ge $((nacked + 2)) ]

finish
