"""Reclaims for the organization's admins: starting one for a contract, the
list (JSON or CSV), and confirming removals or cancelling in bulk."""

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.permissions import OrganizationScopedView
from procure_site.renderers import CSVReportMixin, Table
from procure_site.serializers import DetailSerializer
from reclaims import exports, selectors, services
from reclaims.serializers import (
    ReclaimIdsInputSerializer,
    ReclaimQuerySerializer,
    ReclaimSerializer,
    ReclaimStartInputSerializer,
    ReclaimStartSerializer,
)

ERRORS = {400: DetailSerializer, 404: DetailSerializer, 409: DetailSerializer}


class _ReclaimView(OrganizationScopedView):
    staff_permission_model = "reclaims.reclaim"


class _ReclaimListMixin(CSVReportMixin):
    csv_name = "reclaims"

    def csv_table(self, data: list[dict[str, Any]]) -> Table:
        return exports.reclaims_table(data)


def _listed(view: _ReclaimView, request: Request, contract_id: int | None) -> Response:
    query = ReclaimQuerySerializer(data=request.query_params)
    query.is_valid(raise_exception=True)
    services.reclaims_unanswered_close(organization=view.organization)
    rows = selectors.reclaim_list(
        organization=view.organization,
        state=query.validated_data.get("state"),
        contract_id=contract_id or query.validated_data.get("contract_id"),
    )
    return Response(ReclaimSerializer(rows, many=True).data)


class ReclaimListView(_ReclaimListMixin, _ReclaimView):
    @extend_schema(
        parameters=[ReclaimQuerySerializer],
        responses={200: ReclaimSerializer(many=True), 400: DetailSerializer},
        summary="The organization's seat reclaims, newest first (admins)",
        description="Filter by state and contract_id. With Accept: text/csv or "
        "?format=csv, the same rows as CSV. Reclaims whose answer window has "
        "passed show as no_answer.",
        tags=["reclaims"],
    )
    def get(self, request: Request, organization_id: str) -> Response:
        return _listed(self, request, contract_id=None)


class ContractReclaimsView(_ReclaimListMixin, _ReclaimView):
    @extend_schema(
        parameters=[ReclaimQuerySerializer],
        responses={200: ReclaimSerializer(many=True), 400: DetailSerializer},
        summary="One contract's seat reclaims, newest first (admins)",
        tags=["reclaims"],
    )
    def get(self, request: Request, organization_id: str, contract_id: int) -> Response:
        return _listed(self, request, contract_id=contract_id)

    @extend_schema(
        request=ReclaimStartInputSerializer,
        responses={
            201: ReclaimStartSerializer,
            200: ReclaimStartSerializer,
            **ERRORS,
        },
        summary="Ask people whether they still need their seat (admins)",
        description="Emails each person a link to a page with Keep it and Release "
        "it, answered within the organization's reply_days (reclaim-settings, "
        "7 by default); after that the reclaim is no_answer. 201 when "
        "someone was asked, 200 when everyone was skipped (each with its "
        "reason). 409 for a contract everyone gets, one not priced per seat, "
        "or one not in force. Audited per person.",
        tags=["reclaims"],
    )
    def post(
        self, request: Request, organization_id: str, contract_id: int
    ) -> Response:
        serializer = ReclaimStartInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        started = services.reclaim_start(
            organization=self.organization,
            contract_id=contract_id,
            actor=self.caller,
            **serializer.validated_data,
        )
        return Response(
            ReclaimStartSerializer(started).data,
            status=status.HTTP_201_CREATED if started.asked else status.HTTP_200_OK,
        )


class ReclaimRemoveView(_ReclaimView):
    @extend_schema(
        request=ReclaimIdsInputSerializer,
        responses={200: ReclaimSerializer(many=True), **ERRORS},
        summary="Confirm seats removed in the vendor's tool (admins)",
        description="All or none: each reclaim must be released or no_answer. "
        "Each removed seat is a realized saving: the seat's price (annual spend "
        "/ seats) for the days left in the contract's term, a year when it has "
        "no expiry, in the contract's currency. Audited per seat.",
        tags=["reclaims"],
    )
    def post(self, request: Request, organization_id: str) -> Response:
        serializer = ReclaimIdsInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        rows = services.reclaims_remove(
            organization=self.organization,
            actor=self.caller,
            **serializer.validated_data,
        )
        return Response(ReclaimSerializer(rows, many=True).data)


class ReclaimCancelView(_ReclaimView):
    @extend_schema(
        request=ReclaimIdsInputSerializer,
        responses={200: ReclaimSerializer(many=True), **ERRORS},
        summary="Close open reclaims without removing the seats (admins)",
        description="All or none: each reclaim must be asked, released or "
        "no_answer. The person's link stops taking answers. Audited per seat.",
        tags=["reclaims"],
    )
    def post(self, request: Request, organization_id: str) -> Response:
        serializer = ReclaimIdsInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        rows = services.reclaims_cancel(
            organization=self.organization,
            actor=self.caller,
            **serializer.validated_data,
        )
        return Response(ReclaimSerializer(rows, many=True).data)
