#!/usr/bin/env bash
# The attack suite (docs/RELIABILITY.md, "Hostile clients"): rekapd exposed
# directly, tried as an attacker would, each attack refused with the right
# status and code while nothing of it is stored, counted or logged line by
# line: a forged signature, the key of another TPS, an older version
# replayed, oversized and deeply nested bodies, request smuggling (two
# Content-Length headers, Content-Length with Transfer-Encoding) on both
# listeners, path traversal on the static and photo routes of both
# listeners, a flood from one address (/healthz and /metrics still
# answered), slow clients (300 slow connections from 10 addresses past the
# listener's budget: officers still answered), and a file descriptor limit
# too low for the connection caps. Quick (well under a minute).
# usage: test_attack.sh REKAP DATA_DIR
source "$(dirname "$0")/lib.sh" "$@"
[ -x "$rekapd" ] || { echo "FAIL - no rekapd next to $rekap"; exit 1; }
slowloris=$REKAP_IT_DIR/../../bench/slowloris.py
D=$tmp/D
trap '[ -n "$pid" ] && kill -9 $pid 2>/dev/null; rm -rf "$tmp"' EXIT

"$rekap" gen --scope 65 --seed 7 --out "$tmp/el.json" --forms "$tmp/forms.jsonl" >/dev/null \
  && "$rekap" init --dir "$D" --election "$tmp/el.json" --origin example.org/attack >/dev/null \
  && "$rekap" enrol --dir "$D" --generate "$tmp/keys" >/dev/null \
  && head -400 "$tmp/forms.jsonl" > "$tmp/f.jsonl" \
  && "$rekap" sign --keys "$tmp/keys" "$tmp/f.jsonl" > "$tmp/bodies.jsonl" \
  || { echo "FAIL - setup"; exit 1; }

# the budget small enough for 300 slow connections to press on it, the
# floor's window short, the default per-address rate (20/s, burst 100)
check "rekapd starts" rekapd_up "$tmp/rekapd.log" --dir "$D" --set ingest_conn_max=256 \
  --set ingest_min_rate_window=2 --set ingest_key_rate=0
U=http://127.0.0.1:$IP PU=http://127.0.0.1:$PP

post() { # body-file: POST it; status in $code, body in $tmp/resp
  code=$(curl -s -o "$tmp/resp" -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
    --data-binary @"$1" "$U/api/v1/submissions")
}
is_code() { python3 -c 'import json,sys; sys.exit(json.load(open(sys.argv[1]))["code"] != sys.argv[2])' "$tmp/resp" "$1"; }
json_is() { python3 -c "import json,sys; J=json.load(open(sys.argv[1])); sys.exit(0 if ($1) else 1)" "$tmp/resp"; }
refused() { # status code what: the last answer was `status` with error `code`
  check "$3: $1 $2" [ "$code" = "$1" ] && check "  ... code $2" is_code "$2"
}

# ---- who signed
sed -n 1p "$tmp/bodies.jsonl" > "$tmp/b1.json"
forge_sig "$tmp/b1.json" "$tmp/forged.json"
post "$tmp/forged.json"
refused 403 SIG_INVALID "a forged signature"
python3 - "$tmp/f.jsonl" "$tmp" <<'PY'
import json, sys
forms = [json.loads(l) for l in open(sys.argv[1])]
a, b = forms[0], next(f for f in forms if f["tps"] != forms[0]["tps"])
json.dump(a, open(f"{sys.argv[2]}/a.json", "w"))
open(f"{sys.argv[2]}/other_tps", "w").write(b["tps"])
PY
"$rekap" sign --key "$tmp/keys/$(cat "$tmp/other_tps").key" "$tmp/a.json" > "$tmp/wrongkey.json"
post "$tmp/wrongkey.json"
refused 403 KEY_WRONG_TPS "signed with the key of another TPS"

