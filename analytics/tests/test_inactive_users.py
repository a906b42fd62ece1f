import datetime as dt

import pytest

from accounts.tests.factories import UserFactory
from analytics.tests.helpers import (
    activity,
    add_contracts_with_usage,
    analytics_url,
    queries_for,
)
from contracts.tests.factories import ContractFactory
from procure_site import clock


def days_ago(count: int) -> dt.date:
    return clock.today() - dt.timedelta(days=count)


@pytest.fixture
def contracts(organization, other_organization):
    """Slack, with the last 30 days being today and the 29 before it:

    - ann was last active 30 days ago: inactive.
    - ben was last active 29 days ago: still active.
    - cat was active 100 days ago and 5 days ago: active.
    - dee was last active 200 days ago: inactive, the longest idle.

    Zoom: ann, today. Asana: nobody. Globex's idle user is not Acme's.
    """
    slack = ContractFactory(
        organization=organization, vendor_name="Slack", num_seats=75
    )
    zoom = ContractFactory(organization=organization, vendor_name="Zoom", num_seats=5)
    asana = ContractFactory(organization=organization, vendor_name="Asana", num_seats=5)
    users = {
        name: UserFactory(organization=organization, email=f"{name}@acme.io")
        for name in ("ann", "ben", "cat", "dee")
    }
    activity(user=users["ann"], contract=slack, day=days_ago(45))
    activity(user=users["ann"], contract=slack, day=days_ago(30))
    activity(user=users["ben"], contract=slack, day=days_ago(29))
    activity(user=users["cat"], contract=slack, day=days_ago(100))
    activity(user=users["cat"], contract=slack, day=days_ago(5))
    activity(user=users["dee"], contract=slack, day=days_ago(200))
    activity(user=users["ann"], contract=zoom, day=days_ago(0))

    globex_slack = ContractFactory(organization=other_organization, vendor_name="Slack")
    activity(
        user=UserFactory(organization=other_organization),
        contract=globex_slack,
        day=days_ago(90),
    )
    return {"slack": slack, "zoom": zoom, "asana": asana, "users": users}


def test_it_lists_users_idle_for_the_last_30_days(
    admin_client, organization, contracts
):
    response = admin_client.get(analytics_url(organization, "inactive-users"))

    assert response.status_code == 200
    users = contracts["users"]
    assert response.json() == {
        "organization_id": organization.public_id,
        "company_name": "Acme",
        "days": 30,
        "active_since": days_ago(29).isoformat(),
        "contracts": [
            {
                "contract_id": contracts["asana"].id,
                "vendor_name": "Asana",
                "total_seats": 5,
                "inactive_user_count": 0,
                "inactive_users": [],
            },
            {
                "contract_id": contracts["slack"].id,
                "vendor_name": "Slack",
                "total_seats": 75,
                "inactive_user_count": 2,
                "inactive_users": [
                    {
                        "user_id": str(users["dee"].id),
                        "email": "dee@acme.io",
                        "last_active_day": days_ago(200).isoformat(),
                    },
                    {
                        "user_id": str(users["ann"].id),
                        "email": "ann@acme.io",
                        "last_active_day": days_ago(30).isoformat(),
                    },
                ],
            },
            {
                "contract_id": contracts["zoom"].id,
                "vendor_name": "Zoom",
                "total_seats": 5,
                "inactive_user_count": 0,
                "inactive_users": [],
            },
        ],
    }


def test_it_takes_the_number_of_days(admin_client, organization, contracts):
    response = admin_client.get(analytics_url(organization, "inactive-users", days=1))

    by_vendor = {c["vendor_name"]: c for c in response.json()["contracts"]}
    # With one day, only today's activity is recent.
    assert [u["email"] for u in by_vendor["Slack"]["inactive_users"]] == [
        "dee@acme.io",
        "ann@acme.io",
        "ben@acme.io",
        "cat@acme.io",
    ]
    assert by_vendor["Zoom"]["inactive_user_count"] == 0


def test_it_reports_one_contract(admin_client, organization, contracts):
    response = admin_client.get(
        analytics_url(
            organization, "inactive-users", days=300, contract_id=contracts["slack"].id
        )
    )

    assert response.status_code == 200
    assert response.json()["contracts"] == [
        {
            "contract_id": contracts["slack"].id,
            "vendor_name": "Slack",
            "total_seats": 75,
            "inactive_user_count": 0,
            "inactive_users": [],
        }
    ]


def test_it_answers_404_for_another_organizations_contract(
    admin_client, organization, other_organization
):
    globex_contract = ContractFactory(organization=other_organization)

    response = admin_client.get(
        analytics_url(organization, "inactive-users", contract_id=globex_contract.id)
    )

    assert response.status_code == 404


@pytest.mark.parametrize("value", ["0", "401", "thirty", "7.5"])
def test_it_refuses_a_bad_number_of_days(admin_client, organization, value):
    response = admin_client.get(
        analytics_url(organization, "inactive-users", days=value)
    )

    assert response.status_code == 400
    assert response.json()["detail"] == "days must be a whole number between 1 and 400."


def test_it_answers_404_for_an_unknown_organization(admin_client):
    response = admin_client.get(analytics_url("org_unknown", "inactive-users"))

    assert response.status_code == 404


def test_its_query_count_does_not_grow_with_contracts(admin_client, organization):
    today = clock.today()
    url = analytics_url(organization, "inactive-users")
    add_contracts_with_usage(organization=organization, count=3, today=today)
    with_3 = queries_for(admin_client, url)
    add_contracts_with_usage(organization=organization, count=27, today=today)
    with_30 = queries_for(admin_client, url)

    # Authenticate, organization, contracts, last active day by contract and user.
    assert with_3 == with_30 == 4
    body = admin_client.get(url).json()
    assert sum(c["inactive_user_count"] for c in body["contracts"]) == 30


def test_it_pages_each_contracts_idle_users_on_request(
    admin_client, organization, contracts
):
    whole = admin_client.get(analytics_url(organization, "inactive-users")).json()
    pages = [
        admin_client.get(
            analytics_url(organization, "inactive-users", limit=1, offset=offset)
        ).json()
        for offset in (0, 1, 2)
    ]

    def slack(report):
        return next(c for c in report["contracts"] if c["vendor_name"] == "Slack")

    assert [user["email"] for user in slack(whole)["inactive_users"]] == [
        "dee@acme.io",
        "ann@acme.io",
    ]
    assert [
        [user["email"] for user in slack(page)["inactive_users"]] for page in pages
    ] == [["dee@acme.io"], ["ann@acme.io"], []]
    assert {slack(page)["inactive_user_count"] for page in pages} == {2}
    refused = admin_client.get(analytics_url(organization, "inactive-users", limit=0))
    assert refused.status_code == 400
    assert refused.json()["detail"] == (
        "limit must be a whole number between 1 and 10000."
    )
