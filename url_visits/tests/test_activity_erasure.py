"""Deleting a user deletes the activity recorded about them, and the usage
numbers stop counting them."""

import datetime as dt

from rest_framework.test import APIClient

from accounts.models import Role
from accounts.services.sessions import device_token_issue
from accounts.tests.factories import UserFactory
from contracts.tests.factories import ContractFactory
from url_visits.models import Activity, LatestActivity, MonthlyActivity


def extension_for(user) -> APIClient:
    client = APIClient()
    token = device_token_issue(user=user, device_id="ext-1")
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def report_today(client: APIClient, *urls: str) -> None:
    now = int(dt.datetime.now(dt.UTC).timestamp() * 1000)
    entries = [{"url": url, "timestamp": now} for url in urls]
    response = client.post("/api/v1/url-visits", {"entries": entries}, format="json")
    assert response.status_code == 200, response.json()


def active_users(client: APIClient, organization) -> dict[str, int]:
    month = dt.datetime.now(dt.UTC).strftime("%Y-%m")
    response = client.get(
        f"/api/v1/organizations/{organization.public_id}/contract-usage",
        {"month": month},
    )
    assert response.status_code == 200, response.json()
    return {
        row["vendor_name"]: row["active_users"] for row in response.json()["contracts"]
    }


def test_it_stops_counting_a_deleted_user(admin_client, organization):
    ContractFactory(organization=organization, host="slack.com", vendor_name="Slack")
    ContractFactory(organization=organization, host="zoom.us", vendor_name="Zoom")
    leaving = UserFactory(organization=organization, role=Role.MEMBER)
    staying = UserFactory(organization=organization, role=Role.MEMBER)
    leaving_extension = extension_for(leaving)
    report_today(leaving_extension, "https://app.slack.com/", "https://zoom.us/j/1")
    report_today(extension_for(staying), "https://app.slack.com/")
    assert active_users(admin_client, organization) == {"Slack": 2, "Zoom": 1}

    leaving.delete()

    assert active_users(admin_client, organization) == {"Slack": 1, "Zoom": 0}
    assert not Activity.objects.filter(user_id=leaving.pk).exists()
    assert Activity.objects.filter(user=staying).count() == 1
    # The rollups have no foreign key constraint: Django's cascade takes them.
    for rollup in (MonthlyActivity, LatestActivity):
        assert not rollup.objects.filter(user_id=leaving.pk).exists()
        assert rollup.objects.filter(user=staying).count() == 1
    # Nor can the deleted user's extension report any more.
    response = leaving_extension.post(
        "/api/v1/url-visits", {"entries": []}, format="json"
    )
    assert response.status_code == 401
