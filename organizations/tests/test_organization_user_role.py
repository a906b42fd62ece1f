import uuid

import pytest
from django.test import Client

from accounts.models import Invitation, Role, User
from accounts.tests.factories import UserFactory
from accounts.tokens import invitation_token_make
from audit.models import AuditAction, AuditEvent
from conftest import client_for


def user_url(organization, user) -> str:
    public_id = getattr(organization, "public_id", organization)
    user_id = getattr(user, "id", user)
    return f"/api/v1/organizations/{public_id}/users/{user_id}"


def change_role(client, organization, user, role: str):
    return client.patch(user_url(organization, user), {"role": role}, format="json")


def test_it_promotes_a_member_within_the_admin_cap(
    admin_client, organization, admin_user, member
):
    response = change_role(admin_client, organization, member, "admin")

    assert response.status_code == 200
    assert response.json() == {
        "id": str(member.id),
        "email": "max@acme.io",
        "role": "admin",
        "department": "",
        "is_active": True,
        "email_verified": True,
        "last_activity": None,
    }
    assert User.objects.get(pk=member.pk).role == Role.ADMIN
    event = AuditEvent.objects.get(action=AuditAction.USER_ROLE_CHANGED)
    assert (event.actor, event.organization, event.target) == (
        admin_user,
        organization,
        "max@acme.io",
    )
    assert event.details == {"from": "member", "to": "admin"}


def test_it_refuses_a_promotion_past_the_admin_cap(
    admin_client, organization, admin_user, member
):
    organization.admin_seats = 1
    organization.save()

    response = change_role(admin_client, organization, member, "admin")

    assert response.status_code == 400
    assert response.json() == {
        "detail": "Acme has no admin seats left (1 of 1 taken). To make room, an "
        "admin of Acme can deactivate someone, change a role or revoke an "
        "invitation; to raise the cap, ask proCure's staff (the organization's "
        "page in the admin, or manage.py create_organization --domain acme.io "
        "--admin-seats N).",
        "code": "seats_exhausted",
    }
    assert User.objects.get(pk=member.pk).role == Role.MEMBER
    assert not AuditEvent.objects.exists()


def test_it_refuses_to_promote_a_deactivated_member(
    admin_client, organization, admin_user, member
):
    User.objects.filter(pk=member.pk).update(is_active=False)

    response = change_role(admin_client, organization, member, "admin")

    assert response.status_code == 400
    assert response.json() == {
        "detail": "max@acme.io is deactivated, so cannot be made an admin. Only "
        "active people hold admin seats.",
        "code": "invalid_request",
    }
    assert User.objects.get(pk=member.pk).role == Role.MEMBER
    assert not AuditEvent.objects.filter(action=AuditAction.USER_ROLE_CHANGED).exists()


def test_it_keeps_at_least_one_admin(admin_client, organization, admin_user):
    response = change_role(admin_client, organization, admin_user, "member")

    assert response.status_code == 400
    assert response.json() == {
        "detail": "ada@acme.io is the last admin of Acme. "
        "Make someone else an admin first.",
        "code": "last_admin",
    }
    assert User.objects.get(pk=admin_user.pk).role == Role.ADMIN


def test_it_lets_an_admin_step_down_when_another_remains(
    admin_client, organization, admin_user
):
    UserFactory(organization=organization, role=Role.ADMIN)

    response = change_role(admin_client, organization, admin_user, "member")

    assert response.status_code == 200
    assert User.objects.get(pk=admin_user.pk).role == Role.MEMBER


def test_it_changes_nothing_for_the_same_role(admin_client, organization, member):
    response = change_role(admin_client, organization, member, "member")

    assert response.status_code == 200
    assert not AuditEvent.objects.exists()


def test_it_names_an_unknown_role(admin_client, organization, member):
    response = change_role(admin_client, organization, member, "owner")

    assert response.status_code == 400
    assert response.json()["detail"] == (
        'role: "owner" is not a valid choice. Send one of: admin, member.'
    )
    assert User.objects.get(pk=member.pk).role == Role.MEMBER


@pytest.mark.parametrize("which", ["unknown", "outsider"])
def test_it_answers_404_for_a_user_not_in_the_organization(
    admin_client, organization, outsider_admin, which
):
    target = uuid.uuid4() if which == "unknown" else outsider_admin

    response = change_role(admin_client, organization, target, "member")

    assert response.status_code == 404
    assert response.json()["detail"].startswith("Acme has no user with the id ")
    assert User.objects.get(pk=outsider_admin.pk).role == Role.ADMIN


@pytest.mark.parametrize(
    ("client_name", "status"),
    [("member_client", 403), ("outsider_client", 403), ("anon_client", 401)],
)
def test_it_refuses_anyone_but_the_organizations_admins(
    request, organization, admin_user, member, client_name, status
):
    client = request.getfixturevalue(client_name)

    response = change_role(client, organization, member, "admin")

    assert response.status_code == status
    assert User.objects.get(pk=member.pk).role == Role.MEMBER


def test_it_answers_404_for_an_unknown_organization(admin_client, member):
    response = change_role(admin_client, "org_" + "x" * 32, member, "admin")

    assert response.status_code == 404


def test_it_revokes_the_pending_invitations_of_an_admin_made_member(
    admin_client, organization, admin_user
):
    bob = UserFactory(organization=organization, role=Role.ADMIN, email="bob@acme.io")
    invitations = f"/api/v1/organizations/{organization.public_id}/invitations"
    sent = client_for(bob).post(
        invitations, {"email": "new@acme.io", "role": "member"}, format="json"
    )
    kept = admin_client.post(
        invitations, {"email": "kept@acme.io", "role": "member"}, format="json"
    )

    response = change_role(admin_client, organization, bob, "member")

    assert response.status_code == 200
    assert Invitation.objects.get(pk=sent.json()["id"]).status == "revoked"
    assert Invitation.objects.get(pk=kept.json()["id"]).status == "pending"
    event = AuditEvent.objects.get(action=AuditAction.INVITATION_REVOKED)
    assert (event.actor, event.organization, event.target, event.details) == (
        admin_user,
        organization,
        "new@acme.io",
        {"reason": "inviter_demoted"},
    )
    page = Client().get(
        "/account/accept-invitation",
        {"token": invitation_token_make(invitation_id=sent.json()["id"])},
    )
    assert "This invitation was withdrawn." in page.content.decode()
