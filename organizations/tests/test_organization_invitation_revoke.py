"""POST /api/v1/organizations/{id}/invitations/{invitation_id}/revoke."""

from django.test import Client

from accounts.models import Invitation, Role
from accounts.services.invitations import invitation_create
from accounts.tokens import invitation_token_make
from audit.models import AuditAction, AuditEvent


def revoke_url(invitation: Invitation) -> str:
    return (
        f"/api/v1/organizations/{invitation.organization.public_id}"
        f"/invitations/{invitation.pk}/revoke"
    )


def pending(organization, actor=None) -> Invitation:
    return invitation_create(
        organization=organization, email="new@acme.io", role=Role.MEMBER, actor=actor
    )


def test_it_revokes_and_the_link_stops_working(admin_client, admin_user, organization):
    invitation = pending(organization, admin_user)

    response = admin_client.post(revoke_url(invitation))

    assert response.status_code == 200
    assert response.json()["status"] == "revoked"
    assert Invitation.objects.get().revoked_at is not None
    assert AuditEvent.objects.filter(
        action=AuditAction.INVITATION_REVOKED, actor=admin_user, target="new@acme.io"
    ).exists()
    page = Client().get(
        "/account/accept-invitation",
        {"token": invitation_token_make(invitation_id=invitation.pk)},
    )
    assert "This invitation was withdrawn." in page.content.decode()


def test_it_hides_another_organizations_invitation(
    outsider_client, other_organization, organization
):
    invitation = pending(organization)
    other_url = (
        f"/api/v1/organizations/{other_organization.public_id}"
        f"/invitations/{invitation.pk}/revoke"
    )

    response = outsider_client.post(other_url)

    assert response.status_code == 404
    assert Invitation.objects.get().revoked_at is None


def test_it_refuses_a_member(member_client, organization):
    invitation = pending(organization)

    assert member_client.post(revoke_url(invitation)).status_code == 403
    assert Invitation.objects.get().revoked_at is None
