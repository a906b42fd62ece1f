"""On PostgreSQL, activity becomes a table partitioned by month of `day`,
keeping every row; SQLite keeps one table and nothing happens there.

The table is rebuilt under an exclusive lock: renamed aside, a partitioned
table of the same columns created in its place with one partition per month
from its oldest row (or the start of the retention window) to two months
ahead, the rows copied, the old table
dropped, then the same constraints and indexes created again under their
names, so that Django's view of the schema is unchanged. A partitioned
table's primary key must contain the partition key, so it becomes (id, day);
ids stay unique, as they come from one sequence. Reversing rebuilds a plain
table the same way.
"""

import datetime as dt

from django.conf import settings
from django.db import migrations

from procure_site import clock

TABLE = "url_visits_activity"
ASIDE = "url_visits_activity_unpartitioned"
SEQUENCE = "url_visits_activity_id_seq"


def _month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _next_month(month: dt.date) -> dt.date:
    return (month.replace(day=1) + dt.timedelta(days=32)).replace(day=1)


def _rebuild(cursor, *, partition: bool) -> None:
    cursor.execute(f"LOCK TABLE {TABLE} IN ACCESS EXCLUSIVE MODE")
    cursor.execute(
        "SELECT conname, contype, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = %s::regclass AND contype IN ('p', 'u', 'f') "
        "ORDER BY contype DESC, conname",
        [TABLE],
    )
    constraints = cursor.fetchall()
    cursor.execute(
        "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x "
        "JOIN pg_class i ON i.oid = x.indexrelid "
        "WHERE x.indrelid = %s::regclass AND NOT EXISTS ("
        "  SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid"
        "  AND c.conrelid = x.indrelid) ORDER BY i.relname",
        [TABLE],
    )
    indexes = cursor.fetchall()
    cursor.execute(f"SELECT min(day), coalesce(max(id), 0) FROM {TABLE}")  # noqa: S608
    oldest, last_id = cursor.fetchone()

    cursor.execute(f"ALTER TABLE {TABLE} RENAME TO {ASIDE}")
    cursor.execute(
        f"CREATE TABLE {TABLE} (LIKE {ASIDE})"
        + (" PARTITION BY RANGE (day)" if partition else "")
    )
    if partition:
        today = clock.today()
        window = today - dt.timedelta(days=settings.ACTIVITY_RETENTION_DAYS)
        month = _month_start(min(oldest or window, window))
        last = _next_month(_next_month(_month_start(today)))
        while month <= last:
            cursor.execute(
                f"CREATE TABLE {TABLE}_p{month:%Y%m} PARTITION OF {TABLE} "
                f"FOR VALUES FROM ('{month.isoformat()}') "
                f"TO ('{_next_month(month).isoformat()}')"
            )
            month = _next_month(month)
    cursor.execute(f"INSERT INTO {TABLE} SELECT * FROM {ASIDE}")  # noqa: S608
    # Drops the old table's identity (or sequence), constraints and indexes,
    # freeing their names.
    cursor.execute(f"DROP TABLE {ASIDE} CASCADE")

    cursor.execute(f"CREATE SEQUENCE {SEQUENCE} OWNED BY {TABLE}.id")
    cursor.execute(
        "SELECT setval(%s, %s, %s)", [SEQUENCE, max(last_id, 1), last_id > 0]
    )
    cursor.execute(
        f"ALTER TABLE {TABLE} ALTER COLUMN id SET DEFAULT nextval('{SEQUENCE}')"
    )
    for name, kind, definition in constraints:
        if kind == "p":
            definition = "PRIMARY KEY (id, day)" if partition else "PRIMARY KEY (id)"
        cursor.execute(f'ALTER TABLE {TABLE} ADD CONSTRAINT "{name}" {definition}')
    for _name, definition in indexes:
        cursor.execute(definition)


def partition(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        _rebuild(cursor, partition=True)


def unpartition(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        _rebuild(cursor, partition=False)


class Migration(migrations.Migration):
    dependencies = [
        ("url_visits", "0004_activity_browser_allow_list"),
    ]

    operations = [migrations.RunPython(partition, unpartition)]
