import datetime as dt

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from rest_framework.throttling import SimpleRateThrottle

from accounts.models import DeviceToken, User
from accounts.tests.factories import TEST_PASSWORD, UserFactory
from accounts.tests.helpers import SignedIn, link_in
from audit.models import AuditAction, AuditEvent
from conftest import client_for
from procure_site import clock

URL = "/api/v1/auth/password-reset/confirm"
NEW_PASSWORD = "N3wSecretPass"
INVALID = {
    "detail": "This password reset link is not valid: it may have been used "
    "already, cut short or changed. Open the link from the newest email again, "
    "or ask for a new one.",
    "code": "link_not_valid",
}
EXPIRED = {
    "detail": "This password reset link has expired. Ask for a new one below.",
    "code": "link_not_valid",
}


def link_for(user: User) -> dict[str, str]:
    return {
        "uid": urlsafe_base64_encode(force_bytes(user.pk)),
        "token": default_token_generator.make_token(user),
    }


def confirm(client, link: dict, new_password: str = NEW_PASSWORD):
    return client.post(URL, {**link, "new_password": new_password}, format="json")


def sign_in_status(client, password: str) -> int:
    return client.post(
        "/api/v1/auth/sign-in",
        {"email": "max@acme.io", "password": password, "device_id": "web"},
        format="json",
    ).status_code


def test_it_sets_the_new_password_from_the_emailed_link(
    anon_client, member, mailoutbox
):
    anon_client.post(
        "/api/v1/auth/password-reset", {"email": "max@acme.io"}, format="json"
    )
    _, link = link_in(mailoutbox[0])

    response = confirm(anon_client, link)

    assert response.status_code == 200
    assert response.json() == {
        "detail": "Your password is changed and every session is signed out. "
        "Sign in with the new password."
    }
    assert User.objects.get(pk=member.pk).check_password(NEW_PASSWORD)
    assert sign_in_status(anon_client, NEW_PASSWORD) == 200
    assert sign_in_status(anon_client, TEST_PASSWORD) == 401


def test_it_ends_every_session_of_the_user(anon_client, member, admin_user):
    sessions = SignedIn(member)
    access_client = client_for(member)
    others = SignedIn(admin_user)
    assert sessions.statuses() == {"device": 200, "cookie": 200, "refresh": 200}

    confirm(anon_client, link_for(member))

    assert sessions.statuses() == {"device": 401, "cookie": 401, "refresh": 401}
    assert access_client.get("/api/v1/auth/me").status_code == 401
    assert DeviceToken.objects.get(user=member).revoked_at is not None
    assert others.statuses() == {"device": 200, "cookie": 200, "refresh": 200}


def test_it_audits_the_reset_and_the_revocation(anon_client, member, organization):
    SignedIn(member)

    confirm(anon_client, link_for(member))

    reset = AuditEvent.objects.get(action=AuditAction.USER_PASSWORD_RESET)
    assert (reset.actor, reset.organization, reset.target) == (
        member,
        organization,
        "max@acme.io",
    )
    revoked = AuditEvent.objects.get(action=AuditAction.TOKEN_REVOKED)
    assert revoked.target == "max@acme.io"
    # One device token; the cookie's session and the refresh token.
    assert revoked.details == {"reason": "password_reset", "devices": 1, "sessions": 2}
    assert NEW_PASSWORD not in str(list(AuditEvent.objects.values()))


def test_it_marks_an_unverified_address_verified(anon_client, organization):
    user = UserFactory(
        organization=organization, email="max@acme.io", email_verified_at=None
    )

    confirm(anon_client, link_for(user))

    assert User.objects.get(pk=user.pk).email_verified_at is not None
    event = AuditEvent.objects.get(action=AuditAction.USER_EMAIL_VERIFIED)
    assert event.details == {"via": "password_reset"}


def test_it_works_once(anon_client, member):
    link = link_for(member)
    assert confirm(anon_client, link).status_code == 200

    response = confirm(anon_client, link, new_password="An0therPass")

    assert response.status_code == 400
    assert response.json() == INVALID
    assert User.objects.get(pk=member.pk).check_password(NEW_PASSWORD)


def test_it_refuses_an_expired_link(anon_client, member, settings, time_machine):
    link = link_for(member)
    time_machine.move_to(
        clock.now() + dt.timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT + 60)
    )

    response = confirm(anon_client, link)

    assert response.status_code == 400
    assert response.json() == EXPIRED
    assert User.objects.get(pk=member.pk).check_password(TEST_PASSWORD)


