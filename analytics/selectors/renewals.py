"""Contracts coming up for renewal, with advice."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from django.db.models import Q

from accounts.models import Organization
from analytics import metrics
from analytics.selectors.activity import (
    RENEWAL_USAGE_DAYS,
    organization_data_since,
    recently_active_users_by_contract,
)
from contracts import terms
from contracts.models import Contract
from procure_site import clock
from procure_site.db_router import reads_from_replica


@dataclass(frozen=True)
class Renewal:
    contract_id: int
    vendor_name: str
    expire_at: datetime
    days_until_expiry: int
    cancel_by: date
    days_until_cancel_by: int
    auto_renew: bool
    notice_period_days: int
    pricing_model: str
    currency: str
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
    """Contracts whose last day to cancel comes in the next `within_days`
    days (or has come while their term runs), with renewal advice.

    Only contracts in force are listed (contracts.terms): not cancelled or
    expired, and not past an expiry they do not renew from. A contract that
    auto-renews is listed for its next renewal. The last day to cancel is
    `notice_period_days` before the renewal, the renewal itself without a
    notice period. Utilization and advice use the distinct users active in
    the last RENEWAL_USAGE_DAYS days (today included), not the calendar
    month, so that they do not drop at the start of every month. Soonest
    last day to cancel first.
    """
    now = clock.now()
    today = clock.today()
    horizon = today + timedelta(days=within_days)
    candidates = (
        Contract.objects.for_organization(organization)
        .filter(contract_status__in=terms.IN_FORCE, expire_at__isnull=False)
        .filter(Q(auto_renew=True) | Q(expire_at__gte=now))
        .only(
            "id",
            "vendor_name",
            "num_seats",
            "annual_spend",
            "expire_at",
            "auto_renew",
            "notice_period_days",
            "pricing_model",
            "currency",
        )
    )
    due = []
    for contract in candidates:
        renewal = terms.renews_on(
            expire_at=contract.expire_at, auto_renew=contract.auto_renew, today=today
        )
        last_day = terms.cancel_by(
            renewal=renewal, notice_period_days=contract.notice_period_days
        )
        if renewal is None or last_day is None or last_day > horizon:
            continue
        due.append((last_day, renewal, contract))
    due.sort(key=lambda item: (item[0], item[2].vendor_name.lower(), item[2].id))
    active = recently_active_users_by_contract(
        organization=organization,
        since=today - timedelta(days=RENEWAL_USAGE_DAYS - 1),
    )
    data_since = organization_data_since(organization=organization)
    renewals = []
    for last_day, renewal, contract in due:
        users = active.get(contract.id, 0)
        per_seat = contract.pricing_model == terms.PricingModel.PER_SEAT
        advice = metrics.renewal_advice(
            vendor_name=contract.vendor_name,
            active_users=users,
            seats=contract.num_seats,
            annual_spend=contract.annual_spend,
            expires_on=renewal,
            usage_days=RENEWAL_USAGE_DAYS,
            data_since=data_since,
            today=today,
            pricing_model=contract.pricing_model,
        )
        expire_at = contract.expire_at.astimezone(UTC)
        renewals.append(
            Renewal(
                contract_id=contract.id,
                vendor_name=contract.vendor_name,
                expire_at=datetime.combine(renewal, expire_at.timetz()),
                days_until_expiry=(renewal - today).days,
                cancel_by=last_day,
                days_until_cancel_by=(last_day - today).days,
                auto_renew=contract.auto_renew,
                notice_period_days=contract.notice_period_days,
                pricing_model=contract.pricing_model,
                currency=contract.currency,
                annual_spend=contract.annual_spend,
                total_seats=contract.num_seats,
                active_users=users,
                utilization=metrics.utilization(
                    active_users=users, seats=contract.num_seats
                )
                if per_seat
                else None,
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
