"""The page an invitation link opens: /account/accept-invitation?token=..."""

import sqlite3
from datetime import timedelta

import pytest
from django.db import OperationalError
from django.test import Client

from accounts.models import Invitation, Role, User
from accounts.services import invitations
from accounts.services.invitations import invitation_create
from accounts.tokens import invitation_token_make
from audit.models import AuditAction, AuditEvent
from procure_site import clock

URL = "/account/accept-invitation"


@pytest.fixture
def invitation(organization) -> Invitation:
    return invitation_create(
        organization=organization, email="new@acme.io", role=Role.ADMIN, actor=None
    )


def accept(browser: Client, token: str, password: str):
    page = browser.get(URL, {"token": token})
    return browser.post(
        URL,
        {
            "token": token,
            "password": password,
            "csrfmiddlewaretoken": page.context["csrf_token"],
        },
    )


def test_it_creates_a_verified_account(invitation, organization):
    token = invitation_token_make(invitation_id=invitation.pk)
    browser = Client(enforce_csrf_checks=True)

    page = browser.get(URL, {"token": token})
    assert "Join Acme" in page.content.decode()
    assert "<strong>new@acme.io</strong>" in page.content.decode()
    response = accept(browser, token, "Str0ngPass")

    assert "Your account new@acme.io is ready" in response.content.decode()
    user = User.objects.get(email="new@acme.io")
    assert (user.organization, user.role, user.email_verified) == (
        organization,
        Role.ADMIN,
        True,
    )
    assert user.check_password("Str0ngPass")
    assert Invitation.objects.get().status == "accepted"
    assert AuditEvent.objects.filter(action=AuditAction.INVITATION_ACCEPTED).exists()


def test_it_works_once(invitation):
    token = invitation_token_make(invitation_id=invitation.pk)
    accept(Client(), token, "Str0ngPass")

    response = Client().get(URL, {"token": token})

    assert "This invitation has already been accepted." in response.content.decode()
    assert User.objects.filter(email="new@acme.io").count() == 1


def test_it_says_an_expired_invitation_expired(invitation):
    Invitation.objects.update(expires_at=clock.now() - timedelta(minutes=1))

    response = Client().get(
        URL, {"token": invitation_token_make(invitation_id=invitation.pk)}
    )

    assert "This invitation has expired. Ask an admin of Acme" in (
        response.content.decode()
    )


def test_it_says_a_tampered_link_is_not_valid(invitation):
    token = invitation_token_make(invitation_id=invitation.pk)

    response = Client().get(URL, {"token": token[:-2] + "zz"})

    assert "This invitation link is not valid" in response.content.decode()


def test_it_names_what_is_wrong_with_a_weak_password(invitation):
    response = accept(
        Client(), invitation_token_make(invitation_id=invitation.pk), "short"
    )

    assert "This password is too short." in response.content.decode()
    assert not User.objects.filter(email="new@acme.io").exists()


def test_it_refuses_when_the_seat_was_taken_meanwhile(invitation, organization):
    organization.admin_seats = 0
    organization.save()

    response = accept(
        Client(), invitation_token_make(invitation_id=invitation.pk), "Str0ngPass"
    )

    assert "Acme has no admin seats left" in response.content.decode()
    assert not User.objects.filter(email="new@acme.io").exists()


def database_locked(**kwargs):
    """What SQLite answers a write past its busy timeout, as Django raises it."""
    cause = sqlite3.OperationalError("database is locked")
    cause.sqlite_errorcode = sqlite3.SQLITE_BUSY
    raise OperationalError("database is locked") from cause


def test_it_answers_a_busy_database_with_a_page(invitation, monkeypatch):
    # Two accepts at the same moment on SQLite: the second waited past the
    # busy timeout.
    monkeypatch.setattr(invitations, "invitation_accept", database_locked)
    browser = Client(raise_request_exception=False)
    token = invitation_token_make(invitation_id=invitation.pk)
    page = browser.get(URL, {"token": token})

    response = browser.post(
        URL,
        {
            "token": token,
            "password": "Str0ngPass",
            "csrfmiddlewaretoken": page.context["csrf_token"],
        },
    )

    assert response.status_code == 503
    assert response["Content-Type"].startswith("text/html")
    assert response["Retry-After"] == "5"
    body = response.content.decode()
    assert "<h1>Please try again</h1>" in body
    assert (
        "The database is busy with other changes right now. Please try again in "
        "a few seconds." in body
    )
    assert not User.objects.filter(email="new@acme.io").exists()


def test_it_answers_a_failure_with_a_page(invitation, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(invitations, "invitation_accept", broken)
    browser = Client(raise_request_exception=False)
    token = invitation_token_make(invitation_id=invitation.pk)

    response = browser.post(URL, {"token": token, "password": "Str0ngPass"})

    assert response.status_code == 500
    assert response["Content-Type"].startswith("text/html")
    assert "Something went wrong on our side." in response.content.decode()
    assert "a bug" not in response.content.decode()
