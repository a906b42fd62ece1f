#!/usr/bin/env bash
# The whole cluster on loopback: start | stop | status (scripts/cluster.py).
set -euo pipefail
cd "$(dirname "$0")/.."
exec .venv/bin/python scripts/cluster.py "$@"
