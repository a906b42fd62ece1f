import datetime as dt
from decimal import Decimal

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


def in_days(count: int) -> dt.datetime:
    return clock.now() + dt.timedelta(days=count)


@pytest.fixture
def contracts(organization, other_organization):
    """Expiring within 90 days: Zoom in 10 (nobody in the last 30 days),
    Slack in 30 (3 of 75 seats used), Figma in 60 (5 of 5 used).
    Not: Notion in 200 days, Jira expired yesterday, Miro without expiry,
    Globex's Slack."""
    make = ContractFactory
    zoom = make(
        organization=organization,
        vendor_name="Zoom",
        num_seats=10,
        annual_spend=Decimal("1500.00"),
        expire_at=in_days(10),
    )
    slack = make(
        organization=organization,
        vendor_name="Slack",
        num_seats=75,
        annual_spend=Decimal("8000.00"),
        expire_at=in_days(30),
    )
    figma = make(
        organization=organization,
        vendor_name="Figma",
        num_seats=5,
        annual_spend=Decimal("3000.00"),
        expire_at=in_days(60),
    )
    notion = make(
        organization=organization, vendor_name="Notion", expire_at=in_days(200)
    )
    jira = make(organization=organization, vendor_name="Jira", expire_at=in_days(-1))
    make(organization=organization, vendor_name="Miro", expire_at=None)
    make(organization=other_organization, vendor_name="Slack", expire_at=in_days(5))

    users = [UserFactory(organization=organization) for _ in range(5)]
    # 30 days ago is just outside the last 30 days, which include today.
    activity(user=users[0], contract=zoom, day=days_ago(30))
    activity(user=users[0], contract=slack, day=days_ago(29))
    activity(user=users[1], contract=slack, day=days_ago(3))
    activity(user=users[2], contract=slack, day=days_ago(0))
    activity(user=users[2], contract=slack, day=days_ago(1))
    for user in users:
        activity(user=user, contract=figma, day=days_ago(7))
        activity(user=user, contract=jira, day=days_ago(7))
    activity(user=users[3], contract=notion, day=days_ago(2))
    return {"zoom": zoom, "slack": slack, "figma": figma, "notion": notion}


def test_it_advises_on_contracts_expiring_within_90_days(
    admin_client, organization, contracts
):
    response = admin_client.get(analytics_url(organization, "renewals"))

    assert response.status_code == 200
    body = response.json()
    assert body["organization_id"] == organization.public_id
    assert body["company_name"] == "Acme"
    assert body["within_days"] == 90
    assert body["usage_days"] == 30
    rows = body["contracts"]
    for row in rows:
        assert dt.datetime.fromisoformat(row.pop("expire_at")) == (
            contracts[row["vendor_name"].lower()].expire_at
        )
    expires_on = {
        name: contract.expire_at.astimezone(dt.UTC).date().isoformat()
        for name, contract in contracts.items()
    }
    assert rows == [
        {
            "contract_id": contracts["zoom"].id,
            "vendor_name": "Zoom",
            "days_until_expiry": 10,
            "cancel_by": expires_on["zoom"],
            "days_until_cancel_by": 10,
            "auto_renew": False,
            "notice_period_days": 0,
            "pricing_model": "per_seat",
            "currency": "USD",
            "annual_spend": 1500.0,
            "total_seats": 10,
            "active_users": 0,
            "utilization": 0.0,
            "suggestion": "cancel",
            "suggested_seats": None,
            "estimated_savings": 1500.0,
            "reason": (
                "Nobody used Zoom in the last 30 days. Consider cancelling it "
                f"before it expires on {expires_on['zoom']}."
            ),
        },
        {
            "contract_id": contracts["slack"].id,
            "vendor_name": "Slack",
            "days_until_expiry": 30,
            "cancel_by": expires_on["slack"],
            "days_until_cancel_by": 30,
            "auto_renew": False,
            "notice_period_days": 0,
            "pricing_model": "per_seat",
            "currency": "USD",
            "annual_spend": 8000.0,
            "total_seats": 75,
            "active_users": 3,
            "utilization": 0.04,
            "suggestion": "downsize",
            "suggested_seats": 4,
            "estimated_savings": 7573.33,
            "reason": (
                "Only 3 of 75 seats of Slack were used in the last 30 days. "
                "Renew with 4 seats (active users plus 10%) to save about "
                "7,573.33 a year."
            ),
        },
        {
            "contract_id": contracts["figma"].id,
            "vendor_name": "Figma",
            "days_until_expiry": 60,
            "cancel_by": expires_on["figma"],
            "days_until_cancel_by": 60,
            "auto_renew": False,
            "notice_period_days": 0,
            "pricing_model": "per_seat",
            "currency": "USD",
            "annual_spend": 3000.0,
            "total_seats": 5,
            "active_users": 5,
            "utilization": 1.0,
            "suggestion": "renew",
            "suggested_seats": 5,
            "estimated_savings": 0.0,
            "reason": (
                "5 of 5 seats of Figma were used in the last 30 days. Renew it "
                "with the same seats."
            ),
        },
    ]


