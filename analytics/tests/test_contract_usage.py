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
from url_visits.models import Activity

# The data below is of November 2026, and every test here runs on 2026-12-15
# (UTC), after all of it and within the retention window.
pytestmark = pytest.mark.time_machine(dt.datetime(2026, 12, 15, 12, tzinfo=dt.UTC))

NOV_1 = dt.date(2026, 11, 1)
OCT_31 = dt.date(2026, 10, 31)
NOV_30 = dt.date(2026, 11, 30)
DEC_1 = dt.date(2026, 12, 1)


@pytest.fixture
def contracts(organization, other_organization):
    """Slack: 3 users in November, one on Oct 31 and one on Dec 1 who do not
    count. Zoom: no seats. Asana: nobody uses it. Globex's Slack is not Acme's.
    """
    slack = ContractFactory(
        organization=organization,
        host="app.slack.com",
        vendor_name="Slack",
        num_seats=75,
        annual_spend=Decimal("8000.00"),
    )
    zoom = ContractFactory(
        organization=organization,
        host="zoom.us",
        vendor_name="Zoom",
        num_seats=0,
        annual_spend=Decimal("1500.00"),
    )
    asana = ContractFactory(
        organization=organization,
        host="app.asana.com",
        vendor_name="asana",
        num_seats=10,
        annual_spend=Decimal("1200.00"),
    )
    users = [UserFactory(organization=organization) for _ in range(5)]
    # The first user works on Slack on three November days: one active user.
    for day in (NOV_1, dt.date(2026, 11, 15), NOV_30):
        activity(user=users[0], contract=slack, day=day)
    activity(user=users[1], contract=slack, day=dt.date(2026, 11, 2))
    activity(user=users[2], contract=slack, day=NOV_30)
    activity(user=users[3], contract=slack, day=OCT_31)
    activity(user=users[4], contract=slack, day=DEC_1)
    activity(user=users[0], contract=zoom, day=NOV_1)
    activity(user=users[1], contract=zoom, day=NOV_1)

    outsider_slack = ContractFactory(
        organization=other_organization, host="app.slack.com", vendor_name="Slack"
    )
    for _ in range(4):
        activity(
            user=UserFactory(organization=other_organization),
            contract=outsider_slack,
            day=dt.date(2026, 11, 10),
        )
    return {"slack": slack, "zoom": zoom, "asana": asana}


def test_it_reports_usage_for_a_month(admin_client, organization, contracts):
    activities_before = Activity.objects.count()

    response = admin_client.get(
        analytics_url(organization, "contract-usage", month="2026-11")
    )

    assert response.status_code == 200
    assert response.json() == {
        "organization_id": organization.public_id,
        "company_name": "Acme",
        "month": "2026-11",
        "data_since": "2026-10-31",
        "coverage": "full",
        "coverage_note": None,
        "contracts": [
            {
                "contract_id": contracts["asana"].id,
                "vendor_name": "asana",
                "pricing_model": "per_seat",
                "currency": "USD",
                "active_users": 0,
                "total_seats": 10,
                "annual_spend": 1200.0,
                "utilization": 0.0,
                "unused_seats": 10,
                "cost_per_active_user": None,
                "estimated_waste": 1200.0,
                "seats_reclaimed": 0,
                "realized_savings": 0.0,
            },
            {
                "contract_id": contracts["slack"].id,
                "vendor_name": "Slack",
                "pricing_model": "per_seat",
                "currency": "USD",
                "active_users": 3,
                "total_seats": 75,
                "annual_spend": 8000.0,
                "utilization": 0.04,
                "unused_seats": 72,
                "cost_per_active_user": 2666.67,
                "estimated_waste": 7680.0,
                "seats_reclaimed": 0,
                "realized_savings": 0.0,
            },
            {
                "contract_id": contracts["zoom"].id,
                "vendor_name": "Zoom",
                "pricing_model": "per_seat",
                "currency": "USD",
                "active_users": 2,
                "total_seats": 0,
                "annual_spend": 1500.0,
                "utilization": None,
                "unused_seats": 0,
                "cost_per_active_user": 750.0,
                "estimated_waste": None,
                "seats_reclaimed": 0,
                "realized_savings": 0.0,
            },
        ],
        "totals": {
            "annual_spend": 10700.0,
            "estimated_waste": 8880.0,
            "currency": "USD",
            "rates": [],
            "unconverted": [],
            "seats_reclaimed": 0,
            "realized_savings": 0.0,
        },
    }
    # Reading a report changes nothing.
    assert Activity.objects.count() == activities_before


