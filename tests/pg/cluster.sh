#!/usr/bin/env bash
# A real PostgreSQL 15 primary and a streaming SYNCHRONOUS standby in a
# temporary directory on loopback, for tests and benchmarks (tests/pg/README.md).
# Never a mock: the Debian server binaries (/usr/lib/postgresql/15/bin, or
# $PGBIN). PostgreSQL refuses to run as root: as root the servers run as the
# `postgres` OS user (DIR is chown'ed to it), otherwise as the current user.
#
# usage: cluster.sh start DIR          initdb both, start, wait for sync;
#                                      prints PRIMARY=<uri> and STANDBY=<uri>
#                                      (also written to DIR/env)
#        cluster.sh stop DIR           fast stop of both (idempotent)
#        cluster.sh kill-primary DIR   SIGKILL the primary's postmaster
#        cluster.sh promote DIR        promote the standby, wait until it
#                                      is out of recovery
#        cluster.sh status DIR         each node: running, role; replication
#
# Every wait is bounded ($PG_WAIT seconds, default 60) and fails with a
# message on standard error and a non-zero exit.
set -euo pipefail

PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
WAIT=${PG_WAIT:-60}
SUPERUSER=rekap
STANDBY_NAME=standby1

die() { echo "cluster.sh: $*" >&2; exit 1; }
usage() { sed -n '8,16p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

[ $# -eq 2 ] || usage
cmd=$1 dir=$2
for b in initdb pg_ctl pg_basebackup psql postgres; do
  [ -x "$PGBIN/$b" ] || die "no $PGBIN/$b (install postgresql-15: scripts/deps, or set PGBIN)"
done

if [ "$(id -u)" -eq 0 ]; then
  getent passwd postgres >/dev/null || die "running as root and there is no 'postgres' user to run the servers as"
  runas=postgres
else
  runas=
fi
# as_pg CMD...: run a server-side command as the server's user, from DIR
# (a root cwd such as /root would be unreadable to postgres)
as_pg() {
  if [ -n "$runas" ]; then (cd "$dir" && runuser -u "$runas" -- "$@")
  else (cd "$dir" && "$@"); fi
}
# sql PORT QUERY: one value, over TCP on loopback as the superuser
sql() {
  PGCONNECT_TIMEOUT=5 "$PGBIN/psql" -X -q -A -t -h 127.0.0.1 -p "$1" -U "$SUPERUSER" -d postgres \
    -v ON_ERROR_STOP=1 -c "$2" 2>/dev/null
}
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
port_of() { # NODE: the port in DIR/NODE/port (written at start)
  cat "$dir/$1.port" 2>/dev/null
}
running() { # NODE: 0 when its postmaster runs
  [ -f "$dir/$1/postmaster.pid" ] || return 1
  as_pg "$PGBIN/pg_ctl" -D "$dir/$1" status >/dev/null 2>&1
}
# wait_for SECONDS WHAT CMD...: until CMD succeeds, at most SECONDS
wait_for() {
  local secs=$1 what=$2; shift 2
  local end=$((SECONDS + secs))
  until "$@"; do
    [ $SECONDS -lt $end ] || die "timed out after ${secs}s waiting for $what"
    sleep 0.2
  done
}

start_node() { # NODE: start it on its port, retrying on a port taken meanwhile
  local node=$1
  for _ in 1 2 3; do
    if as_pg "$PGBIN/pg_ctl" -D "$dir/$node" -l "$dir/$node.log" -w -t "$WAIT" start >/dev/null; then
      return 0
    fi
    grep -q 'could not bind\|Address already in use' "$dir/$node.log" 2>/dev/null || break
    local p; p=$(free_port)
    echo "port = $p" >> "$dir/$node/postgresql.conf"; echo "$p" > "$dir/$node.port"
  done
  tail -20 "$dir/$node.log" >&2 || true
  die "the $node did not start (its log: $dir/$node.log)"
}

is_sync() {
  [ "$(sql "$(port_of primary)" "SELECT sync_state FROM pg_stat_replication WHERE application_name = '$STANDBY_NAME' AND state = 'streaming'")" = sync ]
}
in_recovery() { # PORT: prints t or f
  sql "$1" "SELECT pg_is_in_recovery()"
}
print_env() {
  local pp sp; pp=$(port_of primary) sp=$(port_of standby)
  printf 'PRIMARY=postgresql://%s@127.0.0.1:%s/postgres\nSTANDBY=postgresql://%s@127.0.0.1:%s/postgres\n' \
    "$SUPERUSER" "$pp" "$SUPERUSER" "$sp"
}

do_start() {
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  if running primary && running standby && [ -s "$dir/env" ]; then
    cat "$dir/env"; return 0                        # already up: idempotent
  fi
  [ ! -e "$dir/primary" ] && [ ! -e "$dir/standby" ] \
    || die "$dir already holds a cluster that is not fully running: 'cluster.sh stop $dir' and remove it first"
  # the server's unix socket lives in DIR: sun_path holds 107 bytes
  [ ${#dir} -le 80 ] || die "$dir is too long for a unix socket path (at most 80 bytes)"
  if [ -n "$runas" ]; then
    chown "$runas" "$dir"
    runuser -u "$runas" -- test -w "$dir" -a -x "$dir" \
      || die "user $runas cannot reach $dir: make every parent directory traversable (chmod o+x)"
  fi

  local pp sp
  pp=$(free_port)
  sp=$(free_port); while [ "$sp" = "$pp" ]; do sp=$(free_port); done
  echo "$pp" > "$dir/primary.port"; echo "$sp" > "$dir/standby.port"

  as_pg "$PGBIN/initdb" -D "$dir/primary" -U "$SUPERUSER" -A trust -E UTF8 --locale=C \
    >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; die "initdb failed"; }
  # initdb -A trust already lets local and 127.0.0.1 connections, replication
  # included, in without a password (loopback only: listen_addresses)
  cat >> "$dir/primary/postgresql.conf" <<EOF

# ---- tests/pg/cluster.sh
listen_addresses = '127.0.0.1'
port = $pp
unix_socket_directories = '$dir'
wal_level = replica
max_wal_senders = 10
max_replication_slots = 10
wal_keep_size = '256MB'
hot_standby = on
# a COMMIT returns only once the standby has the WAL flushed to its disk:
# an acknowledged form is on two machines
synchronous_standby_names = '$STANDBY_NAME'
synchronous_commit = on
fsync = on
EOF
  start_node primary
  pp=$(port_of primary)
  wait_for "$WAIT" "the primary to answer on port $pp" sql "$pp" "SELECT 1" >/dev/null

  as_pg "$PGBIN/pg_basebackup" -h 127.0.0.1 -p "$pp" -U "$SUPERUSER" -D "$dir/standby" \
    -R -X stream -c fast -d "application_name=$STANDBY_NAME" >"$dir/basebackup.log" 2>&1 \
    || { cat "$dir/basebackup.log" >&2; die "pg_basebackup failed"; }
  cat >> "$dir/standby/postgresql.conf" <<EOF

# ---- tests/pg/cluster.sh: the standby
port = $sp
hot_standby = on
# public replicas read here (docs/REPLICAS.md): a replica's first read of a
# long log is one long scan, which the primary's vacuum (of meta's updated
# log_checkpoint row) would otherwise cancel after max_standby_streaming_delay
hot_standby_feedback = on
# once promoted it has no standby of its own: it commits alone until a new
# standby is attached (else every COMMIT would wait for one forever)
synchronous_standby_names = ''
EOF
  # -R wrote standby.signal and primary_conninfo; name the standby for
  # synchronous_standby_names (written last: it wins)
  echo "primary_conninfo = 'host=127.0.0.1 port=$pp user=$SUPERUSER application_name=$STANDBY_NAME'" \
    >> "$dir/standby/postgresql.auto.conf"
  [ -f "$dir/standby/standby.signal" ] || die "pg_basebackup -R wrote no standby.signal"
  start_node standby
  sp=$(port_of standby)
  wait_for "$WAIT" "the standby to answer on port $sp" sql "$sp" "SELECT 1" >/dev/null
  [ "$(in_recovery "$sp")" = t ] || die "the standby is not in recovery"
  wait_for "$WAIT" "pg_stat_replication to show $STANDBY_NAME streaming as sync" is_sync
  print_env > "$dir/env"
  cat "$dir/env"
}

do_stop() {
  [ -d "$dir" ] || return 0
  local node rc=0
  for node in standby primary; do
    [ -d "$dir/$node" ] || continue
    if running "$node"; then
      as_pg "$PGBIN/pg_ctl" -D "$dir/$node" -m fast -w -t "$WAIT" stop >/dev/null \
        || { echo "cluster.sh: the $node did not stop within ${WAIT}s" >&2; rc=1; }
    fi
  done
  return $rc
}

do_kill_primary() {
  [ -f "$dir/primary/postmaster.pid" ] || die "no $dir/primary/postmaster.pid: the primary is not running"
  local pid; pid=$(head -1 "$dir/primary/postmaster.pid")
  [[ $pid =~ ^[0-9]+$ ]] || die "no pid in $dir/primary/postmaster.pid"
  kill -0 "$pid" 2>/dev/null || die "the primary (pid $pid) is not running"
  kill -9 "$pid"
  wait_for 10 "the primary (pid $pid) to die" sh -c "! kill -0 $pid 2>/dev/null"
  echo "killed the primary's postmaster (pid $pid)"
}

do_promote() {
  running standby || die "the standby is not running"
  local sp; sp=$(port_of standby)
  [ "$(in_recovery "$sp")" = t ] || { echo "the standby is already promoted"; return 0; }
  as_pg "$PGBIN/pg_ctl" -D "$dir/standby" -w -t "$WAIT" promote >/dev/null \
    || die "pg_ctl promote failed (its log: $dir/standby.log)"
  local end=$((SECONDS + WAIT))
  until [ "$(in_recovery "$sp")" = f ]; do
    [ $SECONDS -lt $end ] || die "timed out after ${WAIT}s waiting for pg_is_in_recovery() to be false"
    sleep 0.2
  done
  echo "promoted: the standby on port $sp is the primary"
}

do_status() {
  [ -d "$dir" ] || die "no $dir"
  local node p
  for node in primary standby; do
    p=$(port_of "$node" || true)
    if [ -d "$dir/$node" ] && running "$node"; then
      case $(in_recovery "$p") in
        t) echo "$node: running on 127.0.0.1:$p, in recovery (standby)" ;;
        f) echo "$node: running on 127.0.0.1:$p, read-write (primary)" ;;
        *) echo "$node: running on 127.0.0.1:$p, not answering" ;;
      esac
    else
      echo "$node: stopped"
    fi
  done
  if running primary; then
    sql "$(port_of primary)" "SELECT 'replication: ' || application_name || ' ' || state || ' ' || sync_state FROM pg_stat_replication" || true
  fi
  [ -s "$dir/env" ] && cat "$dir/env"
  return 0
}

[ "$cmd" = start ] || [ ! -d "$dir" ] || dir=$(cd "$dir" && pwd)
case $cmd in
  start) do_start ;;
  stop) do_stop ;;
  kill-primary) do_kill_primary ;;
  promote) do_promote ;;
  status) do_status ;;
  *) usage ;;
esac
