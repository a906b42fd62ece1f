"""A contract's status is one of four, its pricing model one of three, and
its renewal terms give the last day to cancel (contracts/terms.py), through
every way a contract is written: the REST API, the web app's upsert and the
CSV import."""

import datetime as dt

import pytest

from contracts.models import Contract
from contracts.tests.factories import ContractFactory
from contracts.tests.helpers import LIST_URL, detail_url
from contracts.tests.test_contracts_import import csv_of, upload

# Every test here runs on 2026-12-15 (UTC).
pytestmark = pytest.mark.time_machine(dt.datetime(2026, 12, 15, 12, tzinfo=dt.UTC))
UPSERT_URL = "/api/v1/contract"


def created(client, **fields):
    payload = {"vendor_name": "Slack", "product_url": "https://app.slack.com"}
    return client.post(LIST_URL, {**payload, **fields}, format="json")


@pytest.mark.parametrize(
    ("sent", "stored"),
    [
        ("Active", "active"),
        (" TRIAL ", "trial"),
        ("pending", "trial"),
        ("canceled", "cancelled"),
        ("inactive", "cancelled"),
        ("expired", "expired"),
        ("", "active"),
    ],
)
def test_it_reads_the_words_clients_send_for_a_status(admin_client, sent, stored):
    response = created(admin_client, contract_status=sent)

    assert response.status_code == 201, response.json()
    assert response.json()["contract_status"] == stored
    assert Contract.objects.get().contract_status == stored


def test_it_refuses_a_status_it_does_not_know(admin_client):
    response = created(admin_client, contract_status="actif")

    assert response.status_code == 400
    assert response.json() == {
        "detail": '"actif" is not a contract status. Send one of: active, trial, '
        "cancelled, expired.",
        "code": "invalid_field",
        "errors": {
            "contract_status": [
                '"actif" is not a contract status. Send one of: active, trial, '
                "cancelled, expired."
            ]
        },
    }
    assert not Contract.objects.exists()


def test_the_web_apps_upsert_keeps_working_and_maps_its_status(
    admin_client, organization
):
    response = admin_client.post(
        UPSERT_URL,
        {
            "organization_id": organization.public_id,
            "vendor_name": "Slack",
            "product_url": "https://app.slack.com",
            "contract_status": "Canceled",
            "num_seats": 75,
        },
        format="json",
    )

    assert response.status_code == 201
    contract = Contract.objects.get()
    assert (contract.contract_status, contract.pricing_model) == (
        "cancelled",
        "per_seat",
    )


