import smtplib
from unittest import mock

import pytest
from rest_framework.throttling import SimpleRateThrottle

from accounts.models import User
from accounts.tests.factories import TEST_PASSWORD, UserFactory
from accounts.tests.helpers import link_in
from conftest import client_for
from procure_site.exceptions import NOT_SIGNED_IN_DETAIL

URL = "/api/v1/auth/verify-email/resend"


@pytest.fixture
def unverified(organization) -> User:
    return UserFactory(
        organization=organization, email="jane@acme.io", email_verified_at=None
    )


def test_it_emails_the_signed_in_user_a_link_that_verifies(unverified, mailoutbox):
    response = client_for(unverified).post(URL)

    assert response.status_code == 200
    assert response.json() == {
        "detail": "We sent a new verification link to jane@acme.io."
    }
    assert [message.to for message in mailoutbox] == [["jane@acme.io"]]
    path, params = link_in(mailoutbox[0])
    assert path == "/account/verify-email"
    verified = client_for(unverified).post(
        "/api/v1/auth/verify-email",
        {"token": params["token"], "password": TEST_PASSWORD},
        format="json",
    )
    assert verified.status_code == 200
    assert User.objects.get(pk=unverified.pk).email_verified_at is not None


def test_it_sends_nothing_to_a_verified_address(member_client, mailoutbox):
    response = member_client.post(URL)

    assert response.status_code == 200
    assert response.json() == {"detail": "Your email address is already verified."}
    assert mailoutbox == []


def test_it_needs_a_signed_in_user(anon_client, mailoutbox, db):
    response = anon_client.post(URL, {"email": "jane@acme.io"}, format="json")

    assert response.status_code == 401
    assert response.json() == {
        "detail": NOT_SIGNED_IN_DETAIL,
        "code": "not_authenticated",
    }
    assert mailoutbox == []


def test_it_throttles_repeated_requests(unverified, mailoutbox, monkeypatch):
    monkeypatch.setattr(
        SimpleRateThrottle, "THROTTLE_RATES", {"verify_email": "2/hour"}
    )
    client = client_for(unverified)

    statuses = [client.post(URL).status_code for _ in range(3)]

    assert statuses == [200, 200, 429]
    assert len(mailoutbox) == 2


def test_it_answers_without_waiting_for_the_mail_server(unverified, caplog):
    # The email is a task: the mail server's failure is the worker's to log,
    # not the request's to report.
    def refuse(*args, **kwargs):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")

    with mock.patch("accounts.tasks.send_mail", refuse):
        response = client_for(unverified).post(URL)

    assert response.status_code == 200
    assert response.json() == {
        "detail": "We sent a new verification link to jane@acme.io."
    }
    assert "Could not send the email" in caplog.text
