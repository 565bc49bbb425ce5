#!/usr/bin/env bash
# A streaming read replica of the local PostgreSQL cluster, for the replica tests.
#
#   tests/db/replica.sh start   # pg_basebackup -R into a temporary directory, pg_ctl start
#   tests/db/replica.sh stop    # stop it and remove the directory
#
# It is PostgreSQL's own hot standby: a base backup of the cluster on $PGHOST:$PGPORT taken with
# `pg_basebackup -R` (which writes standby.signal and primary_conninfo), started by `pg_ctl` on
# 127.0.0.1:$REPLICA_PORT (5442) with its own small configuration. Run as root it works as the
# `postgres` OS user (the server refuses root). Replication connections from 127.0.0.1 must be
# allowed: when they are not, one `host replication all 127.0.0.1/32 trust` line is added to the
# cluster's pg_hba.conf and the configuration reloaded (once; the check makes it idempotent).
set -euo pipefail

PORT=${REPLICA_PORT:-5442}
PGHOST=${PGHOST:-127.0.0.1}
PGPORT=${PGPORT:-5432}
PGUSER=${PGUSER:-postgres}
DIR=${REPLICA_DIR:-${TMPDIR:-/tmp}/field-replica-$PORT}
BIN=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}

as_postgres() {
  if [ "$(id -u)" = 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

primary() {
  psql -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" -d postgres -v ON_ERROR_STOP=1 -tAqc "$1"
}

allow_replication() {
  local probe=(psql "host=$PGHOST port=$PGPORT user=$PGUSER dbname=postgres replication=true"
    -tAqc "IDENTIFY_SYSTEM")
  "${probe[@]}" >/dev/null 2>&1 && return
  local hba
  hba=$(primary "SHOW hba_file")
  echo "Allowing replication connections from 127.0.0.1 in $hba"
  printf '\n# Streaming replicas on loopback (tests/db/replica.sh)\nhost replication all 127.0.0.1/32 trust\n' >>"$hba"
  primary "SELECT pg_reload_conf()" >/dev/null
  for _ in $(seq 1 20); do
    "${probe[@]}" >/dev/null 2>&1 && return
    sleep 0.2
  done
  echo "replication connections are still refused by $hba" >&2
  exit 1
}

running() {
  [ -f "$DIR/data/postmaster.pid" ] && as_postgres "$BIN/pg_ctl" -D "$DIR/data" status >/dev/null 2>&1
}

start() {
  if [ -z "$BIN" ] || [ ! -x "$BIN/pg_basebackup" ]; then
    echo "pg_basebackup is not installed (PostgreSQL's server binaries)" >&2
    exit 3
  fi
  if running; then
    echo "replica already running on 127.0.0.1:$PORT"
    return
  fi
  rm -rf "$DIR"
  mkdir -p "$DIR"
  [ "$(id -u)" = 0 ] && chown postgres "$DIR"
  allow_replication
  local started=$SECONDS
  as_postgres "$BIN/pg_basebackup" -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" -D "$DIR/data" \
    -R -X stream --checkpoint=fast --no-sync
  # A hot standby needs these at least as large as on the primary.
  local setting
  {
    echo "port = $PORT"
    echo "listen_addresses = '127.0.0.1'"
    echo "unix_socket_directories = '$DIR'"
    echo "hot_standby = on"
    echo "shared_buffers = 32MB"
    echo "fsync = off"
    echo "logging_collector = off"
    for setting in max_connections max_worker_processes max_wal_senders \
      max_prepared_transactions max_locks_per_transaction; do
      echo "$setting = $(primary "SHOW $setting")"
    done
  } >"$DIR/data/postgresql.conf"
  printf 'local all all trust\nhost all all 127.0.0.1/32 trust\n' >"$DIR/data/pg_hba.conf"
  : >"$DIR/data/pg_ident.conf"
  [ "$(id -u)" = 0 ] && chown postgres "$DIR"/data/*.conf
  as_postgres "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/replica.log" -w -t 60 start >/dev/null
  local recovering
  recovering=$(psql -h 127.0.0.1 -p "$PORT" -U "$PGUSER" -d postgres -tAqc "SELECT pg_is_in_recovery()")
  if [ "$recovering" != t ]; then
    echo "the copy on 127.0.0.1:$PORT is not a standby" >&2
    exit 1
  fi
  echo "replica of $PGHOST:$PGPORT streaming on 127.0.0.1:$PORT ($((SECONDS - started)) s)"
}

stop() {
  if running; then
    as_postgres "$BIN/pg_ctl" -D "$DIR/data" -m immediate -w stop >/dev/null
    echo "replica on 127.0.0.1:$PORT stopped"
  fi
  rm -rf "$DIR"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *)
    echo "usage: $0 start|stop" >&2
    exit 2
    ;;
esac
