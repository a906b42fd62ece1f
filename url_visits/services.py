import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connections, router, transaction
from django.db.models import Exists, Max, OuterRef, QuerySet
from django.db.models.functions import TruncMonth

from accounts.errors import NO_ORGANIZATION
from accounts.models import Organization, User
from audit.models import AuditAction
from audit.services import audit_record
from contracts.hosts import InvalidHost, host_from_url
from contracts.models import Contract
from procure_site.exceptions import DomainError, Forbidden, PayloadTooLarge
from url_visits import selectors
from url_visits.matching import match_host
from url_visits.models import Activity, LatestActivity, MonthlyActivity

DEFAULT_BROWSER = "Chrome"
# How far ahead of the server's clock a visit may be; clients' clocks drift.
FUTURE_TOLERANCE = dt.timedelta(days=1)
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_BROWSER_MAX_LENGTH = Activity._meta.get_field("browser").max_length
# Six parameters a row keeps one INSERT under SQLite's 32766-parameter limit
# (PostgreSQL allows 65535). The default batch cap of 1000 entries never
# needs more than one statement.
_ROWS_PER_INSERT = 5000

ActivityKey = tuple[int, dt.date]

UNVERIFIED_REPORTER = (
    "Verify your email address before proCure records your usage: open the "
    "link in the verification email proCure sent you, then the extension can "
    "report again."
)


def activity_cutoff_day(*, older_than_days: int) -> dt.date:
    """The first UTC day kept when activity older than `older_than_days` goes."""
    return dt.datetime.now(dt.UTC).date() - dt.timedelta(days=older_than_days)


@dataclass(frozen=True)
class VisitsRecorded:
    processed: int
    matched: int
    recorded: int
    skipped: int
    tracking_paused: bool = False

    @property
    def message(self) -> str:
        if self.tracking_paused:
            return (
                "Tracking is paused for your organization, so none of these "
                f"{self.processed} entries was recorded."
            )
        return (
            f"Processed {self.processed} entries: {self.matched} matched a "
            f"contract, {self.recorded} new activity recorded, "
            f"{self.skipped} skipped as invalid."
        )


def _milliseconds(moment: dt.datetime) -> int:
    return (moment - _EPOCH) // dt.timedelta(milliseconds=1)


def _visit_time(
    timestamp: Any, *, earliest_ms: int, latest_ms: int
) -> dt.datetime | None:
    """The moment of a visit from milliseconds since the epoch, or None when
    it is not a number or falls outside [earliest_ms, latest_ms]."""
    # bool is an int in Python, but `true` is no timestamp.
    if isinstance(timestamp, bool) or not isinstance(timestamp, int | float):
        return None
    # Compared as numbers first, so that an absurd value cannot overflow the
    # conversion below; NaN compares false and is refused here too.
    if not earliest_ms <= timestamp <= latest_ms:
        return None
    return _EPOCH + dt.timedelta(milliseconds=timestamp)


