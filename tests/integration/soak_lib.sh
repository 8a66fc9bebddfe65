# The crash soak, shared by test_soak.sh (SIGKILL), test_powerloss.sh (power
# cuts) and bench/soak.sh (the long runs); sourced after lib.sh. A load of
# signed forms over HTTP (soak.py load: corrections, forms that break a HARD
# rule, a photo PUT before every 20th form, its SHA-256 in the signed text)
# runs through every cut; rekapd is cut at a random moment, restarted, and
# before the load resumes:
#   - every submission acknowledged (201 and 422) since the last check, and
#     a sample of older ones, is sent again: each answers duplicate at its
#     index (and no index was acknowledged twice);
#   - every photo acknowledged (201, or 200: there already) since the last
#     check, and a sample of older ones, is served by the public listener
#     with bytes of its SHA-256 and size;
#   - the checkpoint served now extends the last one served before the cut
#     (the consistency proof of /api/v1/consistency, checked by rfc9162.py)
#     and covers every acknowledged index;
#   - `rekap verify --dir` passes, and the national totals rekapd serves for
#     each contest equal those `rekap show --dir` and `rekap verify`
#     recompute from the log.
# At the end every acknowledgement is checked, rekapd stops cleanly and
# the log verifies. Knobs (environment): SOAK_SCOPE (region of the
# election, default 65: 11,705 forms), SOAK_RATE (submissions/s, 300),
# SOAK_WORKERS (8), SOAK_MIN_MS and SOAK_MAX_MS (how long the load runs
# before each cut: 200 and 1500), SOAK_SEED (the cuts' moments, 1),
# SOAK_PHOTO_EVERY (every Nth form carries a photo: 20; 0 none) and
# SOAK_PHOTO_FORMS (among the first N forms: 3000, about what the quick
# tests send; each is signed on its own, so this keeps them quick).
soak=$tmp/soak S=$tmp/soak/state D=$tmp/soak/D
soak_py=$REKAP_IT_DIR/soak.py
load=
mkdir -p "$S"
trap '[ -n "$pid" ] && kill -9 $pid 2>/dev/null; [ -n "$load" ] && kill $load 2>/dev/null; rm -rf "$tmp"' EXIT

# The programs run from private copies (rekap, rekapd, and pl_rollback and
# libpowerloss.so when built). The build directory they come from
# (build/release, build/asan) is rebuilt by whoever works in the tree, and
# a program started while the linker rewrites it does not start: "Permission
# denied" or "Text file busy", exit 126, nothing on its standard output —
# the transient `rekap verify` failure of a long run (RELIABILITY.md, "The
# one failure"). A copy taken while a link was writing it does not run:
# it is taken again.
soak_bin() {
  local from=$(dirname "$rekap") f
  mkdir -p "$tmp/bin"
  [ -d "$from/web" ] && ln -sfn "$from/web" "$tmp/bin/web" # rekapd's pages, beside it
  for _ in $(seq 30); do
    for f in rekap rekapd pl_rollback libpowerloss.so; do
      [ -e "$from/$f" ] && cp "$from/$f" "$tmp/bin/$f"
    done
    "$tmp/bin/rekap" --help >/dev/null 2>&1 && "$tmp/bin/rekapd" --help >/dev/null 2>&1 && break
    sleep 1
  done
  rekap=$tmp/bin/rekap rekapd=$tmp/bin/rekapd
}
soak_bin

# The election, its keys, and every signed body in version order (work.jsonl).
soak_prepare() {
  "$rekap" gen --scope "${SOAK_SCOPE:-65}" --seed 11 --out "$soak/el.json" --forms "$soak/forms.jsonl" >/dev/null &&
    "$rekap" init --dir "$D" --election "$soak/el.json" --origin example.org/soak >/dev/null &&
    "$rekap" enrol --dir "$D" --generate "$soak/keys" >/dev/null &&
    python3 "$soak_py" forms "$soak/forms.jsonl" "$soak" &&
    "$rekap" sign --keys "$soak/keys" "$soak/v1.jsonl" >"$soak/b1.jsonl" &&
    "$rekap" sign --keys "$soak/keys" --version 2 --reason "salah baca" "$soak/v2.jsonl" >"$soak/b2.jsonl" &&
    "$rekap" sign --keys "$soak/keys" --version 3 --reason "hitung ulang" "$soak/v3.jsonl" >"$soak/b3.jsonl" &&
    python3 "$soak_py" photos "$soak" "$rekap" "${SOAK_PHOTO_EVERY:-20}" "${SOAK_PHOTO_FORMS:-3000}" &&
    python3 "$soak_py" work "$soak"
}

