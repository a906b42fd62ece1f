"""Small builders shared by the analytics tests."""

import datetime as dt
from urllib.parse import urlencode

from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from accounts.models import Organization, User
from accounts.tests.factories import UserFactory
from contracts.models import Contract
from contracts.tests.factories import ContractFactory
from procure_site import clock
from url_visits.models import Activity
from url_visits.tests.factories import ActivityFactory


def analytics_url(organization: Organization | str, endpoint: str, **params) -> str:
    public_id = (
        organization if isinstance(organization, str) else organization.public_id
    )
    url = f"/api/v1/organizations/{public_id}/{endpoint}"
    return f"{url}?{urlencode(params)}" if params else url


def activity(*, user: User, contract: Contract, day: dt.date) -> Activity:
    return ActivityFactory(user=user, contract=contract, day=day)


def add_contracts_with_usage(
    *, organization: Organization, count: int, today: dt.date
) -> None:
    """`count` contracts expiring soon, each with a user active today and a
    user last active 60 days ago, so that every report has rows to compute."""
    for _ in range(count):
        contract = ContractFactory(
            organization=organization,
            num_seats=10,
            expire_at=clock.now() + dt.timedelta(days=20),
        )
        for day in (today, today - dt.timedelta(days=60)):
            activity(
                user=UserFactory(organization=organization),
                contract=contract,
                day=day,
            )


def queries_for(client: APIClient, url: str) -> int:
    """How many queries one GET costs, after checking that it succeeded."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, response.json()
    return len(captured.captured_queries)
