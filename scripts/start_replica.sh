#!/usr/bin/env bash
# Starts a streaming replica of the local PostgreSQL cluster (127.0.0.1:5432)
# on 127.0.0.1:5433, for the replica tests (DATABASE_REPLICA_URL). Run as
# root; the server itself runs as the postgres OS user.
#
# Safe to run twice: a replica that is already running and streaming is kept,
# a stopped one is started again, and one that can no longer follow the
# primary (its WAL was recycled while it was down) is rebuilt from a fresh
# base backup. The primary is never stopped or restarted; if it refuses
# replication connections from 127.0.0.1, one pg_hba.conf line is added and
# the primary reloads its configuration (a reload, not a restart).
#
# Any failure exits non-zero with a sentence saying what went wrong.
set -euo pipefail

PG_BIN="${PG_BIN:-/usr/lib/postgresql/15/bin}"
PRIMARY_PORT="${PRIMARY_PORT:-5432}"
REPLICA_PORT="${REPLICA_PORT:-5433}"
REPLICA_DIR="${REPLICA_DIR:-/tmp/procure-replica}"
REPLICA_LOG="${REPLICA_DIR}.log"
# Long enough for a fresh standby's first start on a busy machine.
WAIT_SECONDS="${WAIT_SECONDS:-300}"

fail() {
    echo "start_replica: $*" >&2
    if [ -f "$REPLICA_LOG" ]; then
        echo "start_replica: last lines of $REPLICA_LOG:" >&2
        tail -n 20 "$REPLICA_LOG" >&2
    fi
    exit 1
}

as_postgres() {
    runuser -u postgres -- "$@"
}

primary_sql() {
    psql -X -w -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres -d postgres -Atc "$1"
}

replica_sql() {
    psql -X -w -h 127.0.0.1 -p "$REPLICA_PORT" -U postgres -d postgres -Atc "$1" 2>/dev/null
}

can_replicate() {
    psql -X -w "host=127.0.0.1 port=$PRIMARY_PORT user=postgres replication=true" \
        -c "IDENTIFY_SYSTEM" >/dev/null 2>&1
}

replica_running() {
    [ -f "$REPLICA_DIR/PG_VERSION" ] &&
        as_postgres "$PG_BIN/pg_ctl" -D "$REPLICA_DIR" status >/dev/null 2>&1
}

# Waits until the replica accepts connections, is in recovery and streams WAL
# from the primary; returns non-zero if it does not within WAIT_SECONDS, or
# as soon as its server is found stopped.
wait_until_streaming() {
    local state=""
    for second in $(seq 1 "$WAIT_SECONDS"); do
        state="$(replica_sql "SELECT pg_is_in_recovery()::text || ' ' || coalesce((SELECT status FROM pg_stat_wal_receiver), 'none')" || true)"
        if [ "$state" = "true streaming" ]; then
            return 0
        fi
        if [ "$second" -gt 5 ] && ! replica_running; then
            echo "start_replica: the replica's server stopped while starting" >&2
            return 1
        fi
        sleep 1
    done
    echo "start_replica: replica state after ${WAIT_SECONDS}s: '${state:-no answer}'" >&2
    return 1
}

stop_replica() {
    if replica_running; then
        as_postgres "$PG_BIN/pg_ctl" -D "$REPLICA_DIR" -m fast -w stop >/dev/null
    fi
}

# Does not wait: wait_until_streaming does, for longer than pg_ctl would.
start_replica() {
    as_postgres "$PG_BIN/pg_ctl" -D "$REPLICA_DIR" -l "$REPLICA_LOG" -W start >/dev/null
}

build_replica() {
    echo "start_replica: taking a base backup of 127.0.0.1:$PRIMARY_PORT into $REPLICA_DIR"
    rm -rf "$REPLICA_DIR"
    # -R writes standby.signal and primary_conninfo; -X stream copies the WAL
    # written during the backup, so the copy is consistent without archiving.
    # This standby is a throwaway copy for tests: nothing in it is fsynced
    # (--no-sync here, fsync = off below), which saves a minute-long sync of
    # every file at its first start.
    as_postgres "$PG_BIN/pg_basebackup" -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres -w \
        -D "$REPLICA_DIR" -R -X stream -c fast --no-sync ||
        fail "pg_basebackup from 127.0.0.1:$PRIMARY_PORT failed."

    # Debian keeps postgresql.conf and pg_hba.conf in /etc, outside the data
    # directory, so the copy has neither. A hot standby needs these limits at
    # least as high as the primary's, or it refuses to start.
    local limits=""
    for name in max_connections max_worker_processes max_wal_senders \
        max_prepared_transactions max_locks_per_transaction; do
        limits+="$name = $(primary_sql "SHOW $name")"$'\n'
    done
    as_postgres tee "$REPLICA_DIR/postgresql.conf" >/dev/null <<EOF
# Written by scripts/start_replica.sh: a local hot standby for the tests.
listen_addresses = '127.0.0.1'
port = $REPLICA_PORT
unix_socket_directories = '$REPLICA_DIR'
hot_standby = on
fsync = off
$limits
EOF
    as_postgres tee "$REPLICA_DIR/pg_hba.conf" >/dev/null <<EOF
local all all trust
host all all 127.0.0.1/32 trust
EOF
}

[ "$(id -u)" -eq 0 ] || fail "run me as root (the replica runs as the postgres OS user)."
[ -x "$PG_BIN/pg_basebackup" ] || fail "no pg_basebackup in $PG_BIN (set PG_BIN)."
primary_sql "SELECT 1" >/dev/null ||
    fail "the primary on 127.0.0.1:$PRIMARY_PORT does not answer; start it first."

if ! can_replicate; then
    # Debian's default pg_hba.conf may have no replication line that matches
    # (the "all" database keyword does not cover replication connections).
    hba_file="$(primary_sql "SHOW hba_file")"
    echo "start_replica: allowing replication from 127.0.0.1 for postgres in $hba_file"
    sed -i '1i host replication postgres 127.0.0.1/32 trust  # scripts/start_replica.sh' "$hba_file"
    primary_sql "SELECT pg_reload_conf()" >/dev/null
    sleep 1
    can_replicate || fail "the primary still refuses replication connections from 127.0.0.1 for postgres; check $hba_file."
fi

if [ -f "$REPLICA_DIR/standby.signal" ]; then
    if replica_running; then
        echo "start_replica: reusing the running replica in $REPLICA_DIR"
    else
        echo "start_replica: starting the existing replica in $REPLICA_DIR"
        start_replica || true
    fi
    if ! wait_until_streaming; then
        echo "start_replica: the existing replica does not follow the primary; rebuilding it" >&2
        stop_replica || true
        build_replica
        start_replica || fail "the replica did not start on port $REPLICA_PORT."
        wait_until_streaming || fail "the replica on port $REPLICA_PORT is not streaming from the primary."
    fi
else
    if replica_sql "SELECT 1" >/dev/null; then
        fail "something other than $REPLICA_DIR already listens on port $REPLICA_PORT."
    fi
    build_replica
    start_replica || fail "the replica did not start on port $REPLICA_PORT."
    wait_until_streaming || fail "the replica on port $REPLICA_PORT is not streaming from the primary."
fi

echo "start_replica: replica on 127.0.0.1:$REPLICA_PORT is in recovery and streaming from 127.0.0.1:$PRIMARY_PORT"
