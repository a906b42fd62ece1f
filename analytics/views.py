from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import Serializer

from accounts.permissions import OrganizationScopedView
from analytics import selectors
from analytics.serializers import (
    ContractUsageQuerySerializer,
    ContractUsageReportSerializer,
    InactiveUsersQuerySerializer,
    InactiveUsersReportSerializer,
    OrganizationNameSerializer,
    RenewalsQuerySerializer,
    RenewalsReportSerializer,
    UsageTrendQuerySerializer,
    UsageTrendReportSerializer,
)
from procure_site.schema import ORGANIZATION_ERRORS, ORGANIZATION_ID_PARAMETER
from procure_site.serializers import DetailSerializer

QUERY_ERRORS = {400: DetailSerializer, **ORGANIZATION_ERRORS}


def _query(serializer_class: type[Serializer], request: Request) -> dict:
    serializer = serializer_class(data=request.query_params)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class OrganizationNameView(OrganizationScopedView):
    """The name and domain of an organization; any of its members may ask."""

    admins_only = False

    @extend_schema(
        parameters=[ORGANIZATION_ID_PARAMETER],
        responses={200: OrganizationNameSerializer, **ORGANIZATION_ERRORS},
        summary="The organization's name and domain (any member)",
        tags=["organizations"],
    )
    def get(self, request: Request, organization_id: str) -> Response:
        organization = self.organization
        return Response(OrganizationNameSerializer(organization).data)


class ContractUsageView(OrganizationScopedView):
    """Every contract with its active users in a UTC month against its seats and
    spend. Admins of the organization and staff only."""

    @extend_schema(
        parameters=[ORGANIZATION_ID_PARAMETER, ContractUsageQuerySerializer],
        responses={200: ContractUsageReportSerializer, **QUERY_ERRORS},
        summary="Active users against seats and spend per contract in a month",
        tags=["analytics"],
    )
    def get(self, request: Request, organization_id: str) -> Response:
        organization = self.organization
        query = _query(ContractUsageQuerySerializer, request)
        report = selectors.contract_usage(
            organization=organization, month=query.get("month")
        )
        return Response(ContractUsageReportSerializer(report).data)


class UsageTrendView(OrganizationScopedView):
    """Distinct active users per contract in each of the last N UTC months, the
    current one included, zero-filled. Admins of the organization and staff
    only."""

    @extend_schema(
        parameters=[ORGANIZATION_ID_PARAMETER, UsageTrendQuerySerializer],
        responses={200: UsageTrendReportSerializer, **QUERY_ERRORS},
        summary="Monthly active users per contract over the last N months",
        tags=["analytics"],
    )
    def get(self, request: Request, organization_id: str) -> Response:
        organization = self.organization
        query = _query(UsageTrendQuerySerializer, request)
        report = selectors.contract_usage_trend(
            organization=organization,
            months=query["months"],
            contract_id=query.get("contract_id"),
        )
        return Response(UsageTrendReportSerializer(report).data)


class InactiveUsersView(OrganizationScopedView):
    """Per contract, the users who used it before but not in the last N days:
    the seats that can be reclaimed. Admins of the organization and staff
    only."""

    @extend_schema(
        parameters=[ORGANIZATION_ID_PARAMETER, InactiveUsersQuerySerializer],
        responses={200: InactiveUsersReportSerializer, **QUERY_ERRORS},
        summary="Users who used a contract but not in the last N days",
        tags=["analytics"],
    )
    def get(self, request: Request, organization_id: str) -> Response:
        organization = self.organization
        query = _query(InactiveUsersQuerySerializer, request)
        report = selectors.contract_inactive_users(
            organization=organization,
            days=query["days"],
            contract_id=query.get("contract_id"),
        )
        return Response(InactiveUsersReportSerializer(report).data)


class RenewalsView(OrganizationScopedView):
    """Contracts expiring within N days, with their use in the last 30 days and
    a renew, downsize or cancel suggestion. Admins of the organization and
    staff only."""

    @extend_schema(
        parameters=[ORGANIZATION_ID_PARAMETER, RenewalsQuerySerializer],
        responses={200: RenewalsReportSerializer, **QUERY_ERRORS},
        summary="Contracts expiring soon, with a renew, downsize or cancel suggestion",
        tags=["analytics"],
    )
    def get(self, request: Request, organization_id: str) -> Response:
        organization = self.organization
        query = _query(RenewalsQuerySerializer, request)
        report = selectors.contract_renewals(
            organization=organization, within_days=query["within_days"]
        )
        return Response(RenewalsReportSerializer(report).data)
