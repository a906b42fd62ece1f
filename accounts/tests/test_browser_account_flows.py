"""End to end in a real browser (Debian's chromium through Playwright): a
person signs up through the compat API as the web app does, opens the emailed
link, completes the page, and their admin calls then succeed with the same
cookie; the same for a password reset."""

import datetime as dt
from pathlib import Path

import pytest
import time_machine
from django.core import mail
from playwright.sync_api import expect
from rest_framework.throttling import SimpleRateThrottle

from accounts.models import User
from accounts.tests.factories import OrganizationFactory, UserFactory
from accounts.tests.helpers import link_in
from accounts.tokens import email_verification_token_make
from conftest import WEB_ORIGIN, screenshot
from procure_site import clock

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SAMPLE = (
    Path(__file__).parents[2] / "contracts" / "sample_data" / "sample_contracts.csv"
)
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def site(live_server, settings):
    # The emailed links open this live server's pages; the cookie is a plain
    # HTTP one, as in local development.
    settings.PUBLIC_BASE_URL = live_server.url
    settings.AUTH_COOKIE_SECURE = False
    settings.AUTH_COOKIE_SAMESITE = "Lax"
    organization = OrganizationFactory(domain_name="acme.io", company_name="Acme")
    return live_server.url, organization


def web_app_post(page, url: str, **kwargs):
    """What the web app's fetch(..., {credentials: "include"}) sends."""
    return page.request.post(url, headers={"Origin": WEB_ORIGIN}, **kwargs)


def admin_calls(page, base: str, organization) -> tuple[int, int]:
    upload = web_app_post(
        page,
        f"{base}/api/v1/contracts/import",
        multipart={
            "file": {
                "name": "contracts.csv",
                "mimeType": "text/csv",
                "buffer": SAMPLE.read_bytes(),
            }
        },
    )
    usage = page.request.get(
        f"{base}/api/v1/organizations/{organization.public_id}/contract-usage"
    )
    return upload.status, usage.status


def test_a_new_admin_signs_up_verifies_on_the_page_and_uses_admin_features(site, page):
    base, organization = site
    signed_up = web_app_post(
        page,
        f"{base}/api/v1/auth/create-user",
        data={
            "email": "boss@acme.io",
            "password": "Str0ngPass",
            "device_id": "web_1",
            "role": "admin",
        },
    )
    assert signed_up.status == 201
    assert admin_calls(page, base, organization) == (403, 403)

    path, params = link_in(mail.outbox[-1])
    page.set_viewport_size(PHONE)
    page.goto(f"{base}{path}?token={params['token']}")
    expect(page.get_by_role("heading", name="Verify your email")).to_be_visible()
    expect(page.get_by_text("To confirm that boss@acme.io is yours")).to_be_visible()
    screenshot(page, "verify-email-phone")
    page.get_by_label("Your proCure password").fill("Wr0ngGuess")
    page.get_by_role("button", name="Verify my email").click()
    expect(
        page.get_by_text("That is not the password of the proCure account")
    ).to_be_visible()
    screenshot(page, "verify-email-wrong-password-phone")

    page.set_viewport_size({"width": 1366, "height": 900})
    page.get_by_label("Your proCure password").fill("Str0ngPass")
    page.get_by_role("button", name="Verify my email").click()
    expect(page.get_by_text("boss@acme.io is verified.")).to_be_visible()
    assert page.get_by_role("link", name="Back to proCure").get_attribute("href") == (
        "http://localhost:3000"
    )
    screenshot(page, "verify-email-done-laptop")

    # The same cookie the sign-up set now works for the admin's calls.
    assert admin_calls(page, base, organization) == (200, 200)
    assert organization.contracts.count() == 10


def test_an_expired_link_sends_one_new_link_and_then_says_to_check_the_inbox(
    site, page, settings
):
    base, organization = site
    user = UserFactory(
        organization=organization, email="jane@acme.io", email_verified_at=None
    )
    # A link made before EMAIL_VERIFICATION_MAX_AGE ago.
    with time_machine.travel(
        clock.now() - settings.EMAIL_VERIFICATION_MAX_AGE - dt.timedelta(hours=1)
    ):
        token = email_verification_token_make(user_id=str(user.pk), email=user.email)
    page.set_viewport_size(PHONE)

    page.goto(f"{base}/account/verify-email?token={token}")
    expect(
        page.get_by_text("This link has expired. We sent a new one to jane@acme.io.")
    ).to_be_visible()
    page.reload()
    expect(
        page.get_by_text(
            "This link has expired. We sent a new one to jane@acme.io less than 15 "
            "minutes ago: open the newest email from proCure in that inbox."
        )
    ).to_be_visible()
    screenshot(page, "verify-email-expired-sent-recently-phone")
    assert len(mail.outbox) == 1


