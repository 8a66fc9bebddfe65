# bench/lib.sh — what the benchmark scripts share (sourced, from the
# repository's root, after `set -euo pipefail`): the build, wrk, and rekapd
# started on free ports with the rate limits off (the load generators send
# from one address, far above any officer's or reader's allowance).
# The caller sets $work before starting a rekapd.

# The release build with TARGETS...; $rel is where they are.
bench_build() {
  scripts/build >/dev/null 2>&1 || scripts/build
  cmake --build build/release --target "$@" >/dev/null
  rel=$PWD/build/release
}

bench_need_wrk() {
  command -v wrk >/dev/null && return 0
  if [ "$(id -u)" -eq 0 ]; then apt-get install -y -qq wrk >/dev/null
  else sudo apt-get install -y -qq wrk >/dev/null; fi
}

# Every process a script starts goes in pids; bench_cleanup (an EXIT trap)
# ends them, each by its own id.
pids=()
bench_cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
}

# rekapd_start NAME DIR [ARGS...]: rekapd on DIR, ports in $work/NAME.ports,
# log in $work/rekapd-NAME.log, its pid in $rekapd_pid; returns once both
# listeners are up (rekapd writes the port file then).
rekapd_start() {
  local name=$1 dir=$2; shift 2
  rm -f "$work/$name.ports"
  "$rel/rekapd" --dir "$dir" --ingest-port 0 --public-port 0 --port-file "$work/$name.ports" \
    --set ingest_ip_rate=0 --set ingest_key_rate=0 --set public_ip_rate=0 --log-level warn \
    "$@" 2>"$work/rekapd-$name.log" &
  rekapd_pid=$!; pids+=("$rekapd_pid")
  for _ in $(seq 600); do
    [ -s "$work/$name.ports" ] && return 0
    kill -0 "$rekapd_pid" 2>/dev/null || break
    sleep 0.2
  done
  echo "rekapd $name did not start:" >&2; tail -5 "$work/rekapd-$name.log" >&2; return 1
}

# rekapd_port NAME ingest|public
rekapd_port() { sed -n "s/^$2=//p" "$work/$1.ports"; }

# rekapd_stop PID: stop it cleanly (SIGTERM: it finishes the queue) and wait.
rekapd_stop() { kill -TERM "$1"; wait "$1" || true; }

# bench_signed_bin BODIES OUT: `rekap sign`'s request bodies (JSON lines)
# as the records bench/http_load streams: [u32 length][submission][32-byte
# key][64-byte signature].
bench_signed_bin() {
  python3 - "$1" "$2" <<'PY'
import base64, json, struct, sys
with open(sys.argv[2], "wb") as out:
    for line in open(sys.argv[1]):
        b = json.loads(line)
        s = b["submission"].encode()
        out.write(struct.pack("<I", len(s)) + s + base64.b64decode(b["key"]) + base64.b64decode(b["sig"]))
PY
}