# Let the load run a random number of milliseconds in [$1, $2] (their sum
# in load_ms).
load_ms=0
soak_run_load() {
  local ms=$(($1 + RANDOM % ($2 - $1 + 1)))
  load_ms=$((load_ms + ms))
  rm -f "$S/pause"
  sleep "$(printf '%d.%03d' $((ms / 1000)) $((ms % 1000)))"
}

# rekapd on the directory, publishing every 1, 50, 250 or 1000 ms (drawn
# per start: the cuts then fall in publications, between them, and with the
# store ahead of the log). Its restart time in $start_ms.
soak_start() {
  local every=(1 50 250 1000)
  cat >"$soak/rekapd.conf" <<EOF
ingest_ip_rate = 0
ingest_key_rate = 0
public_ip_rate = 0
render_ms = 50
publish_interval_ms = ${every[RANDOM % 4]}
log_level = warn
EOF
  echo "soak: start" >>"$soak/rekapd.log" # so that its last line is this start's
  local t0
  t0=$(date +%s%N)
  rekapd_up "$soak/rekapd.log" --dir "$D" --config "$soak/rekapd.conf" || return 1
  start_ms=$((($(date +%s%N) - t0) / 1000000))
  ln -sf "$tmp/ports" "$S/ports"
}

# Pause the load (cycle $1) and wait until nothing is being sent or written.
soak_pause() {
  echo "$1" >"$S/pause"
  for _ in $(seq 600); do # at most 60 s
    [ "$(cat "$S/paused" 2>/dev/null)" = "$1" ] && return 0
    sleep 0.1
  done
  return 1
}

soak_served_totals() {
  python3 "$soak_py" totals "$PP" "$soak/show.json" "$soak/verify.out" >"$soak/totals.out" 2>&1
}

# The checks after restart $1; acks_seen (photos_seen) is how many
# acknowledgements (of photos) the last check covered, and becomes all of
# them; $2: how many older ones are checked again (100, and 20 photos).
acks_seen=0 photos_seen=0
soak_check() {
  local n=$1 all
  all=$(wc -l <"$S/acks")
  if python3 "$soak_py" acks "$soak/work.jsonl" "$S" "$acks_seen" "${2:-100}" >"$soak/acks.out" 2>&1; then
    ok "after cut $n: $((all - acks_seen)) new acknowledgements (and a sample of older ones) answer duplicate at their index"
  else
    fail "after cut $n: an acknowledged submission is lost"; tail -3 "$soak/acks.out"
  fi
  acks_seen=$all
  all=$(wc -l <"$S/photos")
  if python3 "$soak_py" photos_served "$S" "$photos_seen" "$((${2:-100} / 5))" >"$soak/photos.out" 2>&1; then
    ok "after cut $n: $((all - photos_seen)) new photos (and a sample of older ones) served with their bytes' SHA-256"
  else
    fail "after cut $n: an acknowledged photo is lost or damaged"; tail -3 "$soak/photos.out"
  fi
  photos_seen=$all
  local top size
  top=$(awk 'BEGIN { m = -1 } $4 > m { m = $4 } END { print m }' "$S/acks")
  size=$(curl -s -f "http://127.0.0.1:$PP/log/checkpoint" | sed -n 2p)
  check "after cut $n: the checkpoint (${size:-none}) covers every acknowledged index (<= $top)" \
    [ "${size:-0}" -gt "$top" ]
  if [ -s "$S/cp_last" ]; then
    if python3 "$soak_py" consistent "$PP" "$S/cp_last" >"$soak/cons.out" 2>&1; then
      ok "after cut $n: it extends the last one served before the cut (consistency proof $(tr ' ' '>' <"$soak/cons.out"))"
    else
      fail "after cut $n: it does not extend the last one served before the cut"; tail -3 "$soak/cons.out"
    fi
  fi
  "$rekap" show --dir "$D" --json >"$soak/show.json" 2>"$soak/show.err"
  "$rekap" verify --dir "$D" >"$soak/verify.out" 2>&1; local vrc=$?
  check "after cut $n: rekap verify passes" [ "$vrc" -eq 0 ]
  [ "$vrc" -eq 0 ] || { grep -v '^  ' "$soak/verify.out" | head -5; soak_keep "$n"; }
  if eventually 20 soak_served_totals; then
    ok "after cut $n: the totals served equal the log's ($(cat "$soak/totals.out"))"
  else
    fail "after cut $n: the totals served differ from the log's"; tail -3 "$soak/totals.out"
  fi
}

