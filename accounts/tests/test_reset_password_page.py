"""The page a password-reset link opens, /account/reset-password, and the
form there that asks for a link."""

import datetime as dt

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.test import Client
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.models import User
from accounts.tests.factories import TEST_PASSWORD
from accounts.tests.helpers import SignedIn, link_in
from procure_site import clock

URL = "/account/reset-password"
NEW_PASSWORD = "N3wSecretPass"


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


def test_it_says_a_used_link_was_used(browser, member):
    link = link_for(member)
    open_and_post(browser, link, {**link, "new_password": NEW_PASSWORD})

    response = browser.get(URL, link)

    assert "This password reset link has already been used." in (
        response.content.decode()
    )
    assert "Email me a link" in response.content.decode()


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

    assert "This password reset link is not valid" in response.content.decode()
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
