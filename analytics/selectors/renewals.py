"""Contracts coming up for renewal, with advice."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from django.db.models.functions import Lower

from accounts.models import Organization
from analytics import metrics
from analytics.selectors.activity import (
    RENEWAL_USAGE_DAYS,
    organization_data_since,
    recently_active_users_by_contract,
)
from contracts.models import Contract
from procure_site import clock
from procure_site.db_router import reads_from_replica


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
    active = recently_active_users_by_contract(
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
