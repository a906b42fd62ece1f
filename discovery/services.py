"""Writes of discovery: the organization's settings, the month's users of
catalog applications, closing months, and catalog imports."""

import datetime as dt
import time
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass
from uuid import UUID

from django.db import transaction

from accounts.models import Organization, User
from audit.models import AuditAction
from audit.services import audit_record
from discovery import discovery_sql, selectors
from discovery.catalog import CatalogEntry, application_match
from discovery.models import (
    NEXT_STATES,
    Application,
    ApplicationDecision,
    ApplicationMonth,
    ApplicationUser,
)
from procure_site import clock
from procure_site.error_codes import ErrorCode
from procure_site.exceptions import Conflict, DomainError, InvalidFields, NotFound

# The months this process has already closed up to; see discovery_rows.
_closed_before: dt.date | None = None
_CLOSE_BATCH = 5_000
# Hashes of the (organization, month, user, application) this process
# recorded lately, and until when it trusts them: an extension reports the
# same applications sync after sync (every two hours), and a write that would
# change nothing costs a transaction. Volatile, bounded (a few MB) and
# short-lived, so that rows deleted meanwhile (discovery turned off and on
# again within a month) are written again within three hours.
_recently_recorded: dict[int, float] = {}
RECENTLY_RECORDED_SECONDS = 3 * 60 * 60.0
_RECENTLY_RECORDED_MAX = 50_000


def discovery_people_forget(organization: Organization) -> None:
    """Deletes who used which application in the organization's open month,
    as turning discovery off does; the closed months' anonymous counts stay."""
    ApplicationUser.objects.filter(organization=organization).delete()


@dataclass(frozen=True)
class DiscoveryRows:
    """The (organization, month, application, user) rows of one batch that
    this process has not recorded lately, and their memo keys."""

    organization_id: int
    month: dt.date
    user_id: UUID
    application_ids: list[int]
    keys: list[int]


def discovery_rows(
    *, organization: Organization, user: User, hosts: Collection[str]
) -> DiscoveryRows | None:
    """The rows that count `user_id` among this month's users of the catalog
    applications that `hosts` (normalized hosts that matched no contract)
    belong to, or None when there is nothing to write.

    None at once, without a query, when the organization's discovery is off
    or its tracking paused, or when the person does not count toward
    discovery (an admin of the organization, an unverified address; see
    selectors.user_counts_toward_discovery). Otherwise reads the catalog
    table (a query only on a cache miss) and drops, in memory, hosts of no
    catalog application and the applications this process recorded for the
    person in the last three hours. Visits count in the UTC month they are
    reported in. The first call of a process in a new month closes the
    months before it (discovery_months_close), so that nobody stays linked
    to an application past the month even if the scheduled command does not
    run.

    The caller writes the rows (discovery_sql.application_users_insert, or
    in the activity INSERT of the batch on PostgreSQL) and then passes them
    to discovery_rows_written.
    """
    if (
        not organization.discovery_enabled
        or organization.tracking_paused
        or not hosts
        or not selectors.user_counts_toward_discovery(user=user)
    ):
        return None
    user_id = user.pk
    table = selectors.application_table()
    application_ids = {
        application_id
        for host in hosts
        if (application_id := application_match(table, host)) is not None
    }
    if not application_ids:
        return None
    month = clock.current_month()
    discovery_months_close_due()
    now = time.monotonic()
    unrecorded, keys = [], []
    for application_id in sorted(application_ids):
        key = hash((organization.pk, month, user_id, application_id))
        if _recently_recorded.get(key, 0.0) < now:
            unrecorded.append(application_id)
            keys.append(key)
    if not unrecorded:
        return None
    return DiscoveryRows(
        organization_id=organization.pk,
        month=month,
        user_id=user_id,
        application_ids=unrecorded,
        keys=keys,
    )


def discovery_rows_written(*, rows: DiscoveryRows) -> None:
    """Remembers, for three hours, that this process wrote `rows`."""
    if len(_recently_recorded) > _RECENTLY_RECORDED_MAX:
        _recently_recorded.clear()
    until = time.monotonic() + RECENTLY_RECORDED_SECONDS
    for key in rows.keys:
        _recently_recorded[key] = until


def discovery_rows_insert(*, rows: DiscoveryRows) -> None:
    """Writes `rows` in a statement of their own, which commits alone."""
    discovery_sql.application_users_insert(
        organization_id=rows.organization_id,
        month=rows.month,
        user_id=rows.user_id,
        application_ids=rows.application_ids,
    )
    discovery_rows_written(rows=rows)


def discovery_months_close_due() -> None:
    """Closes the months that have ended, once per process and month: the
    first batch of a month in each worker and the first read of the report
    do it, so that a month's figures exist as soon as it has ended, whether
    or not `close_discovery_months` has run yet."""
    global _closed_before
    month = clock.current_month()
    if _closed_before != month:
        discovery_months_close(before=month)
        _closed_before = month


