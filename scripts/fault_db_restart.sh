#!/usr/bin/env bash
# Restarts PostgreSQL in the middle of an ingestion load against a live
# gunicorn, then checks that every url-visits batch answered 200 is stored in
# full (nothing acknowledged is lost) and that the service recovered by itself.
#
# WARNING: this restarts the machine's PostgreSQL cluster (a few seconds of
# downtime). Anything else using it at that moment - other test runs
# included - sees its connections dropped.
#
#   scripts/fault_db_restart.sh            # 20 s of load, restart after 6 s
#   LOAD_SECONDS=30 RESTART_AT=10 scripts/fault_db_restart.sh
#   RESTART_COMMAND=true scripts/fault_db_restart.sh   # the same load, no restart
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-.venv/bin/python}
DB_NAME=${FAULT_DB_NAME:-procure_fault}
CLUSTER_VERSION=$(ls /etc/postgresql)
PORT=$("$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
WORK=$(mktemp -d -t procure-fault-XXXXXX)

export DATABASE_URL="postgres://postgres@127.0.0.1:5432/$DB_NAME"
export SECRET_KEY=fault-test-only-secret-key-not-for-production
export DEBUG=false SECURE_SSL_REDIRECT=false ALLOWED_HOSTS=127.0.0.1 LOG_LEVEL=WARNING
# The load sends no email; gunicorn refuses consolemail:// with DEBUG off.
export EMAIL_URL=memorymail://
export GUNICORN_BIND="127.0.0.1:$PORT" GUNICORN_ACCESS_LOG="$WORK/access.log"

SERVER_PID=
cleanup() {
    if [ -n "$SERVER_PID" ]; then
        kill "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT

echo "== Database $DB_NAME, server on 127.0.0.1:$PORT"
psql -h 127.0.0.1 -U postgres -q -v ON_ERROR_STOP=1 \
    -c "DROP DATABASE IF EXISTS $DB_NAME WITH (FORCE)" -c "CREATE DATABASE $DB_NAME"
"$PYTHON" manage.py migrate --noinput -v 0
"$PYTHON" scripts/fault_ingest.py seed --out "$WORK/tokens.json"

"$PYTHON" -m gunicorn -c gunicorn.conf.py procure_site.wsgi >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 60); do
    curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null && break
    sleep 0.5
done
curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null || {
    cat "$WORK/server.log"
    echo "The server did not become ready." >&2
    exit 1
}

echo "== Load for ${LOAD_SECONDS:-20} s; PostgreSQL restarts after ${RESTART_AT:-6} s"
status=0
"$PYTHON" scripts/fault_ingest.py load \
    --url "http://127.0.0.1:$PORT" \
    --tokens "$WORK/tokens.json" \
    --duration "${LOAD_SECONDS:-20}" \
    --restart-at "${RESTART_AT:-6}" \
    --restart-command "${RESTART_COMMAND:-pg_ctlcluster --skip-systemctl-redirect $CLUSTER_VERSION main restart}" \
    || status=$?
echo "== Server log (errors only)"
grep -E "ERROR|CRITICAL|Traceback" "$WORK/server.log" | sed -E 's/^[0-9-]+ [0-9:,]+ //' \
    | cut -c1-140 | sort | uniq -c | sort -rn | head -20 || true
exit "$status"
