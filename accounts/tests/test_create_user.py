import smtplib
from unittest import mock

import pytest
from django.conf import settings
from django.test import Client
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from accounts.models import DeviceToken, Role, User, hash_device_token
from accounts.tests.factories import UserFactory
from accounts.tests.helpers import link_in
from accounts.tokens import invitation_token_make
from audit.models import AuditAction, AuditEvent

URL = "/api/v1/auth/create-user"


def sign_up(client, **overrides):
    body = {
        "email": "jane@acme.io",
        "password": "Str0ngPass",
        "device_id": "web_k2j3h4",
        "role": "member",
        **overrides,
    }
    return client.post(URL, body, format="json")


def test_it_creates_a_member_of_the_email_domains_organization(
    anon_client, organization
):
    response = sign_up(anon_client)

    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"id", "email", "organization_id", "role", "device_token"}
    assert body["email"] == "jane@acme.io"
    assert body["organization_id"] == organization.public_id
    assert body["role"] == "member"
    user = User.objects.get(email="jane@acme.io")
    assert str(user.id) == body["id"]
    assert user.organization == organization
    assert user.check_password("Str0ngPass")


def test_it_sets_the_http_only_auth_cookie(anon_client, organization):
    response = sign_up(anon_client)

    cookie = response.cookies[settings.AUTH_COOKIE_NAME]
    assert cookie.value
    assert cookie["httponly"]
    assert cookie["secure"]
    assert cookie["samesite"] == "None"
    assert int(cookie["max-age"]) == 30 * 24 * 3600


def test_it_stores_only_a_hash_of_the_device_token(anon_client, organization):
    response = sign_up(anon_client)

    raw = response.json()["device_token"]
    assert len(raw) >= 43  # 256 bits in URL-safe base64
    token = DeviceToken.objects.get(user__email="jane@acme.io")
    assert token.device_id == "web_k2j3h4"
    assert token.token_hash == hash_device_token(raw)
    assert raw not in token.token_hash


def test_it_defaults_the_role_to_member(anon_client, organization):
    response = anon_client.post(
        URL,
        {"email": "jo@acme.io", "password": "Str0ngPass", "device_id": "d"},
        format="json",
    )

    assert response.status_code == 201
    assert response.json()["role"] == "member"


def test_it_answers_404_when_no_organization_has_the_domain(anon_client, organization):
    response = sign_up(anon_client, email="jane@unknown.io")

    assert response.status_code == 404
    # The compat sentence first (clients match it), then what to do.
    assert response.json() == {
        "detail": "No organization found for domain unknown.io. Sign up failed. "
        "proCure has no organization for unknown.io yet: ask whoever runs proCure "
        "for your company to create it (manage.py create_organization --domain "
        "unknown.io --company <name>), then sign up again.",
        "code": "not_found",
    }
    assert not User.objects.filter(email="jane@unknown.io").exists()


@pytest.mark.parametrize(
    ("password", "detail"),
    [
        ("Sh0rt", "This password is too short. It must contain at least 8 characters."),
        ("nonumbersHere", "Password must contain at least one number."),
        ("alllower123", "Password must contain at least one upper-case letter."),
        ("ALLUPPER123", "Password must contain at least one lower-case letter."),
        ("Password1", "This password is too common."),
    ],
)
def test_it_rejects_a_weak_password_with_the_reason(
    anon_client, organization, password, detail
):
    response = sign_up(anon_client, password=password)

    assert response.status_code == 400
    body = response.json()
    assert body["detail"] == detail
    assert detail in body["errors"]["password"]
    assert not User.objects.exists()


def test_it_answers_409_for_an_email_already_registered_in_any_case(
    anon_client, member
):
    response = sign_up(anon_client, email="MAX@Acme.IO")

    assert response.status_code == 409
    assert "already exists" in response.json()["detail"]
    assert User.objects.filter(email__iexact="max@acme.io").count() == 1


def test_it_stores_the_email_lower_case(anon_client, organization):
    response = sign_up(anon_client, email="Jane.Doe@ACME.io")

    assert response.status_code == 201
    assert response.json()["email"] == "jane.doe@acme.io"


def test_it_refuses_an_admin_sign_up_past_the_admin_cap(anon_client, organization):
    organization.admin_seats = 1
    organization.save()
    UserFactory(organization=organization, role=Role.ADMIN)

    response = sign_up(anon_client, role="admin")

    assert response.status_code == 400
    assert "no admin seats left" in response.json()["detail"]
    assert not User.objects.filter(email="jane@acme.io").exists()


def test_it_keeps_no_admin_seat_for_an_unverified_squatter(anon_client, organization):
    organization.admin_seats = 1
    organization.save()
    squatter = sign_up(anon_client, email="squatter@acme.io", role="admin")
    assert squatter.status_code == 201

    response = sign_up(APIClient(), email="boss@acme.io", role="admin")

    # The compat endpoint answers as it always did for an admin sign-up.
    assert response.status_code == 201
    assert set(response.json()) == {
        "id",
        "email",
        "organization_id",
        "role",
        "device_token",
    }
    assert response.json()["role"] == "admin"
    assert User.objects.filter(organization=organization, role=Role.ADMIN).count() == 2


