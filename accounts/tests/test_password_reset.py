import smtplib
from unittest import mock

import pytest
from rest_framework.throttling import SimpleRateThrottle

from accounts.models import User
from accounts.tests.helpers import link_in

URL = "/api/v1/auth/password-reset"
SAME_ANSWER = {
    "detail": "If an account uses that address, we sent it a link to choose a "
    "new password. The link works for 24 hours."
}


def request_reset(client, email: str):
    return client.post(URL, {"email": email}, format="json")


def test_it_emails_a_reset_link_to_an_existing_address(anon_client, member, mailoutbox):
    response = request_reset(anon_client, "MAX@acme.io")

    assert response.status_code == 200
    assert response.json() == SAME_ANSWER
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["max@acme.io"]
    assert mailoutbox[0].subject == "Reset your proCure password"
    path, params = link_in(mailoutbox[0])
    assert path == "/account/reset-password"
    assert set(params) == {"uid", "token"}


@pytest.mark.parametrize("email", ["nobody@acme.io", "max@acme.io"])
def test_it_answers_the_same_for_an_unknown_or_inactive_address(
    anon_client, member, mailoutbox, email
):
    User.objects.filter(pk=member.pk).update(is_active=False)

    response = request_reset(anon_client, email)

    assert response.status_code == 200
    assert response.json() == SAME_ANSWER
    assert mailoutbox == []


def test_it_answers_the_same_when_the_mail_server_is_down(anon_client, member):
    def refuse(*args, **kwargs):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")

    with mock.patch("accounts.tasks.send_mail", refuse):
        response = request_reset(anon_client, "max@acme.io")

    assert response.status_code == 200
    assert response.json() == SAME_ANSWER


def test_it_changes_nothing_until_the_link_is_followed(anon_client, member, mailoutbox):
    password = User.objects.get(pk=member.pk).password

    request_reset(anon_client, "max@acme.io")

    assert User.objects.get(pk=member.pk).password == password


def test_it_throttles_repeated_requests(anon_client, member, mailoutbox, monkeypatch):
    monkeypatch.setattr(
        SimpleRateThrottle, "THROTTLE_RATES", {"password_reset": "2/hour"}
    )

    statuses = [request_reset(anon_client, "max@acme.io").status_code for _ in "abc"]

    assert statuses == [200, 200, 429]
    assert len(mailoutbox) == 2


def test_it_names_a_malformed_email(anon_client, db, mailoutbox):
    response = request_reset(anon_client, "not-an-email")

    assert response.status_code == 400
    assert response.json()["detail"] == "Enter a valid email address."
    assert mailoutbox == []


def test_it_throttles_whatever_x_forwarded_for_says(anon_client, member, mailoutbox):
    statuses = [
        anon_client.post(
            URL,
            {"email": "max@acme.io"},
            format="json",
            HTTP_X_FORWARDED_FOR=f"203.0.113.{n}",
        ).status_code
        for n in range(8)
    ]

    assert statuses == [200] * 5 + [429] * 3
    assert len(mailoutbox) == 5


def test_it_sends_one_address_at_most_five_emails_an_hour_from_any_client(
    anon_client, member, mailoutbox, settings
):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}

    responses = [
        anon_client.post(
            URL,
            {"email": "max@acme.io"},
            format="json",
            HTTP_X_FORWARDED_FOR=f"203.0.113.{n}",
        )
        for n in range(8)
    ]

    assert [response.json() for response in responses] == [SAME_ANSWER] * 8
    assert len(mailoutbox) == 5
