"""Contract usage for one UTC month: active users against seats and spend."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from accounts.models import Organization
from analytics import metrics
from analytics.selectors.activity import (
    monthly_active_users,
    organization_contracts,
    organization_data_since,
)
from contracts.currencies import Rate, converted
from contracts.selectors import exchange_rates_for_month
from contracts.terms import PricingModel
from procure_site import clock
from procure_site.db_router import reads_from_replica
from procure_site.exceptions import DomainError
from reclaims.selectors import ContractSavings, savings_by_contract


@dataclass(frozen=True)
class ContractUsage:
    contract_id: int
    vendor_name: str
    pricing_model: str
    currency: str
    active_users: int
    total_seats: int
    annual_spend: Decimal
    utilization: Decimal | None
    unused_seats: int | None
    cost_per_active_user: Decimal | None
    estimated_waste: Decimal | None
    # Seats removed through reclaims by the end of the month, and what they
    # save, in the contract's currency.
    seats_reclaimed: int = 0
    realized_savings: Decimal = Decimal("0.00")


@dataclass(frozen=True)
class UsageTotals:
    """In the organization's reporting currency, each contract's amounts
    converted with `rates`; contracts in a currency without a rate are left
    out and their currencies listed in `unconverted`."""

    annual_spend: Decimal
    estimated_waste: Decimal | None
    currency: str
    rates: list[Rate]
    unconverted: list[str]
    seats_reclaimed: int = 0
    realized_savings: Decimal = Decimal("0.00")


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
    organization in force in the month (contracts.terms.in_force: cancelled
    and expired contracts are left out) is listed, those nobody used with 0
    active users. The totals add up the rows; contracts without seats, or not
    priced per seat (flat or usage-based), have no utilization, unused seats
    or estimated waste and add nothing to it.

    Each row says how many of its seats were removed through reclaims by
    the end of the month and what they save (realized savings).

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
    contracts = organization_contracts(organization=organization, in_force_on=first_day)
    active = monthly_active_users(
        organization=organization,
        first_month=first_day,
        end_month=clock.add_months(first_day, 1),
    )
    reclaimed = savings_by_contract(
        organization=organization, before=clock.add_months(first_day, 1)
    )
    rows = []
    for contract in contracts:
        users = active.get((contract.id, first_day), 0)
        saved = reclaimed.get(contract.id, ContractSavings(0, Decimal("0.00")))
        seats = contract.num_seats
        spend = contract.annual_spend
        by_seat = known and contract.pricing_model == PricingModel.PER_SEAT
        rows.append(
            ContractUsage(
                contract_id=contract.id,
                vendor_name=contract.vendor_name,
                pricing_model=contract.pricing_model,
                currency=contract.currency,
                active_users=users,
                total_seats=seats,
                annual_spend=spend,
                utilization=metrics.utilization(active_users=users, seats=seats)
                if by_seat
                else None,
                unused_seats=metrics.unused_seats(active_users=users, seats=seats)
                if by_seat
                else None,
                cost_per_active_user=metrics.cost_per_active_user(
                    annual_spend=spend, active_users=users
                ),
                estimated_waste=metrics.estimated_waste(
                    annual_spend=spend, seats=seats, active_users=users
                )
                if by_seat
                else None,
                seats_reclaimed=saved.seats_reclaimed,
                realized_savings=saved.realized_savings,
            )
        )
    totals = usage_totals(
        organization=organization,
        rows=rows,
        known=known,
        rates=exchange_rates_for_month(
            organization=organization, month=first_day, today=today
        ),
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


def usage_totals(
    *,
    organization: Organization,
    rows: list[ContractUsage],
    known: bool,
    rates: dict[str, Rate],
) -> UsageTotals:
    """The rows' spend and waste in the reporting currency, with `rates`;
    never a sum of amounts in different currencies."""
    spend = Decimal("0.00")
    waste = Decimal("0.00")
    saved = Decimal("0.00")
    used: dict[str, Rate] = {}
    unconverted: set[str] = set()
    for row in rows:
        rate = rates.get(row.currency)
        if rate is None:
            unconverted.add(row.currency)
            continue
        if row.currency != organization.reporting_currency:
            used[row.currency] = rate
        spend += converted(row.annual_spend, rate.rate)
        saved += converted(row.realized_savings, rate.rate)
        if row.estimated_waste is not None:
            waste += converted(row.estimated_waste, rate.rate)
    return UsageTotals(
        annual_spend=spend,
        estimated_waste=waste if known else None,
        currency=organization.reporting_currency,
        rates=sorted(used.values(), key=lambda rate: rate.currency),
        unconverted=sorted(unconverted),
        seats_reclaimed=sum(row.seats_reclaimed for row in rows),
        realized_savings=saved,
    )
