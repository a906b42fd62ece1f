"""The Chrome extension's calls, request by request, as it makes them."""

import time

from rest_framework.test import APIClient

from accounts.tests.factories import OrganizationFactory
from contracts.tests.factories import ContractFactory
from url_visits.models import Activity


def test_the_extensions_sign_up_sync_and_sign_out_work_unchanged(db):
    organization = OrganizationFactory(domain_name="acme.io", company_name="Acme")
    ContractFactory(organization=organization, host="slack.com", vendor_name="Slack")
    extension = APIClient()

    # 1. First run: the person signs up from the extension's popup.
    signed_up = extension.post(
        "/api/v1/auth/create-user",
        {
            "email": "jane@acme.io",
            "password": "Str0ngPass",
            "device_id": "ext_7f3a",
            "role": "member",
        },
        format="json",
    )
    assert signed_up.status_code == 201
    device_token = signed_up.json()["device_token"]
    assert signed_up.json()["organization_id"] == organization.public_id

    # 2. Later: the extension signs in again with its stored token.
    resumed = extension.post(
        "/api/v1/auth/sign-in",
        {"device_token": device_token, "device_id": "ext_7f3a"},
        format="json",
    )
    assert resumed.status_code == 200
    assert resumed.json()["device_token"] == device_token

    # 3. Every two hours: the visit sync, with the device token as bearer.
    synced = APIClient()
    synced.credentials(HTTP_AUTHORIZATION=f"Bearer {device_token}")
    now_ms = int(time.time() * 1000)
    batch = {
        "entries": [
            {"url": "https://app.slack.com/client/T1/C2", "timestamp": now_ms},
            {
                "url": "https://news.example.org/",
                "timestamp": now_ms,
                "browser": "Chrome",
            },
            {"url": "not a url", "timestamp": now_ms},
        ]
    }
    response = synced.post("/api/v1/url-visits", batch, format="json")
    assert response.status_code == 200
    body = response.json()
    assert (body["processed"], body["matched"], body["recorded"], body["skipped"]) == (
        3,
        1,
        1,
        1,
    )
    assert body["message"] == (
        "Processed 3 entries: 1 matched a contract, 1 new activity recorded, "
        "1 skipped as invalid: 1 with a URL that has no readable host."
    )
    assert Activity.objects.get().contract.vendor_name == "Slack"

    # 4. The popup shows who is signed in.
    me = synced.get("/api/v1/auth/me")
    assert me.json()["email"] == "jane@acme.io"

    # 5. Sign out revokes the device token.
    assert synced.post("/api/v1/auth/logout").status_code == 200
    assert synced.post("/api/v1/url-visits", batch, format="json").status_code == 401
