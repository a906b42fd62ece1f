"""Reports respect how a contract is priced and whether it is in force
(contracts/terms.py): flat and usage-based contracts get no seat waste or
seat advice, and cancelled or expired contracts leave usage, totals and
renewals while keeping their history."""

import datetime as dt
from decimal import Decimal

import pytest

from accounts.tests.factories import UserFactory
from analytics.tests.helpers import activity, analytics_url
from contracts.tests.factories import ContractFactory

# Every test here runs on 2026-12-15 (UTC) and reads November 2026.
pytestmark = pytest.mark.time_machine(dt.datetime(2026, 12, 15, 12, tzinfo=dt.UTC))
NOV_10 = dt.date(2026, 11, 10)
DEC_14 = dt.date(2026, 12, 14)


def used_by(contract, count: int, day: dt.date) -> None:
    for _ in range(count):
        user = UserFactory(organization=contract.organization)
        activity(user=user, contract=contract, day=day)


@pytest.fixture
def priced(organization):
    """Three contracts of 10 seats and 12,000 a year, 2 people each."""
    contracts = {
        model: ContractFactory(
            organization=organization,
            vendor_name=model,
            pricing_model=model,
            num_seats=10,
            annual_spend=Decimal("12000.00"),
        )
        for model in ("per_seat", "flat", "usage_based")
    }
    for contract in contracts.values():
        used_by(contract, 2, NOV_10)
    return contracts


def test_only_per_seat_contracts_have_seat_waste(admin_client, organization, priced):
    response = admin_client.get(
        analytics_url(organization, "contract-usage", month="2026-11")
    )

    assert response.status_code == 200
    rows = {row["vendor_name"]: row for row in response.json()["contracts"]}
    assert {name: row["pricing_model"] for name, row in rows.items()} == {
        "flat": "flat",
        "per_seat": "per_seat",
        "usage_based": "usage_based",
    }
    assert rows["per_seat"]["estimated_waste"] == 9600.0
    assert rows["per_seat"]["unused_seats"] == 8
    for name in ("flat", "usage_based"):
        assert rows[name]["estimated_waste"] is None
        assert rows[name]["unused_seats"] is None
        assert rows[name]["utilization"] is None
        assert rows[name]["cost_per_active_user"] == 6000.0
    assert response.json()["totals"] == {
        "annual_spend": 36000.0,
        "estimated_waste": 9600.0,
        "currency": "USD",
        "rates": [],
        "unconverted": [],
        "seats_reclaimed": 0,
        "realized_savings": 0.0,
    }


def test_flat_and_usage_based_contracts_get_no_seat_advice(
    admin_client, organization, priced
):
    for contract in priced.values():
        contract.expire_at = dt.datetime(2027, 1, 14, tzinfo=dt.UTC)
        contract.save()
        used_by(contract, 1, DEC_14)

    response = admin_client.get(analytics_url(organization, "renewals", within_days=90))

    rows = {row["vendor_name"]: row for row in response.json()["contracts"]}
    assert rows["per_seat"]["suggestion"] == "downsize"
    assert rows["per_seat"]["suggested_seats"] == 2
    for name, priced_as in (("flat", "at a flat price"), ("usage_based", "by use")):
        assert rows[name]["suggestion"] == "renew"
        assert rows[name]["suggested_seats"] is None
        assert rows[name]["estimated_savings"] == 0.0
        assert rows[name]["utilization"] is None
        assert rows[name]["reason"] == (
            f"1 person used {name} in the last 30 days. It is priced "
            f"{priced_as}, not per seat, so there is no seat advice: renew it "
            "as is (about 12,000.00 a year per active user)."
        )


@pytest.mark.parametrize("status", ["cancelled", "expired"])
def test_a_contract_out_of_force_leaves_usage_totals_and_renewals(
    admin_client, organization, status
):
    kept = ContractFactory(
        organization=organization,
        vendor_name="Slack",
        annual_spend=Decimal("1000.00"),
        expire_at=dt.datetime(2027, 1, 10, tzinfo=dt.UTC),
    )
    gone = ContractFactory(
        organization=organization,
        vendor_name="Zoom",
        contract_status=status,
        annual_spend=Decimal("5000.00"),
        expire_at=dt.datetime(2027, 1, 10, tzinfo=dt.UTC),
    )
    used_by(gone, 3, NOV_10)

    usage = admin_client.get(
        analytics_url(organization, "contract-usage", month="2026-11")
    ).json()
    renewals = admin_client.get(analytics_url(organization, "renewals")).json()
    trend = admin_client.get(
        analytics_url(organization, "usage-trend", contract_id=gone.id, months=2)
    ).json()

    assert [row["vendor_name"] for row in usage["contracts"]] == ["Slack"]
    assert usage["totals"] == {
        "annual_spend": 1000.0,
        "estimated_waste": 1000.0,
        "currency": "USD",
        "rates": [],
        "unconverted": [],
        "seats_reclaimed": 0,
        "realized_savings": 0.0,
    }
    assert [row["contract_id"] for row in renewals["contracts"]] == [kept.id]
    # Its history stays: November's three users of it.
    [series] = trend["contracts"]
    assert [point["active_users"] for point in series["months"]] == [3, 0]


def test_a_contract_past_its_expiry_counts_only_while_it_ran(
    admin_client, organization
):
    ContractFactory(
        organization=organization,
        vendor_name="Ended",
        annual_spend=Decimal("1200.00"),
        expire_at=dt.datetime(2026, 11, 20, tzinfo=dt.UTC),
    )
    ContractFactory(
        organization=organization,
        vendor_name="Renews",
        auto_renew=True,
        annual_spend=Decimal("2400.00"),
        expire_at=dt.datetime(2026, 11, 20, tzinfo=dt.UTC),
    )

    november = admin_client.get(
        analytics_url(organization, "contract-usage", month="2026-11")
    ).json()
    december = admin_client.get(
        analytics_url(organization, "contract-usage", month="2026-12")
    ).json()

    assert [row["vendor_name"] for row in november["contracts"]] == ["Ended", "Renews"]
    assert [row["vendor_name"] for row in december["contracts"]] == ["Renews"]
    assert december["totals"]["annual_spend"] == 2400.0
