#!/usr/bin/env bash
# `rekap verify --dir` while rekapd publishes (docs/RELIABILITY.md, "The
# one failure"; LOG.md, "Partial files on disk"): rekapd signs a checkpoint
# every millisecond under the soak's load and prunes the partials of the
# checkpoints two behind, while `rekap verify` reads the checkpoint it
# found and then, a while later, that checkpoint's partials. It is run
# VERIFY_RUNS times (default 12) under stall.c, which sleeps up to 8 ms
# before each stat, open and opendir of a partial (a reader descheduled
# between two system calls: the writer prunes meanwhile), every other run
# right after a SIGKILL and a restart of rekapd (its start sweeps old
# partials and publishes what the store holds past the log). Every run
# must verify the checkpoint it read: exit 0, or exit 1 with the store
# ahead of the log as its only finding (rows committed, not yet
# published) — and print its totals. Before tlog_tile_read looked again
# for a partial pruned under it, about two runs in three failed here with
# "TLOG_CORRUPT: ... the entry bundle is missing".
# usage: test_verify_live.sh REKAP DATA_DIR
source "$(dirname "$0")/lib.sh" "$@"
export SOAK_PHOTO_EVERY=${SOAK_PHOTO_EVERY:-0} # the log is what is read here
source "$(dirname "$0")/soak_lib.sh"
runs=${VERIFY_RUNS:-12}

cc=${CC:-cc}
command -v "$cc" >/dev/null || { echo "SKIP: no C compiler for stall.c"; exit 77; }
"$cc" -O2 -shared -fPIC -o "$tmp/stall.so" "$REKAP_IT_DIR/stall.c" -ldl ||
  { echo "SKIP: stall.c does not build here"; exit 77; }
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0

if soak_prepare; then ok "the election, keys and signed bodies are prepared"
else fail "the election, keys and signed bodies are prepared"; finish; exit; fi
cat >"$soak/rekapd.conf" <<EOF
ingest_ip_rate = 0
ingest_key_rate = 0
public_ip_rate = 0
render_ms = 1000
publish_interval_ms = 1
log_level = warn
EOF
# rekapd in the background; its ports once it listens (live_up)
live_start() {
  rm -f "$tmp/ports"
  "$rekapd" --dir "$D" --config "$soak/rekapd.conf" --ingest-port 0 --public-port 0 \
    --port-file "$tmp/ports" 2>>"$soak/rekapd.log" &
  pid=$!
  ln -sf "$tmp/ports" "$S/ports"
}
live_up() {
  for _ in $(seq 300); do [ -s "$tmp/ports" ] && return 0; kill -0 "$pid" 2>/dev/null || return 1; sleep 0.1; done
  return 1
}

# One verify under the stall shim: passes, or finds only the store ahead of
# the log; its totals printed either way. The output of a run that does
# neither is kept in $soak/bad.N.
good=0 ahead=0 bad=0
live_verify() {
  env LD_PRELOAD="$tmp/stall.so" STALL_US=8000 "$rekap" verify --dir "$D" >"$soak/v.out" 2>&1
  local rc=$? n=$((good + ahead + bad))
  if [ $rc -eq 0 ] && grep -q '^totals recomputed' "$soak/v.out"; then
    good=$((good + 1))
  elif [ $rc -eq 1 ] && [ "$(grep -c '^MISMATCH' "$soak/v.out")" -eq 1 ] &&
    grep -q '^MISMATCH entry [0-9]*: store: the store holds [0-9]* entries, the signed log [0-9]*$' "$soak/v.out" &&
    grep -q '^totals recomputed' "$soak/v.out"; then
    ahead=$((ahead + 1))
  else
    bad=$((bad + 1))
    cp "$soak/v.out" "$soak/bad.$n"
    echo "  run $n: exit $rc: $(grep -v '^  ' "$soak/v.out" | head -3 | tr '\n' ' ')"
  fi
}

live_start
check "rekapd starts" live_up
soak_load_start
rm -f "$S/pause" # the load runs throughout, through the kills
sleep 2
for i in $(seq "$runs"); do
  if [ $((i % 2)) -eq 0 ]; then # right after a kill: beside rekapd's start
    kill -9 "$pid"; wait "$pid" 2>/dev/null
    live_start
    live_verify
    live_up || { fail "rekapd starts again after a kill"; tail -3 "$soak/rekapd.log"; break; }
  else
    live_verify
  fi
  sleep 0.$((RANDOM % 10))
done
size=$(sed -n 2p "$D/log/checkpoint")
check "$runs runs of rekap verify beside rekapd publishing every 1 ms ($good passed, $ahead found the store ahead of the log; log at $size entries)" \
  [ "$bad" -eq 0 ]
check "the log grew while they ran" [ "$size" -gt 256 ]
soak_load_stop
check "no answer the load should never get" [ ! -s "$S/odd" ]
kill -TERM "$pid"; wait "$pid"; stopped=$?; pid=
check "rekapd stops cleanly" [ "$stopped" -eq 0 ]
expect_rc 0 "rekap verify once rekapd has stopped" "$rekap" verify --dir "$D"
finish
