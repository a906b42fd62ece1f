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


@pytest.fixture
def months():
    """The last three UTC months, oldest first, and the one before them."""
    recent = clock.recent_months(current=clock.today(), count=3)
    return {
        "before": clock.add_months(recent[0], -1),
        "recent": recent,
        "labels": [clock.format_month(month) for month in recent],
    }


@pytest.fixture
def contracts(organization, other_organization, months):
    """Slack: 1, 2 and 1 active users in the last three months, plus a user
    on the last day before them. Asana: nobody. Globex has its own Slack."""
    first, second, current = months["recent"]
    slack = ContractFactory(
        organization=organization, vendor_name="Slack", num_seats=75
    )
    asana = ContractFactory(organization=organization, vendor_name="Asana", num_seats=5)
    ada, bob, cyd, dan = (UserFactory(organization=organization) for _ in range(4))
    activity(user=ada, contract=slack, day=first)
    activity(user=ada, contract=slack, day=first + dt.timedelta(days=3))
    # The last day of the second month counts in the second month.
    last_day_of_second = current - dt.timedelta(days=1)
    activity(user=ada, contract=slack, day=last_day_of_second)
    activity(user=bob, contract=slack, day=second)
    activity(user=cyd, contract=slack, day=current)
    activity(user=dan, contract=slack, day=first - dt.timedelta(days=1))

    globex_slack = ContractFactory(organization=other_organization, vendor_name="Slack")
    activity(
        user=UserFactory(organization=other_organization),
        contract=globex_slack,
        day=current,
    )
    return {"slack": slack, "asana": asana}


def test_it_reports_monthly_active_users_zero_filled(
    admin_client, organization, contracts, months
):
    response = admin_client.get(analytics_url(organization, "usage-trend", months=3))

    assert response.status_code == 200
    labels = months["labels"]
    assert response.json() == {
        "organization_id": organization.public_id,
        "company_name": "Acme",
        "months": labels,
        # The day before the first month, Dan's.
        "data_since": (months["recent"][0] - dt.timedelta(days=1)).isoformat(),
        "contracts": [
            {
                "contract_id": contracts["asana"].id,
                "vendor_name": "Asana",
                "total_seats": 5,
                "months": [
                    {"month": label, "active_users": 0, "coverage": coverage}
                    for label, coverage in zip(
                        labels, ["full", "full", "partial"], strict=True
                    )
                ],
            },
            {
                "contract_id": contracts["slack"].id,
                "vendor_name": "Slack",
                "total_seats": 75,
                "months": [
                    {"month": labels[0], "active_users": 1, "coverage": "full"},
                    {"month": labels[1], "active_users": 2, "coverage": "full"},
                    {"month": labels[2], "active_users": 1, "coverage": "partial"},
                ],
            },
        ],
    }


def test_it_defaults_to_six_months(admin_client, organization, contracts, months):
    response = admin_client.get(analytics_url(organization, "usage-trend"))

    assert response.status_code == 200
    body = response.json()
    assert len(body["months"]) == 6
    assert body["months"][-3:] == months["labels"]
    slack = body["contracts"][1]
    assert [m["active_users"] for m in slack["months"]] == [0, 0, 1, 1, 2, 1]
    # Before Dan's day proCure has no data: those zeros are unknown, not unused.
    assert [m["coverage"] for m in slack["months"]] == [
        "none",
        "none",
        "partial",
        "full",
        "full",
        "partial",
    ]


def test_it_reports_only_the_current_month(admin_client, organization, contracts):
    response = admin_client.get(analytics_url(organization, "usage-trend", months=1))

    slack = response.json()["contracts"][1]
    assert slack["months"] == [
        {
            "month": clock.today().strftime("%Y-%m"),
            "active_users": 1,
            "coverage": "partial",
        }
    ]


def test_it_reports_one_contract(admin_client, organization, contracts):
    response = admin_client.get(
        analytics_url(
            organization, "usage-trend", months=3, contract_id=contracts["slack"].id
        )
    )

    assert response.status_code == 200
    body = response.json()
    assert [c["vendor_name"] for c in body["contracts"]] == ["Slack"]
    assert [m["active_users"] for m in body["contracts"][0]["months"]] == [1, 2, 1]


def test_it_answers_404_for_another_organizations_contract(
    admin_client, organization, other_organization
):
    globex_contract = ContractFactory(organization=other_organization)

    response = admin_client.get(
        analytics_url(organization, "usage-trend", contract_id=globex_contract.id)
    )

    assert response.status_code == 404
    assert response.json() == {
        "detail": "This organization has no contract with the id "
        f"{globex_contract.id}.",
        "code": "not_found",
    }


@pytest.mark.parametrize("value", ["0", "25", "-1", "six", "1.5"])
def test_it_refuses_a_bad_number_of_months(admin_client, organization, value):
    response = admin_client.get(
        analytics_url(organization, "usage-trend", months=value)
    )

    assert response.status_code == 400
    assert (
        response.json()["detail"] == "months must be a whole number between 1 and 24."
    )


def test_it_refuses_a_bad_contract_id(admin_client, organization):
    response = admin_client.get(
        analytics_url(organization, "usage-trend", contract_id="slack")
    )

    assert response.status_code == 400
    assert response.json()["detail"] == (
        "The contract id must be a whole number, such as contract_id=7."
    )


def test_it_answers_404_for_an_unknown_organization(admin_client):
    response = admin_client.get(analytics_url("org_unknown", "usage-trend"))

    assert response.status_code == 404


def test_its_query_count_does_not_grow_with_contracts(admin_client, organization):
    today = clock.today()
    url = analytics_url(organization, "usage-trend", months=24)
    add_contracts_with_usage(organization=organization, count=3, today=today)
    with_3 = queries_for(admin_client, url)
    add_contracts_with_usage(organization=organization, count=27, today=today)
    with_30 = queries_for(admin_client, url)

    # Authenticate, organization, contracts, first activity, active users by
    # contract and month.
    assert with_3 == with_30 == 5
