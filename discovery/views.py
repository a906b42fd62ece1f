from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.permissions import OrganizationScopedView
from discovery import selectors, services
from discovery.serializers import (
    DecidedApplicationSerializer,
    DecisionInputSerializer,
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


class DiscoveredAppView(OrganizationScopedView):
    """The admins' decision about one discovered application."""

    staff_permission_model = "discovery.applicationdecision"

    @extend_schema(
        request=DecisionInputSerializer,
        responses={
            200: DecidedApplicationSerializer,
            400: DetailSerializer,
            404: DetailSerializer,
            409: DetailSerializer,
        },
        summary="Set a discovered application's state, note or owner (admins)",
        description="States: new → in_review → sanctioned | not_sanctioned → "
        "retired (a decision can be revisited; 409 names the states allowed "
        "next). Only applications discovered-apps reported can be decided on; "
        "any other id is 404. The answer never carries a count of users. A "
        "sanctioned application offers its contract template. Audited.",
        tags=["organizations"],
    )
    def patch(
        self, request: Request, organization_id: str, application_id: int
    ) -> Response:
        serializer = DecisionInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        decided = services.application_decide(
            organization=self.organization,
            application_id=application_id,
            actor=self.caller,
            **serializer.validated_data,
        )
        return Response(DecidedApplicationSerializer(decided).data)
