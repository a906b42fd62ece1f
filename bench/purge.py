"""The retention purge of the oldest full month, timed both ways and rolled
back.

In one transaction each, on the benchmark database: the DELETE of every
activity row of the oldest full month (what the purge does on one table), then
detaching and dropping that month's partition (what it does on PostgreSQL
since activity is partitioned by month). Both are rolled back, as DDL is
transactional in PostgreSQL, so the seeded rows stay for the next run.
"""

import datetime as dt
import time

import psycopg

TABLE = "url_visits_activity"


def _next_month(day: dt.date) -> dt.date:
    return (day.replace(day=1) + dt.timedelta(days=32)).replace(day=1)


def purge_figures(database_url: str) -> dict | None:
    """Seconds to DELETE and to drop the oldest month; None when activity is
    not partitioned or empty."""
    with psycopg.connect(database_url) as conn:
        oldest = conn.execute(f"SELECT min(day) FROM {TABLE}").fetchone()[0]  # noqa: S608
        if oldest is None:
            return None
        # The oldest full month: seeded activity starts mid-month.
        month = oldest.replace(day=1) if oldest.day == 1 else _next_month(oldest)
        partition = f"{TABLE}_p{month:%Y%m}"
        exists = conn.execute(
            "SELECT EXISTS (SELECT 1 FROM pg_inherits i JOIN pg_class c "
            "ON c.oid = i.inhrelid WHERE c.relname = %s)",
            [partition],
        ).fetchone()[0]
        if not exists:
            return None
        conn.rollback()
        started = time.perf_counter()
        rows = conn.execute(
            f"DELETE FROM {TABLE} WHERE day >= %s AND day < %s",  # noqa: S608
            [month, _next_month(month)],
        ).rowcount
        delete_s = time.perf_counter() - started
        conn.rollback()
        started = time.perf_counter()
        conn.execute(f"ALTER TABLE {TABLE} DETACH PARTITION {partition}")
        conn.execute(f"DROP TABLE {partition}")
        drop_s = time.perf_counter() - started
        conn.rollback()
    return {
        "month": f"{month:%Y-%m}",
        "rows": rows,
        "delete_s": round(delete_s, 3),
        "drop_s": round(drop_s, 3),
    }