# ---- an older version replayed
post "$tmp/b1.json"
check "version 1: 201" [ "$code" = 201 ]
tps=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["tps"])' "$tmp/a.json")
"$rekap" sign --keys "$tmp/keys" --version 2 --reason "salah hitung" "$tmp/a.json" > "$tmp/v2.json"
post "$tmp/v2.json"
check "its correction, version 2: 201" [ "$code" = 201 ]
post "$tmp/b1.json"
check "version 1 replayed byte for byte: answered as the duplicate it is (201, duplicate)" \
  json_is 'J["duplicate"] is True and J["receipt"]["version"] == 1'
python3 - "$tmp/a.json" "$tmp/a_other.json" <<'PY'
import json, sys
f = json.load(open(sys.argv[1])); f["votes"][0] += 1
json.dump(f, open(sys.argv[2], "w"))
PY
"$rekap" sign --keys "$tmp/keys" "$tmp/a_other.json" > "$tmp/v1_other.json"
post "$tmp/v1_other.json"
refused 409 VERSION_CONFLICT "another version 1, signed by the TPS's own key"
curl -s -o "$tmp/resp" "$U/api/v1/tps/$tps/status"
check "the correction stays counted" json_is '[(c["version"], c["counted_version"]) for c in J["contests"] if c["contest"] == "ppwp"] == [(2, 2)]'

# ---- bodies
python3 -c 'import json; print(json.dumps({"submission": "x" * 300000, "key": "", "sig": ""}))' > "$tmp/big.json"
post "$tmp/big.json"
refused 413 BODY_TOO_LARGE "an oversized body"
code=$(curl -s -o "$tmp/resp" -w '%{http_code}' -X POST -H 'Transfer-Encoding: chunked' \
  --data-binary @"$tmp/big.json" "$U/api/v1/submissions")
refused 413 BODY_TOO_LARGE "an oversized body sent chunked (no length to refuse it by)"
python3 -c 'print("{\"submission\": " + "[" * 100000 + "]" * 100000 + ", \"key\": \"\", \"sig\": \"\"}")' > "$tmp/deep.json"
post "$tmp/deep.json"
refused 400 REQUEST_JSON "a body nested 100,000 deep"

# ---- request smuggling: one answer, 400 REQUEST_FRAMING, the rest never read
smuggle() { # port request-bytes (Python literal): prints statuses answered, then "closed"
  python3 - "$1" "$2" <<'PY'
import ast, socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(ast.literal_eval(sys.argv[2])); s.settimeout(3)
out = b""
try:
    while True:
        d = s.recv(65536)
        if not d: break
        out += d
except socket.timeout:
    out += b"\nTIMEOUT"
print(" ".join(l.split(b" ")[1].decode() for l in out.split(b"\r\n") if l.startswith(b"HTTP/1.1 ")),
      "REQUEST_FRAMING" if b'"REQUEST_FRAMING"' in out else "", "timeout" if b"TIMEOUT" in out else "closed")
PY
}
second='GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n'
cl2="b'POST /api/v1/submissions HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 40\r\n\r\n{}$second'"
clte="b'POST /api/v1/submissions HTTP/1.1\r\nHost: x\r\nContent-Length: 40\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n$second'"
tecl="b'POST /api/v1/submissions HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n0\r\n\r\n$second'"
tegz="b'POST /api/v1/submissions HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n$second'"
check "ingest, two Content-Length: 400 REQUEST_FRAMING, the smuggled request unanswered" \
  [ "$(smuggle "$IP" "$cl2")" = "400 REQUEST_FRAMING closed" ]
check "ingest, Content-Length and Transfer-Encoding: the same" [ "$(smuggle "$IP" "$clte")" = "400 REQUEST_FRAMING closed" ]
check "ingest, Transfer-Encoding then Content-Length: the same" [ "$(smuggle "$IP" "$tecl")" = "400 REQUEST_FRAMING closed" ]
check "ingest, a Transfer-Encoding other than chunked: the same" [ "$(smuggle "$IP" "$tegz")" = "400 REQUEST_FRAMING closed" ]
pcl2="b'GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nContent-Length: ${#second}\r\n\r\n$second'"
pclte="b'GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n$second'"
check "public, two Content-Length: 400 REQUEST_FRAMING, the smuggled request unanswered" \
  [ "$(smuggle "$PP" "$pcl2")" = "400 REQUEST_FRAMING closed" ]