def test_it_refuses_a_member_sign_up_past_the_member_cap(anon_client, organization):
    organization.member_seats = 1
    organization.save()
    UserFactory(organization=organization, role=Role.MEMBER)

    response = sign_up(anon_client)

    assert response.status_code == 400
    assert "no member seats left" in response.json()["detail"]


def test_it_leaves_an_invited_address_to_its_invitation(
    anon_client, admin_client, organization
):
    invited = admin_client.post(
        f"/api/v1/organizations/{organization.public_id}/invitations",
        {"email": "jane@acme.io", "role": "admin"},
        format="json",
    )

    response = sign_up(anon_client, email="Jane@acme.io")

    assert response.status_code == 409
    assert response.json() == {
        "detail": "jane@acme.io is invited to Acme: open the link in the "
        "invitation email sent to jane@acme.io to join. It sets your password "
        "and verifies your address.",
        "code": "conflict",
    }
    assert not User.objects.filter(email="jane@acme.io").exists()
    token = invitation_token_make(invitation_id=invited.json()["id"])
    browser = Client()
    page = browser.get("/account/accept-invitation", {"token": token})
    assert "already has" not in page.content.decode()
    accepted = browser.post(
        "/account/accept-invitation", {"token": token, "password": "Str0ngPass"}
    )
    assert "Your account jane@acme.io is ready" in accepted.content.decode()
    assert User.objects.get(email="jane@acme.io").role == Role.ADMIN


def test_it_does_not_count_deactivated_users_against_the_cap(anon_client, organization):
    organization.member_seats = 1
    organization.save()
    UserFactory(organization=organization, role=Role.MEMBER, is_active=False)

    assert sign_up(anon_client).status_code == 201


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"password": "Str0ngPass", "device_id": "d"}, "email"),
        (
            {"email": "not-an-email", "password": "Str0ngPass", "device_id": "d"},
            "email",
        ),
        ({"email": "jane@acme.io", "device_id": "d"}, "password"),
        ({"email": "jane@acme.io", "password": "Str0ngPass"}, "device_id"),
        (
            {
                "email": "j@acme.io",
                "password": "Str0ngPass",
                "device_id": "d",
                "role": "x",
            },
            "role",
        ),
    ],
)
def test_it_names_the_field_that_is_missing_or_wrong(
    anon_client, organization, body, field
):
    response = anon_client.post(URL, body, format="json")

    assert response.status_code == 400
    assert field.replace("_", " ") in response.json()["detail"].replace("_", " ")
    assert field in response.json()["errors"]


def test_it_answers_400_for_a_body_that_is_not_json(anon_client, organization):
    response = anon_client.post(URL, "{not json", content_type="application/json")

    assert response.status_code == 400
    assert response.json() == {
        "detail": "The request body could not be parsed. Send valid JSON.",
        "code": "malformed_body",
    }


def test_it_throttles_repeated_sign_ups(anon_client, organization, monkeypatch):
    monkeypatch.setattr(
        SimpleRateThrottle, "THROTTLE_RATES", {"sign_up": "2/minute", "sign_in": "9/m"}
    )
    statuses = [
        sign_up(anon_client, email=f"u{i}@acme.io").status_code for i in range(3)
    ]

    assert statuses == [201, 201, 429]
    response = sign_up(anon_client, email="u9@acme.io")
    assert response.json()["detail"].startswith("Too many requests. Try again in ")
    assert User.objects.count() == 2


def test_it_leaves_the_email_unverified_and_audits_the_sign_up(
    anon_client, organization
):
    sign_up(anon_client)

    user = User.objects.get(email="jane@acme.io")
    assert user.email_verified_at is None
    event = AuditEvent.objects.get(action=AuditAction.USER_SIGNED_UP)
    assert event.organization == organization
    assert event.actor == user
    assert event.target == "jane@acme.io"
    assert event.details == {"role": "member"}


def test_it_emails_a_verification_link_once_the_user_is_committed(
    anon_client, organization, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        sign_up(anon_client)
    assert mailoutbox == []

    for callback in callbacks:
        callback()

    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["jane@acme.io"]
    assert message.subject == "Verify your email address for proCure"
    path, params = link_in(message)
    assert path == "/account/verify-email"
    assert set(params) == {"token"}


def test_it_sends_no_email_for_a_refused_sign_up(
    anon_client, organization, mailoutbox, django_capture_on_commit_callbacks
):
    organization.member_seats = 0
    organization.save()

    with django_capture_on_commit_callbacks(execute=True):
        response = sign_up(anon_client)

    assert response.status_code == 400
    assert mailoutbox == []
    assert not AuditEvent.objects.exists()


def test_it_signs_up_even_when_the_mail_server_is_down(
    anon_client, organization, mailoutbox, django_capture_on_commit_callbacks, caplog
):
    def refuse(*args, **kwargs):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")

    with (
        mock.patch("accounts.tasks.send_mail", refuse),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = sign_up(anon_client)

    assert response.status_code == 201
    assert User.objects.filter(email="jane@acme.io").exists()
    assert "SMTPServerDisconnected" in caplog.text
