"""The page a password-reset link opens, /account/reset-password, and the
form there that asks for a link."""

import datetime as dt

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.test import Client
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from accounts.models import User
from accounts.tests.factories import TEST_PASSWORD
from accounts.tests.helpers import SignedIn, link_in
from procure_site import clock

URL = "/account/reset-password"
NEW_PASSWORD = "N3wSecretPass"
NOT_VALID = (
    "This password reset link is not valid: it may have been used already, cut "
    "short or changed. Open the link from the newest email again, or ask for a "
    "new one."
)


@pytest.fixture
def browser() -> Client:
    return Client(enforce_csrf_checks=True)


def link_for(user: User) -> dict[str, str]:
    return {
        "uid": urlsafe_base64_encode(force_bytes(user.pk)),
        "token": default_token_generator.make_token(user),
    }


def open_and_post(browser: Client, query: dict, form: dict):
    page = browser.get(URL, query)
    csrf = page.context["csrf_token"]
    return browser.post(URL, {**form, "csrfmiddlewaretoken": csrf})


def ask_for_a_link(browser: Client, email: str):
    return open_and_post(browser, {}, {"email": email})


def test_it_emails_a_link_that_opens_this_page(browser, member, mailoutbox):
    response = open_and_post(browser, {}, {"email": "max@acme.io"})

    assert "If an account uses that address, we sent it a link" in (
        response.content.decode()
    )
    path, params = link_in(mailoutbox[0])
    assert path == URL
    page = browser.get(URL, params)
    assert "Choose a new password" in page.content.decode()
    assert "For <strong>max@acme.io</strong>." in page.content.decode()


def test_it_sets_the_password_verifies_and_signs_everyone_out(
    browser, member, organization
):
    User.objects.filter(pk=member.pk).update(email_verified_at=None)
    signed_in = SignedIn(member)
    link = link_for(member)

    response = open_and_post(browser, link, {**link, "new_password": NEW_PASSWORD})

    assert "The password of max@acme.io is changed and the address is verified." in (
        response.content.decode()
    )
    user = User.objects.get(pk=member.pk)
    assert user.check_password(NEW_PASSWORD)
    assert user.email_verified
    assert signed_in.statuses() == {"device": 401, "cookie": 401, "refresh": 401}


def test_it_names_what_is_wrong_with_a_weak_password(browser, member):
    link = link_for(member)

    response = open_and_post(browser, link, {**link, "new_password": "short"})

    assert "This password is too short." in response.content.decode()
    assert User.objects.get(pk=member.pk).check_password(TEST_PASSWORD)


def test_it_says_a_used_link_is_not_valid(browser, member):
    link = link_for(member)
    open_and_post(browser, link, {**link, "new_password": NEW_PASSWORD})

    response = browser.get(URL, link)

    assert NOT_VALID in response.content.decode()
    assert "Email me a link" in response.content.decode()


def test_it_says_the_same_of_a_forged_link_whether_or_not_the_account_was_reset(
    browser, member, admin_user
):
    link = link_for(member)
    open_and_post(browser, link, {**link, "new_password": NEW_PASSWORD})
    # The timestamp of a real link with another hash: the shape of a used link.
    forged = [
        {**link_for(user), "token": link_for(user)["token"][:-6] + "000000"}
        for user in (member, admin_user)
    ]

    pages = [browser.get(URL, link).content.decode() for link in forged]

    for page in pages:
        assert NOT_VALID in page
        assert "already been used" not in page
        assert 'name="new_password"' not in page
    assert User.objects.get(pk=member.pk).check_password(NEW_PASSWORD)
    assert User.objects.get(pk=admin_user.pk).check_password(TEST_PASSWORD)


def test_it_says_an_expired_link_expired(browser, member, settings, time_machine):
    link = link_for(member)
    time_machine.move_to(
        clock.now() + dt.timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT + 60)
    )

    response = browser.get(URL, link)

    assert "This password reset link has expired. Ask for a new one below." in (
        response.content.decode()
    )


def test_it_says_a_tampered_link_is_not_valid(browser, member):
    link = link_for(member)

    response = browser.get(URL, {**link, "token": link["token"][:-2] + "zz"})

    assert NOT_VALID in response.content.decode()
    assert 'name="new_password"' not in response.content.decode()


def test_it_unlocks_sign_in_from_where_it_was_completed(browser, member, settings):
    settings.SIGN_IN_LOCKOUT_FAILURES = 3

    def sign_in_status(password: str) -> int:
        return browser.post(
            "/api/v1/auth/sign-in",
            {"email": "max@acme.io", "password": password, "device_id": "web"},
            content_type="application/json",
        ).status_code

    for _ in range(3):
        sign_in_status("Wr0ngPass")
    assert sign_in_status(TEST_PASSWORD) == 429
    link = link_for(member)

    response = open_and_post(browser, link, {**link, "new_password": NEW_PASSWORD})

    assert "The password of max@acme.io is changed" in response.content.decode()
    assert sign_in_status(NEW_PASSWORD) == 200


def test_it_throttles_requests_for_a_link_as_the_api_does(
    browser, member, mailoutbox, monkeypatch
):
    monkeypatch.setattr(
        SimpleRateThrottle, "THROTTLE_RATES", {"password_reset": "2/hour"}
    )

    responses = [ask_for_a_link(browser, "max@acme.io") for _ in "abc"]

    assert [response.status_code for response in responses] == [200, 200, 429]
    refused = responses[-1].content.decode()
    assert (
        "Too many password-reset requests came from your network. Try again in "
        "60 minutes; a link we already sent keeps working." in refused
    )
    assert 'name="email"' in refused
    assert responses[-1]["Retry-After"] == "3600"
    assert len(mailoutbox) == 2


def test_it_counts_page_and_api_requests_together(
    browser, member, mailoutbox, monkeypatch
):
    monkeypatch.setattr(
        SimpleRateThrottle, "THROTTLE_RATES", {"password_reset": "2/hour"}
    )
    api = APIClient()

    def ask_the_api() -> int:
        return api.post(
            "/api/v1/auth/password-reset", {"email": "max@acme.io"}, format="json"
        ).status_code

    statuses = [
        ask_the_api(),
        ask_for_a_link(browser, "max@acme.io").status_code,
        ask_the_api(),
        ask_for_a_link(browser, "max@acme.io").status_code,
    ]

    assert statuses == [200, 200, 429, 429]
    assert len(mailoutbox) == 2


def test_it_throttles_whatever_x_forwarded_for_says(browser, member, mailoutbox):
    page = browser.get(URL)
    statuses = [
        browser.post(
            URL,
            {"email": "max@acme.io", "csrfmiddlewaretoken": page.context["csrf_token"]},
            HTTP_X_FORWARDED_FOR=f"203.0.113.{n}",
        ).status_code
        for n in range(8)
    ]

    assert statuses == [200] * 5 + [429] * 3


def test_it_throttles_new_passwords_as_the_api_does(browser, member, monkeypatch):
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"sign_in": "2/minute"})
    link = link_for(member)
    weak = {**link, "new_password": "short"}
    open_and_post(browser, link, weak)
    open_and_post(browser, link, weak)

    response = open_and_post(browser, link, {**link, "new_password": NEW_PASSWORD})

    assert response.status_code == 429
    assert (
        "Too many attempts came from your network. Try again in 60 seconds."
        in response.content.decode()
    )
    assert 'name="new_password"' in response.content.decode()
    assert User.objects.get(pk=member.pk).check_password(TEST_PASSWORD)
