"""What the discovery tests share: people of an organization reporting
visits through POST /url-visits, and reading the report."""

import datetime as dt
from typing import Any

from rest_framework.test import APIClient

from accounts.models import Organization, Role, User
from accounts.tests.factories import UserFactory
from conftest import client_for
from discovery.services import discovery_months_close_due
from procure_site import clock


def discovery_on(organization: Organization, min_users: int = 3) -> None:
    organization.discovery_enabled = True
    organization.discovery_min_users = min_users
    organization.save()


def report_visits(user: User, *urls: str) -> dict[str, Any]:
    """Posts one batch of visits made now as `user`, as the extension does."""
    now = int(clock.now().timestamp() * 1000)
    entries = [{"url": url, "timestamp": now} for url in urls]
    response = client_for(user).post(
        "/api/v1/url-visits", {"entries": entries}, format="json"
    )
    assert response.status_code == 200, response.json()
    body: dict[str, Any] = response.json()
    return body


def people(organization: Organization, count: int) -> list[User]:
    return [
        UserFactory(organization=organization, role=Role.MEMBER) for _ in range(count)
    ]


def report_url(organization: Organization) -> str:
    return f"/api/v1/organizations/{organization.public_id}/discovered-apps"


def discovered(
    client: APIClient, organization: Organization, **query: str
) -> dict[str, int]:
    """Application name → active users, as the report shows them."""
    response = client.get(report_url(organization), query)
    assert response.status_code == 200, response.json()
    return {row["name"]: row["active_users"] for row in response.json()["applications"]}


def move_to_next_month(time_machine: Any) -> dt.date:
    """Moves the clock to the first hour of the next UTC month, as if it had
    begun; returns that month."""
    month = clock.next_month(clock.today())
    time_machine.move_to(dt.datetime.combine(month, dt.time(1), tzinfo=dt.UTC))
    return month


def close_the_month(time_machine: Any) -> str:
    """Ends the month the visits were reported in and closes it, as the next
    month's first sync or `close_discovery_months` does: the report shows
    closed months only. Returns that month as YYYY-MM. Sign clients in again
    afterwards: their tokens were issued a month earlier."""
    month = clock.current_month()
    move_to_next_month(time_machine)
    discovery_months_close_due()
    return clock.format_month(month)
