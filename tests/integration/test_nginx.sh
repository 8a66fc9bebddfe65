#!/usr/bin/env bash
# rekapd behind the real nginx from Debian's package, configured from
# deploy/nginx/nginx.conf.in exactly as production renders it (TLS, HTTP/2,
# caching, limit_req), on loopback ports: results, the log and a signed
# submission go through the edge; nginx's cache answers the second read;
# its request limit answers 429. Then the edge split in two, as on
# rekapd's own machine (SERVERS=public and SERVERS=ingest, two nginx):
# each serves its side only.
# usage: test_nginx.sh REKAP DATA_DIR
source "$(dirname "$0")/lib.sh" "$@"
root=$(cd "$(dirname "$0")/../.." && pwd)
command -v nginx >/dev/null || { echo "FAIL - nginx is not installed (scripts/deps installs it)"; exit 1; }
command -v openssl >/dev/null || { echo "FAIL - openssl is not installed"; exit 1; }
D=$tmp/D
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; for n in ng ngp ngi; do [ -f "$tmp/$n/nginx.pid" ] && kill "$(cat "$tmp/$n/nginx.pid")" 2>/dev/null; done; rm -rf "$tmp"' EXIT

"$rekap" gen --scope 65 --seed 9 --out "$tmp/el.json" --forms "$tmp/forms.jsonl" >/dev/null \
  && "$rekap" init --dir "$D" --election "$tmp/el.json" --origin example.org/edge >/dev/null \
  && "$rekap" enrol --dir "$D" --generate "$tmp/keys" >/dev/null \
  && head -n 500 "$tmp/forms.jsonl" >"$tmp/some.jsonl" \
  && "$rekap" submit --dir "$D" --keys "$tmp/keys" "$tmp/some.jsonl" >/dev/null \
  || { echo "FAIL - setup"; exit 1; }

rekapd_up "$tmp/rekapd.log" --dir "$D" --set render_ms=100 --log-level warn
pids+=($pid)
ip=$IP pp=$PP
check "rekapd listens" [ -n "$ip" ] && [ -n "$pp" ]

nginx_conf PUBLIC_UPSTREAM=127.0.0.1:$pp INGEST_UPSTREAM=127.0.0.1:$ip READ_RATE=20 READ_BURST=40
user=("${nginx_user[@]}")
expect_rc 0 "the rendered configuration is valid" nginx -t -q -c "$tmp/ng/nginx.conf" "${user[@]}"
expect_rc 0 "nginx starts" nginx -c "$tmp/ng/nginx.conf" "${user[@]}"
sleep 0.5

edge=https://127.0.0.1:$np
sleep 0.3   # let rekapd render once
curl -s "http://127.0.0.1:$pp/api/v1/results/ppwp/65.json" -o "$tmp/direct.json"
expect_rc 0 "results through nginx over HTTP/2 and TLS" \
  curl -sk --http2 -D "$tmp/h1" -o "$tmp/edge.json" -w '%{http_version} %{http_code}' "$edge/api/v1/results/ppwp/65.json"
grep -q "^2 200" "$tmp/out" && ok "HTTP/2, 200" || fail "protocol/status: $(cat "$tmp/out")"
cmp -s "$tmp/direct.json" "$tmp/edge.json" && ok "the same bytes as rekapd serves" || fail "edge body differs"
curl -sk -D "$tmp/h2" -o /dev/null "$edge/api/v1/results/ppwp/65.json"
grep -qi "^x-cache: HIT" "$tmp/h2" && ok "the second read is a cache hit" || fail "cache: $(grep -i x-cache "$tmp/h2")"
curl -sk -o "$tmp/cp" "$edge/log/checkpoint"
cmp -s "$tmp/cp" "$D/log/checkpoint" && ok "the checkpoint through nginx" || fail "checkpoint differs"

# A signed submission through the ingest edge.
sed -n 501p "$tmp/forms.jsonl" >"$tmp/one.json"
"$rekap" sign --keys "$tmp/keys" "$tmp/one.json" >"$tmp/body.json" 2>/dev/null
code=$(curl -sk -o "$tmp/resp" -w '%{http_code}' -H 'Content-Type: application/json' \
  --data-binary @"$tmp/body.json" "https://127.0.0.1:$ni/api/v1/submissions")
