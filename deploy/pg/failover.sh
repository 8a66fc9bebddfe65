#!/usr/bin/env bash
# failover.sh: point an election directory at its promoted PostgreSQL
# standby once the primary is lost (docs/OPERATIONS.md, "PostgreSQL with a
# synchronous standby", "Failover, step by step"). Run it on the application
# machine, the one holding the election directory, as root or as the user
# owning the directory (and the standby's data directory with --pgdata).
#
# usage: failover.sh --dir DIR --old-primary URI --standby URI
#                    [--pgdata STANDBY_DATA_DIR [--pg-ctl PATH] | --sql-promote]
#                    [--rekapd-cmd 'CMD' [--port-file F | --health-url URL]]
#                    [--force-unfenced] [--wait SECONDS] [--connect-timeout SECONDS]
#
#   --dir DIR            the election directory (its store.conf names --old-primary)
#   --old-primary URI    the lost primary, as in DIR/store.conf (a password in it
#                        may be left out: URIs are compared without passwords)
#   --standby URI        the synchronous standby to promote; written to store.conf
#   --pgdata DIR         promote with `pg_ctl promote -D DIR` (the standby runs on
#                        this machine; as root, run as DIR's owner)
#   --pg-ctl PATH        pg_ctl to use (default: pg_ctl on PATH, else $PGBIN or
#                        the newest /usr/lib/postgresql/*/bin/pg_ctl)
#   --sql-promote        promote with SELECT pg_promote(true, WAIT) over the
#                        standby's URI (the default without --pgdata; needs a
#                        superuser or EXECUTE on pg_promote)
#   --rekapd-cmd 'CMD'   start rekapd with CMD (bash -c, detached, its output in
#                        a log file) once store.conf is rewritten
#   --port-file F        rekapd's port file: wait for /healthz on its ingest port
#   --health-url URL     or wait for 200 from this URL (e.g.
#                        http://127.0.0.1:8081/healthz)
#   --ingest-addr A      the address for --port-file's port (default 127.0.0.1)
#   --force-unfenced     go on although the old primary still answers
#   --wait SECONDS       bound of every wait (promotion, /healthz; default 60)
#   --connect-timeout S  bound of each connection attempt (default 5)
#
# Steps: (0) checks the directory: store.conf names the old primary (or
# already the standby); (1) fencing: refuses while the old primary answers;
# (2) refuses while a rekapd holds DIR/lock, then holds that lock itself
# until rekapd is started; (3) promotes the standby and waits until
# pg_is_in_recovery() is false; (4) rewrites DIR/store.conf atomically (temp
# file 0600 in DIR, fsync, rename, fsync of DIR); (5) with --rekapd-cmd,
# starts rekapd and waits for /healthz; (6) prints the checks to run next.
# Re-running it after a partial failover is safe: a standby already promoted
# is not promoted again, a store.conf already naming it is left alone.
# Progress and errors go to standard error, the next steps to standard
# output. A URI's password is never printed.
#
# Exit status:
#   0  done
#   1  a tool is missing (psql, flock...), or an unexpected failure (the
#      message names the line)
#   2  bad command line
#   3  the old primary still answers (not fenced; see --force-unfenced)
#   4  a rekapd holds DIR/lock: stop it first
#   5  the election directory is not ready (no DIR, no store.conf, or it
#      names neither --old-primary nor --standby)
#   6  the standby cannot be promoted (does not answer, not a standby, the
#      promotion failed or was not over within --wait)
#   7  store.conf cannot be rewritten
#   8  rekapd did not start (the command failed, or no /healthz 200 within --wait)
set -Eeuo pipefail

me=failover.sh
say() { echo "$me: $*" >&2; }
die() { local rc=$1; shift; echo "$me: error: $*" >&2; exit "$rc"; }
# usage [RC]: the header from "usage:" to the exit codes; on stderr unless RC is 0
# (on an error, only the synopsis)
usage() {
  local rc=${1:-2}
  if [ "$rc" = 0 ]; then
    sed -n '/^# usage:/,/^[^#]/{/^#/s/^# \{0,1\}//p}' "$0"
  else
    sed -n '/^# usage:/,/^#$/{/^# /s/^# //p}' "$0" >&2
    echo "(failover.sh --help: every option and the exit codes)" >&2
  fi
  exit "$rc"
}
trap 'rc=$?; echo "$me: error: unexpected failure (exit $rc) at line $LINENO" >&2; exit 1' ERR

