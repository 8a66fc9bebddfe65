#!/usr/bin/env bash
# Fill deploy/nginx/nginx.conf.in: every @NAME@ from the environment (or
# the default below) and write the result to stdout.
#   RUN (dir for pid, logs, cache, temp), CERT, KEY,
#   PUBLIC_LISTEN, INGEST_LISTEN (e.g. 443, 8443 or 127.0.0.1:18443),
#   PUBLIC_UPSTREAM, INGEST_UPSTREAM (rekapd's listeners, host:port;
#   PUBLIC_UPSTREAM may list several, separated by spaces or commas: a pool
#   of public replicas, docs/REPLICAS.md),
#   PUBLIC_NAME, INGEST_NAME, READ_RATE, READ_BURST, READ_DELAY (excess
#   requests served at once before the rest wait), READ_CONN (requests
#   in progress at once per address on the public server), WRITE_RATE,
#   WRITE_BURST, SERVERS (both, the default; public or ingest: one server
#   per nginx, so that the public edge can run apart, e.g. as the capped
#   rekap-nginx-public.service on rekapd's machine, docs/OPERATIONS.md)
# The output includes rekap_429.conf (the body of nginx's own 429s) from
# this directory, by its absolute path.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
: "${RUN:=/var/lib/rekap/nginx}" "${CERT:=/etc/rekap/tls/cert.pem}" "${KEY:=/etc/rekap/tls/key.pem}"
: "${PUBLIC_LISTEN:=443}" "${INGEST_LISTEN:=8443}"
: "${PUBLIC_UPSTREAM:=127.0.0.1:8080}" "${INGEST_UPSTREAM:=127.0.0.1:8081}"
: "${PUBLIC_NAME:=_}" "${INGEST_NAME:=_}"
: "${READ_RATE:=50}" "${READ_BURST:=200}" "${READ_DELAY:=20}" "${READ_CONN:=64}"
: "${WRITE_RATE:=20}" "${WRITE_BURST:=100}" "${SERVERS:=both}"
case $SERVERS in
  both) drop='' ;;
  public) drop='/^ *#<ingest>/,/^ *#<\/ingest>/d' ;;
  ingest) drop='/^ *#<public>/,/^ *#<\/public>/d' ;;
  *) echo "render.sh: SERVERS must be both, public or ingest, not '$SERVERS'" >&2; exit 2 ;;
esac
servers=
for u in ${PUBLIC_UPSTREAM//,/ }; do
  servers+="        server $u max_fails=1 fail_timeout=5s;\\n"
done
[ -n "$servers" ] || { echo "render.sh: PUBLIC_UPSTREAM names no server" >&2; exit 2; }
sed -e "s|@PUBLIC_SERVERS@|${servers%\\n}|" -e "s|@RUN@|$RUN|g" -e "s|@CERT@|$CERT|g" -e "s|@KEY@|$KEY|g" \
    -e "s|@PUBLIC_LISTEN@|$PUBLIC_LISTEN|g" -e "s|@INGEST_LISTEN@|$INGEST_LISTEN|g" \
    -e "s|@PUBLIC_UPSTREAM@|$PUBLIC_UPSTREAM|g" -e "s|@INGEST_UPSTREAM@|$INGEST_UPSTREAM|g" \
    -e "s|@PUBLIC_NAME@|$PUBLIC_NAME|g" -e "s|@INGEST_NAME@|$INGEST_NAME|g" \
    -e "s|@READ_RATE@|$READ_RATE|g" -e "s|@READ_BURST@|$READ_BURST|g" -e "s|@READ_DELAY@|$READ_DELAY|g" \
    -e "s|@READ_CONN@|$READ_CONN|g" \
    -e "s|include rekap_429.conf;|include $here/rekap_429.conf;|g" \
    -e "s|@WRITE_RATE@|$WRITE_RATE|g" -e "s|@WRITE_BURST@|$WRITE_BURST|g" \
    -e "$drop" "$here/nginx.conf.in"
