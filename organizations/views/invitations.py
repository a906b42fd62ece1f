"""The organization's invitations: the list, sending one, revoking one."""

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import BaseThrottle, ScopedRateThrottle

from accounts import selectors
from accounts.models import Invitation
from accounts.permissions import OrganizationScopedView
from accounts.serializers import InvitationInputSerializer, InvitationSerializer
from accounts.services import invitations
from procure_site.serializers import DetailSerializer

INVITATION_ERRORS = {
    400: DetailSerializer,
    409: DetailSerializer,
    429: DetailSerializer,
}


class OrganizationInvitationListView(
    OrganizationScopedView, generics.ListAPIView[Invitation]
):
    """The organization's invitations (GET) and sending one (POST), for its
    verified admins and staff."""

    serializer_class = InvitationSerializer
    throttle_scope = "invitation"

    def get_throttles(self) -> list[BaseThrottle]:
        # Sending an invitation emails a person, per sender at most
        # THROTTLE_INVITATION_RATE; reading the list emails nobody.
        return [ScopedRateThrottle()] if self.request.method == "POST" else []

    def get_queryset(self) -> QuerySet[Invitation]:
        if getattr(self, "swagger_fake_view", False):
            return Invitation.objects.none()
        return selectors.organization_invitation_list(organization=self.organization)

    @extend_schema(
        responses={200: InvitationSerializer(many=True)},
        summary="The organization's invitations, newest first (admins)",
        tags=["organizations"],
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request=InvitationInputSerializer,
        responses={201: InvitationSerializer, **INVITATION_ERRORS},
        summary="Invite an address of the organization's domain (admins)",
        description=(
            "Emails a link to /account/accept-invitation, where the person "
            "chooses a password; accepting creates the account with the "
            "address verified. The link works once, until expires_at. "
            "429 past THROTTLE_INVITATION_RATE invitations per sender, or "
            "INVITATIONS_PER_ADDRESS_PER_DAY to one address."
        ),
        tags=["organizations"],
    )
    def post(self, request: Request, organization_id: str) -> Response:
        serializer = InvitationInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        invitation = invitations.invitation_create(
            organization=self.organization,
            actor=self.caller,
            **serializer.validated_data,
        )
        return Response(
            InvitationSerializer(invitation).data, status=status.HTTP_201_CREATED
        )


class OrganizationInvitationRevokeView(OrganizationScopedView):
    @extend_schema(
        request=None,
        responses={200: InvitationSerializer},
        summary="Revoke an invitation: its link stops working (admins)",
        tags=["organizations"],
    )
    def post(
        self, request: Request, organization_id: str, invitation_id: int
    ) -> Response:
        invitation = invitations.invitation_revoke(
            organization=self.organization,
            invitation_id=invitation_id,
            actor=self.caller,
        )
        return Response(InvitationSerializer(invitation).data)
