"""The staff console's overview of every organization."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from accounts.models import Organization
from analytics.selectors.usage import contract_usage
from procure_site.db_router import reads_from_replica
from url_visits.models import LatestActivity


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
