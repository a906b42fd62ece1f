"""Reads behind the analytics endpoints and the usage_report command.

Each report costs a fixed number of queries whatever the number of contracts
or users: one for the organization's contracts and one aggregate grouped by
contract (and month). Monthly active users are counted from MonthlyActivity
and inactive users and renewals' recently active users read from
LatestActivity, the rollups that ingestion keeps beside Activity, so that no
report reads every day of a year (or a month) of activity.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from uuid import UUID

from django.conf import settings
from django.db.models import CharField, Count, Max, Min, OuterRef, QuerySet, Subquery
from django.db.models.functions import Cast, Lower

from accounts.models import Organization, User
from analytics import metrics
from contracts.models import Contract
from procure_site import clock
from procure_site.db_router import reads_from_replica
from procure_site.exceptions import DomainError, NotFound
from url_visits.models import Activity, LatestActivity, MonthlyActivity
from url_visits.services import activity_cutoff_day

# Renewal advice looks at a rolling window rather than the calendar month, so
# that it means the same on the 1st of a month as on the 30th.
RENEWAL_USAGE_DAYS = 30


def organization_data_since(*, organization: Organization) -> date:
    """The first UTC day proCure has usage data for the organization.

    Tracking starts when the organization is created, unless activity was
    recorded (imported, seeded) earlier; and nothing older than
    ACTIVITY_RETENTION_DAYS is kept, so days before that limit are not
    covered either. Before this day a contract without activity is unknown,
    not unused.
    """
    first_activity = Activity.objects.filter(organization=organization).aggregate(
        first=Min("day")
    )["first"]
    tracking_start = organization.created_at.astimezone(UTC).date()
    since = min(tracking_start, first_activity or tracking_start)
    retained_from = activity_cutoff_day(
        older_than_days=settings.ACTIVITY_RETENTION_DAYS
    )
    return max(since, retained_from)


def _contracts(
    *, organization: Organization, contract_id: int | None = None
) -> list[Contract]:
    """The organization's contracts by vendor name, or the one asked for."""
    contracts = (
        Contract.objects.for_organization(organization)
        .only("id", "vendor_name", "num_seats", "annual_spend", "expire_at")
        .order_by(Lower("vendor_name"), "vendor_name", "id")
    )
    if contract_id is None:
        return list(contracts)
    found = list(contracts.filter(pk=contract_id))
    if not found:
        raise NotFound(f"This organization has no contract with the id {contract_id}.")
    return found


def _recently_active_users_by_contract(
    *, organization: Organization, since: date
) -> dict[int, int]:
    """Users per contract id whose last day of use is `since` or later: those
    with activity on a day from `since` to today.

    Counted from LatestActivity, one row per user and contract, as a range of
    its (organization, last_day) index: the cost is the number of people in
    the window, not the number of days they were active. Counting distinct
    users in Activity took 1.5 s on the benchmark's large organization, whose
    last 30 days hold 660,000 activity rows.
    """
    rows = (
        LatestActivity.objects.filter(organization=organization, last_day__gte=since)
        .order_by()
        .values("contract_id")
        .annotate(active_users=Count("user_id"))
    )
    return {row["contract_id"]: row["active_users"] for row in rows}


def _monthly_active_users(
    *,
    organization: Organization,
    first_month: date,
    end_month: date,
    contract_id: int | None = None,
) -> dict[tuple[int, date], int]:
    """Active users per (contract id, month) for months in [first_month,
    end_month), from the monthly rollup: one row per user, contract and
    month, so a count of rows is a count of distinct users."""
    rows = MonthlyActivity.objects.filter(
        organization=organization, month__gte=first_month, month__lt=end_month
    ).order_by()
    if contract_id is not None:
        rows = rows.filter(contract_id=contract_id)
    counts = rows.values("contract_id", "month").annotate(active_users=Count("*"))
    return {(row["contract_id"], row["month"]): row["active_users"] for row in counts}


# Contract usage for one month.


@dataclass(frozen=True)
class ContractUsage:
    contract_id: int
    vendor_name: str
    active_users: int
    total_seats: int
    annual_spend: Decimal
    utilization: Decimal | None
    unused_seats: int | None
    cost_per_active_user: Decimal | None
    estimated_waste: Decimal | None


@dataclass(frozen=True)
class UsageTotals:
    annual_spend: Decimal
    estimated_waste: Decimal | None


@dataclass(frozen=True)
class ContractUsageReport:
    organization_id: str
    company_name: str
    month: str
    data_since: date
    coverage: str
    coverage_note: str | None
    contracts: list[ContractUsage]
    totals: UsageTotals


