"""GET and POST /api/v1/organizations/{id}/invitations: the organization's
invitations, and inviting an address of its domain."""

import re

from rest_framework.throttling import SimpleRateThrottle

from accounts.models import Invitation, Role
from accounts.tests.factories import UserFactory
from audit.models import AuditAction, AuditEvent
from conftest import client_for


def url(organization) -> str:
    return f"/api/v1/organizations/{organization.public_id}/invitations"


def invite(client, organization, email="new@acme.io", role="member"):
    return client.post(url(organization), {"email": email, "role": role}, format="json")


def test_it_invites_and_emails_the_link(
    admin_client,
    admin_user,
    organization,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        response = invite(admin_client, organization, email="New@acme.io", role="admin")

    assert response.status_code == 201
    body = response.json()
    assert {key: body[key] for key in ("email", "role", "status", "invited_by")} == {
        "email": "new@acme.io",
        "role": "admin",
        "status": "pending",
        "invited_by": "ada@acme.io",
    }
    invitation = Invitation.objects.get()
    assert (invitation.organization, invitation.invited_by) == (
        organization,
        admin_user,
    )
    assert mailoutbox[0].to == ["new@acme.io"]
    assert mailoutbox[0].subject == "You are invited to Acme on proCure"
    assert "/account/accept-invitation?token=" in mailoutbox[0].body
    event = AuditEvent.objects.get(action=AuditAction.INVITATION_SENT)
    assert (event.actor, event.target, event.details) == (
        admin_user,
        "new@acme.io",
        {"role": "admin"},
    )


def test_it_lists_the_invitations_newest_first(admin_client, organization):
    invite(admin_client, organization, email="one@acme.io")
    invite(admin_client, organization, email="two@acme.io")

    response = admin_client.get(url(organization))

    assert response.status_code == 200
    assert [row["email"] for row in response.json()["results"]] == [
        "two@acme.io",
        "one@acme.io",
    ]


def test_it_refuses_an_address_outside_the_domain(admin_client, organization):
    response = invite(admin_client, organization, email="someone@globex.com")

    assert response.status_code == 400
    assert response.json()["detail"] == "Only addresses at acme.io can join Acme."
    assert not Invitation.objects.exists()


def test_it_refuses_an_address_that_has_an_account(admin_client, organization, member):
    response = invite(admin_client, organization, email="max@acme.io")

    assert response.status_code == 409
    assert response.json()["detail"] == "max@acme.io already has a proCure account."


def test_it_refuses_a_second_pending_invitation(admin_client, organization):
    invite(admin_client, organization)

    response = invite(admin_client, organization)

    assert response.status_code == 409
    assert response.json()["detail"] == (
        "An invitation to new@acme.io is already pending. Revoke it to send a new one."
    )


def test_it_refuses_a_role_without_a_free_seat(admin_client, organization):
    organization.admin_seats = 1
    organization.save()

    response = invite(admin_client, organization, role="admin")

    assert response.status_code == 400
    assert "Acme has no admin seats left (1 of 1 taken)." in response.json()["detail"]


def test_it_refuses_a_member(member_client, organization):
    response = invite(member_client, organization)

    assert response.status_code == 403
    assert response.json()["detail"] == "Only admins of the organization can do this."
    assert not Invitation.objects.exists()


def test_it_refuses_an_unverified_admin(organization):
    unverified = UserFactory(
        organization=organization, role=Role.ADMIN, email_verified_at=None
    )

    response = invite(client_for(unverified), organization)

    assert response.status_code == 403
    assert response.json()["detail"].startswith("Verify your email address")


def test_it_refuses_another_organizations_admin(outsider_client, organization):
    assert invite(outsider_client, organization).status_code == 403
    assert outsider_client.get(url(organization)).status_code == 403
    assert not Invitation.objects.exists()


def test_it_answers_404_for_an_unknown_organization(admin_client, organization):
    response = admin_client.get("/api/v1/organizations/org_nope/invitations")

    assert response.status_code == 404


def test_it_needs_a_signed_in_caller(anon_client, organization):
    assert invite(anon_client, organization).status_code == 401


def test_it_limits_the_invitations_an_admin_sends(
    admin_client, organization, monkeypatch
):
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"invitation": "2/hour"})

    answers = [
        invite(admin_client, organization, email=f"new{index}@acme.io")
        for index in range(3)
    ]

    assert [answer.status_code for answer in answers] == [201, 201, 429]
    assert re.fullmatch(
        r"Too many requests\. Try again in \d+ seconds\.", answers[2].json()["detail"]
    )
    assert Invitation.objects.count() == 2
    # Reading the list sends nobody anything: it is not limited.
    assert admin_client.get(url(organization)).status_code == 200


def test_it_limits_the_invitations_one_address_gets_in_a_day(
    admin_client,
    organization,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    # INVITATIONS_PER_ADDRESS_PER_DAY is 3 unless set.
    for _ in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            sent = invite(admin_client, organization)
        assert sent.status_code == 201
        revoked = admin_client.post(f"{url(organization)}/{sent.json()['id']}/revoke")
        assert revoked.status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = invite(admin_client, organization)

    assert response.status_code == 429
    assert response.json() == {
        "detail": "new@acme.io was sent 3 invitations in the last 24 hours, the "
        "most proCure sends to one address in a day. Try again in 24 hours; a "
        "pending invitation's link keeps working.",
        "code": "too_many_attempts",
    }
    assert 0 < int(response["Retry-After"]) <= 24 * 3600
    assert len(mailoutbox) == 3
    assert Invitation.objects.count() == 3
    # Another address is not held back by this one's limit.
    assert invite(admin_client, organization, email="other@acme.io").status_code == 201
