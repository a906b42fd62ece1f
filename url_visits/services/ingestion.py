"""Recording what the extension reports: a batch of visits becomes one
activity row per user, contract and UTC day."""

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from django.conf import settings
from django.db import connections, router, transaction

from accounts.errors import NO_ORGANIZATION
from accounts.models import User
from discovery.services import (
    DiscoveryRows,
    discovery_rows,
    discovery_rows_insert,
    discovery_rows_written,
)
from procure_site import clock
from procure_site.error_codes import ErrorCode
from procure_site.exceptions import Forbidden, PayloadTooLarge
from url_visits import activity_partitions, activity_sql, rollups, selectors
from url_visits.activity_sql import ActivityKey, FirstSeen
from url_visits.browsers import browser_name
from url_visits.models import Activity
from url_visits.services.retention import activity_cutoff_day
from url_visits.visited_hosts import visited_host

# How far ahead of the server's clock a visit may be; clients' clocks drift.
FUTURE_TOLERANCE = dt.timedelta(days=1)
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_MICROSECOND = dt.timedelta(microseconds=1)
_MICROSECONDS_PER_DAY = 24 * 60 * 60 * 1_000_000

# Why an entry was skipped, in the order the batch's answer lists them.
SKIPPED_FOR_URL = "with a URL that has no readable host"
SKIPPED_FOR_SECONDS = "with a timestamp in seconds (send milliseconds since the epoch)"
SKIPPED_FOR_NOT_A_NUMBER = "with a timestamp that is not a number of milliseconds"
SKIPPED_FOR_FUTURE = "more than a day in the future (check the device's clock)"
SKIPPED_FOR_AGE = "older than the retention window"
SKIP_REASONS = (
    SKIPPED_FOR_URL,
    SKIPPED_FOR_SECONDS,
    SKIPPED_FOR_NOT_A_NUMBER,
    SKIPPED_FOR_FUTURE,
    SKIPPED_FOR_AGE,
)

UNVERIFIED_REPORTER = (
    "Verify your email address before proCure records your usage: open the "
    "link in the verification email proCure sent you, then the extension can "
    "report again."
)


@dataclass(frozen=True)
class VisitsRecorded:
    processed: int
    matched: int
    recorded: int
    skipped: int
    tracking_paused: bool = False
    # How many entries were skipped for each of SKIP_REASONS.
    skipped_for: Mapping[str, int] = field(default_factory=dict)

    @property
    def message(self) -> str:
        if self.tracking_paused:
            return (
                "Tracking is paused for your organization, so none of these "
                f"{self.processed} entries was recorded."
            )
        summary = (
            f"Processed {self.processed} entries: {self.matched} matched a "
            f"contract, {self.recorded} new activity recorded, "
            f"{self.skipped} skipped as invalid"
        )
        reasons = [
            f"{self.skipped_for[reason]} {reason}"
            for reason in SKIP_REASONS
            if self.skipped_for.get(reason)
        ]
        return f"{summary}: {'; '.join(reasons)}." if reasons else f"{summary}."


def _skip_reason(timestamp: Any, *, earliest_ms: int, latest_ms: int) -> str:
    """Why `timestamp` is not a usable visit time (only asked of skipped
    entries, so the batch's usual path pays nothing for it)."""
    if isinstance(timestamp, bool) or not isinstance(timestamp, int | float):
        return SKIPPED_FOR_NOT_A_NUMBER
    if timestamp != timestamp:  # NaN
        return SKIPPED_FOR_NOT_A_NUMBER
    if earliest_ms <= timestamp * 1000 <= latest_ms:
        return SKIPPED_FOR_SECONDS
    return SKIPPED_FOR_FUTURE if timestamp > latest_ms else SKIPPED_FOR_AGE


def _milliseconds(moment: dt.datetime) -> int:
    return (moment - _EPOCH) // dt.timedelta(milliseconds=1)


def _visit_microseconds(
    timestamp: Any, *, earliest_ms: int, latest_ms: int
) -> int | None:
    """The moment of a visit as microseconds since the epoch, from
    milliseconds since the epoch, or None when it is not a number or falls
    outside [earliest_ms, latest_ms].

    Whole numbers, which every extension sends, are only compared and
    multiplied: no datetime is made per entry, only for the first visit of
    each activity row (see url_visits_record).
    """
    if type(timestamp) is int:
        return timestamp * 1000 if earliest_ms <= timestamp <= latest_ms else None
    # bool is an int in Python, but `true` is no timestamp.
    if isinstance(timestamp, bool) or not isinstance(timestamp, int | float):
        return None
    # Compared as numbers first, so that an absurd value cannot overflow the
    # conversion below; NaN compares false and is refused here too.
    if not earliest_ms <= timestamp <= latest_ms:
        return None
    # A fraction of a millisecond, rounded to the microsecond as datetime
    # rounds it.
    return dt.timedelta(milliseconds=timestamp) // _MICROSECOND


