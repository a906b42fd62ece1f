"""The page a verification link opens: /account/verify-email?token=..."""

import datetime as dt

import pytest
from django.test import Client
from rest_framework.test import APIClient

from accounts.models import Role, User
from accounts.tests.factories import TEST_PASSWORD, OrganizationFactory, UserFactory
from accounts.tests.helpers import link_in
from accounts.tokens import email_verification_token_make
from audit.models import AuditAction, AuditEvent
from procure_site import clock

URL = "/account/verify-email"


@pytest.fixture
def unverified(organization) -> User:
    return UserFactory(
        organization=organization, email="jane@acme.io", email_verified_at=None
    )


@pytest.fixture
def browser() -> Client:
    return Client(enforce_csrf_checks=True)


def token_for(user: User) -> str:
    return email_verification_token_make(user_id=str(user.pk), email=user.email)


def submit(browser: Client, token: str, password: str):
    """Opens the page as a browser does, then posts its form with its CSRF token."""
    page = browser.get(URL, {"token": token})
    assert page.status_code == 200
    return browser.post(
        URL,
        {
            "token": token,
            "password": password,
            "csrfmiddlewaretoken": page.context["csrf_token"],
        },
    )


def test_it_asks_for_the_password_of_the_account(browser, unverified):
    response = browser.get(URL, {"token": token_for(unverified)})

    html = response.content.decode()
    assert response.status_code == 200
    assert "To confirm that <strong>jane@acme.io</strong> is yours" in html
    assert 'type="password"' in html
    assert "csrfmiddlewaretoken" in html
    assert "Didn't create this account?" in html
    assert 'href="/account/reset-password"' in html
    assert 'href="http://localhost:3000"' in html
    assert User.objects.get(pk=unverified.pk).email_verified_at is None


def test_it_verifies_with_the_right_password(browser, unverified):
    response = submit(browser, token_for(unverified), TEST_PASSWORD)

    assert response.status_code == 200
    assert "jane@acme.io is verified." in response.content.decode()
    assert User.objects.get(pk=unverified.pk).email_verified
    event = AuditEvent.objects.get(action=AuditAction.USER_EMAIL_VERIFIED)
    assert event.details == {"via": "link"}


def test_it_refuses_the_wrong_password(browser, unverified):
    response = submit(browser, token_for(unverified), "N0tTheirs1")

    html = response.content.decode()
    assert response.status_code == 200
    assert "That is not the password of the proCure account jane@acme.io." in html
    assert "Reset its password" in html
    assert not User.objects.get(pk=unverified.pk).email_verified


def test_it_refuses_a_post_without_the_csrf_token(browser, unverified):
    response = browser.post(
        URL, {"token": token_for(unverified), "password": TEST_PASSWORD}
    )

    assert response.status_code == 403
    assert not User.objects.get(pk=unverified.pk).email_verified


def test_it_says_an_expired_link_expired_and_sends_a_new_one(
    browser, unverified, settings, time_machine, mailoutbox
):
    token = token_for(unverified)
    time_machine.move_to(
        clock.now() + settings.EMAIL_VERIFICATION_MAX_AGE + dt.timedelta(minutes=1)
    )

    response = browser.get(URL, {"token": token})

    assert "This link has expired. We sent a new one to jane@acme.io." in (
        response.content.decode()
    )
    assert 'type="password"' not in response.content.decode()
    assert len(mailoutbox) == 1
    assert link_in(mailoutbox[0])[0] == URL


def test_it_sends_one_new_link_per_address_every_15_minutes(
    browser, unverified, settings, time_machine, mailoutbox
):
    token = token_for(unverified)
    time_machine.move_to(
        clock.now() + settings.EMAIL_VERIFICATION_MAX_AGE + dt.timedelta(minutes=1)
    )
    browser.get(URL, {"token": token})

    pages = [browser.get(URL, {"token": token}) for _ in range(4)]

    for page in pages:
        assert page.status_code == 200
        assert (
            "This link has expired. We sent a new one to jane@acme.io less than 15 "
            "minutes ago: open the newest email from proCure in that inbox."
        ) in page.content.decode()
    assert len(mailoutbox) == 1
    assert not User.objects.get(pk=unverified.pk).email_verified


