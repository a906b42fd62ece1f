from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.permissions import OrganizationScopedView
from discovery import selectors, services
from discovery.serializers import (
    DiscoveredAppsQuerySerializer,
    DiscoveryReportSerializer,
)
from procure_site.serializers import DetailSerializer


class DiscoveredAppsView(OrganizationScopedView):
    """The catalog applications the organization uses without a contract."""

    @extend_schema(
        parameters=[DiscoveredAppsQuerySerializer],
        responses={
            200: DiscoveryReportSerializer,
            400: DetailSerializer,
        },
        summary="Applications in use, by distinct users (admins)",
        description="One row per catalog application that at least min_users "
        "people used in a closed month, most used first; fewer users are never "
        "shown, and only members with a verified address count, so that nobody "
        "is singled out. The current month is shown once it has ended (400 "
        "before). Each row carries the fields "
        "of POST /api/v1/contracts that turn it into a contract.",
        tags=["organizations"],
    )
    def get(self, request: Request, organization_id: str) -> Response:
        query = DiscoveredAppsQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        services.discovery_months_close_due()
        report = selectors.discovered_applications(
            organization=self.organization,
            month=query.validated_data.get("month"),
        )
        return Response(DiscoveryReportSerializer(report).data)