# ---- the command line
dir='' old='' standby='' pgdata='' pg_ctl='' sql_promote='' rekapd_cmd='' port_file='' health_url=''
ingest_addr=127.0.0.1 force='' WAIT=60 CONNECT=5
need() { if [ $# -lt 2 ] || [ -z "$2" ]; then say "$1 needs a value"; usage; fi; }
while [ $# -gt 0 ]; do
  case $1 in
    --dir) need "$@"; dir=$2; shift 2 ;;
    --old-primary) need "$@"; old=$2; shift 2 ;;
    --standby) need "$@"; standby=$2; shift 2 ;;
    --pgdata) need "$@"; pgdata=$2; shift 2 ;;
    --pg-ctl) need "$@"; pg_ctl=$2; shift 2 ;;
    --sql-promote) sql_promote=1; shift ;;
    --rekapd-cmd) need "$@"; rekapd_cmd=$2; shift 2 ;;
    --port-file) need "$@"; port_file=$2; shift 2 ;;
    --health-url) need "$@"; health_url=$2; shift 2 ;;
    --ingest-addr) need "$@"; ingest_addr=$2; shift 2 ;;
    --force-unfenced) force=1; shift ;;
    --wait) need "$@"; WAIT=$2; shift 2 ;;
    --connect-timeout) need "$@"; CONNECT=$2; shift 2 ;;
    -h|--help) usage 0 ;;
    *) say "unknown argument: $1"; usage ;;
  esac
done
if [ -z "$dir" ] || [ -z "$old" ] || [ -z "$standby" ]; then
  say "--dir, --old-primary and --standby are required"; usage
fi
[ -z "$pgdata" ] || [ -z "$sql_promote" ] || { say "--pgdata and --sql-promote exclude each other"; usage; }
[ -z "$pg_ctl" ] || [ -n "$pgdata" ] || { say "--pg-ctl goes with --pgdata"; usage; }
[ -z "$port_file" ] || [ -z "$health_url" ] || { say "--port-file and --health-url exclude each other"; usage; }
[ -n "$rekapd_cmd" ] || [ -z "$port_file$health_url" ] || { say "--port-file and --health-url go with --rekapd-cmd"; usage; }
[[ $WAIT =~ ^[1-9][0-9]{0,4}$ ]] || { say "--wait: a number of seconds (1..99999)"; usage; }
[[ $CONNECT =~ ^[1-9][0-9]{0,3}$ ]] || { say "--connect-timeout: a number of seconds (1..9999)"; usage; }
for u in "$old" "$standby"; do
  case $u in postgresql://*|postgres://*) ;;
    *) say "a store URI starts with postgresql:// or postgres:// (as in store.conf)"; usage ;;
  esac
done

# redact URI: the URI with its password shown as *** (user:***@host,
# password=***), as rekap prints URIs (docs/STORE.md)
redact() {
  sed -E 's#^([a-z]+://[^:/@?]*):[^@/?]*@#\1:***@#; s#([?&]password=)[^&]*#\1***#g' <<<"$1"
}
# bare URI: the URI with no password at all, to compare two spellings
bare() {
  sed -E 's#^([a-z]+://[^:/@?]*):[^@/?]*@#\1@#; s#([?&])password=[^&]*&?#\1#g; s#[?&]$##' <<<"$1"
}
[ "$(bare "$old")" != "$(bare "$standby")" ] || { say "--old-primary and --standby are the same server"; usage; }

for t in flock timeout sync mktemp stat; do
  command -v "$t" >/dev/null || die 1 "$t is not installed (util-linux, coreutils)"
done
psql=$(command -v psql || true)
[ -n "$psql" ] || die 1 "psql is not installed (postgresql-client)"
if [ -n "$health_url$port_file" ]; then
  command -v curl >/dev/null || die 1 "curl is not installed (needed to wait for /healthz)"
fi

errf=$(mktemp "${TMPDIR:-/tmp}/$me.err.XXXXXX")
tmpconf=
cleanup() { rm -f "$errf"; [ -z "$tmpconf" ] || rm -f "$tmpconf"; }
trap cleanup EXIT

# sql URI QUERY [SECONDS]: one value on stdout; psql's complaint in $errf
sql() {
  PGCONNECT_TIMEOUT=$CONNECT timeout "${3:-$((CONNECT + 10))}" \
    "$psql" -X -q -A -t -v ON_ERROR_STOP=1 -d "$1" -c "$2" 2>"$errf"
}
# tail_of LOG: its last lines, indented (rekapd's output)
tail_of() { if [ -s "$1" ]; then tail -n 5 "$1" | sed 's/^/  /'; else echo "  (no output)"; fi; }
# the first line psql complained with (libpq never prints the password)
why() { grep -m 1 . "$errf" | sed 's/^psql: error: //'; }
in_recovery() { sql "$1" "SELECT pg_is_in_recovery()" || true; }   # t, f, or nothing

