import uuid

import pytest

from accounts.models import Invitation, Role, User
from accounts.tests.factories import TEST_PASSWORD, UserFactory
from accounts.tests.helpers import SignedIn
from audit.models import AuditAction, AuditEvent
from conftest import client_for


def deactivate_url(organization, user) -> str:
    public_id = getattr(organization, "public_id", organization)
    user_id = getattr(user, "id", user)
    return f"/api/v1/organizations/{public_id}/users/{user_id}/deactivate"


def deactivate(client, organization, user):
    return client.post(deactivate_url(organization, user))


def test_it_deactivates_a_user_and_ends_their_sessions(
    admin_client, anon_client, organization, admin_user, member
):
    sessions = SignedIn(member)
    access_client = client_for(member)

    response = deactivate(admin_client, organization, member)

    assert response.status_code == 200
    assert response.json()["is_active"] is False
    assert response.json()["email"] == "max@acme.io"
    assert User.objects.get(pk=member.pk).is_active is False
    assert sessions.statuses() == {"device": 401, "cookie": 401, "refresh": 401}
    assert access_client.get("/api/v1/auth/me").status_code == 401
    signed_in = anon_client.post(
        "/api/v1/auth/sign-in",
        {"email": "max@acme.io", "password": TEST_PASSWORD, "device_id": "d"},
        format="json",
    )
    assert signed_in.status_code == 401


def test_it_audits_the_deactivation_and_the_revocation(
    admin_client, organization, admin_user, member
):
    SignedIn(member)

    deactivate(admin_client, organization, member)

    events = AuditEvent.objects.order_by("id")
    assert [(e.action, e.actor, e.target) for e in events] == [
        (AuditAction.USER_DEACTIVATED, admin_user, "max@acme.io"),
        (AuditAction.TOKEN_REVOKED, admin_user, "max@acme.io"),
    ]
    assert events[1].details == {"reason": "deactivated", "devices": 1, "sessions": 2}


def test_it_frees_the_users_seat(
    admin_client, anon_client, organization, admin_user, member
):
    organization.member_seats = 1
    organization.save()

    deactivate(admin_client, organization, member)

    signed_up = anon_client.post(
        "/api/v1/auth/create-user",
        {"email": "new@acme.io", "password": "Str0ngPass", "device_id": "d"},
        format="json",
    )
    assert signed_up.status_code == 201


def test_it_refuses_to_deactivate_the_last_admin_even_oneself(
    admin_client, organization, admin_user
):
    response = deactivate(admin_client, organization, admin_user)

    assert response.status_code == 400
    assert response.json() == {
        "detail": "ada@acme.io is the last admin of Acme. "
        "Make someone else an admin first.",
        "code": "last_admin",
    }
    assert User.objects.get(pk=admin_user.pk).is_active is True
    assert client_for(admin_user).get("/api/v1/auth/me").status_code == 200


def test_it_lets_an_admin_deactivate_another_admin_who_is_not_the_last(
    admin_client, organization, admin_user
):
    other = UserFactory(organization=organization, role=Role.ADMIN)

    response = deactivate(admin_client, organization, other)

    assert response.status_code == 200
    assert User.objects.get(pk=other.pk).is_active is False


def test_it_changes_nothing_for_a_user_already_inactive(
    admin_client, organization, member
):
    deactivate(admin_client, organization, member)

    response = deactivate(admin_client, organization, member)

    assert response.status_code == 200
    assert response.json()["is_active"] is False
    assert AuditEvent.objects.filter(action=AuditAction.USER_DEACTIVATED).count() == 1


@pytest.mark.parametrize("which", ["unknown", "outsider"])
def test_it_answers_404_for_a_user_not_in_the_organization(
    admin_client, organization, outsider_admin, which
):
    target = uuid.uuid4() if which == "unknown" else outsider_admin

    response = deactivate(admin_client, organization, target)

    assert response.status_code == 404
    assert User.objects.get(pk=outsider_admin.pk).is_active is True


@pytest.mark.parametrize(
    ("client_name", "status"),
    [("member_client", 403), ("outsider_client", 403), ("anon_client", 401)],
)
def test_it_refuses_anyone_but_the_organizations_admins(
    request, organization, admin_user, member, client_name, status
):
    client = request.getfixturevalue(client_name)

    response = deactivate(client, organization, admin_user)

    assert response.status_code == status
    assert User.objects.get(pk=admin_user.pk).is_active is True


def test_it_answers_404_for_an_unknown_organization(admin_client, member):
    response = deactivate(admin_client, "org_" + "x" * 32, member)

    assert response.status_code == 404
    assert User.objects.get(pk=member.pk).is_active is True


def test_it_lets_the_verified_admin_remove_an_unverified_admin_squatter(
    admin_client, admin_user, organization
):
    organization.admin_seats = 1
    organization.save()
    squatter = UserFactory(
        organization=organization,
        role=Role.ADMIN,
        email="squatter@acme.io",
        email_verified_at=None,
    )

    response = deactivate(admin_client, organization, squatter)

    assert response.status_code == 200
    assert not User.objects.get(pk=squatter.pk).is_active
    assert User.objects.get(pk=admin_user.pk).is_active


def test_it_revokes_the_pending_invitations_of_a_deactivated_admin(
    admin_client, organization, admin_user
):
    bob = UserFactory(organization=organization, role=Role.ADMIN, email="bob@acme.io")
    sent = client_for(bob).post(
        f"/api/v1/organizations/{organization.public_id}/invitations",
        {"email": "new@acme.io", "role": "member"},
        format="json",
    )

    response = deactivate(admin_client, organization, bob)

    assert response.status_code == 200
    assert Invitation.objects.get(pk=sent.json()["id"]).status == "revoked"
    event = AuditEvent.objects.get(action=AuditAction.INVITATION_REVOKED)
    assert (event.actor, event.target, event.details) == (
        admin_user,
        "new@acme.io",
        {"reason": "inviter_deactivated"},
    )
