"""Reads of contracts: an organization's contracts and the API's filters on them."""

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import django_filters
from django.db.models import Q, QuerySet

from accounts.models import Organization
from contracts import terms
from contracts.currencies import Rate
from contracts.models import Contract, ExchangeRate
from procure_site import clock


def contract_list(*, organization: Organization) -> QuerySet[Contract]:
    """The organization's contracts, by vendor name."""
    return Contract.objects.for_organization(organization)


class ContractFilter(django_filters.FilterSet):
    status = django_filters.CharFilter(
        method="filter_status",
        help_text="Only contracts with this status today, e.g. active (any case): "
        "a contract past an expiry it does not renew from is expired.",
    )
    expiring_before = django_filters.DateFilter(
        method="filter_expiring_before",
        help_text="Only contracts that expire before this day (YYYY-MM-DD, UTC).",
        error_messages={
            "invalid": "Enter a valid date as YYYY-MM-DD, for example 2027-01-31."
        },
    )
    search = django_filters.CharFilter(
        method="filter_search",
        help_text="Vendor name or vendor domain containing this text.",
    )

    class Meta:
        model = Contract
        fields = ["status", "expiring_before", "search"]

    def filter_status(
        self, queryset: QuerySet[Contract], name: str, value: str
    ) -> QuerySet[Contract]:
        today = clock.today()
        ended = Q(
            contract_status__in=terms.IN_FORCE,
            auto_renew=False,
            expire_at__lt=datetime.combine(today, time.min, UTC),
        )
        wanted = Q(contract_status__iexact=value.strip())
        if value.strip().lower() == terms.ContractStatus.EXPIRED:
            return queryset.filter(wanted | ended)
        return queryset.filter(wanted).exclude(ended)

    def filter_expiring_before(
        self, queryset: QuerySet[Contract], name: str, value: date
    ) -> QuerySet[Contract]:
        return queryset.filter(expire_at__lt=datetime.combine(value, time.min, UTC))

    def filter_search(
        self, queryset: QuerySet[Contract], name: str, value: str
    ) -> QuerySet[Contract]:
        return queryset.filter(
            Q(vendor_name__icontains=value) | Q(vendor_domain__icontains=value)
        )


def exchange_rates_for_month(
    *, organization: Organization, month: date, today: date
) -> dict[str, Rate]:
    """The rates a month's totals use: those of its last day, or of today
    for the current month."""
    last_day = clock.add_months(month, 1) - timedelta(days=1)
    return exchange_rates_on(organization=organization, day=min(last_day, today))


def exchange_rates_on(*, organization: Organization, day: date) -> dict[str, Rate]:
    """The organization's rate of each currency on `day`: the one with the
    latest `valid_from` on or before it. The reporting currency is 1."""
    rates: dict[str, Rate] = {
        organization.reporting_currency: Rate(
            currency=organization.reporting_currency,
            rate=Decimal(1),
            valid_from=date.min,
        )
    }
    found = (
        ExchangeRate.objects.filter(organization=organization, valid_from__lte=day)
        .exclude(currency=organization.reporting_currency)
        .order_by("currency", "-valid_from")
    )
    for row in found:
        rates.setdefault(
            row.currency,
            Rate(currency=row.currency, rate=row.rate, valid_from=row.valid_from),
        )
    return rates
