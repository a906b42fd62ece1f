"""The organization's exchange rates to its reporting currency."""

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.permissions import OrganizationScopedView
from contracts.models import ExchangeRate
from organizations import services
from organizations.serializers import (
    ExchangeRateInputSerializer,
    ExchangeRateSerializer,
)
from procure_site.serializers import DetailSerializer


class ExchangeRateListView(OrganizationScopedView, generics.ListAPIView[ExchangeRate]):
    """The rates contract amounts are converted with into the organization's
    reporting currency, for its verified admins and staff."""

    staff_permission_model = "contracts.exchangerate"
    serializer_class = ExchangeRateSerializer

    def get_queryset(self) -> QuerySet[ExchangeRate]:
        if getattr(self, "swagger_fake_view", False):
            return ExchangeRate.objects.none()
        return ExchangeRate.objects.filter(organization=self.organization).order_by(
            "currency", "-valid_from"
        )

    @extend_schema(
        responses={200: ExchangeRateSerializer(many=True)},
        summary="The exchange rates to the reporting currency (admins)",
        tags=["organizations"],
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request=ExchangeRateInputSerializer,
        responses={201: ExchangeRateSerializer, 400: DetailSerializer},
        summary="Set a currency's rate from a day on (admins)",
        description="Replaces that day's rate if there is one. Totals of a month "
        "use each currency's latest rate from on or before the month's last "
        "day. Audited.",
        tags=["organizations"],
    )
    def post(self, request: Request, organization_id: str) -> Response:
        serializer = ExchangeRateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        rate = services.exchange_rate_set(
            organization=self.organization,
            actor=self.caller,
            **serializer.validated_data,
        )
        return Response(
            ExchangeRateSerializer(rate).data, status=status.HTTP_201_CREATED
        )