def test_it_counts_oct_31_in_october_only(admin_client, organization, contracts):
    response = admin_client.get(
        analytics_url(organization, "contract-usage", month="2026-10")
    )

    assert response.status_code == 200
    slack = next(c for c in response.json()["contracts"] if c["vendor_name"] == "Slack")
    assert slack["active_users"] == 1
    assert slack["unused_seats"] == 74


def test_it_counts_dec_1_in_december_only(admin_client, organization, contracts):
    response = admin_client.get(
        analytics_url(organization, "contract-usage", month="2026-12")
    )

    by_vendor = {c["vendor_name"]: c for c in response.json()["contracts"]}
    assert by_vendor["Slack"]["active_users"] == 1
    assert by_vendor["Zoom"]["active_users"] == 0


def test_it_defaults_to_the_current_utc_month(admin_client, organization):
    slack = ContractFactory(organization=organization, vendor_name="Slack")
    today = clock.today()
    activity(user=UserFactory(organization=organization), contract=slack, day=today)
    last_month = today.replace(day=1) - dt.timedelta(days=1)
    activity(
        user=UserFactory(organization=organization), contract=slack, day=last_month
    )

    response = admin_client.get(analytics_url(organization, "contract-usage"))

    assert response.status_code == 200
    body = response.json()
    assert body["month"] == today.strftime("%Y-%m")
    assert body["contracts"][0]["active_users"] == 1


def test_it_lists_nothing_for_an_organization_without_contracts(
    admin_client, organization
):
    response = admin_client.get(analytics_url(organization, "contract-usage"))

    assert response.status_code == 200
    assert response.json()["coverage"] == "partial"
    assert response.json()["contracts"] == []
    assert response.json()["totals"] == {
        "annual_spend": 0.0,
        "estimated_waste": 0.0,
        "currency": "USD",
        "rates": [],
        "unconverted": [],
        "seats_reclaimed": 0,
        "realized_savings": 0.0,
    }


@pytest.mark.parametrize("month", ["2026-13", "2026-1", "november", "2026-11-01"])
def test_it_refuses_a_malformed_month(admin_client, organization, month):
    response = admin_client.get(
        analytics_url(organization, "contract-usage", month=month)
    )

    assert response.status_code == 400
    assert response.json()["detail"] == (
        "month must be a month in the form YYYY-MM, such as 2026-11."
    )


def test_it_lets_staff_see_any_organization(staff_client, organization, contracts):
    response = staff_client.get(
        analytics_url(organization, "contract-usage", month="2026-11")
    )

    assert response.status_code == 200
    assert len(response.json()["contracts"]) == 3


def test_it_refuses_members(member_client, organization):
    response = member_client.get(analytics_url(organization, "contract-usage"))

    assert response.status_code == 403
    assert response.json() == {
        "detail": "Only admins of the organization can do this.",
        "code": "admins_only",
    }


def test_it_refuses_admins_of_another_organization(outsider_client, organization):
    response = outsider_client.get(analytics_url(organization, "contract-usage"))

    assert response.status_code == 403
    assert response.json() == {
        "detail": "You can only see your own organization.",
        "code": "other_organization",
    }


def test_it_refuses_before_validating_the_month(outsider_client, organization):
    response = outsider_client.get(
        analytics_url(organization, "contract-usage", month="bad")
    )

    assert response.status_code == 403


