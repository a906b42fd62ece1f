"""The organization's identity provider, for its admins: its SCIM tokens
(list, create, revoke) and its OpenID Connect sign-in."""

from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import Organization
from accounts.permissions import OrganizationScopedView
from identity.models import ScimToken
from identity.serializers import (
    IdentityProviderInputSerializer,
    IdentityProviderSerializer,
    ScimTokenCreatedSerializer,
    ScimTokenInputSerializer,
    ScimTokenSerializer,
)
from identity.services import oidc, tokens
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


def _identity_provider_body(
    request: Request, organization: Organization
) -> dict[str, Any]:
    provider = oidc.oidc_provider_of(organization=organization)
    return {
        "configured": provider is not None,
        "issuer": provider.issuer if provider else None,
        "client_id": provider.client_id if provider else None,
        "client_secret": f"…{provider.client_secret_hint}" if provider else None,
        "password_sign_in": organization.password_sign_in,
        "redirect_uri": request.build_absolute_uri(reverse("account-sso-callback")),
        "sign_in_url": request.build_absolute_uri(reverse("account-sso")),
    }


class IdentityProviderView(OrganizationScopedView):
    """The organization's OpenID Connect provider, for its admins."""

    @extend_schema(
        responses={200: IdentityProviderSerializer},
        summary="The organization's identity provider for sign-in (admins)",
        tags=["identity"],
    )
    def get(self, request: Request, organization_id: str) -> Response:
        return Response(_identity_provider_body(request, self.organization))

    @extend_schema(
        request=IdentityProviderInputSerializer,
        responses={200: IdentityProviderSerializer, 400: DetailSerializer},
        summary="Set the organization's identity provider for sign-in (admins)",
        description=(
            "proCure reads the issuer's discovery document first (400 with what "
            "is wrong when it cannot). The client secret is stored encrypted "
            "and never shown back. Audited, without the secret."
        ),
        tags=["identity"],
    )
    def put(self, request: Request, organization_id: str) -> Response:
        serializer = IdentityProviderInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        oidc.oidc_provider_set(
            organization=self.organization,
            issuer=data["issuer"],
            client_id=data["client_id"],
            client_secret=data.get("client_secret") or None,
            password_sign_in=data["password_sign_in"],
            actor=self.caller,
        )
        self.organization.refresh_from_db()
        return Response(_identity_provider_body(request, self.organization))

    @extend_schema(
        request=None,
        responses={204: None},
        summary="Remove the organization's identity provider: password "
        "sign-in is on again (admins)",
        tags=["identity"],
    )
    def delete(self, request: Request, organization_id: str) -> Response:
        oidc.oidc_provider_remove(organization=self.organization, actor=self.caller)
        return Response(status=status.HTTP_204_NO_CONTENT)
