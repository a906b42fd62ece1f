from typing import cast

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import User
from accounts.permissions import OrganizationScopedView
from discovery import selectors, services
from discovery.serializers import (
    DiscoveredAppsQuerySerializer,
    DiscoveryInputSerializer,
    DiscoveryReportSerializer,
    DiscoverySerializer,
)
from procure_site.serializers import DetailSerializer


class DiscoveryView(OrganizationScopedView):
    """Whether the organization counts its users of catalog applications
    that match no contract. Admins of the organization only."""

    @extend_schema(
        responses={200: DiscoverySerializer},
        summary="Whether shadow-IT discovery is on (admins)",
        tags=["organizations"],
    )
    def get(self, request: Request, organization_id: str) -> Response:
        return Response(DiscoverySerializer(self.organization).data)

    @extend_schema(
        request=DiscoveryInputSerializer,
        responses={
            200: DiscoverySerializer,
            400: DetailSerializer,
        },
        summary="Turn shadow-IT discovery on or off (admins)",
        description="Off by default. While on, url-visits counts each person "
        "once per month among the users of the catalog applications they "
        "visit that match no contract; who used what is kept only until the "
        "month closes. Turning it off deletes the open month's list at once.",
        tags=["organizations"],
    )
    def put(self, request: Request, organization_id: str) -> Response:
        serializer = DiscoveryInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        self.organization = services.discovery_update(
            organization=self.organization,
            enabled=serializer.validated_data["enabled"],
            min_users=serializer.validated_data["min_users"],
            actor=cast(User, request.user),
        )
        return Response(DiscoverySerializer(self.organization).data)


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