@reads_from_replica
def contract_usage(
    *, organization: Organization, month: date | None = None
) -> ContractUsageReport:
    """Active users against seats and spend for every contract, in one UTC month.

    `month` is any day of the month; the current UTC month when None; a
    month that has not started is refused. Every contract of the
    organization is listed, those nobody used with 0 active users. The totals
    add up the rows; contracts without seats have no estimated waste and add
    nothing to it.

    A month proCure has no data for (before `data_since`) has no
    utilization, unused seats, cost per user or waste, rather than 100%
    waste, and says so in `coverage_note`; a month covered in part is
    marked `partial`.
    """
    today = clock.today()
    first_day = clock.month_start(month or today)
    refusal = metrics.future_month_refusal(month=first_day, today=today)
    if refusal is not None:
        raise DomainError(refusal)
    data_since = organization_data_since(organization=organization)
    coverage = metrics.month_coverage(
        month=first_day, data_since=data_since, today=today
    )
    known = coverage.coverage != metrics.NONE
    contracts = _contracts(organization=organization)
    active = _monthly_active_users(
        organization=organization,
        first_month=first_day,
        end_month=clock.add_months(first_day, 1),
    )
    rows = []
    for contract in contracts:
        users = active.get((contract.id, first_day), 0)
        seats = contract.num_seats
        spend = contract.annual_spend
        rows.append(
            ContractUsage(
                contract_id=contract.id,
                vendor_name=contract.vendor_name,
                active_users=users,
                total_seats=seats,
                annual_spend=spend,
                utilization=metrics.utilization(active_users=users, seats=seats)
                if known
                else None,
                unused_seats=metrics.unused_seats(active_users=users, seats=seats)
                if known
                else None,
                cost_per_active_user=metrics.cost_per_active_user(
                    annual_spend=spend, active_users=users
                ),
                estimated_waste=metrics.estimated_waste(
                    annual_spend=spend, seats=seats, active_users=users
                )
                if known
                else None,
            )
        )
    totals = UsageTotals(
        annual_spend=sum((row.annual_spend for row in rows), Decimal("0.00")),
        estimated_waste=sum(
            (row.estimated_waste for row in rows if row.estimated_waste is not None),
            Decimal("0.00"),
        )
        if known
        else None,
    )
    return ContractUsageReport(
        organization_id=organization.public_id,
        company_name=organization.company_name,
        month=clock.format_month(first_day),
        data_since=data_since,
        coverage=coverage.coverage,
        coverage_note=coverage.note,
        contracts=rows,
        totals=totals,
    )


# Monthly active users over several months.


@dataclass(frozen=True)
class MonthlyActiveUsers:
    month: str
    active_users: int
    coverage: str


@dataclass(frozen=True)
class ContractTrend:
    contract_id: int
    vendor_name: str
    total_seats: int
    months: list[MonthlyActiveUsers]


@dataclass(frozen=True)
class UsageTrendReport:
    organization_id: str
    company_name: str
    months: list[str]
    data_since: date
    contracts: list[ContractTrend]


@reads_from_replica
def contract_usage_trend(
    *,
    organization: Organization,
    months: int,
    contract_id: int | None = None,
    last_month: date | None = None,
) -> UsageTrendReport:
    """Monthly active users per contract over the last `months` UTC months.

    The current month is the last one, or `last_month` (the staff console's
    chosen month). Every month is listed for every
    contract, 0 when nobody used it, with how much of it proCure has data
    for: a 0 in a month of coverage `none` means unknown, not unused. With
    `contract_id`, that contract only (404 when the organization has no such
    contract).
    """
    today = clock.today()
    month_starts = clock.recent_months(current=last_month or today, count=months)
    contracts = _contracts(organization=organization, contract_id=contract_id)
    data_since = organization_data_since(organization=organization)
    coverage = {
        month: metrics.month_coverage(
            month=month, data_since=data_since, today=today
        ).coverage
        for month in month_starts
    }
    active = _monthly_active_users(
        organization=organization,
        first_month=month_starts[0],
        end_month=clock.add_months(month_starts[-1], 1),
        contract_id=contract_id,
    )
    return UsageTrendReport(
        organization_id=organization.public_id,
        company_name=organization.company_name,
        months=[clock.format_month(month) for month in month_starts],
        data_since=data_since,
        contracts=[
            ContractTrend(
                contract_id=contract.id,
                vendor_name=contract.vendor_name,
                total_seats=contract.num_seats,
                months=[
                    MonthlyActiveUsers(
                        month=clock.format_month(month),
                        active_users=active.get((contract.id, month), 0),
                        coverage=coverage[month],
                    )
                    for month in month_starts
                ],
            )
            for contract in contracts
        ],
    )


