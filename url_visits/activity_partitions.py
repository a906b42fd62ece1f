"""Activity partitioned by month on PostgreSQL: the raw SQL, one function per
statement, and the bookkeeping that keeps a partition ready before a row
needs it.

On PostgreSQL the activity table is declaratively partitioned by range of
`day`, one partition per UTC month (migration 0004), so that retention drops
whole months instead of deleting millions of rows one by one. SQLite keeps
one table, and every function here is a no-op there (`partitioned` says
which). Only identifiers from the models' metadata and dates formatted here
are interpolated into the SQL.
"""

import datetime as dt
import threading
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import DatabaseError, connections, router, transaction
from django.db.backends.base.base import BaseDatabaseWrapper

from procure_site.clock import month_start, next_month
from url_visits.models import Activity

# Partitions are named <activity table>_pYYYYMM.
_SUFFIX_FORMAT = "_p%Y%m"


@dataclass(frozen=True)
class ActivityPartition:
    name: str
    # The first day of the month it holds, and the first day after it.
    start: dt.date
    end: dt.date


def _connection() -> BaseDatabaseWrapper:
    return connections[router.db_for_write(Activity)]


def partition_name(month: dt.date) -> str:
    return Activity._meta.db_table + month.strftime(_SUFFIX_FORMAT)


def partitioned(connection: BaseDatabaseWrapper | None = None) -> bool:
    """Whether the activity table is partitioned (PostgreSQL after 0004)."""
    connection = connection or _connection()
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT EXISTS (SELECT 1 FROM pg_partitioned_table p "
            "JOIN pg_class c ON c.oid = p.partrelid "
            "WHERE c.relname = %s AND pg_table_is_visible(c.oid))",
            [Activity._meta.db_table],
        )
        (found,) = cursor.fetchone()
    return bool(found)


def activity_partitions() -> list[ActivityPartition]:
    """The monthly partitions of activity, oldest first; none on SQLite."""
    connection = _connection()
    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_inherits i "
            "JOIN pg_class c ON c.oid = i.inhrelid "
            "JOIN pg_class p ON p.oid = i.inhparent "
            "WHERE p.relname = %s AND pg_table_is_visible(p.oid)",
            [Activity._meta.db_table],
        )
        names = [name for (name,) in cursor.fetchall()]
    partitions = []
    prefix = Activity._meta.db_table
    for name in names:
        try:
            start = dt.datetime.strptime(name, prefix + _SUFFIX_FORMAT).date()
        except ValueError:
            continue
        partitions.append(ActivityPartition(name, start, next_month(start)))
    return sorted(partitions, key=lambda partition: partition.start)


def activity_partition_create(
    connection: BaseDatabaseWrapper, *, month: dt.date
) -> None:
    """Creates the partition of one month unless it exists."""
    quote = connection.ops.quote_name
    start = month_start(month)
    sql = (
        f"CREATE TABLE IF NOT EXISTS {quote(partition_name(start))} "
        f"PARTITION OF {quote(Activity._meta.db_table)} "
        f"FOR VALUES FROM ('{start.isoformat()}') "
        f"TO ('{next_month(start).isoformat()}')"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)


# The key of the transaction-level advisory lock that purges take before
# dropping a partition: one purge at a time drops, whichever node runs it.
# Transaction-level, so that it holds through PgBouncer in transaction mode.
PURGE_LOCK_KEY = 7_285_301_004


def activity_partition_claim(partition: ActivityPartition) -> bool:
    """Inside a transaction: waits for any other purge's drop to finish, then
    whether the partition still exists (another node's purge may have dropped
    it since this one listed the partitions)."""
    connection = _connection()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [PURGE_LOCK_KEY])
        cursor.execute(
            "SELECT to_regclass(%s) IS NOT NULL",
            [connection.ops.quote_name(partition.name)],
        )
        (exists,) = cursor.fetchone()
    return bool(exists)


def activity_partition_count(partition: ActivityPartition) -> int:
    connection = _connection()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT count(*) FROM {connection.ops.quote_name(partition.name)}"  # noqa: S608
        )
        (rows,) = cursor.fetchone()
    return int(rows)


def activity_partition_drop(partition: ActivityPartition) -> None:
    """Detaches one month's partition and drops it, with its rows."""
    connection = _connection()
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        # A table cannot be dropped while foreign-key checks deferred to the
        # end of the transaction are pending on it (rows written earlier in
        # the same transaction): they run now, and Django's foreign keys,
        # all INITIALLY DEFERRED, are deferred again afterwards.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(
            f"ALTER TABLE {quote(Activity._meta.db_table)} "
            f"DETACH PARTITION {quote(partition.name)}"
        )
        cursor.execute(f"DROP TABLE {quote(partition.name)}")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    transaction.on_commit(
        lambda: _known_forget_month(partition.start), using=connection.alias
    )


def _known_forget_month(month: dt.date) -> None:
    with _known_lock:
        if _known is not None:
            _known.months.discard(month)


# What this process knows of the partitions: listed once, on first use, then
# each month it creates outside a transaction is added. A partition is dropped
# only once its whole month is older than the retention window, and ingestion
# refuses such days, so a month once known stays usable for as long as
# ingestion can need it.
@dataclass
class _Known:
    # False on SQLite (and PostgreSQL before migration 0004): any day goes.
    partitioned: bool
    months: set[dt.date]


_known: _Known | None = None
_known_lock = threading.Lock()


def _known_partitions() -> _Known:
    global _known
    known = _known
    if known is None:
        listed = activity_partitions()
        known = _Known(
            partitioned=bool(listed) or partitioned(),
            months={partition.start for partition in listed},
        )
        with _known_lock:
            _known = known
    return known


def activity_partitions_ready(
    *, days: Iterable[dt.date], list_again: bool = False
) -> None:
    """Makes sure the month of each of `days` has its partition, creating the
    missing ones; costs nothing once this process knows them (one query the
    first time).

    Called by ingestion before each insert, so that no row ever arrives at a
    month without a partition (the first visit of a month creates it, even at
    midnight on the 1st, if nothing did before), and by `purge_activity`,
    which creates the coming months ahead of time. With `list_again`, the
    partitions are listed from the database rather than taken from what this
    process knows: for writers outside the ingestion window, such as
    `seed_demo`, whose months a purge may have dropped.
    """
    known = _known_partitions()
    if not known.partitioned:
        return
    existing = (
        {partition.start for partition in activity_partitions()}
        if list_again
        else known.months
    )
    missing = {month_start(day) for day in days} - existing
    if not missing:
        return
    connection = _connection()
    # A partition created inside a transaction that may yet roll back is
    # not remembered: only one committed as it was created is sure to stay.
    remember = not connection.in_atomic_block
    for month in sorted(missing):
        try:
            with transaction.atomic(using=connection.alias):
                activity_partition_create(connection, month=month)
        except DatabaseError:
            # Another worker created it at the same moment: IF NOT EXISTS
            # does not cover a concurrent CREATE. Anything else fails below.
            if partition_name(month) not in {p.name for p in activity_partitions()}:
                raise
        if remember:
            with _known_lock:
                known.months.add(month)


def activity_partitions_forget() -> None:
    """Forgets what this process knows of the partitions; they are listed
    again on next use."""
    global _known
    with _known_lock:
        _known = None
