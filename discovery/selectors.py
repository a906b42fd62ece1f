"""Reads behind discovery: the catalog's match table and the monthly report."""

import datetime as dt
import hashlib
import time
from collections import Counter
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Min

from accounts.models import Organization, Role, User
from contracts.hosts import InvalidHost, host_and_parents
from contracts.models import Contract
from discovery.catalog import ApplicationTable, application_table_build, catalog_domain
from discovery.models import (
    Application,
    ApplicationDecision,
    ApplicationMonth,
    ApplicationState,
)
from procure_site import clock
from procure_site.error_codes import ErrorCode
from procure_site.exceptions import DomainError

# The catalog changes rarely (the import command, the Django admin), and each
# change deletes this key (discovery/signals.py), so the timeout only bounds
# how long a table built by older code can outlive a deploy.
APPLICATION_TABLE_KEY = "discovery:application_table:v1"
APPLICATION_TABLE_TIMEOUT_SECONDS = 24 * 60 * 60
APPLICATION_TABLE_DIGEST_KEY = "discovery:application_table_digest:v1"
# An application used by fewer people than this is never reported, whatever
# the organization sets: one person's use would be theirs alone.
MIN_USERS_FLOOR = 2


# Each worker also keeps the table it read for a minute: reading it from the
# cache costs more than matching a whole batch against it (unpickling ~600
# entries), so a catalog change reaches other workers within a minute.
LOCAL_TABLE_SECONDS = 60.0
_local_table: tuple[float, ApplicationTable] | None = None


def application_table() -> ApplicationTable:
    """The catalog's domain → application id table, cached for every worker.

    A cache hit costs no query and a miss costs one.
    """
    global _local_table
    now = time.monotonic()
    if _local_table is not None and _local_table[0] > now:
        return _local_table[1]
    table: ApplicationTable | None = cache.get(APPLICATION_TABLE_KEY)
    if table is None:
        table = application_table_build(
            Application.objects.order_by().values_list("id", "domains")
        )
        cache.set(APPLICATION_TABLE_KEY, table, APPLICATION_TABLE_TIMEOUT_SECONDS)
    _local_table = (now + LOCAL_TABLE_SECONDS, table)
    return table


def application_table_forget() -> None:
    """Drops the catalog table from the cache and from this worker's memory."""
    global _local_table
    _local_table = None
    cache.delete_many([APPLICATION_TABLE_KEY, APPLICATION_TABLE_DIGEST_KEY])


def application_table_digest() -> str:
    """A short digest of the catalog's match table, cached like the table,
    so that a list built from the catalog can be validated without a query."""
    digest: str | None = cache.get(APPLICATION_TABLE_DIGEST_KEY)
    if digest is None:
        table = application_table()
        state = ",".join(f"{host}={app_id}" for host, app_id in sorted(table.items()))
        digest = hashlib.sha256(state.encode()).hexdigest()[:16]
        cache.set(
            APPLICATION_TABLE_DIGEST_KEY, digest, APPLICATION_TABLE_TIMEOUT_SECONDS
        )
    return digest


def counts_toward_discovery(
    *, role: str, email_verified_at: dt.datetime | None, is_active: bool
) -> bool:
    """Whether a person with these fields counts among an application's users.

    Only active members with a verified address count: the organization's
    admins read the report and could otherwise push an application over the
    threshold themselves (their own visit plus one member's is "2 people"),
    and an unverified sign-up needs no mailbox, so anyone could add one.
    """
    return role == Role.MEMBER and email_verified_at is not None and is_active


def user_counts_toward_discovery(*, user: User) -> bool:
    """`counts_toward_discovery` for a loaded user: no query."""
    return counts_toward_discovery(
        role=user.role,
        email_verified_at=user.email_verified_at,
        is_active=user.is_active,
    )


def discovery_last_closed_month() -> dt.date:
    """The latest month whose counts are final: the month before this one."""
    return clock.previous_month(clock.current_month())


def discovery_threshold(*, organization: Organization) -> int:
    """The fewest distinct users an application needs to be reported."""
    return max(MIN_USERS_FLOOR, organization.discovery_min_users)


def contract_template(*, name: str, domains: list[str]) -> dict[str, object]:
    """The fields of `POST /contracts` that make an application a contract."""
    return {
        "vendor_name": name,
        "product_url": f"https://{domains[0]}" if domains else "",
        "extra_hosts": domains[1:],
    }