# Users who stopped using a contract.


# One idle seat: (user_id, email, last_active_day). A plain tuple on
# purpose. A large organization has tens of thousands of idle seats, and the
# garbage collector stops tracking a plain tuple of strings and a date at its
# first pass, but keeps tracking dataclass and named-tuple instances: those
# made a full collection in most requests (26,312 seats: about 110 ms of a
# 300 ms request).
InactiveUser = tuple[str, str, date]


@dataclass(frozen=True)
class ContractInactiveUsers:
    contract_id: int
    vendor_name: str
    total_seats: int
    inactive_user_count: int
    inactive_users: list[InactiveUser]


@dataclass(frozen=True)
class InactiveUsersReport:
    organization_id: str
    company_name: str
    days: int
    active_since: date
    contracts: list[ContractInactiveUsers]


def _uuid_text(value: str) -> str:
    """A user id read as text in its usual form.

    PostgreSQL gives a uuid cast to text in that form already, which is much
    cheaper than making a UUID per row and printing it; SQLite stores the 32
    hex digits only.
    """
    return value if "-" in value else str(UUID(value))


@reads_from_replica
def contract_inactive_users(
    *, organization: Organization, days: int, contract_id: int | None = None
) -> InactiveUsersReport:
    """Per contract, the users who used it before but not in the last `days` days.

    The last `days` days include today (UTC): with 30, activity on or after
    `active_since` = today - 29 days counts as recent. Their seats are the
    ones that can be reclaimed. Every contract is listed, longest idle users
    first; with `contract_id`, that contract only.
    """
    active_since = clock.today() - timedelta(days=days - 1)
    contracts = _contracts(organization=organization, contract_id=contract_id)
    latest = LatestActivity.objects.filter(
        organization=organization, last_day__lt=active_since
    )
    if contract_id is not None:
        latest = latest.filter(contract_id=contract_id)
    # Tuples rather than dicts: a large organization has tens of thousands
    # of idle seats, and building a dict per row costs more than the query.
    rows = latest.order_by("last_day", "user__email").values_list(
        "contract_id",
        Cast("user_id", output_field=CharField()),
        "user__email",
        "last_day",
    )
    by_contract: dict[int, list[InactiveUser]] = {}
    for contract_id, user_id, email, last_day in rows:
        by_contract.setdefault(contract_id, []).append(
            (_uuid_text(user_id), email, last_day)
        )
    return InactiveUsersReport(
        organization_id=organization.public_id,
        company_name=organization.company_name,
        days=days,
        active_since=active_since,
        contracts=[
            ContractInactiveUsers(
                contract_id=contract.id,
                vendor_name=contract.vendor_name,
                total_seats=contract.num_seats,
                inactive_user_count=len(by_contract.get(contract.id, [])),
                inactive_users=by_contract.get(contract.id, []),
            )
            for contract in contracts
        ],
    )


# Contracts coming up for renewal.


@dataclass(frozen=True)
class Renewal:
    contract_id: int
    vendor_name: str
    expire_at: datetime
    days_until_expiry: int
    annual_spend: Decimal
    total_seats: int
    active_users: int
    utilization: Decimal | None
    suggestion: str
    suggested_seats: int | None
    estimated_savings: Decimal
    reason: str


@dataclass(frozen=True)
class RenewalsReport:
    organization_id: str
    company_name: str
    within_days: int
    usage_days: int
    data_since: date
    contracts: list[Renewal]


@reads_from_replica
def contract_renewals(
    *, organization: Organization, within_days: int
) -> RenewalsReport:
    """Contracts expiring in the next `within_days` days, with renewal advice.

    A contract already expired is left out. Utilization and advice use the
    distinct users active in the last RENEWAL_USAGE_DAYS days (today
    included), not the calendar month, so that they do not drop at the start
    of every month. Soonest expiry first.
    """
    now = clock.now()
    today = clock.today()
    contracts = list(
        Contract.objects.for_organization(organization)
        .filter(expire_at__gte=now, expire_at__lte=now + timedelta(days=within_days))
        .only("id", "vendor_name", "num_seats", "annual_spend", "expire_at")
        .order_by("expire_at", Lower("vendor_name"), "id")
    )
    active = _recently_active_users_by_contract(
        organization=organization,
        since=today - timedelta(days=RENEWAL_USAGE_DAYS - 1),
    )
    data_since = organization_data_since(organization=organization)
    renewals = []
    for contract in contracts:
        users = active.get(contract.id, 0)
        expires_on = contract.expire_at.astimezone(UTC).date()
        advice = metrics.renewal_advice(
            vendor_name=contract.vendor_name,
            active_users=users,
            seats=contract.num_seats,
            annual_spend=contract.annual_spend,
            expires_on=expires_on,
            usage_days=RENEWAL_USAGE_DAYS,
            data_since=data_since,
            today=today,
        )
        renewals.append(
            Renewal(
                contract_id=contract.id,
                vendor_name=contract.vendor_name,
                expire_at=contract.expire_at,
                days_until_expiry=(expires_on - today).days,
                annual_spend=contract.annual_spend,
                total_seats=contract.num_seats,
                active_users=users,
                utilization=metrics.utilization(
                    active_users=users, seats=contract.num_seats
                ),
                suggestion=advice.suggestion,
                suggested_seats=advice.suggested_seats,
                estimated_savings=advice.estimated_savings,
                reason=advice.reason,
            )
        )
    return RenewalsReport(
        organization_id=organization.public_id,
        company_name=organization.company_name,
        within_days=within_days,
        usage_days=RENEWAL_USAGE_DAYS,
        data_since=data_since,
        contracts=renewals,
    )


