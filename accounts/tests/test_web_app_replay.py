"""The web app's calls, request by request, with the cookie and its Origin."""

import datetime as dt

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from accounts.models import User
from accounts.services.sessions import session_token_issue
from accounts.tests.factories import OrganizationFactory
from conftest import WEB_ORIGIN
from procure_site import clock

CSV = (
    "vendor_name,annual_spend,contract_type,contract_status,payment_type,"
    "product_url,number_of_seats,owner,expire_at,created_at,notes\n"
    "Zoom,6000,subscription,active,credit card,https://zoom.us,40,Robert Fox,"
    "2027-03-15,2026-03-15,Pro plan\n"
)


# On this day Slack's expiry (2026-10-01, as the web app sends it) has passed
# and Zoom's (2027-03-15) has not.
@pytest.mark.time_machine(dt.datetime(2026, 12, 5, 12, tzinfo=dt.UTC))
def test_the_web_apps_sign_up_upload_usage_and_logout_work_unchanged(db):
    organization = OrganizationFactory(domain_name="acme.io", company_name="Acme")
    browser = APIClient(HTTP_ORIGIN=WEB_ORIGIN)

    signed_up = browser.post(
        "/api/v1/auth/create-user",
        {
            "email": "ada@acme.io",
            "password": "Str0ngPass",
            "device_id": "web_k2j3h4",
            "role": "admin",
        },
        format="json",
    )
    assert signed_up.status_code == 201
    assert settings.AUTH_COOKIE_NAME in signed_up.cookies
    org_id = signed_up.json()["organization_id"]
    # Admin features need a verified address; the link was emailed at sign-up.

    User.objects.filter(email="ada@acme.io").update(email_verified_at=clock.now())

    signed_in = browser.post(
        "/api/v1/auth/sign-in",
        {"email": "ada@acme.io", "password": "Str0ngPass", "device_id": "web_k2j3h4"},
        format="json",
    )
    assert signed_in.status_code == 200
    assert browser.get("/api/v1/auth/me").json()["role"] == "admin"

    name = browser.get(f"/api/v1/organizations/{org_id}/name")
    assert name.json() == {
        "organization_id": org_id,
        "domain_name": "acme.io",
        "company_name": "Acme",
    }

    upserted = browser.post(
        "/api/v1/contract",
        {
            "vendor_name": "Slack",
            "product_url": "https://app.slack.com",
            "organization_id": org_id,
            "annual_spend": 8000,
            "contract_type": "subscription",
            "contract_status": "active",
            "payment_type": "virtual cards",
            "num_seats": 75,
            "notes": "Team chat",
            "expire_at": "2026-10-01T00:00:00Z",
            "created_at": "2025-10-01T00:00:00Z",
        },
        format="json",
    )
    assert upserted.status_code == 201
    assert upserted.json()["success"] is True
    assert upserted.json()["vendor_domain"] == "slack.com"

    imported = browser.post(
        "/api/v1/contracts/import",
        {"file": SimpleUploadedFile("contracts.csv", CSV.encode(), "text/csv")},
        format="multipart",
    )
    assert imported.status_code == 200
    # The contract's two counts; "unchanged" was added beside them.
    assert imported.json() == {"created": 1, "updated": 0, "unchanged": 0}

    usage = browser.get(f"/api/v1/organizations/{org_id}/contract-usage")
    assert usage.status_code == 200
    rows = usage.json()["contracts"]
    # Slack expired on 2026-10-01 and does not renew itself, so it left the
    # month's usage and spend (it is still stored, counted below).
    assert [row["vendor_name"] for row in rows] == ["Zoom"]
    for row in rows:
        assert {"vendor_name", "active_users", "total_seats", "annual_spend"} <= set(
            row
        )

    logged_out = browser.post("/api/v1/auth/logout")
    assert logged_out.status_code == 200
    assert browser.get("/api/v1/auth/me").status_code == 401
    assert organization.contracts.count() == 2


def test_a_cookie_authenticated_change_from_an_untrusted_origin_is_refused(
    admin_user, organization
):

    attacker_page = APIClient(HTTP_ORIGIN="https://evil.example")
    attacker_page.cookies[settings.AUTH_COOKIE_NAME] = session_token_issue(
        user=admin_user
    )

    response = attacker_page.post(
        "/api/v1/contract",
        {
            "vendor_name": "Evil",
            "product_url": "https://evil.example",
            "organization_id": organization.public_id,
        },
        format="json",
    )

    assert response.status_code == 403
    assert "not trusted" in response.json()["detail"]
    assert not organization.contracts.exists()
    # Reads are not changes: the same cookie may still GET.
    assert attacker_page.get("/api/v1/auth/me").status_code == 200


def test_a_cookie_authenticated_change_without_any_origin_is_refused(
    admin_user, organization
):

    client = APIClient()
    client.cookies[settings.AUTH_COOKIE_NAME] = session_token_issue(user=admin_user)

    response = client.post("/api/v1/url-visits", {"entries": []}, format="json")

    assert response.status_code == 403
    assert "no Origin header" in response.json()["detail"]


def test_a_cookie_authenticated_change_from_an_opaque_origin_is_refused(
    admin_user, organization
):
    # A sandboxed frame sends Origin: null; its Referer must not stand in.
    sandboxed = APIClient(HTTP_ORIGIN="null", HTTP_REFERER=f"{WEB_ORIGIN}/contracts")
    sandboxed.cookies[settings.AUTH_COOKIE_NAME] = session_token_issue(user=admin_user)

    response = sandboxed.post(
        "/api/v1/contract",
        {
            "vendor_name": "Evil",
            "product_url": "https://evil.example",
            "organization_id": organization.public_id,
        },
        format="json",
    )

    assert response.status_code == 403
    assert response.json()["detail"] == (
        "Requests from null are not trusted. Changes made with the web session "
        "cookie must come from the proCure web app."
    )
    assert not organization.contracts.exists()
