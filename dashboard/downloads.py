"""The usage page's tables as CSV downloads: the same tables as the API's
`?format=csv` (analytics/exports.py), for staff signed in to the admin."""

from datetime import date

from django.http import Http404, HttpResponse

from accounts.models import Organization
from analytics import exports
from analytics.selectors.renewals import contract_renewals
from analytics.selectors.usage import contract_usage
from analytics.serializers import (
    ContractUsageReportSerializer,
    RenewalsReportSerializer,
)
from procure_site.renderers import csv_bytes

# The renewals the usage page lists, and so downloads.
RENEWAL_DAYS = 90


def usage_csv(
    *, organization: Organization, report: str, month: date | None
) -> HttpResponse:
    """`report` ("contract-usage" for `month`, or "renewals") as a CSV file."""
    if report == "contract-usage":
        data = ContractUsageReportSerializer(
            contract_usage(organization=organization, month=month)
        ).data
        table = exports.contract_usage_table(data)
    elif report == "renewals":
        data = RenewalsReportSerializer(
            contract_renewals(organization=organization, within_days=RENEWAL_DAYS)
        ).data
        table = exports.renewals_table(data)
    else:
        raise Http404
    response = HttpResponse(csv_bytes(table), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="{organization.domain_name}-{report}.csv"'
    )
    return response
