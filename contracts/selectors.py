"""Reads of contracts: an organization's contracts and the API's filters on them."""

from datetime import UTC, date, datetime, time

import django_filters
from django.db.models import Q, QuerySet

from accounts.models import Organization
from contracts.models import Contract


def contract_list(*, organization: Organization) -> QuerySet[Contract]:
    """The organization's contracts, by vendor name."""
    return Contract.objects.for_organization(organization)


class ContractFilter(django_filters.FilterSet):
    status = django_filters.CharFilter(
        field_name="contract_status",
        lookup_expr="iexact",
        help_text="Only contracts with this status, e.g. active (any case).",
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