def discovery_months_close(*, before: dt.date | None = None) -> int:
    """Closes every month before `before` (default: the current UTC month).

    Each (organization, month, application) keeps one anonymous count of its
    distinct users, and the rows that said who they were are deleted in the
    same transaction. Only people who still count toward discovery when the
    month closes are counted: a member made an admin since, or deactivated,
    is not. Rows are locked as they are read, so that two closers
    at once count each row once. Returns how many rows were closed; safe to
    run any number of times.
    """
    before = before or clock.current_month()
    with transaction.atomic():
        rows = list(
            ApplicationUser.objects.filter(month__lt=before)
            .select_for_update(of=("self",))
            .order_by()
            .values_list(
                "pk",
                "organization_id",
                "month",
                "application_id",
                "user__role",
                "user__email_verified_at",
                "user__is_active",
            )
        )
        if not rows:
            return 0
        counts = Counter(
            (org_id, month, app_id)
            for _, org_id, month, app_id, role, verified_at, active in rows
            if selectors.counts_toward_discovery(
                role=role, email_verified_at=verified_at, is_active=active
            )
        )
        for (organization_id, month, application_id), users in counts.items():
            # A count, once made, is never changed: rows of a sync that raced
            # the month's end would otherwise raise it after it was shown,
            # and the difference would be that one person.
            ApplicationMonth.objects.get_or_create(
                organization_id=organization_id,
                month=month,
                application_id=application_id,
                defaults={"active_users": users},
            )
        pks = [row[0] for row in rows]
        for start in range(0, len(pks), _CLOSE_BATCH):
            ApplicationUser.objects.filter(
                pk__in=pks[start : start + _CLOSE_BATCH]
            ).delete()
    return len(rows)


@dataclass(frozen=True)
class ApplicationsImported:
    created: int
    updated: int
    unchanged: int


def applications_import(*, entries: list[CatalogEntry]) -> ApplicationsImported:
    """Creates or updates catalog applications by name, all or none.

    Applications the file does not name are kept. A domain that another
    application already has is refused, naming both, so that matching never
    depends on which of the two was loaded first. Audited as the system.
    """
    with transaction.atomic():
        existing = {app.name: app for app in Application.objects.select_for_update()}
        named = {entry.name for entry in entries}
        owners = {
            domain: app.name
            for app in existing.values()
            if app.name not in named
            for domain in (app.domains if isinstance(app.domains, list) else [])
        }
        clashes = [
            f"{entry.name}: {domain} already belongs to {owners[domain]}."
            for entry in entries
            for domain in entry.domains
            if domain in owners
        ]
        if clashes:
            raise DomainError(" ".join(["The catalog was not changed.", *clashes[:10]]))
        created = updated = unchanged = 0
        for entry in entries:
            values = {
                "vendor": entry.vendor,
                "category": entry.category,
                "domains": entry.domains,
            }
            application = existing.get(entry.name)
            if application is None:
                Application.objects.create(name=entry.name, **values)
                created += 1
            elif any(
                getattr(application, field) != value for field, value in values.items()
            ):
                for field, value in values.items():
                    setattr(application, field, value)
                application.save()
                updated += 1
            else:
                unchanged += 1
        audit_record(
            action=AuditAction.APPLICATIONS_IMPORTED,
            target="applications",
            details={"created": created, "updated": updated, "unchanged": unchanged},
        )
    return ApplicationsImported(created, updated, unchanged)


# Distinguishes "owner_id left out" from "owner_id: null" (no owner).
UNCHANGED = object()


def _decision_owner(*, organization: Organization, owner_id: object) -> User | None:
    if owner_id is None:
        return None
    owner: User | None = User.objects.filter(
        organization=organization, is_active=True, pk=owner_id
    ).first()
    if owner is None:
        raise InvalidFields(
            {
                "owner_id": [
                    f"No active user of {organization.company_name} has the id "
                    f"{owner_id}."
                ]
            }
        )
    return owner


def application_decide(
    *,
    organization: Organization,
    application_id: int,
    actor: User,
    state: str | None = None,
    note: str | None = None,
    owner_id: object = UNCHANGED,
) -> selectors.DecidedApplication:
    """Sets a discovered application's state, note or owner, audited.

    Only an application the organization's discovery reported (at or above
    its threshold in a closed month) can be decided on; any other id is the
    same 404, so that the answer reveals nothing below the threshold. A
    state moves along NEXT_STATES; the same state again changes nothing.
    """
    application = selectors.application_discovered(
        organization=organization, application_id=application_id
    )
    if application is None:
        raise NotFound(
            f"Your organization's discovery has not reported an application "
            f"with the id {application_id}. Decide on applications listed by "
            "GET discovered-apps."
        )
    with transaction.atomic():
        decision, _ = ApplicationDecision.objects.select_for_update().get_or_create(
            organization=organization, application=application
        )
        changed: dict[str, object] = {}
        if state is not None and state != decision.state:
            allowed = NEXT_STATES[decision.state]
            if state not in allowed:
                raise Conflict(
                    f"{application.name} is {decision.state}: it can move to "
                    f"{', '.join(allowed)}, not to {state}.",
                    code=ErrorCode.STATE_NOT_ALLOWED,
                )
            changed["state"] = {"from": decision.state, "to": state}
            decision.state = state
        if note is not None and note != decision.note:
            changed["note"] = True
            decision.note = note
        if owner_id is not UNCHANGED:
            owner = _decision_owner(organization=organization, owner_id=owner_id)
            if (owner.pk if owner else None) != decision.owner_id:
                changed["owner"] = owner.email if owner else None
                decision.owner = owner
        if changed:
            decision.decided_by = actor
            decision.decided_at = clock.now()
            decision.save()
            audit_record(
                action=AuditAction.APPLICATION_DECIDED,
                organization=organization,
                actor=actor,
                target=application.name,
                details={"application_id": application.pk, **changed},
            )
    return selectors.application_decision_get(
        organization=organization, application=application
    )
