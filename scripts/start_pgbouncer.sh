#!/usr/bin/env bash
# Starts PgBouncer in transaction mode on 127.0.0.1:6432 in front of the local
# PostgreSQL (127.0.0.1:5432), for the tests that run the service through a
# transaction pooler (docs/scaling.md). Run as root; PgBouncer itself runs as
# the postgres OS user, from its own files in /tmp/procure-pgbouncer (never
# Debian's service or /etc/pgbouncer).
#
# Installs Debian's pgbouncer package when it is missing (apt is the only
# download). Safe to run twice: a PgBouncer of ours that already answers is
# kept, and reloads its configuration if this script's has changed.
#
# Any failure exits non-zero with a sentence saying what went wrong.
set -euo pipefail

PGBOUNCER_PORT="${PGBOUNCER_PORT:-6432}"
POSTGRES_PORT="${POSTGRES_PORT:-5432}"
PGBOUNCER_DIR="${PGBOUNCER_DIR:-/tmp/procure-pgbouncer}"
CONFIG="$PGBOUNCER_DIR/pgbouncer.ini"
LOG="$PGBOUNCER_DIR/pgbouncer.log"
PIDFILE="$PGBOUNCER_DIR/pgbouncer.pid"
WAIT_SECONDS="${WAIT_SECONDS:-30}"

fail() {
    echo "start_pgbouncer: $*" >&2
    if [ -f "$LOG" ]; then
        echo "start_pgbouncer: last lines of $LOG:" >&2
        tail -n 20 "$LOG" >&2
    fi
    exit 1
}

as_postgres() {
    runuser -u postgres -- "$@"
}

answers() {
    PGCONNECT_TIMEOUT=2 psql -X -w -h 127.0.0.1 -p "$1" -U postgres -d postgres \
        -Atc "select 1" >/dev/null 2>&1
}

ours_running() {
    [ -f "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null
}

write_config() {
    # Written to a new file first, so that a running PgBouncer is reloaded
    # only when something changed.
    as_postgres tee "$CONFIG.new" >/dev/null <<EOF
; Written by scripts/start_pgbouncer.sh: a transaction-mode pooler for the tests.
[databases]
; Any database name, so that the test database pytest-django creates
; (test_<name>) is reachable as well as the one it is created from.
* = host=127.0.0.1 port=$POSTGRES_PORT

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $PGBOUNCER_PORT
; TCP only: no socket file in a shared directory.
unix_socket_dir =
; The local PostgreSQL trusts 127.0.0.1; PgBouncer's trust still needs the
; user in auth_file.
auth_type = trust
auth_file = $PGBOUNCER_DIR/userlist.txt
admin_users = postgres
pool_mode = transaction
; The default, said here because the tests rely on it: a released server
; connection is the next one handed out (LIFO).
server_round_robin = 0
default_pool_size = 20
max_client_conn = 200
; Idle server connections close after 2 s, well inside the 5 s that DROP
; DATABASE waits for other sessions: the test run drops its database through
; PgBouncer right after its last query.
server_idle_timeout = 2
logfile = $LOG
pidfile = $PIDFILE
EOF
    as_postgres tee "$PGBOUNCER_DIR/userlist.txt" >/dev/null <<EOF
"postgres" ""
EOF
}

[ "$(id -u)" -eq 0 ] || fail "run me as root (PgBouncer runs as the postgres OS user)."

if ! command -v pgbouncer >/dev/null 2>&1; then
    echo "start_pgbouncer: installing Debian's pgbouncer package"
    # A container's policy-rc.d may refuse to start services; the packaged
    # service is not used either way.
    apt-get update -qq || fail "apt-get update failed."
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq pgbouncer >/dev/null ||
        fail "apt-get install pgbouncer failed."
fi
command -v pgbouncer >/dev/null 2>&1 || fail "no pgbouncer on PATH after installing it."
answers "$POSTGRES_PORT" ||
    fail "PostgreSQL on 127.0.0.1:$POSTGRES_PORT does not answer; start it first."

mkdir -p "$PGBOUNCER_DIR"
chown postgres: "$PGBOUNCER_DIR"
chmod 700 "$PGBOUNCER_DIR"
write_config

if ours_running; then
    if ! cmp -s "$CONFIG.new" "$CONFIG"; then
        echo "start_pgbouncer: reloading the running PgBouncer's changed configuration"
        mv "$CONFIG.new" "$CONFIG"
        kill -HUP "$(cat "$PIDFILE")"
    else
        rm -f "$CONFIG.new"
        echo "start_pgbouncer: reusing the running PgBouncer (pid $(cat "$PIDFILE"))"
    fi
else
    if answers "$PGBOUNCER_PORT"; then
        fail "something other than $PGBOUNCER_DIR already answers on port $PGBOUNCER_PORT (Debian's pgbouncer service?); stop it first."
    fi
    mv "$CONFIG.new" "$CONFIG"
    rm -f "$PIDFILE"
    echo "start_pgbouncer: starting PgBouncer on 127.0.0.1:$PGBOUNCER_PORT ($CONFIG)"
    # -d: PgBouncer daemonizes once it listens, or exits non-zero if it cannot
    # (saying why on standard error, or in its log once it has opened it).
    as_postgres pgbouncer -d "$CONFIG" || fail "pgbouncer did not start."
fi

for _ in $(seq 1 "$WAIT_SECONDS"); do
    if answers "$PGBOUNCER_PORT"; then
        echo "start_pgbouncer: PgBouncer on 127.0.0.1:$PGBOUNCER_PORT pools 127.0.0.1:$POSTGRES_PORT in transaction mode"
        exit 0
    fi
    ours_running || fail "PgBouncer stopped while starting."
    sleep 1
done
fail "PgBouncer on 127.0.0.1:$PGBOUNCER_PORT does not answer after ${WAIT_SECONDS}s."