def _browser(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        return DEFAULT_BROWSER
    return value.strip()[:_BROWSER_MAX_LENGTH]


def url_visits_record(
    *, user: User, entries: Sequence[Mapping[str, Any]]
) -> VisitsRecorded:
    """Records the visits of one extension batch as activity of `user`.

    Each entry whose host matches a contract of the user's organization
    counts towards one activity per (contract, UTC day), first seen at the
    earliest matching timestamp of the batch. Entries with an unusable URL or
    timestamp are skipped and counted. Hosts that match nothing are dropped
    here, in memory: they are never stored or logged.

    While the organization's tracking is paused the batch is accepted and
    nothing is read or stored. With REQUIRE_VERIFIED_EMAIL_FOR_REPORTING on,
    a user whose email address is not verified is refused.

    Costs a constant number of queries whatever the batch size: at most one
    to load the organization's contracts, one INSERT, and when it recorded new
    activity, one write to each of its two rollups.
    """
    organization = user.organization
    if organization is None:
        raise Forbidden(NO_ORGANIZATION)
    if settings.REQUIRE_VERIFIED_EMAIL_FOR_REPORTING and user.email_verified_at is None:
        raise Forbidden(UNVERIFIED_REPORTER)
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
    latest_ms = _milliseconds(dt.datetime.now(dt.UTC) + FUTURE_TOLERANCE)
    table = selectors.contract_match_table(organization=organization)
    first_seen: dict[ActivityKey, tuple[dt.datetime, str]] = {}
    matched = skipped = 0
    for entry in entries:
        seen_at = _visit_time(
            entry.get("timestamp"), earliest_ms=earliest_ms, latest_ms=latest_ms
        )
        try:
            host = host_from_url(entry.get("url"))
        except InvalidHost:
            host = None
        if seen_at is None or host is None:
            skipped += 1
            continue
        contract_id = match_host(table, host)
        if contract_id is None:
            continue
        matched += 1
        key = (contract_id, seen_at.date())
        if key not in first_seen or seen_at < first_seen[key][0]:
            first_seen[key] = (seen_at, _browser(entry.get("browser")))

    recorded = _activity_insert_new(
        user=user, organization=organization, first_seen=first_seen
    )
    return VisitsRecorded(
        processed=len(entries), matched=matched, recorded=recorded, skipped=skipped
    )


_INSERTED_FIELDS = (
    "user",
    "contract",
    "organization",
    "day",
    "browser",
    "first_seen_at",
)
_CONFLICT_FIELDS = ("user", "contract", "day")


def _activity_insert_new(
    *,
    user: User,
    organization: Organization,
    first_seen: Mapping[ActivityKey, tuple[dt.datetime, str]],
) -> int:
    """Inserts the activity rows that do not exist yet; returns how many did not.

    One `INSERT ... ON CONFLICT DO NOTHING RETURNING` (PostgreSQL, SQLite >=
    3.35): Django's bulk_create(ignore_conflicts=True) does the same but does
    not tell which rows were new. Rows go in sorted by key so that concurrent
    batches of the same user wait on each other's rows in the same order
    instead of deadlocking. The rows that were new go into the rollups in the
    same transaction.

    The match table may name a contract that was deleted since it was read,
    and the user may be erased while the batch is on its way. A row goes in
    only while its contract and its user exist, and on PostgreSQL both rows
    are locked FOR KEY SHARE as they are checked: a delete that is under way
    (contract_delete and user_erase lock the row first) finishes before the
    check, which then skips the row, and a delete that comes later waits for
    this transaction and removes its rows too. Either way neither side hits a
    foreign-key error.
    """
    if not first_seen:
        return 0
    connection = connections[router.db_for_write(Activity)]
    if connection.vendor == "postgresql":
        return _activity_insert_new_postgresql(
            connection, user=user, organization=organization, first_seen=first_seen
        )
    quote = connection.ops.quote_name
    meta = Activity._meta
    fields = [meta.get_field(name) for name in _INSERTED_FIELDS]
    rows = [
        (user.pk, contract_id, organization.pk, day, browser, seen_at)
        for (contract_id, day), (seen_at, browser) in sorted(first_seen.items())
    ]
    columns = ", ".join(quote(field.column) for field in fields)
    conflict = ", ".join(
        quote(meta.get_field(name).column) for name in _CONFLICT_FIELDS
    )
    returning = ", ".join(
        quote(meta.get_field(name).column) for name in ("contract", "day")
    )
    row_placeholders = "(" + ", ".join(["%s"] * len(fields)) + ")"
    # Both databases name the columns of a VALUES list column1, column2, ...
    contract_column = f"column{_INSERTED_FIELDS.index('contract') + 1}"
    contracts = quote(Contract._meta.db_table)
    users = quote(User._meta.db_table)
    # Only on the SQLite path: SQLite has no row locks (a write transaction
    # locks the database), so a plain check is enough there.
    contract_exists = (
        f"EXISTS (SELECT 1 FROM {contracts} WHERE {contracts}."  # noqa: S608
        f"{quote(Contract._meta.pk.column)} = visit.{contract_column}) "
        f"AND EXISTS (SELECT 1 FROM {users} WHERE {users}."
        f"{quote(User._meta.pk.column)} = %s)"
    )

    recorded: list[ActivityKey] = []
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        for start in range(0, len(rows), _ROWS_PER_INSERT):
            chunk = rows[start : start + _ROWS_PER_INSERT]
            # Only identifiers from the model's metadata are interpolated;
            # every value is a query parameter.
            sql = (
                f"INSERT INTO {quote(meta.db_table)} ({columns}) "  # noqa: S608
                f"SELECT * FROM (VALUES {', '.join([row_placeholders] * len(chunk))})"
                f" AS visit WHERE {contract_exists} "
                f"ON CONFLICT ({conflict}) DO NOTHING RETURNING {returning}"
            )
            params = [
                field.get_db_prep_save(value, connection)
                for row in chunk
                for field, value in zip(fields, row, strict=True)
            ]
            params.append(User._meta.pk.get_db_prep_value(user.pk, connection))
            cursor.execute(sql, params)
            recorded.extend(
                (contract_id, _as_date(day)) for contract_id, day in cursor.fetchall()
            )
        activity_rollups_record(
            user_id=user.pk, organization_id=organization.pk, activity=recorded
        )
    return len(recorded)


def _activity_insert_new_postgresql(
    connection,
    *,
    user: User,
    organization: Organization,
    first_seen: Mapping[ActivityKey, tuple[dt.datetime, str]],
) -> int:
    """_activity_insert_new in one PostgreSQL statement.

    The same INSERT, with the rollups written from its RETURNING rows in
    data-modifying CTEs, so that a batch costs one round trip instead of
    five (BEGIN, three INSERTs, COMMIT) and a single statement is atomic on
    its own. The rows come as one array per column, so the statement's text
    never changes and psycopg converts it once per process rather than once
    per batch. Locks are taken in (contract, day) order, as on the other
    path.
    """
    keys = sorted(first_seen)
    quote = connection.ops.quote_name

    def table(model) -> str:
        return quote(model._meta.db_table)

    def column(model, name: str) -> str:
        return quote(model._meta.get_field(name).column)

    user_id, contract_id, organization_id = (
        column(Activity, name) for name in ("user", "contract", "organization")
    )
    day, month, last_day = (
        column(Activity, "day"),
        column(MonthlyActivity, "month"),
        column(LatestActivity, "last_day"),
    )
    contracts, users = table(Contract), table(User)
    # Only identifiers from the models' metadata are interpolated; every value
    # is a query parameter.
    sql = f"""
        WITH visit (contract_id, day, browser, first_seen_at) AS (
            SELECT * FROM unnest(
                %(contracts)s::bigint[], %(days)s::date[],
                %(browsers)s::varchar[], %(first_seen)s::timestamptz[]
            )
        ), new AS (
            INSERT INTO {table(Activity)} (
                {user_id}, {contract_id}, {organization_id}, {day},
                {column(Activity, "browser")}, {column(Activity, "first_seen_at")}
            )
            SELECT %(user)s::uuid, visit.contract_id, %(organization)s::bigint,
                visit.day, visit.browser, visit.first_seen_at
            FROM visit
            WHERE EXISTS (
                SELECT 1 FROM {contracts}
                WHERE {contracts}.{quote(Contract._meta.pk.column)} = visit.contract_id
                FOR KEY SHARE
            ) AND EXISTS (
                SELECT 1 FROM {users}
                WHERE {users}.{quote(User._meta.pk.column)} = %(user)s::uuid
                FOR KEY SHARE
            )
            ORDER BY visit.contract_id, visit.day
            ON CONFLICT ({user_id}, {contract_id}, {day}) DO NOTHING
            RETURNING {contract_id}, {day}
        ), monthly AS (
            INSERT INTO {table(MonthlyActivity)} (
                {user_id}, {contract_id}, {organization_id}, {month}
            )
            SELECT DISTINCT %(user)s::uuid, {contract_id}, %(organization)s::bigint,
                date_trunc('month', {day})::date
            FROM new
            ORDER BY 2, 4
            ON CONFLICT ({user_id}, {contract_id}, {month}) DO NOTHING
        ), latest AS (
            INSERT INTO {table(LatestActivity)} (
                {user_id}, {contract_id}, {organization_id}, {last_day}
            )
            SELECT %(user)s::uuid, {contract_id}, %(organization)s::bigint, max({day})
            FROM new
            GROUP BY {contract_id}
            ORDER BY {contract_id}
            ON CONFLICT ({user_id}, {contract_id}) DO UPDATE
            SET {last_day} = excluded.{last_day}
            WHERE {table(LatestActivity)}.{last_day} < excluded.{last_day}
        )
        SELECT count(*) FROM new
    """  # noqa: S608
    params = {
        "user": user.pk,
        "organization": organization.pk,
        "contracts": [contract for contract, _ in keys],
        "days": [visit_day for _, visit_day in keys],
        "browsers": [first_seen[key][1] for key in keys],
        "first_seen": [first_seen[key][0] for key in keys],
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        (recorded,) = cursor.fetchone()
    return recorded


def _as_date(value: dt.date | str) -> dt.date:
    # A raw cursor gives SQLite's dates back as the text they are stored as.
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(value)


# Rollups of Activity: one row per (user, contract, month) and one per (user,
# contract) with the last day. Whatever writes activity keeps them: new
# activity through activity_rollups_record, bulk loads through
# activity_rollups_rebuild, the purge below; deletes of users, contracts and
# organizations cascade to them.


def activity_rollups_record(
    *, user_id, organization_id: int, activity: Sequence[ActivityKey]
) -> None:
    """Adds new activity of one user, as (contract id, day) pairs, to the
    rollups: a month row where there was none, and a later last day."""
    if not activity:
        return
    months = sorted(
        {(contract_id, day.replace(day=1)) for contract_id, day in activity}
    )
    MonthlyActivity.objects.bulk_create(
        [
            MonthlyActivity(
                user_id=user_id,
                contract_id=contract_id,
                organization_id=organization_id,
                month=month,
            )
            for contract_id, month in months
        ],
        ignore_conflicts=True,
    )
    last_days: dict[int, dt.date] = {}
    for contract_id, day in activity:
        if contract_id not in last_days or day > last_days[contract_id]:
            last_days[contract_id] = day
    _latest_activity_upsert(
        [
            (user_id, contract_id, organization_id, day)
            for contract_id, day in sorted(last_days.items())
        ]
    )


def _latest_activity_upsert(rows: list[tuple]) -> None:
    """Inserts (user id, contract id, organization id, last day) rows, or
    moves an existing row's last day forward, never back.

    Raw SQL because bulk_create(update_conflicts=True) cannot say "only when
    later".
    """
    connection = connections[router.db_for_write(LatestActivity)]
    quote = connection.ops.quote_name
    meta = LatestActivity._meta
    table = quote(meta.db_table)
    names = ("user", "contract", "organization", "last_day")
    fields = [meta.get_field(name) for name in names]
    columns = ", ".join(quote(field.column) for field in fields)
    last_day = quote(meta.get_field("last_day").column)
    placeholders = ", ".join(["(%s, %s, %s, %s)"] * len(rows))
    sql = (
        f"INSERT INTO {table} ({columns}) VALUES {placeholders} "  # noqa: S608
        f"ON CONFLICT ({quote(fields[0].column)}, {quote(fields[1].column)}) "
        f"DO UPDATE SET {last_day} = excluded.{last_day} "
        f"WHERE {table}.{last_day} < excluded.{last_day}"
    )
    params = [
        field.get_db_prep_save(value, connection)
        for row in rows
        for field, value in zip(fields, row, strict=True)
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _insert_ignoring_conflicts(model, queryset: QuerySet, names: list[str]) -> None:
    """INSERT INTO model (names) SELECT <queryset> ON CONFLICT DO NOTHING."""
    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(model._meta.get_field(name).column) for name in names)
    select, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(model._meta.db_table)} ({columns}) "
            f"{select} ON CONFLICT DO NOTHING",
            params,
        )


