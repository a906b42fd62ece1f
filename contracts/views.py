from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import status, viewsets
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import IsOrganizationAdmin, MembersReadAdminsWrite
from contracts import selectors, services
from contracts.models import Contract
from contracts.serializers import (
    ContractImportErrorSerializer,
    ContractImportInputSerializer,
    ContractImportResultSerializer,
    ContractInputSerializer,
    ContractOutputSerializer,
    ContractUpsertInputSerializer,
    ContractUpsertOutputSerializer,
)
from procure_site.serializers import DetailSerializer

READ_ERRORS = {401: DetailSerializer, 403: DetailSerializer}
WRITE_ERRORS = {
    400: DetailSerializer,
    401: DetailSerializer,
    403: DetailSerializer,
    409: DetailSerializer,
}


class ContractUpsertView(APIView):
    """The web app's contract form: create or update by product URL."""

    permission_classes = [IsOrganizationAdmin]

    @extend_schema(
        request=ContractUpsertInputSerializer,
        responses={
            200: ContractUpsertOutputSerializer,
            201: ContractUpsertOutputSerializer,
            400: DetailSerializer,
            401: DetailSerializer,
            403: DetailSerializer,
        },
        summary="Create or update a contract by its product URL (admins)",
        tags=["contracts"],
    )
    def post(self, request: Request) -> Response:
        serializer = ContractUpsertInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        organization_public_id = data.pop("organization_id")
        contract, created = services.contract_upsert(
            actor=request.user, organization_public_id=organization_public_id, data=data
        )
        body = ContractUpsertOutputSerializer(
            {
                "success": True,
                "contract_id": contract.id,
                "vendor_name": contract.vendor_name,
                "product_url": contract.product_url,
                "vendor_domain": contract.vendor_domain,
                "message": f"Contract {'created' if created else 'updated'}.",
                "created": created,
            }
        ).data
        return Response(
            body, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )


@extend_schema_view(
    list=extend_schema(
        summary="The organization's contracts, by vendor name",
        responses={
            200: ContractOutputSerializer(many=True),
            400: DetailSerializer,
            **READ_ERRORS,
        },
    ),
    retrieve=extend_schema(
        summary="One contract of the organization",
        responses={200: ContractOutputSerializer, 404: DetailSerializer, **READ_ERRORS},
    ),
    create=extend_schema(
        summary="Add a contract (admins)",
        request=ContractInputSerializer,
        responses={201: ContractOutputSerializer, **WRITE_ERRORS},
    ),
    update=extend_schema(
        summary="Replace a contract (admins); fields left out get their defaults",
        request=ContractInputSerializer,
        responses={
            200: ContractOutputSerializer,
            404: DetailSerializer,
            **WRITE_ERRORS,
        },
    ),
    partial_update=extend_schema(
        summary="Change some fields of a contract (admins)",
        request=ContractInputSerializer(partial=True),
        responses={
            200: ContractOutputSerializer,
            404: DetailSerializer,
            **WRITE_ERRORS,
        },
    ),
    destroy=extend_schema(
        summary="Delete a contract and its recorded activity (admins)",
        responses={204: None, 404: DetailSerializer, **READ_ERRORS},
    ),
)
@extend_schema(tags=["contracts"])
class ContractViewSet(viewsets.ModelViewSet):
    """The caller's organization's contracts: members read, admins write."""

    permission_classes = [MembersReadAdminsWrite]
    serializer_class = ContractOutputSerializer
    filterset_class = selectors.ContractFilter
    lookup_value_regex = r"[0-9]+"

    def get_queryset(self) -> QuerySet[Contract]:
        if getattr(self, "swagger_fake_view", False):
            return Contract.objects.none()
        return selectors.contract_list(organization=self.request.user.organization)

    def create(self, request: Request, *args, **kwargs) -> Response:
        serializer = ContractInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        contract = services.contract_create(
            organization=request.user.organization,
            data=serializer.validated_data,
            actor=request.user,
        )
        return Response(
            ContractOutputSerializer(contract).data, status=status.HTTP_201_CREATED
        )

    def update(self, request: Request, *args, **kwargs) -> Response:
        contract = self.get_object()
        serializer = ContractInputSerializer(
            data=request.data, partial=kwargs.get("partial", False)
        )
        serializer.is_valid(raise_exception=True)
        contract = services.contract_update(
            contract=contract, data=serializer.validated_data, actor=request.user
        )
        return Response(ContractOutputSerializer(contract).data)

    def perform_destroy(self, instance: Contract) -> None:
        services.contract_delete(contract=instance, actor=self.request.user)


class ContractImportView(APIView):
    """A CSV upload of contracts in the web app's format: all rows or none."""

    permission_classes = [IsOrganizationAdmin]
    parser_classes = [MultiPartParser]

    @extend_schema(
        request=ContractImportInputSerializer,
        responses={
            200: ContractImportResultSerializer,
            400: ContractImportErrorSerializer,
            401: DetailSerializer,
            403: DetailSerializer,
            409: DetailSerializer,
            413: DetailSerializer,
        },
        summary="Import contracts from a CSV file (admins)",
        tags=["contracts"],
    )
    def post(self, request: Request) -> Response:
        serializer = ContractImportInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        result = services.contract_import(
            organization=request.user.organization,
            csv_file=serializer.validated_data["file"],
            actor=request.user,
        )
        return Response(ContractImportResultSerializer(result).data)
