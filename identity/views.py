"""The organization's SCIM tokens, for its admins: list, create, revoke."""

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.permissions import OrganizationScopedView
from identity.models import ScimToken
from identity.serializers import (
    ScimTokenCreatedSerializer,
    ScimTokenInputSerializer,
    ScimTokenSerializer,
)
from identity.services import tokens
from procure_site.serializers import DetailSerializer


class ScimTokenListView(OrganizationScopedView, generics.ListAPIView[ScimToken]):
    """The organization's SCIM tokens (GET) and creating one (POST)."""

    serializer_class = ScimTokenSerializer
    pagination_class = None

    def get_queryset(self) -> QuerySet[ScimToken]:
        if getattr(self, "swagger_fake_view", False):
            return ScimToken.objects.none()
        return ScimToken.objects.filter(organization=self.organization).select_related(
            "created_by"
        )

    @extend_schema(
        responses={200: ScimTokenSerializer(many=True)},
        summary="The organization's SCIM tokens, newest first, never the "
        "token itself (admins)",
        tags=["identity"],
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request=ScimTokenInputSerializer,
        responses={201: ScimTokenCreatedSerializer, 409: DetailSerializer},
        summary="Create a SCIM token for the identity provider (admins)",
        description=(
            "Answers the token once, in `token`: paste it into the identity "
            "provider's SCIM settings with the base URL /scim/v2/. Audited. "
            "To rotate, create a new token, paste it, then revoke the old one. "
            "409 past 5 live tokens."
        ),
        tags=["identity"],
    )
    def post(self, request: Request, organization_id: str) -> Response:
        serializer = ScimTokenInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        issued = tokens.scim_token_create(
            organization=self.organization,
            name=serializer.validated_data["name"],
            actor=self.caller,
        )
        body = dict(ScimTokenSerializer(issued.token).data, token=issued.raw)
        return Response(body, status=status.HTTP_201_CREATED)


class ScimTokenRevokeView(OrganizationScopedView):
    @extend_schema(
        request=None,
        responses={200: ScimTokenSerializer},
        summary="Revoke a SCIM token: the provider's next call with it "
        "answers 401 (admins)",
        tags=["identity"],
    )
    def post(self, request: Request, organization_id: str, token_id: int) -> Response:
        token = tokens.scim_token_revoke(
            organization=self.organization, token_id=token_id, actor=self.caller
        )
        return Response(ScimTokenSerializer(token).data)