def activity_rollups_rebuild(*, organization: Organization | None = None) -> None:
    """Computes the rollups again from Activity, for one organization or all.

    For activity that was loaded in bulk (the demo seed, a restore, the
    benchmark) rather than recorded through url_visits_record. Safe to run
    twice, and while visits are being recorded.
    """
    # The WHERE clause this always has is also what SQLite needs to tell an
    # upsert's ON CONFLICT from a join's ON.
    activity = Activity.objects.filter(day__isnull=False).order_by()
    if organization is not None:
        activity = activity.filter(organization=organization)
    with transaction.atomic():
        for model in (MonthlyActivity, LatestActivity):
            stale = model.objects.all()
            if organization is not None:
                stale = stale.filter(organization=organization)
            stale.delete()
        _insert_ignoring_conflicts(
            MonthlyActivity,
            activity.annotate(month=TruncMonth("day"))
            .values("user_id", "contract_id", "organization_id", "month")
            .distinct(),
            ["user", "contract", "organization", "month"],
        )
        _insert_ignoring_conflicts(
            LatestActivity,
            activity.values("user_id", "contract_id", "organization_id").annotate(
                last_day=Max("day")
            ),
            ["user", "contract", "organization", "last_day"],
        )


def _activity_rollups_trim(*, cutoff: dt.date) -> None:
    """Drops from the rollups what activity older than `cutoff` leaves behind:
    earlier months, the cutoff's month where none of its days are left, and
    last days before the cutoff (nothing of that user and contract is left).
    """
    first_month = cutoff.replace(day=1)
    MonthlyActivity.objects.filter(month__lt=first_month).delete()
    if cutoff != first_month:
        next_month = (first_month + dt.timedelta(days=31)).replace(day=1)
        left = Activity.objects.filter(
            user=OuterRef("user"),
            contract=OuterRef("contract"),
            day__gte=first_month,
            day__lt=next_month,
        )
        MonthlyActivity.objects.filter(month=first_month).exclude(Exists(left)).delete()
    LatestActivity.objects.filter(last_day__lt=cutoff).delete()


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

    Deletes in batches of `batch_size` rows, so that a large purge neither
    holds one long lock nor builds one huge transaction, and calls
    `on_progress(purged so far, total)` after each batch. Each batch is
    audited in its own transaction, as the system, with its count and the
    cutoff. With `dry_run`, only counts and audits nothing. Safe to run twice:
    the second run finds nothing to delete.
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
    if total == 0:
        _activity_rollups_trim(cutoff=cutoff)
        return ActivityPurged(rows=0, cutoff=cutoff, dry_run=False)

    purged = 0
    while True:
        with transaction.atomic():
            batch = expired.values("pk")[:batch_size]
            deleted, _ = Activity.objects.filter(pk__in=batch).delete()
            if deleted:
                audit_record(
                    action=AuditAction.ACTIVITY_PURGED,
                    target="activity",
                    details={
                        "count": deleted,
                        "cutoff": cutoff.isoformat(),
                        "older_than_days": older_than_days,
                    },
                )
        purged += deleted
        if deleted and on_progress is not None:
            on_progress(purged, total)
        if deleted < batch_size:
            break
    _activity_rollups_trim(cutoff=cutoff)
    return ActivityPurged(rows=purged, cutoff=cutoff, dry_run=False)


def tracking_update(
    *, organization: Organization, paused: bool, actor: User
) -> Organization:
    """Pauses or resumes the recording of the organization's visits.

    Setting the state it already has changes nothing and audits nothing, so
    repeating the request is safe. The row is locked while it is compared, so
    that two admins pausing at once leave one audit event.
    """
    with transaction.atomic():
        locked = Organization.objects.select_for_update().get(pk=organization.pk)
        if locked.tracking_paused != paused:
            locked.tracking_paused = paused
            locked.save(update_fields=["tracking_paused"])
            audit_record(
                action=AuditAction.TRACKING_PAUSED
                if paused
                else AuditAction.TRACKING_RESUMED,
                organization=locked,
                actor=actor,
                target=f"organization:{locked.public_id}",
                details={"paused": paused},
            )
    return locked
