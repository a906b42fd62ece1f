"""Every analytics report answers CSV when asked (Accept: text/csv or
?format=csv), with the figures of its JSON; refusals stay JSON."""

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


@pytest.fixture
def contracts(organization):
    slack = ContractFactory(
        organization=organization,
        vendor_name="Slack",
        num_seats=10,
        annual_spend=Decimal("1000.00"),
        expire_at=dt.datetime(2027, 1, 10, tzinfo=dt.UTC),
    )
    evil = ContractFactory(
        organization=organization,
        vendor_name='=HYPERLINK("https://evil.example")',
        pricing_model="flat",
        num_seats=5,
        annual_spend=Decimal("600.00"),
    )
    max_ = UserFactory(organization=organization, email="jo@acme.io")
    activity(user=max_, contract=slack, day=dt.date(2026, 11, 3))
    activity(user=max_, contract=evil, day=dt.date(2026, 11, 3))
    return slack, evil


def table(response) -> list[dict[str, str]]:
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def test_contract_usage_in_csv_has_the_json_figures_and_the_totals(
    admin_client, organization, contracts
):
    url = analytics_url(organization, "contract-usage", month="2026-11")
    as_json = admin_client.get(url).json()

    response = admin_client.get(url, HTTP_ACCEPT="text/csv")

    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        'attachment; filename="contract-usage.csv"'
    )
    rows = table(response)
    assert [row["vendor_name"] for row in rows] == [
        '\'=HYPERLINK("https://evil.example")',
        "Slack",
        "Total",
    ]
    slack = rows[1]
    expected = next(c for c in as_json["contracts"] if c["vendor_name"] == "Slack")
    assert {key: slack[key] for key in expected} == {
        key: "" if value is None else str(value) for key, value in expected.items()
    }
    assert slack["month"] == "2026-11"
    assert (rows[2]["annual_spend"], rows[2]["estimated_waste"]) == (
        str(as_json["totals"]["annual_spend"]),
        str(as_json["totals"]["estimated_waste"]),
    )
    assert rows[0]["estimated_waste"] == ""


@pytest.mark.parametrize(
    ("endpoint", "params", "first_row"),
    [
        (
            "usage-trend",
            {"months": 2},
            {"vendor_name": "Slack", "month": "2026-11", "active_users": "1"},
        ),
        (
            "inactive-users",
            {"days": 7},
            {"vendor_name": "Slack", "email": "jo@acme.io"},
        ),
        (
            "renewals",
            {"within_days": 60},
            {"vendor_name": "Slack", "cancel_by": "2027-01-10", "suggestion": "cancel"},
        ),
    ],
)
def test_each_report_answers_csv_with_format_csv(
    admin_client, organization, contracts, endpoint, params, first_row
):
    response = admin_client.get(
        analytics_url(organization, endpoint, format="csv", **params)
    )

    assert response.status_code == 200
    rows = [
        row for row in table(response) if row["vendor_name"] == first_row["vendor_name"]
    ]
    assert {key: rows[0][key] for key in first_row} == first_row


def test_a_refusal_stays_json_when_csv_was_asked_for(
    member_client, admin_client, organization, contracts
):
    forbidden = member_client.get(
        analytics_url(organization, "contract-usage"), HTTP_ACCEPT="text/csv"
    )
    bad = admin_client.get(
        analytics_url(organization, "renewals", within_days=0, format="csv")
    )

    assert forbidden.status_code == 403
    assert forbidden["Content-Type"] == "application/json"
    assert forbidden.json()["code"] == "admins_only"
    assert bad.status_code == 400
    assert bad.json()["code"] == "invalid_field"


def test_options_with_format_csv_answers_json(admin_client, organization):
    # Found by the schema fuzzer: OPTIONS ...?format=csv answered 500.
    response = admin_client.options(
        analytics_url(organization, "contract-usage", format="csv", month="0")
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json()["name"] == "Contract Usage"
