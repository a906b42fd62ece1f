"""Signing in through a real OpenID provider in Chromium: a new person into
the web app's cookie session, and a staff member into the admin."""

import pytest
from playwright.sync_api import expect

from accounts.tests.factories import UserFactory
from conftest import screenshot
from identity.services.oidc import oidc_provider_set

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def provider_sign_in(page, login: str) -> None:
    """The provider's own login page: any login, any password."""
    page.wait_for_selector("input[name=login]", timeout=15_000)
    page.fill("input[name=login]", login)
    page.fill("input[name=password]", "any")
    page.click("button[type=submit]")


def test_a_new_person_signs_in_through_the_provider_into_the_web_app(
    live_server, page, organization, oidc_provider
):
    oidc_provider_set(
        organization=organization,
        issuer=oidc_provider.issuer,
        client_id="procure-acme",
        client_secret="procure-acme-secret",
        password_sign_in=False,
        actor=None,
    )
    page.goto(f"{live_server.url}/account/sso?next=/api/v1/auth/me")
    page.fill("#sso-email", "new.person@acme.io")
    screenshot(page, "sso-start")
    page.click("button[type=submit]")
    page.wait_for_url(f"{oidc_provider.issuer}/**")
    screenshot(page, "sso-provider-login")

    provider_sign_in(page, "new.person@acme.io")

    page.wait_for_url(f"{live_server.url}/api/v1/auth/me")
    expect(page.locator("body")).to_contain_text('"email":"new.person@acme.io"')
    expect(page.locator("body")).to_contain_text(organization.public_id)
    cookies = {c["name"]: c for c in page.context.cookies(live_server.url)}
    assert cookies["procure_auth"]["httpOnly"] is True


def test_a_staff_member_signs_in_through_the_provider_into_the_admin(
    live_server, page, settings, oidc_provider
):
    settings.STAFF_OIDC_ISSUER = oidc_provider.issuer
    settings.STAFF_OIDC_CLIENT_ID = "procure-staff"
    settings.STAFF_OIDC_CLIENT_SECRET = "procure-staff-secret"
    UserFactory(
        organization=None, is_staff=True, is_superuser=True, email="sam@procure.example"
    )
    page.goto(f"{live_server.url}/{settings.ADMIN_URL}login/")
    screenshot(page, "sso-admin-login")
    page.click("text=Sign in with proCure's identity provider")
    page.wait_for_url(f"{oidc_provider.issuer}/**")

    provider_sign_in(page, "sam@procure.example")

    page.wait_for_url(f"{live_server.url}/{settings.ADMIN_URL}")
    expect(page.locator("#site-name")).to_be_visible()
    expect(page.locator("#user-tools")).to_contain_text("sam@procure.example")
    screenshot(page, "sso-admin-signed-in")