def test_it_takes_the_window(admin_client, organization, contracts):
    response = admin_client.get(
        analytics_url(organization, "renewals", within_days=365)
    )

    names = [row["vendor_name"] for row in response.json()["contracts"]]
    assert names == ["Zoom", "Slack", "Figma", "Notion"]

    response = admin_client.get(analytics_url(organization, "renewals", within_days=20))

    assert [row["vendor_name"] for row in response.json()["contracts"]] == ["Zoom"]


def test_it_lists_nothing_when_nothing_expires(admin_client, organization):
    ContractFactory(organization=organization, expire_at=in_days(400))

    response = admin_client.get(analytics_url(organization, "renewals"))

    assert response.status_code == 200
    assert response.json()["contracts"] == []


@pytest.mark.parametrize("value", ["0", "731", "ninety", "1e3"])
def test_it_refuses_a_bad_window(admin_client, organization, value):
    response = admin_client.get(
        analytics_url(organization, "renewals", within_days=value)
    )

    assert response.status_code == 400
    assert response.json()["detail"] == (
        "within_days: must be a whole number of days between 1 and 730."
    )


def test_it_answers_404_for_an_unknown_organization(admin_client):
    response = admin_client.get(analytics_url("org_unknown", "renewals"))

    assert response.status_code == 404


def test_its_query_count_does_not_grow_with_contracts(admin_client, organization):
    today = clock.today()
    url = analytics_url(organization, "renewals")
    add_contracts_with_usage(organization=organization, count=3, today=today)
    with_3 = queries_for(admin_client, url)
    add_contracts_with_usage(organization=organization, count=27, today=today)
    with_30 = queries_for(admin_client, url)

    # Authenticate, organization, expiring contracts, recent active users,
    # first activity.
    assert with_3 == with_30 == 5
    assert len(admin_client.get(url).json()["contracts"]) == 30


def test_it_never_suggests_cancelling_on_no_data(admin_client, organization):
    ContractFactory(
        organization=organization,
        vendor_name="Zoom",
        num_seats=10,
        annual_spend=Decimal("1500.00"),
        expire_at=in_days(10),
    )

    response = admin_client.get(analytics_url(organization, "renewals"))

    assert response.status_code == 200
    body = response.json()
    today = clock.today()
    assert body["data_since"] == today.isoformat()
    (zoom,) = body["contracts"]
    assert zoom["suggestion"] == "wait"
    assert zoom["suggested_seats"] is None
    assert zoom["estimated_savings"] == 0.0
    expires_on = in_days(10).astimezone(dt.UTC).date()
    assert zoom["reason"] == (
        f"proCure has data on Zoom only since {today.isoformat()}, less than the "
        "30 days advice needs: too little to suggest cutting it. Check again "
        f"after {(today + dt.timedelta(days=30)).isoformat()}, before it expires "
        f"on {expires_on.isoformat()}."
    )


def test_it_still_suggests_more_seats_on_recent_data(admin_client, organization):
    figma = ContractFactory(
        organization=organization,
        vendor_name="Figma",
        num_seats=1,
        annual_spend=Decimal("3000.00"),
        expire_at=in_days(10),
    )
    for _ in range(3):
        activity(
            user=UserFactory(organization=organization),
            contract=figma,
            day=clock.today(),
        )

    response = admin_client.get(analytics_url(organization, "renewals"))

    (row,) = response.json()["contracts"]
    assert (row["suggestion"], row["suggested_seats"]) == ("renew", 4)
