#!/usr/bin/env bash
# Runs the test suite (SQLite, browser tests aside) with every process's clock
# moved to each of a handful of hard moments, and prints one result line per
# moment; exits non-zero when any run fails. Debian's faketime moves the clock
# by an offset rather than to an absolute date, so that the clock keeps
# running and a test's own gunicorn or receiver shares it with the test.
#
#   scripts/calendar_sweep.sh                        # the moments below
#   scripts/calendar_sweep.sh "2027-06-30 23:59:00"  # chosen ones (UTC)
set -uo pipefail
cd "$(dirname "$0")/.."

if [ "$#" -eq 0 ]; then
    set -- \
        "2026-01-01 00:00:30" \
        "2026-12-31 23:58:50" \
        "2027-01-01 00:00:30" \
        "2027-02-28 23:58:50" \
        "2027-03-01 00:00:30" \
        "2028-02-29 23:00:00" \
        "2028-12-31 23:58:50"
fi
# 2026-01-01: the range's first day, before any day the suite was written on.
# 2026-12-31 23:59 and 2027-01-01 00:00: a year's last and first minute, both
#   in ISO week 2026-W53. 2027-02-28 23:59 and 2027-03-01 00:00: a month's last
#   minute and the first after a short February. 2028-02-29: a leap day.
# 2028-12-31 23:59: the range's last minute. A run takes about a minute: one
# started at 23:58:50 spends its second half in the day's last minute and
# ends before midnight, so that no test straddles two days unless the machine
# is slow; one started at 00:00:30 runs in the first minutes of the day.
# Tests marked timed_waits are left out: libfaketime breaks Python's timed
# waits on threads (a Future.result(timeout=1) never times out under it).

command -v faketime >/dev/null || {
    echo "calendar_sweep: faketime is missing (apt-get install -y faketime)." >&2
    exit 2
}
logs=$(mktemp -d)
failed=0
for moment in "$@"; do
    target=$(date -u -d "$moment" +%s) || exit 2
    offset=$((target - $(date -u +%s)))
    # faketime reads "+Ns" ahead and "-Ns" back.
    [ "$offset" -ge 0 ] && offset="+${offset}"
    log="$logs/$(echo "$moment" | tr ' :' '__').log"
    env -u DATABASE_URL faketime -f "${offset}s" \
        .venv/bin/python -m pytest -q -n "${SWEEP_WORKERS:-auto}" --dist worksteal \
        -m "not browser and not timed_waits" >"$log" 2>&1
    status=$?
    echo "$moment UTC: $(tail -n 1 "$log")"
    if [ "$status" -ne 0 ]; then
        failed=1
        grep -E '^(FAILED|ERROR) [^ ]+[.]py' "$log" | sed 's/^/    /'
    fi
done
[ "$failed" -eq 0 ] || echo "calendar_sweep: logs in $logs" >&2
exit "$failed"
