#!/usr/bin/env bash
# Benchmarks of issue 4, each side by side in one run on this machine:
#  1. ingest over HTTP of the national PPWP election (823k signed forms,
#     signatures verified, fsync-durable) with bench/http_load;
#  2. public read of a province JSON with wrk, against nginx serving the
#     identical bytes from a file;
#  3. ingest over HTTP while wrk floods the public port at full speed
#     (bench/isolation.sh measures this against the deploy/ edge too);
#  4. time from an acknowledged ingest to its effect in the national JSON.
# usage: bench/http.sh [WORKDIR]   (~2 GB free disk; ~6 minutes)
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
bench_build rekapd bench_ingest http_load
bench_need_wrk
work=${1:-${TMPDIR:-/tmp}/rekap-http}
conns=${CONNS:-64}
wrk_time=${WRK_TIME:-15s}
mkdir -p "$work"
bench_feed
trap bench_cleanup EXIT

echo "== 1. HTTP ingest, unloaded ($conns connections)"
rekapd_fresh http
"$rel/http_load" "$work/signed.bin" 127.0.0.1 "$iport" "$conns" | tee "$work/load1.txt"

echo "== 2. public read of a province JSON: rekapd vs nginx serving the same bytes"
prov=/api/v1/results/ppwp/32.json
curl -s "http://127.0.0.1:$pport$prov" -o "$work/prov.json"
mkdir -p "$work/ng/www/api/v1/results/ppwp"; cp "$work/prov.json" "$work/ng/www$prov"
cat >"$work/ng/nginx.conf" <<NG
worker_processes 2; pid $work/ng/nginx.pid; error_log $work/ng/error.log warn;
events { worker_connections 4096; }
http { access_log off; client_body_temp_path $work/ng/b; proxy_temp_path $work/ng/p;
  fastcgi_temp_path $work/ng/f; uwsgi_temp_path $work/ng/u; scgi_temp_path $work/ng/s;
  default_type application/json; etag on; open_file_cache max=100;
  server { listen 127.0.0.1:18090; root $work/ng/www; } }
NG
nginx -c "$work/ng/nginx.conf"
pids+=("$(cat "$work/ng/nginx.pid")")
wrk -t2 -c64 -d"$wrk_time" "http://127.0.0.1:$pport$prov" | tee "$work/wrk_rekapd.txt"
wrk -t2 -c64 -d"$wrk_time" "http://127.0.0.1:18090$prov" | tee "$work/wrk_nginx.txt"
nginx -c "$work/ng/nginx.conf" -s quit || true
rekapd_stop "$rekapd_pid"

echo "== 3. HTTP ingest while wrk floods the public port"
rekapd_fresh http
bench_flood_start "http://127.0.0.1:$pport$prov" "$work/wrk_flood.txt"
"$rel/http_load" "$work/signed.bin" 127.0.0.1 "$iport" "$conns" | tee "$work/load2.txt"
bench_flood_stop
grep -E 'Requests/sec|status' "$work/wrk_flood.txt" | sed 's/^/  flood: /'
rekapd_stop "$rekapd_pid"

echo "== 4. ack -> national JSON latency"
rekapd_fresh http
python3 bench/latency.py "$work/signed.bin" 0 300 "$iport" "$pport" | tee "$work/latency.txt"
rekapd_stop "$rekapd_pid"

python3 - "$work" <<'PY'
import re, sys
w = sys.argv[1]
def rate(f):
    return float(re.search(r"201: \d+ \(([\d.]+)/s\)", open(f"{w}/{f}").read()).group(1))
def rps(f):
    return float(re.search(r"Requests/sec:\s+([\d.]+)", open(f"{w}/{f}").read()).group(1))
a, b = rate("load1.txt"), rate("load2.txt")
r, n = rps("wrk_rekapd.txt"), rps("wrk_nginx.txt")
print(f"\nsummary: HTTP ingest {a:.0f} forms/s; under public flood {b:.0f} forms/s ({b/a:.2f}x);"
      f" public read rekapd {r:.0f} req/s vs nginx {n:.0f} req/s ({r/n:.2f}x)")
print(open(f"{w}/latency.txt").read().strip())
PY
