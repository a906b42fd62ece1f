"""How long activity is kept: the first day still inside the retention
window, and the purge of what is older."""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction

from audit.models import AuditAction
from audit.services import audit_record
from procure_site import clock
from procure_site.exceptions import DomainError
from url_visits import activity_partitions, rollups
from url_visits.models import Activity


def activity_cutoff_day(*, older_than_days: int) -> dt.date:
    """The first UTC day kept when activity older than `older_than_days` goes."""
    return clock.today() - dt.timedelta(days=older_than_days)


@dataclass(frozen=True)
class ActivityPurged:
    rows: int
    cutoff: dt.date
    dry_run: bool


def activity_purge(
    *,
    older_than_days: int,
    dry_run: bool = False,
    batch_size: int = 10_000,
    on_progress: Callable[[int, int], None] | None = None,
) -> ActivityPurged:
    """Deletes activity whose day is older than `older_than_days` days ago.

    On PostgreSQL, where activity is partitioned by month, each month that
    lies wholly before the cutoff (and before ACTIVITY_RETENTION_DAYS, the
    window ingestion accepts) is detached and dropped in one statement,
    audited with its row count, and only the month the cutoff falls in is
    deleted from row by row; the coming months' partitions are created ahead
    of time too. Elsewhere, and inside that month, rows are deleted in batches
    of `batch_size`, so that a large purge neither holds one long lock nor
    builds one huge transaction; `on_progress(purged so far, total)` is
    called after each batch or month. Each batch is audited in its own
    transaction, as the system, with its count and the cutoff. With
    `dry_run`, only counts and audits nothing. Safe to run twice, and from
    several nodes at once: a month is dropped under a lock, and a month
    another run dropped since this one listed it is skipped, so that each is
    dropped and audited once.
    """
    if older_than_days < 1:
        raise DomainError("The retention window must be at least 1 day.")
    if batch_size < 1:
        raise DomainError("The batch size must be at least 1 row.")
    cutoff = activity_cutoff_day(older_than_days=older_than_days)
    expired = Activity.objects.filter(day__lt=cutoff).order_by()
    total = expired.count()
    if dry_run:
        return ActivityPurged(rows=total, cutoff=cutoff, dry_run=True)
    today = clock.today()
    activity_partitions.activity_partitions_ready(days=[today, clock.next_month(today)])
    if total == 0:
        rollups.activity_rollups_trim(cutoff=cutoff)
        return ActivityPurged(rows=0, cutoff=cutoff, dry_run=False)

    details = {"cutoff": cutoff.isoformat(), "older_than_days": older_than_days}
    purged = 0
    # Months that ingestion may still write to keep their partition, even
    # when this purge is asked for a shorter window: their old rows are
    # deleted instead.
    droppable_before = min(
        cutoff,
        activity_cutoff_day(older_than_days=settings.ACTIVITY_RETENTION_DAYS),
    )
    for partition in activity_partitions.activity_partitions():
        if partition.end > droppable_before:
            break
        with transaction.atomic():
            if not activity_partitions.activity_partition_claim(partition):
                # Another node's purge dropped it after this one listed it.
                continue
            dropped = activity_partitions.activity_partition_count(partition)
            activity_partitions.activity_partition_drop(partition)
            if dropped:
                audit_record(
                    action=AuditAction.ACTIVITY_PURGED,
                    target="activity",
                    details={
                        "count": dropped,
                        "month": f"{partition.start:%Y-%m}",
                        **details,
                    },
                )
        purged += dropped
        if dropped and on_progress is not None:
            on_progress(purged, total)
    while True:
        with transaction.atomic():
            batch = expired.values("pk")[:batch_size]
            deleted, _ = Activity.objects.filter(pk__in=batch).delete()
            if deleted:
                audit_record(
                    action=AuditAction.ACTIVITY_PURGED,
                    target="activity",
                    details={"count": deleted, **details},
                )
        purged += deleted
        if deleted and on_progress is not None:
            on_progress(purged, total)
        if deleted < batch_size:
            break
    rollups.activity_rollups_trim(cutoff=cutoff)
    return ActivityPurged(rows=purged, cutoff=cutoff, dry_run=False)