check "public, Content-Length and Transfer-Encoding: the same" [ "$(smuggle "$PP" "$pclte")" = "400 REQUEST_FRAMING closed" ]

# ---- path traversal: static pages, photos, the log's files, on both listeners
mkdir -p "$D/photos"
trav() { # base path: the status of a GET (or PUT on the ingest's photo route)
  curl -s --path-as-is -o /dev/null -w '%{http_code}' "${@:3}" "$1$2"
}
for p in "/../../../../etc/passwd" "/%2e%2e/%2e%2e/etc/passwd" "/photos/../election.json" \
         "/photos/..%2felection.json" "/photos/../../../../etc/passwd" "/log/../log.key" \
         "/log/..%2flog.key" "/log/tile/../../log.key" "/web/../../election.json" "/..%2f..%2flog.key"; do
  check "public GET $p: 404" [ "$(trav "$PU" "$p")" = 404 ]
done
for p in "/api/v1/photos/../../log.key" "/api/v1/photos/..%2f..%2flog.key" \
         "/api/v1/photos/$(printf 'a%.0s' $(seq 62))/.."; do
  check "ingest PUT $p: 400" [ "$(trav "$U" "$p" -X PUT --data-binary x)" = 400 ]
done
check "ingest GET /api/v1/tps/../../log.key/status: 404" [ "$(trav "$U" "/api/v1/tps/../../log.key/status")" = 404 ]
check "ingest GET /../log.key: 404" [ "$(trav "$U" "/../log.key")" = 404 ]
check "nothing was written by them" [ "$(find "$tmp" -name passwd -o -name log.key)" = "$D/log.key" ]

# ---- a flood from one address: 429 with Retry-After, health and metrics still answered
python3 - "$IP" "$tmp/b1.json" > "$tmp/flood.out" <<'PY'
import http.client, sys
c = http.client.HTTPConnection("127.0.0.1", int(sys.argv[1]), timeout=10)
body, seen = open(sys.argv[2], "rb").read(), {}
for _ in range(300):
    c.request("POST", "/api/v1/submissions", body, {"Content-Type": "application/json"})
    r = c.getresponse(); r.read()
    k = (r.status, r.getheader("Retry-After") is not None)
    seen[k] = seen.get(k, 0) + 1
    if r.getheader("Connection", "").lower() == "close":
        c.close(); c = http.client.HTTPConnection("127.0.0.1", int(sys.argv[1]), timeout=10)
print(seen.get((429, True), 0), seen.get((201, False), 0))
PY
read -r n429 n201 < "$tmp/flood.out"
check "a flood of 300 from one address: 429 with Retry-After past the burst ($n429 refused, $n201 answered)" \
  [ "$n429" -ge 150 ] && check "  ... and the burst answered" [ "$n201" -ge 90 ]
check "  ... /healthz still 200 from that address" [ "$(curl -s -o /dev/null -w '%{http_code}' "$U/healthz")" = 200 ]
check "  ... /metrics still 200 from that address" [ "$(curl -s -o "$tmp/metrics" -w '%{http_code}' "$U/metrics")" = 200 ]
check "  ... counted" grep -q '^rekapd_rate_limited_total{by="address"} [1-9]' "$tmp/metrics"

# ---- slow clients: 300 slow connections from 10 addresses on a budget of
# 256; officers' submissions (from 20 other addresses) still answered
python3 "$slowloris" attack "$IP" --conns 300 --addrs 10 --seconds 16 --ramp 300 --reconnect 0.2 \
  --out "$tmp/attack.json" >/dev/null &
attacker=$!
sleep 4
python3 "$slowloris" officers "$IP" "$tmp/bodies.jsonl" --start 10 --rate 10 --seconds 8 --addrs 20 \
  --timeout 10 --out "$tmp/officers.json" >/dev/null
wait $attacker
cat "$tmp/attack.json" "$tmp/officers.json"
curl -s "$U/metrics" > "$tmp/metrics"
check "slow clients: every officer's submission answered" \
  python3 -c 'import json,sys; o=json.load(open(sys.argv[1])); sys.exit(int(o["answered"] != o["sent"] or set(o["statuses"]) != {"201"}))' "$tmp/officers.json"
