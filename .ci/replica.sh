#!/usr/bin/env bash
# A streaming replica of the main PostgreSQL cluster on this machine, for CI (docs/scale.md): a second cluster on
# REPLICA_PORT (5433) in REPLICA_DIR, made with pg_basebackup -R and fed by streaming replication from 127.0.0.1:5432.
# Idempotent and quick: a replica that is up and streaming is left as it is; otherwise (missing, stopped, broken)
# it is made again, in seconds. Of the main cluster it only adds one pg_hba.conf line (replication
# from 127.0.0.1, trust, as its other lines) and reloads it; it stops, restarts and removes nothing there.
#   .ci/replica.sh          set up (or check) the replica; prints its DATABASE_REPLICA_URL host:port
#   .ci/replica.sh --stop   stop the replica (the next run makes it again)
set -euo pipefail

PG_VERSION="${PG_VERSION:-$(ls /etc/postgresql | sort -V | tail -1)}"
BIN="/usr/lib/postgresql/$PG_VERSION/bin"
PRIMARY_PORT="${PRIMARY_PORT:-5432}"
REPLICA_PORT="${REPLICA_PORT:-5433}"
REPLICA_DIR="${REPLICA_DIR:-/var/lib/postgresql/$PG_VERSION/ci-replica}"
REPLICA_LOG="${REPLICA_LOG:-/var/log/postgresql/ci-replica.log}"
MAIN_HBA="/etc/postgresql/$PG_VERSION/main/pg_hba.conf"

as_postgres() {
  if [ "$(id -un)" = postgres ]; then "$@"; else runuser -u postgres -- "$@"; fi
}
primary_sql() { psql -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres -XAtqc "$1"; }
replica_sql() { psql -h 127.0.0.1 -p "$REPLICA_PORT" -U postgres -XAtqc "$1" 2>/dev/null; }

if [ "${1:-}" = "--stop" ]; then
  if [ -f "$REPLICA_DIR/postmaster.pid" ]; then
    as_postgres "$BIN/pg_ctl" -D "$REPLICA_DIR" -m fast -w stop
  fi
  exit 0
fi

streaming() {
  [ "$(replica_sql 'SELECT pg_is_in_recovery()')" = t ] &&
    [ "$(replica_sql "SELECT count(*) FROM pg_stat_wal_receiver WHERE status = 'streaming'")" = 1 ]
}

# 1. The main cluster accepts replication connections from 127.0.0.1 (its other connections are trusted there too).
if ! grep -qE '^\s*host\s+replication\s+all\s+127\.0\.0\.1/32\s+trust' "$MAIN_HBA"; then
  printf '%s\n' "# CI's streaming replica (.ci/replica.sh)" "host replication all 127.0.0.1/32 trust" >>"$MAIN_HBA"
  primary_sql "SELECT pg_reload_conf()" >/dev/null
fi

# 2. Up and streaming already: nothing to do.
if streaming; then
  echo "replica: streaming on 127.0.0.1:$REPLICA_PORT (left as it is)"
  exit 0
fi

# 3. Anything else (missing, stopped, broken, behind the WAL the primary still keeps): make it again. A copy of the
# main cluster takes seconds, less than a stopped standby may need to catch up, and it can never be half right.
start() {
  mkdir -p "$(dirname "$REPLICA_LOG")"
  touch "$REPLICA_LOG" && chown postgres: "$REPLICA_LOG"
  as_postgres "$BIN/pg_ctl" -D "$REPLICA_DIR" -l "$REPLICA_LOG" -w -t 60 start >/dev/null
}
wait_streaming() {
  for _ in $(seq 1 100); do
    streaming && return 0
    sleep 0.2
  done
  return 1
}
if [ -f "$REPLICA_DIR/postmaster.pid" ]; then
  as_postgres "$BIN/pg_ctl" -D "$REPLICA_DIR" -m immediate -w stop >/dev/null 2>&1 || true
fi
case "$REPLICA_DIR" in
  */ci-replica) rm -rf "$REPLICA_DIR" ;;  # only ever our own folder
  *) [ ! -e "$REPLICA_DIR" ] || { echo "replica: $REPLICA_DIR exists; remove it or choose another" >&2; exit 1; } ;;
esac
mkdir -p "$REPLICA_DIR" && chown postgres: "$REPLICA_DIR" && chmod 700 "$REPLICA_DIR"
started=$(date +%s)
# -R writes standby.signal and primary_conninfo; -X stream copies the WAL made during the copy; -c fast checkpoints
# at once instead of waiting for the next one.
as_postgres "$BIN/pg_basebackup" -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres -D "$REPLICA_DIR" -R -X stream -c fast
# Debian keeps a cluster's configuration in /etc: the copy has none. A standby needs at least the primary's values of
# these settings; the rest is for a throwaway test replica (no fsync, feedback so that replay never cancels a read).
{
  echo "port = $REPLICA_PORT"
  echo "listen_addresses = '127.0.0.1'"
  echo "unix_socket_directories = '/var/run/postgresql'"
  echo "hot_standby = on"
  echo "hot_standby_feedback = on"
  echo "max_standby_streaming_delay = -1"
  echo "fsync = off"
  echo "synchronous_commit = off"
  echo "full_page_writes = off"
  for setting in max_connections max_worker_processes max_wal_senders max_prepared_transactions \
    max_locks_per_transaction shared_buffers; do
    echo "$setting = '$(primary_sql "SHOW $setting")'"
  done
} >"$REPLICA_DIR/postgresql.conf"
printf '%s\n' "local all all trust" "host all all 127.0.0.1/32 trust" >"$REPLICA_DIR/pg_hba.conf"
: >"$REPLICA_DIR/pg_ident.conf"
chown postgres: "$REPLICA_DIR/postgresql.conf" "$REPLICA_DIR/pg_hba.conf" "$REPLICA_DIR/pg_ident.conf"
start
wait_streaming || { echo "replica: not streaming; see $REPLICA_LOG" >&2; tail -20 "$REPLICA_LOG" >&2; exit 1; }
echo "replica: made in $(($(date +%s) - started)) s, streaming on 127.0.0.1:$REPLICA_PORT"