# SOAK_KEEP=DIR: a copy of the soak's directory after the first failed
# check, for a look after the run.
soak_keep() {
  [ -n "${SOAK_KEEP:-}" ] && [ ! -e "$SOAK_KEEP" ] && cp -a "$soak" "$SOAK_KEEP" &&
    echo "  (cut $1: the soak's directory copied to $SOAK_KEEP)"
  return 0
}

# Cut rekapd: SIGKILL, then (power) the rollback of every unsynced change
# (power mode: the caller sets $pl_rollback and runs rekapd under the shim,
# as test_powerloss.sh does).
soak_cut() {
  kill -9 "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; pid=
  [ "$1" = power ] || return 0
  tail -1 "$soak/rekapd.log" | grep -q '^powerloss: cut' && shim_cuts=$((shim_cuts + 1))
  "$pl_rollback" -v "$soak/journal" "$D" >>"$soak/rollback.out" 2>&1
}

# The load, started paused; stopped at the end (at most 30 s).
soak_load_start() {
  echo 0 >"$S/pause"
  python3 "$soak_py" load "$soak/work.jsonl" "$S" "${SOAK_WORKERS:-8}" "${SOAK_RATE:-300}" \
    2>"$soak/load.err" &
  load=$!
}
soak_load_stop() {
  touch "$S/stop"
  for _ in $(seq 300); do kill -0 "$load" 2>/dev/null || break; sleep 0.1; done
  kill "$load" 2>/dev/null; wait "$load" 2>/dev/null; load=
}

# Power cuts: every other one is left to the shim, at a random journaled
# change (POWERLOSS_CUT_AT: between a write and its sync, a rename and the
# directory's sync...), the others come from the timer; a cut the shim
# makes while rekapd recovers is rolled back and rekapd started again.
soak_arm() {
  : >"$soak/cut_at"
  [ "$1" = power ] && [ $((RANDOM % 2)) -eq 0 ] && echo $((1 + RANDOM % ${SOAK_CUT_RECORDS:-400})) >"$soak/cut_at"
  return 0
}
cut_in_start=0
soak_restart() {
  soak_arm "$1"
  soak_start && return 0
  [ "$1" = power ] && tail -1 "$soak/rekapd.log" | grep -q '^powerloss: cut' || return 1
  cut_in_start=$((cut_in_start + 1))
  wait "$pid" 2>/dev/null; pid=
  "$pl_rollback" -v "$soak/journal" "$D" >>"$soak/rollback.out" 2>&1 && soak_arm none && soak_start
}

# One cycle: start, check (after a cut), load for a random while, cut.
soak_cycle() {
  local n=$1 mode=$2
  if ! soak_restart "$mode"; then
    fail "rekapd starts again after cut $n"; tail -5 "$soak/rekapd.log"; return 1
  fi
  [ "$n" -gt 0 ] && restarts+=("$start_ms") && soak_check "$n"
  soak_run_load "${SOAK_MIN_MS:-200}" "${SOAK_MAX_MS:-1500}"
  [ -e "$S/done" ] && { fail "the load ran out of forms before cut $((n + 1))"; return 1; }
  soak_cut "$mode" || { fail "the rollback after cut $((n + 1))"; tail -3 "$soak/rollback.out"; return 1; }
  soak_pause $((n + 1)) || { fail "the load does not pause after cut $((n + 1))"; return 1; }
}