def url_visits_record(
    *, user: User, entries: Sequence[Mapping[str, Any]]
) -> VisitsRecorded:
    """Records the visits of one extension batch as activity of `user`.

    Each entry whose host matches a contract of the user's organization
    counts towards one activity per (contract, UTC day), first seen at the
    earliest matching timestamp of the batch. Entries with an unusable URL or
    timestamp are skipped and counted. With the organization's discovery on,
    hosts that match no contract go to discovery_rows, which counts the user
    among the month's users of the catalog applications they belong to.
    Hosts that match nothing are dropped in memory: never stored or logged.

    While the organization's tracking is paused the batch is accepted and
    nothing is read or stored. With REQUIRE_VERIFIED_EMAIL_FOR_REPORTING on,
    a user whose email address is not verified is refused.

    Costs a constant number of queries whatever the batch size: at most one
    to load the organization's contracts, one INSERT, and when it recorded new
    activity, one write to each of its two rollups; with discovery on, a
    query for the catalog on a cache miss, and on SQLite, or when no entry
    matched a contract, one INSERT of discovery's rows (on PostgreSQL they
    are written in the activity INSERT).
    """
    organization = user.organization
    if organization is None:
        raise Forbidden(NO_ORGANIZATION, code=ErrorCode.NO_ORGANIZATION)
    if settings.REQUIRE_VERIFIED_EMAIL_FOR_REPORTING and user.email_verified_at is None:
        raise Forbidden(UNVERIFIED_REPORTER, code=ErrorCode.EMAIL_NOT_VERIFIED)
    limit = settings.URL_VISITS_MAX_BATCH
    if len(entries) > limit:
        raise PayloadTooLarge(
            f"This batch has {len(entries)} entries; the limit is {limit} entries "
            "per request. Send the visits in smaller batches."
        )
    # The organization row came with the authenticated user, so a paused
    # organization costs no query at all.
    if organization.tracking_paused:
        return VisitsRecorded(
            processed=len(entries),
            matched=0,
            recorded=0,
            skipped=0,
            tracking_paused=True,
        )
    if not entries:
        return VisitsRecorded(processed=0, matched=0, recorded=0, skipped=0)

    cutoff_day = activity_cutoff_day(older_than_days=settings.ACTIVITY_RETENTION_DAYS)
    earliest_ms = _milliseconds(dt.datetime.combine(cutoff_day, dt.time(), dt.UTC))
    latest_ms = _milliseconds(clock.now() + FUTURE_TOLERANCE)
    matches = selectors.contract_host_matches(organization=organization)
    # (contract id, days since the epoch) -> (microseconds since the epoch,
    # browser) of the first visit: numbers while the entries are read.
    earliest: dict[tuple[int, int], tuple[int, str]] = {}
    # Hosts that match no contract, kept (in memory) only for discovery.
    unmatched: set[str] | None = set() if organization.discovery_enabled else None
    matched = skipped = 0
    skipped_for: dict[str, int] = {}
    for entry in entries:
        seen_at = _visit_microseconds(
            entry.get("timestamp"), earliest_ms=earliest_ms, latest_ms=latest_ms
        )
        host = visited_host(entry.get("url"))
        if seen_at is None or host is None:
            skipped += 1
            reason = (
                SKIPPED_FOR_URL
                if seen_at is not None
                else _skip_reason(
                    entry.get("timestamp"), earliest_ms=earliest_ms, latest_ms=latest_ms
                )
            )
            skipped_for[reason] = skipped_for.get(reason, 0) + 1
            continue
        contract_id = matches.contract_for(host)
        if contract_id is None:
            if unmatched is not None:
                unmatched.add(host)
            continue
        matched += 1
        key = (contract_id, seen_at // _MICROSECONDS_PER_DAY)
        known = earliest.get(key)
        if known is None or seen_at < known[0]:
            earliest[key] = (seen_at, browser_name(entry.get("browser")))
    epoch_day = _EPOCH.date()
    first_seen: dict[ActivityKey, tuple[dt.datetime, str]] = {
        (contract_id, epoch_day + dt.timedelta(days=day)): (
            _EPOCH + dt.timedelta(microseconds=seen_at),
            browser,
        )
        for (contract_id, day), (seen_at, browser) in earliest.items()
    }

    discovered = (
        discovery_rows(organization=organization, user=user, hosts=unmatched)
        if unmatched
        else None
    )
    recorded = activity_insert_new(
        user_id=user.pk,
        organization_id=organization.pk,
        first_seen=first_seen,
        discovered=discovered,
    )
    return VisitsRecorded(
        processed=len(entries),
        matched=matched,
        recorded=recorded,
        skipped=skipped,
        skipped_for=skipped_for,
    )


def activity_insert_new(
    *,
    user_id: UUID,
    organization_id: int,
    first_seen: FirstSeen,
    discovered: DiscoveryRows | None = None,
) -> int:
    """Inserts the activity rows of one user that do not exist yet, with their
    rollups, and discovery's rows of the batch; returns how many activity
    rows were new.

    On PostgreSQL one statement writes them all; elsewhere the INSERT and the
    two rollup writes share a transaction, and discovery's rows follow in a
    statement of their own. The tests' ActivityFactory inserts through here
    too, so that their rollups are kept as production keeps them.
    """
    connection = connections[router.db_for_write(Activity)]
    if first_seen:
        activity_partitions.activity_partitions_ready(
            days=[day for _, day in first_seen]
        )
    if first_seen and connection.vendor == "postgresql":
        recorded = activity_sql.activity_insert_new_with_rollups(
            user_id=user_id,
            organization_id=organization_id,
            first_seen=first_seen,
            discovered_month=discovered.month if discovered else None,
            discovered_applications=discovered.application_ids if discovered else (),
        )
        if discovered is not None:
            discovery_rows_written(rows=discovered)
        return recorded
    activity: list[ActivityKey] = []
    if first_seen:
        with transaction.atomic(using=connection.alias):
            activity = activity_sql.activity_insert_new(
                user_id=user_id, organization_id=organization_id, first_seen=first_seen
            )
            rollups.activity_rollups_record(
                user_id=user_id, organization_id=organization_id, activity=activity
            )
    if discovered is not None:
        discovery_rows_insert(rows=discovered)
    return len(activity)