def test_it_answers_404_for_an_unknown_organization(admin_client):
    response = admin_client.get(analytics_url("org_unknown", "contract-usage"))

    assert response.status_code == 404
    assert response.json() == {
        "detail": "No organization has the id org_unknown.",
        "code": "not_found",
    }


def test_it_requires_authentication(anon_client, organization):
    response = anon_client.get(analytics_url(organization, "contract-usage"))

    assert response.status_code == 401


def test_its_query_count_does_not_grow_with_contracts(admin_client, organization):
    today = clock.today()
    url = analytics_url(organization, "contract-usage")
    add_contracts_with_usage(organization=organization, count=3, today=today)
    with_3 = queries_for(admin_client, url)
    add_contracts_with_usage(organization=organization, count=27, today=today)
    with_30 = queries_for(admin_client, url)

    # Authenticate, organization, first activity, contracts, active users by
    # contract, seats reclaimed by contract.
    assert with_3 == with_30 == 7
    assert len(admin_client.get(url).json()["contracts"]) == 30


def test_it_refuses_a_month_that_has_not_started(admin_client, organization):
    ContractFactory(organization=organization, vendor_name="Slack")

    response = admin_client.get(
        analytics_url(organization, "contract-usage", month="2030-01")
    )

    assert response.status_code == 400
    this_month = clock.today().strftime("%Y-%m")
    assert response.json() == {
        "detail": "2030-01 has not started yet, so there is no usage to report. "
        f"Ask for {this_month} or an earlier month.",
        "code": "invalid_request",
    }


def test_it_reports_no_waste_for_a_month_without_data(admin_client, organization):
    ContractFactory(
        organization=organization,
        vendor_name="Slack",
        num_seats=75,
        annual_spend=Decimal("8000.00"),
    )

    response = admin_client.get(
        analytics_url(organization, "contract-usage", month="1999-01")
    )

    assert response.status_code == 200
    body = response.json()
    since = body["data_since"]
    assert since == clock.today().isoformat()
    assert body["coverage"] == "none"
    assert body["coverage_note"] == (
        f"proCure has no data for 1999-01: its data for this organization begins "
        f"on {since}. Utilization and waste are unknown, not zero."
    )
    (slack,) = body["contracts"]
    assert slack["active_users"] == 0
    assert slack["utilization"] is None
    assert slack["unused_seats"] is None
    assert slack["estimated_waste"] is None
    assert body["totals"] == {
        "annual_spend": 8000.0,
        "estimated_waste": None,
        "currency": "USD",
        "rates": [],
        "unconverted": [],
        "seats_reclaimed": 0,
        "realized_savings": 0.0,
    }


def test_it_marks_a_month_whose_data_begins_midway_as_partial(
    admin_client, organization, contracts
):
    response = admin_client.get(
        analytics_url(organization, "contract-usage", month="2026-10")
    )

    body = response.json()
    assert body["coverage"] == "partial"
    assert body["coverage_note"].startswith(
        "2026-10 is covered from 2026-10-31 only, when proCure's data"
    )
    slack = next(c for c in body["contracts"] if c["vendor_name"] == "Slack")
    assert slack["estimated_waste"] == 7893.33


def test_it_marks_the_current_month_as_partial(admin_client, organization):
    slack = ContractFactory(organization=organization, vendor_name="Slack")
    today = clock.today()
    activity(user=UserFactory(organization=organization), contract=slack, day=today)
    activity(
        user=UserFactory(organization=organization),
        contract=slack,
        day=today.replace(day=1),
    )

    response = admin_client.get(analytics_url(organization, "contract-usage"))

    body = response.json()
    assert body["coverage"] == "partial"
    assert body["coverage_note"] == (
        f"{today:%Y-%m} is not over: it covers {today.replace(day=1).isoformat()} "
        f"to {today.isoformat()} so far."
    )