soak_all_acks() {
  python3 "$soak_py" acks "$soak/work.jsonl" "$S" 0 0 >"$soak/acks.out" 2>&1 || { tail -3 "$soak/acks.out"; return 1; }
}
soak_all_photos() {
  python3 "$soak_py" photos_served "$S" 0 0 >"$soak/photos.out" 2>&1 || { tail -3 "$soak/photos.out"; return 1; }
}

# The soak: CUTS cuts of MODE (kill or power), then the final checks.
soak_run() {
  local mode=$1 cuts=$2 t0=$SECONDS
  RANDOM=${SOAK_SEED:-1}
  restarts=() shim_cuts=0
  check "the election, keys and signed bodies are prepared" soak_prepare || return 1
  soak_load_start
  local n=0
  # (bash's "Killed" notices of the cut rekapd go to cycle.err)
  while [ $n -lt "$cuts" ] && soak_cycle $n "$mode" 2>>"$soak/cycle.err"; do n=$((n + 1)); done
  check "$cuts cuts ($mode) made under load" [ $n -eq "$cuts" ]
  [ $n -eq "$cuts" ] || return 1
  local secs=$((SECONDS - t0))
  soak_arm none
  soak_start && restarts+=("$start_ms") && soak_check "$cuts" 0
  # every acknowledgement, once more
  acks_seen=0
  check "every acknowledgement of the run answers duplicate at its index" soak_all_acks
  check "every photo acknowledged in the run is served with its bytes' SHA-256" soak_all_photos
  soak_load_stop
  check "no answer the load should never get (conflict, gap, 400)" [ ! -s "$S/odd" ]
  [ -s "$S/odd" ] && head -3 "$S/odd"
  kill -TERM "$pid"; wait "$pid"; local stopped=$?; pid=
  check "rekapd stops cleanly at the end" [ "$stopped" -eq 0 ]
  expect_rc 0 "rekap verify at the end" "$rekap" verify --dir "$D"
  soak_summary "$mode" "$cuts" "$secs"
}

# One line for BENCHMARKS.md: cuts, acknowledgements, restarts, rate.
soak_summary() {
  local acks a201 a422 dups fixes med max photos pdups pmib
  acks=$(wc -l <"$S/acks")
  photos=$(wc -l <"$S/photos")
  pdups=$(awk '$4 == 200' "$S/photos" | wc -l)
  pmib=$(awk '{ b += $3 } END { printf "%.0f", b / 1048576 }' "$S/photos")
  fixes=$(awk '$2 > 1' "$S/acks" | wc -l)
  a201=$(awk '$3 == 201' "$S/acks" | wc -l)
  a422=$(awk '$3 == 422' "$S/acks" | wc -l)
  dups=$(awk '$5 == 1' "$S/acks" | wc -l)
  med=$(printf '%s\n' "${restarts[@]}" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
  max=$(printf '%s\n' "${restarts[@]}" | sort -n | tail -1)
  echo "soak: $1, $2 cuts in $3 s; $acks acknowledged ($a201 201, $a422 422, $fixes corrections," \
    "$dups answered duplicate after a retry), every one present after every cut;" \
    "$photos photos ($pmib MiB; $pdups answered 'there already' after a retry), every one served after every cut;" \
    "log $(sed -n 2p "$D/log/checkpoint")" \
    "entries; restart median $med ms, max $max ms; $((acks * 1000 / (load_ms + 1)))" \
    "acknowledged/s while the load ran"
  [ -s "$soak/rollback.out" ] || return 0
  awk '/^pl_rollback:/ { n++; names += $5; writes += $8; files += $12; if ($5 + $8 > 0) hit++ }
       END { printf "power cuts: %d rolled back, %d of them losing unsynced changes: %d name changes and %d writes (%d files) undone in all\n", n, hit, names, writes, files }' \
    "$soak/rollback.out"
  echo "power cuts made by the shim at a journaled change: $shim_cuts under load, $cut_in_start while rekapd recovered"
  # what they took back, by kind and by file (numbers and temp suffixes folded)
  awk '/^  / { p = $2; gsub(/[.]tmp[.][A-Za-z0-9]+$/, ".tmp.*", p); gsub(/[0-9]+/, "N", p); n[$1 " " p]++ }
       END { for (k in n) printf "  %6d %s\n", n[k], k }' "$soak/rollback.out" | sort -rn | head -12
}
