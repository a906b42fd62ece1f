"""GET organizations/{id}/spend-by-department: a month's contract cost
shared among the departments of the contracts' active users, reconciling to
the cent with contract-usage."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest

from accounts.tests.factories import UserFactory
from analytics.tests.helpers import activity, analytics_url
from contracts.tests.factories import ContractFactory

# Runs on 2026-12-15 (UTC) and reads November 2026.
pytestmark = pytest.mark.time_machine(dt.datetime(2026, 12, 15, 12, tzinfo=dt.UTC))
NOV_10 = dt.date(2026, 11, 10)


@pytest.fixture
def teams(organization):
    """Slack: 10 seats at 1,000.00 a year (83.33 a month), used by 2 in
    Sales and 1 in Engineering. Figma: flat 1,000.00, used by 1 designer.
    Zoom: usage-based, nobody. A cancelled contract counts for nothing."""
    people = {
        name: UserFactory(organization=organization, department=department)
        for name, department in (
            ("sam", "Sales"),
            ("sue", "Sales"),
            ("eve", "Engineering"),
            ("dan", "Design"),
            ("nob", ""),
        )
    }
    slack = ContractFactory(
        organization=organization,
        vendor_name="Slack",
        num_seats=10,
        annual_spend=Decimal("1000.00"),
    )
    figma = ContractFactory(
        organization=organization,
        vendor_name="Figma",
        pricing_model="flat",
        num_seats=5,
        annual_spend=Decimal("1000.00"),
    )
    ContractFactory(
        organization=organization,
        vendor_name="Zoom",
        pricing_model="usage_based",
        annual_spend=Decimal("120.00"),
    )
    gone = ContractFactory(
        organization=organization,
        vendor_name="Gone",
        contract_status="cancelled",
        annual_spend=Decimal("9999.00"),
    )
    for name in ("sam", "sue", "eve"):
        activity(user=people[name], contract=slack, day=NOV_10)
    activity(user=people["dan"], contract=figma, day=NOV_10)
    activity(user=people["nob"], contract=gone, day=NOV_10)
    return people


def test_it_allocates_each_contracts_month_cost_and_reconciles(
    admin_client, organization, teams
):
    response = admin_client.get(
        analytics_url(organization, "spend-by-department", month="2026-11")
    )

    assert response.status_code == 200
    body = response.json()
    # Slack 83.33 (7 unused seats: 58.33; 25.00 for 3 people), Figma 83.33
    # to Design, Zoom 10.00 unused.
    assert body["departments"] == [
        {"department": "Design", "active_users": 1, "spend": 83.33},
        {"department": "Sales", "active_users": 2, "spend": 16.67},
        {"department": "Engineering", "active_users": 1, "spend": 8.33},
    ]
    assert (body["unused_seats"], body["unused_contracts"]) == (58.33, 10.0)
    assert body["total_spend"] == 176.66
    allocated = sum(Decimal(str(row["spend"])) for row in body["departments"])
    assert allocated + Decimal("58.33") + Decimal("10.00") == Decimal("176.66")

    usage = admin_client.get(
        analytics_url(organization, "contract-usage", month="2026-11")
    ).json()
    # The same contracts as contract-usage, and Slack's unused seats are its
    # waste for the month.
    assert usage["totals"]["annual_spend"] == 2120.0
    slack = next(row for row in usage["contracts"] if row["vendor_name"] == "Slack")
    assert round(slack["estimated_waste"] / 12, 2) == body["unused_seats"]


def test_a_month_without_data_allocates_nothing(admin_client, organization, teams):
    response = admin_client.get(
        analytics_url(organization, "spend-by-department", month="2026-01")
    )

    body = response.json()
    assert body["coverage"] == "none"
    assert body["departments"] == []
    assert (body["unused_seats"], body["unused_contracts"]) == (None, None)


def test_it_answers_csv_with_the_same_figures(admin_client, organization, teams):
    response = admin_client.get(
        analytics_url(
            organization, "spend-by-department", month="2026-11", format="csv"
        )
    )

    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows == [
        ["month", "department", "active_users", "spend"],
        ["2026-11", "Design", "1", "83.33"],
        ["2026-11", "Sales", "2", "16.67"],
        ["2026-11", "Engineering", "1", "8.33"],
        ["2026-11", "(unused seats)", "", "58.33"],
        ["2026-11", "(contracts nobody used)", "", "10.0"],
        ["2026-11", "Total", "", "176.66"],
    ]


def test_admins_set_a_department_and_invitations_carry_one(
    admin_client, organization, member
):
    url = f"/api/v1/organizations/{organization.public_id}/users/{member.pk}"

    changed = admin_client.patch(url, {"department": " Sales "}, format="json")
    empty = admin_client.patch(url, {}, format="json")
    invited = admin_client.post(
        f"/api/v1/organizations/{organization.public_id}/invitations",
        {"email": "new@acme.io", "department": "Design"},
        format="json",
    )

    assert changed.status_code == 200
    assert changed.json()["department"] == "Sales"
    assert empty.status_code == 400
    assert empty.json()["detail"] == "Send role, department or both."
    assert invited.status_code == 201
    assert invited.json()["department"] == "Design"