def test_it_says_a_tampered_link_is_not_valid(browser, unverified):
    token = token_for(unverified)

    response = browser.get(URL, {"token": token[:-3] + "xyz"})

    assert "This link is not valid: it may have been cut short or changed." in (
        response.content.decode()
    )
    assert 'type="password"' not in response.content.decode()


def test_it_says_a_used_link_was_used(browser, unverified):
    token = token_for(unverified)
    submit(browser, token, TEST_PASSWORD)

    response = browser.get(URL, {"token": token})

    assert "jane@acme.io is already verified. You can sign in." in (
        response.content.decode()
    )


def test_it_gives_a_verified_admin_the_seat_an_unverified_squatter_signed_up_for(
    db, browser, anon_client, mailoutbox, django_capture_on_commit_callbacks
):
    OrganizationFactory(domain_name="initech.io", company_name="Initech", admin_seats=1)

    def sign_up(email: str) -> int:
        with django_capture_on_commit_callbacks(execute=True):
            return anon_client.post(
                "/api/v1/auth/create-user",
                {
                    "email": email,
                    "password": "Str0ngPass",
                    "device_id": "d",
                    "role": "admin",
                },
                format="json",
            ).status_code

    assert sign_up("squatter@initech.io") == 201
    # The squatter holds no seat: the real admin signs up and verifies.
    assert sign_up("boss@initech.io") == 201
    _, params = link_in(mailoutbox[-1])
    assert submit(browser, params["token"], "Str0ngPass").status_code == 200
    assert User.objects.get(email="boss@initech.io").email_verified

    # The squatter can never verify (not their mailbox) and holds no powers;
    # the seat is taken, so even a link reaching them would not give one.
    _, squatter_params = link_in(mailoutbox[0])
    refused = submit(
        Client(enforce_csrf_checks=True), squatter_params["token"], "Str0ngPass"
    )
    assert "Initech has no admin seats left (1 of 1 taken)." in refused.content.decode()
    assert not User.objects.get(email="squatter@initech.io").email_verified
    assert User.objects.get(email="squatter@initech.io").role == Role.ADMIN


def test_it_stops_a_pre_registration_hijack(
    db, browser, anon_client, mailoutbox, django_capture_on_commit_callbacks
):
    OrganizationFactory(domain_name="globex.io", company_name="Globex", admin_seats=1)
    # The attacker signs up the CFO's address with a password of their own.
    with django_capture_on_commit_callbacks(execute=True):
        signed_up = anon_client.post(
            "/api/v1/auth/create-user",
            {
                "email": "cfo@globex.io",
                "password": "Att4ckerPass",
                "device_id": "attacker",
                "role": "admin",
            },
            format="json",
        )
    attacker = APIClient()
    attacker.credentials(
        HTTP_AUTHORIZATION=f"Bearer {signed_up.json()['device_token']}"
    )
    organization_id = signed_up.json()["organization_id"]
    usage = f"/api/v1/organizations/{organization_id}/contract-usage"

    # The real CFO opens the emailed link: without the attacker's password
    # the address stays unverified.
    _, params = link_in(mailoutbox[0])
    refused = submit(browser, params["token"], "Ow1nerGuess")
    assert "That is not the password" in refused.content.decode()
    assert attacker.get(usage).status_code == 403

    # The page offers a reset; the CFO takes it and the account is theirs.
    reset_page = browser.get("/account/reset-password")
    browser.post(
        "/account/reset-password",
        {
            "email": "cfo@globex.io",
            "csrfmiddlewaretoken": reset_page.context["csrf_token"],
        },
    )
    path, link = link_in(mailoutbox[-1])
    form = browser.get(path, link)
    done = browser.post(
        path,
        {
            **link,
            "new_password": "Th3RealCfo!",
            "csrfmiddlewaretoken": form.context["csrf_token"],
        },
    )
    assert "is changed and the address is verified" in done.content.decode()
    assert User.objects.get(email="cfo@globex.io").email_verified
    # The attacker's token died with the old password.
    assert attacker.get(usage).status_code == 401