@dataclass(frozen=True)
class Decision:
    """What the admins decided about an application; `new` without a row."""

    state: str = ApplicationState.NEW
    note: str = ""
    owner_id: str | None = None
    owner_email: str | None = None
    decided_by: str | None = None
    decided_at: dt.datetime | None = None


def _decision_of(row: ApplicationDecision) -> Decision:
    return Decision(
        state=row.state,
        note=row.note,
        owner_id=str(row.owner_id) if row.owner_id else None,
        owner_email=row.owner.email if row.owner else None,
        decided_by=row.decided_by.email if row.decided_by else None,
        decided_at=row.decided_at,
    )


def application_decisions(
    *, organization: Organization, application_ids: set[int] | None = None
) -> dict[int, Decision]:
    """The organization's decisions by application id (one query)."""
    rows = ApplicationDecision.objects.filter(organization=organization).select_related(
        "owner", "decided_by"
    )
    if application_ids is not None:
        rows = rows.filter(application_id__in=application_ids)
    return {row.application_id: _decision_of(row) for row in rows}


@dataclass(frozen=True)
class DiscoveredApplication:
    application_id: int
    name: str
    vendor: str
    category: str
    domains: list[str]
    active_users: int
    first_seen_month: dt.date
    has_contract: bool
    decision: Decision = Decision()

    @property
    def contract(self) -> dict[str, object]:
        """The fields of `POST /contracts` that make this row a contract."""
        return contract_template(name=self.name, domains=self.domains)


@dataclass(frozen=True)
class DiscoveryReport:
    organization: Organization
    month: dt.date
    min_users: int
    applications: list[DiscoveredApplication]


def _month_counts(*, organization: Organization, month: dt.date) -> Counter[int]:
    """Distinct users per application in one closed month: its anonymous
    counts."""
    counts: Counter[int] = Counter()
    closed = ApplicationMonth.objects.filter(organization=organization, month=month)
    for application_id, active_users in closed.values_list(
        "application_id", "active_users"
    ):
        counts[application_id] += active_users
    return counts


def _first_months(
    *, organization: Organization, application_ids: set[int], threshold: int
) -> dict[int, dt.date]:
    """The first closed month in which each application reached the
    threshold."""
    return dict(
        ApplicationMonth.objects.filter(
            organization=organization,
            application_id__in=application_ids,
            active_users__gte=threshold,
        )
        .values("application_id")
        .annotate(first=Min("month"))
        .order_by()
        .values_list("application_id", "first")
    )


def _contract_hosts(*, organization: Organization) -> set[str]:
    """The hosts the organization's contracts claim, bare domains widened to
    their registrable domain as matching does."""
    hosts: set[str] = set()
    rows = Contract.objects.filter(organization=organization).values_list(
        "product_url", "extra_hosts"
    )
    for product_url, extra_hosts in rows:
        candidates = [
            product_url,
            *(extra_hosts if isinstance(extra_hosts, list) else []),
        ]
        for candidate in candidates:
            try:
                hosts.add(catalog_domain(str(candidate)))
            except InvalidHost:
                continue
    return hosts