def test_it_stores_the_pricing_model_and_refuses_an_unknown_one(admin_client):
    assert created(admin_client, pricing_model="flat").json()["pricing_model"] == (
        "flat"
    )

    response = admin_client.patch(
        detail_url(Contract.objects.get()), {"pricing_model": "yearly"}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["errors"] == {
        "pricing_model": [
            '"yearly" is not a valid choice. Send one of: per_seat, flat, usage_based.'
        ]
    }
    assert Contract.objects.get().pricing_model == "flat"


@pytest.mark.parametrize(
    ("expire_at", "auto_renew", "notice", "renews_on", "cancel_by"),
    [
        # Renews on its expiry day; 60 days of notice.
        ("2027-03-01T00:00:00Z", True, 60, "2027-03-01", "2026-12-31"),
        # Its day has passed and it renews itself: next anniversary.
        ("2025-06-30T00:00:00Z", True, 30, "2027-06-30", "2027-05-31"),
        # A leap day rolls over to 28 February.
        ("2024-02-29T00:00:00Z", True, 0, "2027-02-28", "2027-02-28"),
        # Past and not renewing: the term ended then.
        ("2026-11-01T00:00:00Z", False, 10, "2026-11-01", "2026-10-22"),
        (None, True, 30, None, None),
    ],
)
def test_it_shows_when_the_term_ends_and_the_last_day_to_cancel(
    admin_client, expire_at, auto_renew, notice, renews_on, cancel_by
):
    response = created(
        admin_client,
        expire_at=expire_at,
        auto_renew=auto_renew,
        notice_period_days=notice,
    )

    assert response.status_code == 201
    body = response.json()
    assert (body["renews_on"], body["cancel_by"]) == (renews_on, cancel_by)
    assert (body["auto_renew"], body["notice_period_days"]) == (auto_renew, notice)


def test_it_refuses_a_notice_period_over_ten_years(admin_client):
    response = created(admin_client, notice_period_days=3651)

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_field"
    assert not Contract.objects.exists()


def test_the_csv_import_reads_statuses_and_names_an_unknown_one(
    admin_client, organization
):
    good = csv_of(
        "Zoom,6000,subscription,Canceled,card,https://zoom.us,40,Ann,2027-03-15,"
        "2026-03-15,"
    )
    assert upload(admin_client, good).status_code == 200
    assert Contract.objects.get().contract_status == "cancelled"

    bad = csv_of(
        "Zoom,6000,subscription,actif,card,https://zoom.us,40,Ann,2027-03-15,"
        "2026-03-15,"
    )
    response = upload(admin_client, bad)

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_rows"
    assert response.json()["rows"] == [
        {
            "row": 2,
            "errors": [
                '"actif" is not a contract status. Send one of: active, trial, '
                "cancelled, expired."
            ],
        }
    ]
    assert Contract.objects.get().contract_status == "cancelled"


def test_renewals_list_a_contract_by_its_last_day_to_cancel(admin_client, organization):
    # Renews in 75 days, but notice must be given within 15.
    contract = ContractFactory(
        organization=organization,
        vendor_name="Salesforce",
        auto_renew=True,
        notice_period_days=60,
        expire_at=dt.datetime(2027, 2, 28, tzinfo=dt.UTC),
    )
    ContractFactory(
        organization=organization,
        vendor_name="Later",
        expire_at=dt.datetime(2027, 2, 28, tzinfo=dt.UTC),
    )

    response = admin_client.get(
        f"/api/v1/organizations/{organization.public_id}/renewals?within_days=30"
    )

    rows = response.json()["contracts"]
    assert [row["vendor_name"] for row in rows] == ["Salesforce"]
    [row] = rows
    assert row["contract_id"] == contract.id
    assert (row["cancel_by"], row["days_until_cancel_by"]) == ("2026-12-30", 15)
    assert row["days_until_expiry"] == 75
    assert row["auto_renew"] is True


def test_a_usage_based_contract_type_sets_the_pricing_model(admin_client, organization):
    row = (
        "AWS,120000,usage-based,active,invoice,https://aws.amazon.com,15,Cam,"
        "2027-12-31,2024-01-01,"
    )
    assert upload(admin_client, csv_of(row)).status_code == 200
    upserted = admin_client.post(
        UPSERT_URL,
        {
            "organization_id": organization.public_id,
            "vendor_name": "Snowflake",
            "product_url": "https://app.snowflake.com",
            "contract_type": "Usage based",
        },
        format="json",
    )

    assert upserted.status_code == 201
    assert dict(Contract.objects.values_list("vendor_name", "pricing_model")) == {
        "AWS": "usage_based",
        "Snowflake": "usage_based",
    }


def test_a_contract_past_its_expiry_shows_as_expired_unless_it_renews(
    member_client, organization
):
    ended = ContractFactory(
        organization=organization,
        vendor_name="Ended",
        expire_at=dt.datetime(2026, 12, 1, tzinfo=dt.UTC),
    )
    renews = ContractFactory(
        organization=organization,
        vendor_name="Renews",
        auto_renew=True,
        expire_at=dt.datetime(2026, 12, 1, tzinfo=dt.UTC),
    )

    def listed(status: str) -> list[str]:
        response = member_client.get(LIST_URL, {"status": status})
        return [row["vendor_name"] for row in response.json()["results"]]

    assert member_client.get(detail_url(ended)).json()["contract_status"] == "expired"
    assert member_client.get(detail_url(renews)).json()["contract_status"] == "active"
    assert (listed("expired"), listed("Active")) == (["Ended"], ["Renews"])
    # The stored status is what was entered; the day decides what is shown.
    assert Contract.objects.get(pk=ended.pk).contract_status == "active"
