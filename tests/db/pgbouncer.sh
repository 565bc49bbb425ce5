#!/usr/bin/env bash
# PgBouncer in transaction pooling in front of the local PostgreSQL, for the tests and the load run.
#
#   tests/db/pgbouncer.sh start   # Debian's pgbouncer (installed when missing and we are root)
#   tests/db/pgbouncer.sh stop
#   tests/db/pgbouncer.sh url DB  # the DATABASE_URL of database DB through it
#
# It listens on 127.0.0.1:$PGBOUNCER_PORT (6432) with its own configuration in a temporary
# directory, trusts the local user (as the cluster does on 127.0.0.1) and serves every database
# name through the wildcard entry, so the test databases pytest-django creates are reached through
# it too. Each server connection starts with the statement timeout the application would have
# sent itself (DB_STATEMENT_TIMEOUT_MS): PgBouncer refuses the `options` startup parameter. With
# PGBOUNCER_FOR_TESTS=1 they also allow the test flush's TRUNCATE of the audit table, as
# backend/test_settings.py does without PgBouncer (backend/audit/migrations/0003_refuse_truncate.py).
set -euo pipefail

PORT=${PGBOUNCER_PORT:-6432}
PGHOST=${PGHOST:-127.0.0.1}
PGPORT=${PGPORT:-5432}
PGUSER=${PGUSER:-postgres}
DIR=${PGBOUNCER_DIR:-${TMPDIR:-/tmp}/field-pgbouncer-$PORT}
TIMEOUT_MS=${DB_STATEMENT_TIMEOUT_MS:-30000}
POOL_SIZE=${PGBOUNCER_POOL_SIZE:-20}
CONNECT_QUERY="SET statement_timeout = $TIMEOUT_MS"
if [ "${PGBOUNCER_FOR_TESTS:-0}" = 1 ]; then
  CONNECT_QUERY="$CONNECT_QUERY; SET audit.allow_truncate = on"
fi

install_pgbouncer() {
  command -v pgbouncer >/dev/null && return
  if [ "$(id -u)" != 0 ]; then
    echo "pgbouncer is not installed (apt-get install pgbouncer, as root)" >&2
    exit 1
  fi
  echo "Installing pgbouncer from Debian's packages"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq pgbouncer >/dev/null
}

running() {
  [ -f "$DIR/pgbouncer.pid" ] && kill -0 "$(cat "$DIR/pgbouncer.pid")" 2>/dev/null
}

start() {
  install_pgbouncer
  if running; then
    echo "pgbouncer already running on 127.0.0.1:$PORT (pid $(cat "$DIR/pgbouncer.pid"))"
    return
  fi
  mkdir -p "$DIR"
  cat >"$DIR/pgbouncer.ini" <<EOF
[databases]
* = host=$PGHOST port=$PGPORT connect_query='$CONNECT_QUERY'

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $PORT
unix_socket_dir =
pool_mode = transaction
auth_type = trust
auth_file = $DIR/userlist.txt
admin_users = $PGUSER
max_client_conn = 500
default_pool_size = $POOL_SIZE
max_db_connections = 0
server_lifetime = 3600
server_idle_timeout = 60
logfile = $DIR/pgbouncer.log
pidfile = $DIR/pgbouncer.pid
EOF
  printf '"%s" ""\n' "$PGUSER" >"$DIR/userlist.txt"
  : >"$DIR/pgbouncer.log"
  local as=()
  if [ "$(id -u)" = 0 ]; then
    # PgBouncer will not run as root: it drops to the cluster's own user.
    chown -R postgres "$DIR"
    as=(-u postgres)
  fi
  pgbouncer -d "${as[@]}" "$DIR/pgbouncer.ini"
  for _ in $(seq 1 50); do
    pg_isready -q -h 127.0.0.1 -p "$PORT" -d postgres -U "$PGUSER" && break
    sleep 0.1
  done
  if ! pg_isready -q -h 127.0.0.1 -p "$PORT" -d postgres -U "$PGUSER"; then
    echo "pgbouncer did not start; its log:" >&2
    cat "$DIR/pgbouncer.log" >&2
    exit 1
  fi
  echo "pgbouncer $(pgbouncer --version | head -1 | cut -d' ' -f2) on 127.0.0.1:$PORT (pool_mode=transaction) -> $PGHOST:$PGPORT"
}

stop() {
  if running; then
    local pid
    pid=$(cat "$DIR/pgbouncer.pid")
    kill "$pid"
    for _ in $(seq 1 50); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    echo "pgbouncer on 127.0.0.1:$PORT stopped"
  fi
  rm -rf "$DIR"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  url) echo "postgres://$PGUSER@127.0.0.1:$PORT/${2:?database name}" ;;
  *)
    echo "usage: $0 start|stop|url DB" >&2
    exit 2
    ;;
esac
