"""Monthly active users per contract over several months."""

from dataclasses import dataclass
from datetime import date

from accounts.models import Organization
from analytics import metrics
from analytics.selectors.activity import (
    monthly_active_users,
    organization_contracts,
    organization_data_since,
)
from procure_site import clock
from procure_site.db_router import reads_from_replica


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
    contracts = organization_contracts(
        organization=organization, contract_id=contract_id
    )
    data_since = organization_data_since(organization=organization)
    coverage = {
        month: metrics.month_coverage(
            month=month, data_since=data_since, today=today
        ).coverage
        for month in month_starts
    }
    active = monthly_active_users(
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
