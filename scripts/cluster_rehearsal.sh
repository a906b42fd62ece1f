#!/usr/bin/env bash
# Rehearses the cluster with faults and prints the table (scripts/cluster_rehearsal.py):
#   scripts/cluster_rehearsal.sh            60 s of load per load step
#   scripts/cluster_rehearsal.sh --short    a few seconds a step (CI)
set -euo pipefail
cd "$(dirname "$0")/.."
exec .venv/bin/python scripts/cluster_rehearsal.py "$@"