[ "$code" = 201 ] && ok "a signed submission through nginx: 201" || fail "submission: $code $(head -c 300 "$tmp/resp")"
code=$(curl -sk -o /dev/null -w '%{http_code}' "https://127.0.0.1:$ni/metrics")
[ "$code" = 200 ] && ok "metrics from loopback" || fail "metrics: $code"

# A crawler: 16 connections from one address, 20 r/s with a burst of 40:
# slowed to the rate, never refused.
t0=$(date +%s.%N)
seq 100 | xargs -P 16 -I{} curl -sk -o /dev/null -w '%{http_code}\n' "$edge/api/v1/results/ppwp/0.json" >"$tmp/codes"
took=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
[ "$(sort -u "$tmp/codes")" = 200 ] && ok "a 16-connection crawl through nginx: only 200s" \
  || fail "crawl: $(sort "$tmp/codes" | uniq -c | tr '\n' ' ')"
[ "$(awk -v t="$took" 'BEGIN { print (t > 2) }')" = 1 ] && ok "and it was paced to the rate (${took} s for 100 at 20/s)" \
  || fail "the crawl was not paced: ${took} s"
# A flood: more waiting at once than the burst.
seq 300 | xargs -P 60 -I{} curl -sk -o /dev/null -D "$tmp/h{}" -w '%{http_code}\n' "$edge/api/v1/results/ppwp/0.json" >"$tmp/codes"
grep -q '^429$' "$tmp/codes" && ok "limit_req answers 429 to a flood" || fail "no 429 in: $(sort "$tmp/codes" | uniq -c | tr '\n' ' ')"
grep -q '^200$' "$tmp/codes" && ok "and still serves within the limit" || fail "no 200 under the flood"
h429=$(grep -l '^HTTP/[0-9.]* 429' "$tmp"/h[0-9]* | head -1)
[ -n "$h429" ] && grep -qi '^Retry-After: 1' "$h429" && ok "nginx's 429 carries Retry-After" || fail "no Retry-After on nginx's 429"

# ---- the edge split: one nginx per side (its own run directory, ports)
split_edge() { # NAME SERVERS: rendered into $tmp/NAME, started
  mkdir -p "$tmp/$1"
  env RUN="$tmp/$1" CERT="$tmp/ng/cert.pem" KEY="$tmp/ng/key.pem" SERVERS="$2" \
    PUBLIC_LISTEN="127.0.0.1:$sp" INGEST_LISTEN="127.0.0.1:$si" \
    PUBLIC_UPSTREAM="127.0.0.1:$pp" INGEST_UPSTREAM="127.0.0.1:$ip" \
    bash "$root/deploy/nginx/render.sh" >"$tmp/$1/nginx.conf" && nginx -c "$tmp/$1/nginx.conf" "${user[@]}"
}
read -r sp si < <(python3 -c 'import socket
s=[socket.socket() for _ in range(2)]
[x.bind(("127.0.0.1",0)) for x in s]
print(*[x.getsockname()[1] for x in s])')
expect_rc 2 "render.sh refuses SERVERS it does not know" env SERVERS=all bash "$root/deploy/nginx/render.sh"
expect_rc 0 "the public edge alone (SERVERS=public) starts" split_edge ngp public
expect_rc 0 "the ingest edge alone (SERVERS=ingest) starts beside it" split_edge ngi ingest
sleep 0.5
code=$(curl -sk -o /dev/null -w '%{http_code}' "https://127.0.0.1:$sp/api/v1/results/ppwp/65.json")
[ "$code" = 200 ] && ok "results through the public edge alone" || fail "public edge: $code"
sed -n 502p "$tmp/forms.jsonl" >"$tmp/two.json"
"$rekap" sign --keys "$tmp/keys" "$tmp/two.json" >"$tmp/body2.json" 2>/dev/null
code=$(curl -sk -o "$tmp/resp" -w '%{http_code}' -H 'Content-Type: application/json' \
  --data-binary @"$tmp/body2.json" "https://127.0.0.1:$si/api/v1/submissions")
[ "$code" = 201 ] && ok "a submission through the ingest edge alone: 201" || fail "ingest edge: $code"
[ "$(grep -c 'listen ' "$tmp/ngp/nginx.conf") $(grep -c 'listen ' "$tmp/ngi/nginx.conf")" = "1 1" ] \
  && grep -q "listen 127.0.0.1:$sp " "$tmp/ngp/nginx.conf" && grep -q "listen 127.0.0.1:$si " "$tmp/ngi/nginx.conf" \
  && ok "each edge listens for its own side only" || fail "the split configurations listen for both sides"
finish