# ---- 0. the election directory
[ -d "$dir" ] || die 5 "no directory $dir"
dir=$(cd "$dir" && pwd)
conf=$dir/store.conf
lock=$dir/lock
[ -f "$conf" ] || die 5 "no $conf: this directory's store is not PostgreSQL (rekap init --store); nothing to fail over"
[ -r "$conf" ] || die 5 "cannot read $conf: run as root or as the directory's owner"
[ ! -L "$conf" ] || die 5 "$conf is a symbolic link: point it at the file it names and run again"
current=$(head -n 1 "$conf")
if [ "$(bare "$current")" = "$(bare "$standby")" ]; then
  already_pointed=1
elif [ "$(bare "$current")" = "$(bare "$old")" ]; then
  already_pointed=
else
  die 5 "$conf names $(redact "$current"), neither --old-primary $(redact "$old") nor --standby $(redact "$standby"): is this the right directory?"
fi
say "election directory $dir, store.conf names $(redact "$current")"

# ---- 1. fencing: the old primary must not answer
# Down means: no connection within the timeout, or one refused or
# unroutable. Anything else counts as an answer, an error the server sends
# (FATAL: authentication, no such database, starting up) or a TLS failure
# included: when in doubt, refuse.
old_down() {
  local rc=0
  sql "$old" "SELECT 1" "$((CONNECT + 5))" >/dev/null || rc=$?
  [ "$rc" -ne 0 ] || { echo "it answered SELECT 1" >"$errf"; return 1; }
  [ "$rc" -ne 124 ] || { echo "no answer within $((CONNECT + 5))s" >"$errf"; return 0; }
  grep -qiE 'connection refused|timeout expired|timed out|no route to host|network is unreachable|could not translate host name|name or service not known|temporary failure in name resolution|no such file or directory' "$errf"
}
say "[1/6] fencing: does the old primary $(redact "$old") still answer? (at most $((CONNECT + 5))s)"
if old_down; then
  say "the old primary does not answer ($(why))"
elif [ -z "$force" ]; then
  die 3 "the old primary $(redact "$old") still answers ($(why)). Stop it and make sure
  it stays down (stop its service and disable it, power the machine off, or cut it off
  the network) before promoting the standby: two primaries would each take writes,
  and a rekapd on each would sign a log of its own. Run this again once it is down;
  --force-unfenced only when you know it can no longer accept writes."
else
  say "WARNING: the old primary still answers ($(why)); going on because of --force-unfenced"
fi

# ---- 2. no rekapd on the directory; hold its lock meanwhile
# rekapd holds an exclusive flock on DIR/lock while it runs. The file is
# only opened (read-only), never created: rekapd creates it as its own user.
lockfd=
say "[2/6] is a rekapd still writing $dir? ($lock)"
if [ -e "$lock" ]; then
  exec {lockfd}<"$lock" || die 1 "cannot open $lock"
  lrc=0; flock -n -E 75 "$lockfd" || lrc=$?
  if [ "$lrc" = 75 ]; then
    holder=$(head -c 32 "$lock" | tr -dc '0-9')
    die 4 "a rekapd (pid ${holder:-?}) still holds $lock. Stop it first (systemctl stop rekapd,
  or kill -TERM ${holder:-PID}) and run again: a rekapd left running would keep its store
  connection to the old primary and its log in memory."
  fi
  [ "$lrc" = 0 ] || die 1 "flock on $lock failed (exit $lrc)"
  say "no rekapd holds it; holding it until rekapd is started, so none starts meanwhile"
else
  say "no $lock: no rekapd has opened this directory"
fi
release_lock() { if [ -n "$lockfd" ]; then exec {lockfd}<&-; lockfd=; fi; }

# the last checkpoint rekapd published before the failover (step 6)
cp_size='' cp_copy=''
if [ -r "$dir/log/checkpoint" ]; then
  cp_size=$(sed -n 2p "$dir/log/checkpoint")
  cp_copy=$(mktemp "${TMPDIR:-/tmp}/rekap-checkpoint-before-failover.XXXXXX")
  cp "$dir/log/checkpoint" "$cp_copy"
fi

