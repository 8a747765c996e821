#!/usr/bin/env bash
# Start or stop a private PostgreSQL and Redis on loopback for the tests (no systemd needed).
# Usage: scripts/services.sh start|stop   Prints the environment to use on start.
set -euo pipefail
cd "$(dirname "$0")/.."

PG_PORT=${GOVWATCH_TEST_PG_PORT:-54329}
REDIS_PORT=${GOVWATCH_TEST_REDIS_PORT:-63799}
STATE=${GOVWATCH_TEST_STATE:-/tmp/govwatch-test-$(id -u)}
PG_DATA=$STATE/pg
PG_SOCK=$STATE/pgsock
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)

as_pg() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

start() {
  mkdir -p "$STATE" "$PG_SOCK"
  chmod 755 "$STATE"
  [ "$(id -u)" -eq 0 ] && chown postgres "$PG_SOCK"
  if ! redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1; then
    redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no \
      --daemonize yes --pidfile "$STATE/redis.pid" --logfile "$STATE/redis.log"
    touch "$STATE/redis.started"
  fi
  if [ ! -s "$PG_DATA/PG_VERSION" ]; then
    mkdir -p "$PG_DATA"
    [ "$(id -u)" -eq 0 ] && chown postgres "$PG_DATA"
    as_pg "$PG_BIN/initdb" -D "$PG_DATA" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
  fi
  if ! as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" status >/dev/null 2>&1; then
    as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$PG_DATA/server.log" -w start -o \
      "-c listen_addresses=127.0.0.1 -p $PG_PORT -c unix_socket_directories=$PG_SOCK -c fsync=off -c synchronous_commit=off -c full_page_writes=off" >/dev/null
    touch "$STATE/pg.started"
  fi
  for _ in $(seq 50); do
    redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break
    sleep 0.1
  done
  psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -tAc \
    "SELECT 1 FROM pg_roles WHERE rolname='govwatch'" | grep -q 1 ||
    psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -qc \
      "CREATE ROLE govwatch LOGIN PASSWORD 'govwatch' CREATEDB"
  psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -tAc \
    "SELECT 1 FROM pg_database WHERE datname='govwatch'" | grep -q 1 ||
    psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -qc "CREATE DATABASE govwatch OWNER govwatch"
  echo "DATABASE_URL=postgres://govwatch:govwatch@127.0.0.1:$PG_PORT/govwatch"
  echo "REDIS_URL=redis://127.0.0.1:$REDIS_PORT/0"
}

stop() {
  # Stop only what start() started, by its own pid files.
  if [ -f "$STATE/pg.started" ]; then
    as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w stop >/dev/null 2>&1 || true
    rm -f "$STATE/pg.started"
  fi
  if [ -f "$STATE/redis.started" ]; then
    [ -f "$STATE/redis.pid" ] && kill "$(cat "$STATE/redis.pid")" 2>/dev/null || true
    rm -f "$STATE/redis.started"
  fi
}

"$@"