def test_a_person_resets_their_password_on_the_pages(site, page):
    base, organization = site
    signed_up = web_app_post(
        page,
        f"{base}/api/v1/auth/create-user",
        data={
            "email": "boss@acme.io",
            "password": "Str0ngPass",
            "device_id": "web_1",
            "role": "admin",
        },
    )
    assert signed_up.status == 201

    page.goto(f"{base}/account/reset-password")
    page.get_by_label("Your work email address").fill("boss@acme.io")
    screenshot(page, "reset-request-laptop")
    page.get_by_role("button", name="Email me a link").click()
    expect(page.get_by_text("If an account uses that address")).to_be_visible()

    path, params = link_in(mail.outbox[-1])
    page.set_viewport_size(PHONE)
    page.goto(f"{base}{path}?uid={params['uid']}&token={params['token']}")
    page.get_by_label("New password").fill("short")
    page.get_by_role("button", name="Save the new password").click()
    expect(page.get_by_text("This password is too short.")).to_be_visible()
    page.get_by_label("New password").fill("N3wSecretPass")
    page.get_by_role("button", name="Save the new password").click()
    expect(page.get_by_text("is changed and the address is verified")).to_be_visible()
    screenshot(page, "reset-password-done-phone")
    assert User.objects.get(email="boss@acme.io").email_verified

    # The cookie of before the reset has ended; signing in again as the web
    # app does gives one that works for the admin's calls.
    assert page.request.get(f"{base}/api/v1/auth/me").status == 401
    signed_in = web_app_post(
        page,
        f"{base}/api/v1/auth/sign-in",
        data={
            "email": "boss@acme.io",
            "password": "N3wSecretPass",
            "device_id": "web_1",
        },
    )
    assert signed_in.status == 200
    assert admin_calls(page, base, organization) == (200, 200)

    # The used link no longer works, in the words of a forged one.
    page.goto(f"{base}{path}?uid={params['uid']}&token={params['token']}")
    expect(
        page.get_by_text(
            "This password reset link is not valid: it may have been used already"
        )
    ).to_be_visible()
    screenshot(page, "reset-link-used-phone")


def test_a_person_who_asks_for_reset_links_too_often_is_told_to_wait(
    site, page, monkeypatch
):
    monkeypatch.setattr(
        SimpleRateThrottle, "THROTTLE_RATES", {"password_reset": "2/hour"}
    )
    base, _ = site
    page.set_viewport_size(PHONE)
    for _ in range(3):
        page.goto(f"{base}/account/reset-password")
        page.get_by_label("Your work email address").fill("boss@acme.io")
        page.get_by_role("button", name="Email me a link").click()

    expect(
        page.get_by_text(
            "Too many password-reset requests came from your network. Try again in "
            "60 minutes; a link we already sent keeps working."
        )
    ).to_be_visible()
    expect(page.get_by_role("button", name="Email me a link")).to_be_visible()
    screenshot(page, "reset-request-throttled-phone")


def test_an_invited_admin_accepts_on_the_page_and_uses_admin_features(site, page):
    from django.core.management import call_command

    base, organization = site
    call_command(
        "create_organization",
        "--domain",
        "acme.io",
        "--company",
        "Acme",
        "--admin-email",
        "boss@acme.io",
        stdout=open("/dev/null", "w"),  # noqa: SIM115 - the summary is tested elsewhere
    )

    path, params = link_in(mail.outbox[-1])
    page.goto(f"{base}{path}?token={params['token']}")
    expect(page.get_by_role("heading", name="Join Acme")).to_be_visible()
    page.get_by_label("Choose a password").fill("Str0ngPass")
    screenshot(page, "accept-invitation-laptop")
    page.get_by_role("button", name="Create my account").click()
    expect(page.get_by_text("Your account boss@acme.io is ready")).to_be_visible()

    # The web app signs in; the cookie it gets works for the admin's calls.
    signed_in = web_app_post(
        page,
        f"{base}/api/v1/auth/sign-in",
        data={"email": "boss@acme.io", "password": "Str0ngPass", "device_id": "web_1"},
    )
    assert signed_in.status == 200
    assert admin_calls(page, base, organization) == (200, 200)