@pytest.mark.parametrize(
    "tamper",
    [
        lambda link, other: {**link, "token": "abc-123"},
        lambda link, other: {**link, "uid": "not-base64!"},
        lambda link, other: {**link, "uid": urlsafe_base64_encode(b"not-a-uuid")},
        # A valid link of one user does not reset another's password.
        lambda link, other: {**link, "uid": link_for(other)["uid"]},
    ],
    ids=["token", "uid", "uid-not-uuid", "other-user"],
)
def test_it_refuses_a_link_that_is_not_valid(anon_client, member, admin_user, tamper):
    response = confirm(anon_client, tamper(link_for(member), admin_user))

    assert response.status_code == 400
    assert response.json() == INVALID
    assert User.objects.get(pk=member.pk).check_password(TEST_PASSWORD)
    assert User.objects.get(pk=admin_user.pk).check_password(TEST_PASSWORD)


def test_it_says_the_same_of_a_forged_link_whether_or_not_the_account_was_reset(
    anon_client, member, admin_user
):
    assert confirm(anon_client, link_for(member)).status_code == 200
    # The timestamp of a real link with another hash: the shape of a used link.
    forged = {
        user.email: {**link_for(user), "token": link_for(user)["token"][:-6] + "000000"}
        for user in (member, admin_user)
    }

    answers = {email: confirm(anon_client, link) for email, link in forged.items()}

    assert {email: answer.status_code for email, answer in answers.items()} == {
        "max@acme.io": 400,
        admin_user.email: 400,
    }
    assert [answer.json() for answer in answers.values()] == [INVALID, INVALID]
    assert User.objects.get(pk=member.pk).check_password(NEW_PASSWORD)
    assert User.objects.get(pk=admin_user.pk).check_password(TEST_PASSWORD)


def test_it_refuses_a_link_for_a_deactivated_user(anon_client, member):
    link = link_for(member)
    User.objects.filter(pk=member.pk).update(is_active=False)

    response = confirm(anon_client, link)

    assert response.status_code == 400
    assert response.json() == INVALID


def test_it_rejects_a_weak_password_with_the_reason(anon_client, member):
    sessions = SignedIn(member)

    response = confirm(anon_client, link_for(member), new_password="weakpass1")

    assert response.status_code == 400
    assert response.json() == {
        "detail": "new_password: Password must contain at least one upper-case letter.",
        "errors": {
            "new_password": ["Password must contain at least one upper-case letter."]
        },
        "code": "invalid_field",
    }
    assert User.objects.get(pk=member.pk).check_password(TEST_PASSWORD)
    assert sessions.statuses() == {"device": 200, "cookie": 200, "refresh": 200}
    assert not AuditEvent.objects.exists()


def test_it_throttles_repeated_attempts(anon_client, member, monkeypatch):
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"sign_in": "2/minute"})
    link = {"uid": "x", "token": "y"}

    statuses = [confirm(anon_client, link).status_code for _ in "abc"]

    assert statuses == [400, 400, 429]


def test_it_unlocks_sign_in_from_where_it_was_completed(anon_client, member, settings):
    settings.SIGN_IN_LOCKOUT_FAILURES = 3
    settings.SIGN_IN_LOCKOUT_ACCOUNT_FAILURES = 6

    def sign_in_from(address: str, password: str) -> int:
        return anon_client.post(
            "/api/v1/auth/sign-in",
            {"email": "max@acme.io", "password": password, "device_id": "web"},
            format="json",
            REMOTE_ADDR=address,
        ).status_code

    # Someone guesses from the person's own network and from two others:
    # the network is locked, and the account is past its ceiling.
    for address in ("203.0.113.200", "198.51.100.1", "198.51.100.2"):
        for _ in range(3):
            sign_in_from(address, "Wr0ngPass")
    assert sign_in_from("203.0.113.200", TEST_PASSWORD) == 429

    response = anon_client.post(
        URL,
        {**link_for(member), "new_password": NEW_PASSWORD},
        format="json",
        REMOTE_ADDR="203.0.113.200",
    )
    assert response.status_code == 200
    # The guessing goes on, past the ceiling again.
    for address in ("198.51.100.3", "198.51.100.4", "198.51.100.5"):
        for _ in range(3):
            sign_in_from(address, "Wr0ngPass")

    assert sign_in_from("203.0.113.200", NEW_PASSWORD) == 200
    assert sign_in_from("192.0.2.9", NEW_PASSWORD) == 429
    assert DeviceToken.objects.live().filter(user=member, device_id="web").count() == 1