def discovered_applications(
    *, organization: Organization, month: dt.date | None = None
) -> DiscoveryReport:
    """The catalog applications that at least the organization's threshold of
    distinct people used in `month` (default: the last closed month), most
    used first.

    Only closed months are reported. The open month's figures change with
    each person's sync, so an admin who watched them around one person's
    sync would learn what that person used, whatever the threshold; and a
    coarser figure still moves at the moment of that sync. A closed month's
    count is fixed once, for everyone at once. DomainError for the open
    month or a later one.

    An application `has_contract` when a contract of the organization claims
    one of its domains or a parent of one, so that its visits now count
    towards that contract. Each row carries the admins' decision about it.
    Costs seven queries whatever the number of rows (two when nothing
    reaches the threshold).
    """
    last_closed = discovery_last_closed_month()
    month = month or last_closed
    if month > last_closed:
        raise DomainError(
            f"{clock.format_month(month)} is not closed yet: discovery reports a "
            "month once it has ended, so that nobody's use can be read from "
            "counts that change as people sync. The latest month you can ask for "
            f"is {clock.format_month(last_closed)}.",
            code=ErrorCode.MONTH_NOT_CLOSED,
        )
    threshold = discovery_threshold(organization=organization)
    counts = _month_counts(organization=organization, month=month)
    reported = {app_id for app_id, users in counts.items() if users >= threshold}
    if not reported:
        return DiscoveryReport(organization, month, threshold, [])
    first_months = _first_months(
        organization=organization, application_ids=reported, threshold=threshold
    )
    contract_hosts = _contract_hosts(organization=organization)
    applications = Application.objects.filter(pk__in=reported).only(
        "name", "vendor", "category", "domains"
    )
    decisions = application_decisions(
        organization=organization, application_ids=reported
    )
    rows = [
        DiscoveredApplication(
            application_id=application.pk,
            name=application.name,
            vendor=application.vendor,
            category=application.category,
            domains=list(application.domains),
            active_users=counts[application.pk],
            first_seen_month=first_months.get(application.pk, month),
            has_contract=any(
                parent in contract_hosts
                for domain in application.domains
                for parent in host_and_parents(str(domain))
            ),
            decision=decisions.get(application.pk, Decision()),
        )
        for application in applications
    ]
    rows.sort(key=lambda row: (-row.active_users, row.name.lower()))
    return DiscoveryReport(organization, month, threshold, rows)


def application_discovered(
    *, organization: Organization, application_id: int
) -> Application | None:
    """The catalog application if the organization's discovery reported it:
    at least its threshold of people used it in a closed month. None
    otherwise, whether nobody or too few people used it, so that the answer
    says nothing about anyone below the threshold."""
    reached = ApplicationMonth.objects.filter(
        organization=organization,
        application_id=application_id,
        active_users__gte=discovery_threshold(organization=organization),
    )
    if not reached.exists():
        return None
    return Application.objects.filter(pk=application_id).first()


@dataclass(frozen=True)
class DecidedApplication:
    """An application the organization discovered, with the admins' decision
    and never a count of its users."""

    application_id: int
    name: str
    vendor: str
    category: str
    domains: list[str]
    decision: Decision

    @property
    def contract(self) -> dict[str, object] | None:
        """The contract template, offered once the application is sanctioned."""
        if self.decision.state != ApplicationState.SANCTIONED:
            return None
        return contract_template(name=self.name, domains=self.domains)


def application_decision_get(
    *, organization: Organization, application: Application
) -> DecidedApplication:
    decision = application_decisions(
        organization=organization, application_ids={application.pk}
    ).get(application.pk, Decision())
    return DecidedApplication(
        application_id=application.pk,
        name=application.name,
        vendor=application.vendor,
        category=application.category,
        domains=list(application.domains),
        decision=decision,
    )


@dataclass(frozen=True)
class DiscoveryNews:
    """What a digest says about discovery: the applications that first
    reached the threshold in the month that closed during its period, and
    the not_sanctioned ones that gained users in it. Counts only, each at or
    above the threshold, as the report shows them."""

    month: dt.date | None = None
    new: tuple[DiscoveredApplication, ...] = ()
    not_sanctioned_growing: tuple[DiscoveredApplication, ...] = ()


def discovery_news(
    *, organization: Organization, today: dt.date, period_days: int
) -> DiscoveryNews:
    """Discovery's news for a digest of `period_days` sent `today`.

    A month's counts are fixed when it closes, on the 1st of the next month,
    so each month's news belongs to the one digest whose period holds that
    1st: a later digest would repeat it.
    """
    closed_on = clock.month_start(today)
    if not today - dt.timedelta(days=period_days) < closed_on <= today:
        return DiscoveryNews()
    month = clock.previous_month(closed_on)
    report = discovered_applications(organization=organization, month=month)
    if not report.applications:
        return DiscoveryNews(month=month)
    earlier = _month_counts(
        organization=organization, month=clock.previous_month(month)
    )
    return DiscoveryNews(
        month=month,
        new=tuple(row for row in report.applications if row.first_seen_month == month),
        not_sanctioned_growing=tuple(
            row
            for row in report.applications
            if row.decision.state == ApplicationState.NOT_SANCTIONED
            and row.active_users > earlier.get(row.application_id, 0)
        ),
    )