check "  ... most within a second" \
  python3 -c 'import json,sys; sys.exit(json.load(open(sys.argv[1]))["within_1s_pct"] < 80)' "$tmp/officers.json"
check "  ... slow connections cut under the floor" grep -q '^rekapd_connections_cut_total{reason="slow"} [1-9]' "$tmp/metrics"
check "  ... attacking addresses refused past their fair share" \
  grep -q '^rekapd_connections_refused_total{reason="share"} [1-9]' "$tmp/metrics"
check "  ... no slow connection lived past the headers' deadline" \
  python3 -c 'import json,sys; sys.exit(json.load(open(sys.argv[1]))["cut_lifetime_max"] > 10)' "$tmp/attack.json"
check "refusals and cuts are summaries in the log, not a line each ($(wc -l < "$tmp/rekapd.log") lines)" \
  [ "$(wc -l < "$tmp/rekapd.log")" -lt 100 ]
check "  ... naming the attacking addresses" grep -q '"event":"refused".*"kind":"share".*"client":"127.0.0.' "$tmp/rekapd.log"
kill -TERM "$pid"; wait "$pid"; stopped=$?; pid=
check "rekapd stops cleanly after the attacks" [ "$stopped" = 0 ]
expect_rc 0 "rekap verify: the log holds only what was accepted" "$rekap" verify --dir "$D"

# ---- a file descriptor limit too low for the connection caps
( ulimit -n 512; exec "$rekapd" --dir "$D" --ingest-port 0 --public-port 0 ) >/dev/null 2>"$tmp/fd.log"
check "a hard file descriptor limit below the caps: exit 3" [ $? = 3 ]
check "  ... saying why (HTTP_FD_LIMIT)" grep -q '"code":"HTTP_FD_LIMIT"' "$tmp/fd.log"
check "a soft limit below them is raised" bash -c "ulimit -Sn 512; \"$rekapd\" --dir '$D' --ingest-port 0 --public-port 0 --port-file '$tmp/fdports' 2>>'$tmp/fd.log' & p=\$!;
  for _ in \$(seq 100); do [ -s '$tmp/fdports' ] && break; sleep 0.1; done; kill \$p; wait \$p"

# ---- /healthz says healthy only once both listeners are up: the ingest
# one starts first, the public one after its first render (a province of
# 140,000 TPS: long enough to be seen)
"$rekap" gen --scope 32 --seed 7 --out "$tmp/el32.json" >/dev/null \
  && "$rekap" init --dir "$tmp/D32" --election "$tmp/el32.json" --origin example.org/jabar >/dev/null
hport=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
rm -f "$tmp/ports32"
"$rekapd" --dir "$tmp/D32" --ingest-port "$hport" --public-port 0 --port-file "$tmp/ports32" 2>"$tmp/r32.log" &
pid=$!
python3 - "$hport" "$tmp/ports32" > "$tmp/health.out" <<'PY'
import http.client, json, os, sys, time
port, ports = int(sys.argv[1]), sys.argv[2]
seen, end = [], time.time() + 60
while time.time() < end:
    try:
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        c.request("GET", "/healthz"); r = c.getresponse()
        st = json.loads(r.read())["status"]
        # rekapd writes the port file once both listen and only then turns
        # healthy: looked at after the answer, a 200 with no port file is
        # a 200 before the public listener. (Looked at before the request,
        # the file could appear while it was answered: a false alarm.)
        up = os.path.exists(ports)
        seen.append(f"{r.status}:{st}:{'up' if up else 'starting'}")
        if r.status == 200: break
    except OSError:
        pass
    time.sleep(0.002)
print(" ".join(sorted(set(seen))))
PY
kill -TERM "$pid"; wait "$pid"; pid=
cat "$tmp/health.out"
check "/healthz before the public listener is up: 503 starting, never 200" \
  bash -c "grep -q '503:starting:starting' '$tmp/health.out' && ! grep -q '200:ok:starting' '$tmp/health.out'"
check "  ... then 200 once both listen" grep -q '200:ok:up' "$tmp/health.out"

finish