def users_with_last_activity(*, users: QuerySet[User]) -> QuerySet[User]:
    """`users`, each with `last_activity`: the latest day they used any
    contract, or None. A subquery per listed row through the (user, contract,
    day) index, so a page of users costs one query."""
    latest_day = (
        Activity.objects.filter(user=OuterRef("pk")).order_by("-day").values("day")[:1]
    )
    return users.annotate(last_activity=Subquery(latest_day))


def organization_user_list(*, organization: Organization) -> QuerySet[User]:
    """The organization's users by email, each with `last_activity`. One query,
    however many users."""
    return users_with_last_activity(
        users=User.objects.filter(organization=organization)
    )


def organization_user_get(*, organization: Organization, user_id) -> User:
    """One user of the organization, as listed; another organization's is a 404."""
    user = organization_user_list(organization=organization).filter(pk=user_id).first()
    if user is None:
        raise NotFound(
            f"{organization.company_name} has no user with the id {user_id}."
        )
    return user


@reads_from_replica
def organization_last_activity_day(*, organization: Organization) -> date | None:
    """The last UTC day on which anyone's use of any contract was recorded,
    or None: whether the extension is reporting at all. One indexed read of
    the LatestActivity rollup."""
    latest = (
        LatestActivity.objects.filter(organization=organization)
        .order_by("-last_day")
        .values_list("last_day", flat=True)
        .first()
    )
    return latest


# The staff console's overview of every organization.


@dataclass(frozen=True)
class OrganizationOverview:
    organization: Organization
    annual_spend: Decimal
    # None where proCure has no data for the month: unknown, not zero.
    estimated_waste: Decimal | None
    last_activity_day: date | None


@reads_from_replica
def organizations_overview(*, month: date) -> list[OrganizationOverview]:
    """Every organization with the totals of its contract usage in `month` and
    the last day anyone's visits were recorded, most estimated waste first.

    Three queries per organization (its contracts, its monthly active users,
    its latest activity day through the (organization, last_day) index), so
    the page grows with the number of organizations, not with activity.
    """
    overviews = []
    for organization in Organization.objects.order_by("company_name"):
        totals = contract_usage(organization=organization, month=month).totals
        last_day = (
            LatestActivity.objects.filter(organization=organization)
            .order_by("-last_day")
            .values_list("last_day", flat=True)
            .first()
        )
        overviews.append(
            OrganizationOverview(
                organization=organization,
                annual_spend=totals.annual_spend,
                estimated_waste=totals.estimated_waste,
                last_activity_day=last_day,
            )
        )
    # Unknown waste ranks last, below any known amount.
    return sorted(
        overviews,
        key=lambda row: (row.estimated_waste is not None, row.estimated_waste or 0),
        reverse=True,
    )


@dataclass(frozen=True)
class RecentContractUse:
    vendor_name: str
    days_active: int
    last_day: date


@reads_from_replica
def user_recent_activity(*, user: User, days: int) -> list[RecentContractUse]:
    """Per contract, on how many of the last `days` UTC days (today included)
    `user` used it and when last, most used first. One query over at most
    `days` rows per contract, through the (user, contract, day) index."""
    since = clock.today() - timedelta(days=days - 1)
    rows = (
        Activity.objects.filter(user=user, day__gte=since)
        .values("contract__vendor_name")
        .annotate(days_active=Count("id"), last_day=Max("day"))
        .order_by("-days_active", "contract__vendor_name")
    )
    return [
        RecentContractUse(
            vendor_name=row["contract__vendor_name"],
            days_active=row["days_active"],
            last_day=row["last_day"],
        )
        for row in rows
    ]
