"""Who holds a seat (accounts/services/seats.py): a verified person or a
pending invitation, never an unverified sign-up, which anyone can make with
any address of the domain. Each test replays a report of the security
review through the API and the pages."""

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.test import Client
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from rest_framework.test import APIClient

from accounts.models import Invitation, Role, User
from accounts.tests.factories import UserFactory
from accounts.tokens import email_verification_token_make, invitation_token_make

ADMIN = "/" + settings.ADMIN_URL


def sign_up(email: str):
    return APIClient().post(
        "/api/v1/auth/create-user",
        {"email": email, "password": "Str0ngPass", "device_id": "d"},
        format="json",
    )


def invite(client, organization, email: str, role: str = "member"):
    return client.post(
        f"/api/v1/organizations/{organization.public_id}/invitations",
        {"email": email, "role": role},
        format="json",
    )


def accept(invitation: Invitation):
    url = "/account/accept-invitation"
    token = invitation_token_make(invitation_id=invitation.pk)
    browser = Client(enforce_csrf_checks=True)
    page = browser.get(url, {"token": token})
    return browser.post(
        url,
        {
            "token": token,
            "password": "Str0ngPass",
            "csrfmiddlewaretoken": page.context["csrf_token"],
        },
    )


def test_it_lets_an_admin_invite_when_unverified_sign_ups_fill_the_member_seats(
    admin_client, organization, member
):
    organization.member_seats = 5
    organization.save()
    UserFactory(organization=organization, email="mia@acme.io")
    for made_up in ("x1@acme.io", "x2@acme.io", "x3@acme.io"):
        assert sign_up(made_up).status_code == 201

    response = invite(admin_client, organization, "new@acme.io")

    assert response.status_code == 201
    assert response.json()["status"] == "pending"


def test_it_keeps_a_seat_for_a_pending_invitation(admin_client, organization):
    organization.member_seats = 1
    organization.save()
    invitation = Invitation.objects.get(
        pk=invite(admin_client, organization, "new@acme.io").json()["id"]
    )

    second = invite(admin_client, organization, "other@acme.io")
    signed_up = sign_up("someone@acme.io")

    assert second.status_code == 400
    assert second.json()["detail"] == (
        "Acme has no member seats left (1 of 1 taken). Pending invitations keep "
        "1 of them. To make room, an admin of Acme can deactivate someone, "
        "change a role or revoke an invitation; to raise the cap, ask proCure's "
        "staff (the organization's page in the admin, or manage.py "
        "create_organization --domain acme.io --member-seats N)."
    )
    assert signed_up.status_code == 400
    assert (
        "Acme has no member seats left (1 of 1 taken)." in (signed_up.json()["detail"])
    )
    accepted = accept(invitation)
    assert "Your account new@acme.io is ready" in accepted.content.decode()
    assert User.objects.get(email="new@acme.io").email_verified


def test_it_refuses_a_verification_when_verified_people_fill_the_seats(
    organization,
):
    organization.member_seats = 1
    organization.save()
    assert sign_up("late@acme.io").status_code == 201
    UserFactory(organization=organization, email="first@acme.io")
    late = User.objects.get(email="late@acme.io")

    response = APIClient().post(
        "/api/v1/auth/verify-email",
        {
            "token": email_verification_token_make(
                user_id=str(late.pk), email=late.email
            ),
            "password": "Str0ngPass",
        },
        format="json",
    )

    assert response.status_code == 400
    assert response.json() == {
        "detail": "Acme has no member seats left (1 of 1 taken). To make room, an "
        "admin of Acme can deactivate someone, change a role or revoke an "
        "invitation; to raise the cap, ask proCure's staff (the organization's "
        "page in the admin, or manage.py create_organization --domain acme.io "
        "--member-seats N).",
        "code": "seats_exhausted",
    }
    late.refresh_from_db()
    assert not late.email_verified


def test_it_gives_an_invitee_the_seat_an_unverified_member_signed_up_for(
    admin_client, organization
):
    organization.member_seats = 1
    organization.save()
    assert sign_up("squatter@acme.io").status_code == 201
    invitation = Invitation.objects.get(
        pk=invite(admin_client, organization, "new@acme.io").json()["id"]
    )

    accepted = accept(invitation)

    assert "Your account new@acme.io is ready" in accepted.content.decode()
    squatter = User.objects.get(email="squatter@acme.io")
    verified = Client().post(
        "/account/verify-email",
        {
            "token": email_verification_token_make(
                user_id=str(squatter.pk), email=squatter.email
            ),
            "password": "Str0ngPass",
        },
    )
    assert "Acme has no member seats left (1 of 1 taken)." in (
        verified.content.decode()
    )
    squatter.refresh_from_db()
    assert not squatter.email_verified


def test_it_shows_seats_left_as_the_caps_count_them_in_the_admin(
    staff_user, organization, admin_user, member, admin_client
):
    organization.member_seats = 5
    organization.admin_seats = 3
    organization.save()
    for index in range(3):
        UserFactory(
            organization=organization,
            email=f"unverified{index}@acme.io",
            email_verified_at=None,
        )
    UserFactory(
        organization=organization,
        role=Role.ADMIN,
        email="unverified-admin@acme.io",
        email_verified_at=None,
    )
    assert invite(admin_client, organization, "new@acme.io").status_code == 201
    browser = Client()
    browser.force_login(staff_user)

    listed = browser.get(f"{ADMIN}accounts/organization/")
    shown = browser.get(f"{ADMIN}accounts/organization/{organization.pk}/change/")

    assert listed.status_code == 200
    page = listed.content.decode()
    # One verified member and one invitation of 5 member seats; one verified
    # admin of 3 admin seats.
    assert '<td class="field-members_remaining">3</td>' in page
    assert '<td class="field-admins_remaining">2</td>' in page
    assert shown.status_code == 200
    assert '<div class="readonly">3</div>' in shown.content.decode()


def test_it_changes_the_password_of_a_member_without_a_seat_but_leaves_it_unverified(
    organization,
):
    organization.member_seats = 1
    organization.save()
    assert sign_up("late@acme.io").status_code == 201
    UserFactory(organization=organization, email="first@acme.io")
    late = User.objects.get(email="late@acme.io")

    response = APIClient().post(
        "/api/v1/auth/password-reset/confirm",
        {
            "uid": urlsafe_base64_encode(force_bytes(late.pk)),
            "token": default_token_generator.make_token(late),
            "new_password": "N3wPassword",
        },
        format="json",
    )

    assert response.status_code == 200
    late.refresh_from_db()
    assert late.check_password("N3wPassword")
    assert not late.email_verified