# ---- 3. promote the standby
say "[3/6] promoting the standby $(redact "$standby")"
state=$(in_recovery "$standby")
case $state in
  f) say "the standby is already read-write (promoted before): not promoting it again" ;;
  t)
    if [ -n "$pgdata" ]; then
      [ -f "$pgdata/PG_VERSION" ] || die 6 "$pgdata is not a PostgreSQL data directory"
      # the data directory must be the one of the server at --standby
      served=$(sql "$standby" "SHOW data_directory" || true)
      if [ -n "$served" ] && [ "$(cd "$served" 2>/dev/null && pwd -P)" != "$(cd "$pgdata" && pwd -P)" ]; then
        die 6 "the standby at $(redact "$standby") serves $served, not --pgdata $pgdata"
      fi
      if [ -z "$pg_ctl" ]; then
        pg_ctl=$(command -v pg_ctl || true)
        [ -n "$pg_ctl" ] || [ -z "${PGBIN:-}" ] || pg_ctl=$PGBIN/pg_ctl
        [ -n "$pg_ctl" ] || pg_ctl=$(printf '%s\n' /usr/lib/postgresql/*/bin/pg_ctl | sort -V | tail -n 1)
      fi
      [ -x "$pg_ctl" ] || die 6 "no pg_ctl${pg_ctl:+ at $pg_ctl} (give --pg-ctl PATH)"
      runas=()
      owner=$(stat -c %U "$pgdata")
      if [ "$(id -u)" -eq 0 ] && [ "$owner" != root ]; then runas=(runuser -u "$owner" --); fi
      say "pg_ctl promote -D $pgdata${runas:+ (as $owner)}"
      # from / : the caller's directory may be unreadable to the owner
      if ! (cd / && timeout "$((WAIT + 10))" "${runas[@]}" "$pg_ctl" promote -D "$pgdata" -w -t "$WAIT") >"$errf" 2>&1; then
        die 6 "pg_ctl promote failed: $(tail -n 3 "$errf" | tr '\n' ' ')(the server's log says why)"
      fi
    else
      say "SELECT pg_promote(true, $WAIT)"
      r=$(sql "$standby" "SELECT pg_promote(true, $WAIT)" "$((WAIT + CONNECT + 10))" || true)
      [ "$r" = t ] || die 6 "pg_promote failed, or was not over within ${WAIT}s: ${r:+returned $r; }$(why)
  (pg_promote is for superusers unless granted: when the role of --standby may not
  promote, promote on the standby's machine, pg_ctl promote -D DATA_DIR, and run this
  again: it finds the standby read-write and goes on)"
    fi
    end=$((SECONDS + WAIT + 1))                # SECONDS is whole: at least WAIT
    until [ "$(in_recovery "$standby")" = f ]; do
      [ $SECONDS -lt $end ] || die 6 "timed out after ${WAIT}s waiting for pg_is_in_recovery() to be false on the standby"
      sleep 0.2
    done
    say "promoted: the standby is out of recovery (read-write)"
    ;;
  *) die 6 "the standby $(redact "$standby") does not answer: $(why)" ;;
esac
[ "$(sql "$standby" "SELECT NOT pg_is_in_recovery() AND current_setting('transaction_read_only') = 'off'" || true)" = t ] \
  || die 6 "the promoted standby does not take writes: $(why)"

# ---- 4. store.conf names the standby
say "[4/6] pointing $conf at $(redact "$standby")"
if [ -n "$already_pointed" ]; then
  say "store.conf already names the standby: left as it is"
else
  # a temp file in the same directory (mktemp: mode 0600), fsync'ed, renamed
  # over store.conf, then the directory fsync'ed: store.conf is whole, old
  # or new, whatever happens. Lines after the first are kept.
  tmpconf=$(mktemp "$dir/.store.conf.XXXXXX") || die 7 "cannot create a temp file in $dir"
  { printf '%s\n' "$standby" && tail -n +2 "$conf"; } >"$tmpconf" || die 7 "cannot write $tmpconf"
  chmod 0600 "$tmpconf" || die 7 "cannot chmod $tmpconf"
  if [ "$(id -u)" -eq 0 ]; then chown --reference="$conf" "$tmpconf" || die 7 "cannot chown $tmpconf"; fi
  sync "$tmpconf" || die 7 "cannot fsync $tmpconf"
  mv -fT "$tmpconf" "$conf" || die 7 "cannot rename $tmpconf to $conf"
  tmpconf=
  sync "$dir" || die 7 "cannot fsync $dir"
  [ "$(head -n 1 "$conf")" = "$standby" ] || die 7 "$conf does not read back as written"
  say "store.conf rewritten (mode 0600)"
fi

# ---- 5. rekapd
release_lock
ports=
if [ -n "$rekapd_cmd" ]; then
  say "[5/6] starting rekapd: $rekapd_cmd"
  rlog=$(mktemp "${TMPDIR:-/tmp}/rekapd-failover.XXXXXX")
  before=
  [ -z "$port_file" ] || before=$(stat -c %i "$port_file" 2>/dev/null || true)
  # detached (its own session, no terminal): it outlives this script and a ^C
  setsid -w bash -c "$rekapd_cmd" </dev/null >>"$rlog" 2>&1 &
  cpid=$!
  say "its output: $rlog"
  url=$health_url
  end=$((SECONDS + WAIT + 1)) exited='' healthy=''     # SECONDS is whole: at least WAIT
  [ -n "$port_file$health_url" ] || end=$((SECONDS + 4))   # nothing to ask: 3 s for an early failure
  while [ $SECONDS -lt $end ]; do
    if [ -z "$exited" ] && ! kill -0 "$cpid" 2>/dev/null; then
      crc=0; wait "$cpid" || crc=$?
      [ "$crc" = 0 ] || die 8 "the rekapd command exited with status $crc (store.conf already names
  the standby: fix the cause and start rekapd, or run this again); its last lines:
$(tail_of "$rlog")"
      exited=1                                  # a launcher (systemctl start): wait on
      [ -n "$port_file$health_url" ] || break
    fi
    if [ -z "$url" ] && [ -n "$port_file" ] && [ -s "$port_file" ] \
       && [ "$(stat -c %i "$port_file" 2>/dev/null || true)" != "$before" ]; then
      ports=$(cat "$port_file" 2>/dev/null || true)
      p=$(sed -n 's/^ingest=//p' <<<"$ports")
      [ -z "$p" ] || url="http://$ingest_addr:$p/healthz"
    fi
    if [ -n "$url" ] && [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$url" || true)" = 200 ]; then
      healthy=1; break
    fi
    sleep 0.2
  done
  holder=$(head -c 32 "$lock" 2>/dev/null | tr -dc '0-9' || true)
  if [ -n "$healthy" ]; then
    say "rekapd is up (pid ${holder:-?} in $lock): $url answers 200"
  elif [ -n "$port_file$health_url" ]; then
    die 8 "no 200 from ${url:-/healthz (the port file $port_file was not written)} within ${WAIT}s
  (store.conf already names the standby; a rekapd still running has its pid in $lock);
  its last lines:
$(tail_of "$rlog")"
  elif [ -n "$exited" ]; then
    say "the rekapd command exited 0 (a launcher?); health not checked (give --port-file or --health-url)"
  else
    say "rekapd runs after 3s; health not checked (give --port-file or --health-url)"
  fi
else
  say "[5/6] rekapd not started (no --rekapd-cmd)"
fi

# ---- 6. what to check next
say "[6/6] done: the store is the promoted standby"
pub=$(sed -n 's/^public=//p' <<<"$ports")
pub=${pub:+http://$ingest_addr:$pub}
cat <<EOF
Failover done: $dir now uses $(redact "$standby").
EOF
if [ -z "$rekapd_cmd" ]; then
  cat <<EOF

Next, start rekapd on the directory (it reads the store, checks every row
against the log, appends the rows the log lacks, then listens):
  systemctl start rekapd        # or: rekapd --dir $dir --config FILE
and wait for GET /healthz on its ingest listener to answer 200.
EOF
fi
cat <<EOF

Then check (docs/OPERATIONS.md, "Failover, step by step"):
  1. rekap verify --dir $dir
     exit 0: every total, signature and verdict recomputed from the log,
     and the store checked against it (read-only, runs beside rekapd).
EOF
if [ -n "$cp_size" ]; then
  cat <<EOF
  2. the log still extends what it published before the failover: the
     last checkpoint before it had $cp_size entries (a copy: $cp_copy).${already_pointed:+
     (store.conf already named the standby: a re-run. That checkpoint is
     the one of this run; use the size noted at the first run.)}
       curl -s '${pub:-http://PUBLIC_ADDR:PORT}/api/v1/consistency?from=$cp_size'
     and verify the proof (RFC 9162 2.1.4.2) from the root in that copy
     (its third line) to the root of the current ${pub:-PUBLIC}/log/checkpoint;
     a proof that fails means the log rewrote its history: keep both.
EOF
else
  cat <<EOF
  2. no $dir/log/checkpoint was readable before the failover: take the size
     N of the last checkpoint a monitor holds and check
     /api/v1/consistency?from=N from its root to the current checkpoint's.
EOF
fi
cat <<EOF
  3. forms acknowledged before the loss answer again with their index and
     "duplicate": true; new forms are accepted.
  4. restore redundancy: a new standby from the new primary (pg_basebackup -R,
     or pg_rewind of the old primary), then synchronous_standby_names on the
     new primary again. Until then every commit rests on one machine.
EOF
