from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import Serializer

from accounts.permissions import OrganizationScopedView
from analytics import exports
from analytics.selectors import departments, inactive_users, renewals, trend, usage
from analytics.serializers import (
    ContractUsageQuerySerializer,
    ContractUsageReportSerializer,
    InactiveUsersQuerySerializer,
    InactiveUsersReportSerializer,
    RenewalsQuerySerializer,
    RenewalsReportSerializer,
    SpendByDepartmentReportSerializer,
    UsageTrendQuerySerializer,
    UsageTrendReportSerializer,
)
from procure_site.renderers import CSVReportMixin, Table
from procure_site.serializers import DetailSerializer

QUERY_ERRORS = {400: DetailSerializer}


def _query(serializer_class: type[Serializer], request: Request) -> dict:
    serializer = serializer_class(data=request.query_params)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class ContractUsageView(CSVReportMixin, OrganizationScopedView):
    """Every contract with its active users in a UTC month against its seats and
    spend. Admins of the organization and staff only. With Accept: text/csv or
    ?format=csv, the same figures as CSV, one row per contract and the totals."""

    staff_permission_model = "url_visits.activity"
    csv_name = "contract-usage"

    def csv_table(self, data: dict[str, Any]) -> Table:
        return exports.contract_usage_table(data)

    @extend_schema(
        parameters=[ContractUsageQuerySerializer],
        responses={200: ContractUsageReportSerializer, **QUERY_ERRORS},
        summary="Active users against seats and spend per contract in a month",
        tags=["analytics"],
    )
    def get(self, request: Request, organization_id: str) -> Response:
        query = _query(ContractUsageQuerySerializer, request)
        report = usage.contract_usage(
            organization=self.organization, month=query.get("month")
        )
        return Response(ContractUsageReportSerializer(report).data)


class UsageTrendView(CSVReportMixin, OrganizationScopedView):
    """Distinct active users per contract in each of the last N UTC months, the
    current one included, zero-filled. Admins of the organization and staff
    only. With Accept: text/csv or ?format=csv, the same figures as CSV, one
    row per contract and month."""

    staff_permission_model = "url_visits.activity"
    csv_name = "usage-trend"

    def csv_table(self, data: dict[str, Any]) -> Table:
        return exports.usage_trend_table(data)

    @extend_schema(
        parameters=[UsageTrendQuerySerializer],
        responses={200: UsageTrendReportSerializer, **QUERY_ERRORS},
        summary="Monthly active users per contract over the last N months",
        tags=["analytics"],
    )
    def get(self, request: Request, organization_id: str) -> Response:
        query = _query(UsageTrendQuerySerializer, request)
        report = trend.contract_usage_trend(
            organization=self.organization,
            months=query["months"],
            contract_id=query.get("contract_id"),
        )
        return Response(UsageTrendReportSerializer(report).data)


class InactiveUsersView(CSVReportMixin, OrganizationScopedView):
    """Per contract, the users who used it before but not in the last N days:
    the seats that can be reclaimed. Admins of the organization and staff
    only. With Accept: text/csv or ?format=csv, the same as CSV, one row per
    idle seat."""

    staff_permission_model = "url_visits.activity"
    csv_name = "inactive-users"

    def csv_table(self, data: dict[str, Any]) -> Table:
        return exports.inactive_users_table(data)

    @extend_schema(
        parameters=[InactiveUsersQuerySerializer],
        responses={200: InactiveUsersReportSerializer, **QUERY_ERRORS},
        summary="Users who used a contract but not in the last N days",
        tags=["analytics"],
    )
    def get(self, request: Request, organization_id: str) -> Response:
        query = _query(InactiveUsersQuerySerializer, request)
        report = inactive_users.contract_inactive_users(
            organization=self.organization,
            days=query["days"],
            contract_id=query.get("contract_id"),
            limit=query.get("limit"),
            offset=query["offset"] if "limit" in query else 0,
        )
        return Response(InactiveUsersReportSerializer(report).data)


class RenewalsView(CSVReportMixin, OrganizationScopedView):
    """Contracts in force whose last day to cancel comes within N days, with
    their use in the last 30 days and a renew, downsize or cancel suggestion.
    Admins of the organization and staff only. With Accept: text/csv or
    ?format=csv, the same as CSV, one row per contract."""

    staff_permission_model = "url_visits.activity"
    csv_name = "renewals"

    def csv_table(self, data: dict[str, Any]) -> Table:
        return exports.renewals_table(data)

    @extend_schema(
        parameters=[RenewalsQuerySerializer],
        responses={200: RenewalsReportSerializer, **QUERY_ERRORS},
        summary="Contracts expiring soon, with a renew, downsize or cancel suggestion",
        tags=["analytics"],
    )
    def get(self, request: Request, organization_id: str) -> Response:
        query = _query(RenewalsQuerySerializer, request)
        report = renewals.contract_renewals(
            organization=self.organization, within_days=query["within_days"]
        )
        return Response(RenewalsReportSerializer(report).data)


class SpendByDepartmentView(CSVReportMixin, OrganizationScopedView):
    """Each contract's month cost shared among the departments of its active
    users, equally per active user; the cost of unused seats and of contracts
    nobody used is reported apart. Admins of the organization and staff only.
    With Accept: text/csv or ?format=csv, the same as CSV, one row per
    department and the unallocated rows."""

    staff_permission_model = "url_visits.activity"
    csv_name = "spend-by-department"

    def csv_table(self, data: dict[str, Any]) -> Table:
        return exports.spend_by_department_table(data)

    @extend_schema(
        parameters=[ContractUsageQuerySerializer],
        responses={200: SpendByDepartmentReportSerializer, **QUERY_ERRORS},
        summary="A month's contract spend by department (chargeback)",
        tags=["analytics"],
    )
    def get(self, request: Request, organization_id: str) -> Response:
        query = _query(ContractUsageQuerySerializer, request)
        report = departments.spend_by_department(
            organization=self.organization, month=query.get("month")
        )
        return Response(SpendByDepartmentReportSerializer(report).data)
