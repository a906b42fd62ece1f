"""Spend by department for one UTC month: each contract's month cost shared
among the departments of its active users (chargeback)."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count

from accounts.models import Organization
from analytics import metrics
from analytics.selectors.activity import organization_contracts, organization_data_since
from contracts.currencies import converted
from contracts.models import Contract
from contracts.selectors import exchange_rates_for_month
from contracts.terms import PricingModel
from procure_site import clock
from procure_site.db_router import reads_from_replica
from procure_site.exceptions import DomainError
from url_visits.models import MonthlyActivity

CENT = Decimal("0.01")
NO_DEPARTMENT = ""


@dataclass(frozen=True)
class DepartmentSpend:
    department: str
    active_users: int
    spend: Decimal


@dataclass(frozen=True)
class SpendByDepartmentReport:
    organization_id: str
    company_name: str
    month: str
    data_since: date
    coverage: str
    coverage_note: str | None
    currency: str
    unconverted: list[str]
    total_spend: Decimal
    departments: list[DepartmentSpend]
    unused_seats: Decimal | None
    unused_contracts: Decimal | None


def month_cost(annual_spend: Decimal) -> Decimal:
    """A twelfth of the annual spend, to the cent (half up)."""
    return (annual_spend / 12).quantize(CENT, rounding=ROUND_HALF_UP)


def _shares(amount: Decimal, weights: dict[str, int]) -> dict[str, Decimal]:
    """`amount` split in proportion to `weights`, in cents that add up to it
    exactly: each share rounded down, the cents left over going to the
    largest remainders (ties by name)."""
    total = sum(weights.values())
    cents = int(amount / CENT)
    exact = {name: Decimal(cents * weight) / total for name, weight in weights.items()}
    floors = {name: int(value) for name, value in exact.items()}
    left = cents - sum(floors.values())
    order = sorted(exact, key=lambda name: (-(exact[name] - floors[name]), name))
    for name in order[:left]:
        floors[name] += 1
    return {name: Decimal(count) * CENT for name, count in floors.items()}


@reads_from_replica
def spend_by_department(
    *, organization: Organization, month: date | None = None
) -> SpendByDepartmentReport:
    """Each contract in force in the month costs a twelfth of its annual
    spend. A per-seat contract's cost of unused seats (its estimated waste
    for the month) is not allocated: it is `unused_seats`. The rest is
    shared among the departments of its active users, equally per active
    user (people without a department count under ""). A contract nobody
    used adds its whole cost to `unused_contracts`. Departments, unused seats
    and unused contracts add up to `total_spend` to the cent.

    A month proCure has no data for (coverage none) allocates nothing:
    departments are empty and the unused figures null.
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
    contracts = organization_contracts(organization=organization, in_force_on=first_day)
    # Costs in the reporting currency, converted with the rates of the
    # month's last day (today for the current month); a contract in a
    # currency without a rate is left out and its currency named.
    rates = exchange_rates_for_month(
        organization=organization, month=first_day, today=today
    )
    unconverted = sorted({c.currency for c in contracts if c.currency not in rates})
    contracts = [c for c in contracts if c.currency in rates]

    def cost_of(contract: Contract) -> Decimal:
        return month_cost(
            converted(contract.annual_spend, rates[contract.currency].rate)
        )

    users: dict[int, dict[str, int]] = defaultdict(dict)
    rows = (
        MonthlyActivity.objects.filter(organization=organization, month=first_day)
        .order_by()
        .values("contract_id", "user__department")
        .annotate(active_users=Count("*"))
    )
    for row in rows:
        users[row["contract_id"]][row["user__department"]] = row["active_users"]
    total = sum((cost_of(c) for c in contracts), Decimal("0.00"))
    known = coverage.coverage != metrics.NONE
    spend: dict[str, Decimal] = defaultdict(Decimal)
    # Distinct people per department active on any of these contracts.
    people = dict(
        MonthlyActivity.objects.filter(
            organization=organization,
            month=first_day,
            contract_id__in=[contract.id for contract in contracts],
        )
        .order_by()
        .values_list("user__department")
        .annotate(Count("user_id", distinct=True))
    )
    unused_seats = Decimal("0.00")
    unused_contracts = Decimal("0.00")
    for contract in contracts if known else []:
        cost = cost_of(contract)
        by_department = users.get(contract.id, {})
        active = sum(by_department.values())
        waste = Decimal("0.00")
        if contract.pricing_model == PricingModel.PER_SEAT and contract.num_seats:
            unused = metrics.unused_seats(active_users=active, seats=contract.num_seats)
            waste = (cost * unused / contract.num_seats).quantize(
                CENT, rounding=ROUND_HALF_UP
            )
        unused_seats += waste
        if active == 0:
            unused_contracts += cost - waste
            continue
        for department, share in _shares(cost - waste, by_department).items():
            spend[department] += share
    departments = sorted(
        (
            DepartmentSpend(
                department=name, active_users=people.get(name, 0), spend=amount
            )
            for name, amount in spend.items()
        ),
        key=lambda row: (-row.spend, row.department),
    )
    return SpendByDepartmentReport(
        organization_id=organization.public_id,
        company_name=organization.company_name,
        month=clock.format_month(first_day),
        data_since=data_since,
        coverage=coverage.coverage,
        coverage_note=coverage.note,
        currency=organization.reporting_currency,
        unconverted=unconverted,
        total_spend=total,
        departments=departments,
        unused_seats=unused_seats if known else None,
        unused_contracts=unused_contracts if known else None,
    )
