"""Reads of the alerts app: an organization's notification settings, the
digest's content and the deliveries due. Every number of a digest comes from
analytics.selectors; this module only picks and orders them."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import QuerySet

from accounts.models import Organization, Role, User
from alerts.models import NotificationSettings
from alerts.periods import period_days
from analytics.selectors.inactive_users import contract_inactive_users
from analytics.selectors.members import organization_last_activity_day
from analytics.selectors.renewals import Renewal, contract_renewals
from analytics.selectors.usage import ContractUsage, contract_usage
from contracts.currencies import converted
from contracts.selectors import exchange_rates_for_month
from discovery.selectors import DiscoveryNews, discovery_news
from discovery.services import discovery_months_close_due
from procure_site import clock
from reclaims.models import ReclaimState
from reclaims.selectors import open_reclaim_counts, savings_in_month

# How many of the most wasteful contracts a digest names.
TOP_WASTE_COUNT = 5
# A user counts as inactive on a contract after this many days without using
# it, as in the inactive-users endpoint's default.
INACTIVE_DAYS = 30
# The extension counts as reporting when something was recorded within this
# many days: long enough that a weekend or a holiday does not raise an alarm.
REPORTING_DAYS = 7


def notification_settings_get(*, organization: Organization) -> NotificationSettings:
    """The organization's settings; the defaults, unsaved, when it has none."""
    found = NotificationSettings.objects.filter(organization=organization).first()
    return found or NotificationSettings(organization=organization)


def webhook_url_in_full_for(*, viewer: User, organization: Organization) -> bool:
    """Whether `viewer` may see the organization's webhook URL, a credential,
    in full: only its own admins, who set it. Staff who may read any
    organization's settings see it masked."""
    return viewer.organization_id == organization.id and viewer.is_org_admin


def digest_recipients(*, organization: Organization) -> list[str]:
    """Emails of the organization's active admins whose address is verified."""
    return list(
        User.objects.filter(
            organization=organization,
            role=Role.ADMIN,
            is_active=True,
            email_verified_at__isnull=False,
        )
        .order_by("email")
        .values_list("email", flat=True)
    )


@dataclass(frozen=True)
class Digest:
    organization_id: str
    company_name: str
    period: str
    frequency: str
    renewal_window_days: int
    renewals: list[Renewal]
    waste_month: str
    # "full", "partial" or "none", as in contract_usage; the note says why a
    # month is not fully covered.
    waste_coverage: str
    waste_coverage_note: str | None
    top_waste: list[ContractUsage]
    # None when the month is not covered: the waste is unknown, not zero.
    total_waste: str | None
    # The reporting currency of the totals; amounts in another one say so.
    currency: str
    inactive_days: int
    newly_inactive_users: int
    newly_inactive_seats: int
    inactive_users_url: str
    tracking_paused: bool
    reporting: bool
    last_activity_day: date | None
    reporting_days: int
    reclaims: "ReclaimNews"
    discovery: DiscoveryNews


@dataclass(frozen=True)
class ReclaimNews:
    """Open reclaims now, and the seats removed in `month` with what they
    save in the reporting currency (currencies without a rate left out and
    named, as in contract usage)."""

    asked: int
    to_confirm: int
    month: str
    seats_removed: int
    realized_savings: Decimal
    unconverted: list[str]


def reclaim_news(*, organization: Organization, today: date) -> ReclaimNews:
    """For a digest sent `today`: the month of the day before, so that a
    monthly digest on the 1st reports the month that ended."""
    month = clock.month_start(today - timedelta(days=1))
    counts = open_reclaim_counts(organization=organization)
    rates = exchange_rates_for_month(
        organization=organization, month=month, today=today
    )
    saved = Decimal("0.00")
    seats = 0
    unconverted = []
    for currency, (removed, amount) in sorted(
        savings_in_month(organization=organization, month=month).items()
    ):
        rate = rates.get(currency)
        if rate is None:
            unconverted.append(currency)
            continue
        seats += removed
        saved += converted(amount, rate.rate)
    return ReclaimNews(
        asked=counts[ReclaimState.ASKED],
        to_confirm=counts[ReclaimState.RELEASED] + counts[ReclaimState.NO_ANSWER],
        month=clock.format_month(month),
        seats_removed=seats,
        realized_savings=saved,
        unconverted=unconverted,
    )


def digest_build(
    *,
    organization: Organization,
    notification_settings: NotificationSettings,
    period: str,
    today: date,
) -> Digest:
    """What the organization's digest for `period` says.

    Renewals within the window with their advice; the contracts with the
    largest estimated waste in the last full month, with how much of it
    proCure's data covers (no waste at all when none); users who became inactive
    on a contract during the digest's period (counted, never named); and
    whether the extension reported anything in the last REPORTING_DAYS days.
    """
    frequency = notification_settings.email_digest
    renewals = contract_renewals(
        organization=organization,
        within_days=notification_settings.renewal_window_days,
    )
    usage = contract_usage(organization=organization, month=clock.previous_month(today))
    total = usage.totals.estimated_waste
    wasteful = sorted(
        (row for row in usage.contracts if row.estimated_waste),
        key=lambda row: (-(row.estimated_waste or 0), row.vendor_name.lower()),
    )[:TOP_WASTE_COUNT]
    inactive = contract_inactive_users(organization=organization, days=INACTIVE_DAYS)
    # Newly inactive: their last day of use fell within the period before
    # they crossed the inactivity line.
    newly_since = inactive.active_since - timedelta(
        days=period_days(frequency=frequency)
    )
    newly_user_ids = [
        user_id
        for contract in inactive.contracts
        for user_id, _email, last_active_day in contract.inactive_users
        if last_active_day >= newly_since
    ]
    last_day = organization_last_activity_day(organization=organization)
    discovery_months_close_due()
    return Digest(
        organization_id=organization.public_id,
        company_name=organization.company_name,
        period=period,
        frequency=frequency,
        renewal_window_days=notification_settings.renewal_window_days,
        renewals=renewals.contracts,
        waste_month=usage.month,
        waste_coverage=usage.coverage,
        waste_coverage_note=usage.coverage_note,
        top_waste=wasteful,
        total_waste=None if total is None else f"{total:.2f}",
        currency=usage.totals.currency,
        inactive_days=INACTIVE_DAYS,
        newly_inactive_users=len(set(newly_user_ids)),
        newly_inactive_seats=len(newly_user_ids),
        inactive_users_url=(
            f"{settings.WEB_APP_URL}/inactive-users?"
            f"{urlencode({'days': INACTIVE_DAYS})}"
        ),
        tracking_paused=organization.tracking_paused,
        reporting=last_day is not None
        and last_day > today - timedelta(days=REPORTING_DAYS),
        last_activity_day=last_day,
        reporting_days=REPORTING_DAYS,
        reclaims=reclaim_news(organization=organization, today=today),
        discovery=discovery_news(
            organization=organization,
            today=today,
            period_days=period_days(frequency=frequency),
        ),
    )


def organizations_for_digests(*, domain: str | None = None) -> QuerySet[Organization]:
    """Organizations a digest run looks at: all, or the one with `domain`."""
    organizations = Organization.objects.order_by("domain_name")
    if domain is not None:
        organizations = organizations.filter(domain_name=domain.strip().lower())
    return organizations


def digest_retry_at(*, attempts: int, now: datetime) -> datetime:
    """When a delivery that failed `attempts` times is tried again: after 1,
    2, 4, 8... hours, at most a day."""
    return now + timedelta(hours=min(2 ** max(attempts - 1, 0), 24))
