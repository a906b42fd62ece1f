"""Exchange rates to the organization's reporting currency, and totals that
convert with them and say which they used (contracts/currencies.py)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client

from accounts.tests.factories import UserFactory
from alerts import rendering, selectors
from analytics.tests.helpers import activity, analytics_url
from audit.models import AuditAction, AuditEvent
from conftest import SUPPORT_PERMISSIONS, grant
from contracts.models import Contract, ExchangeRate
from contracts.tests.factories import ContractFactory

# Runs on 2026-12-15 (UTC) and reads November 2026.
pytestmark = pytest.mark.time_machine(dt.datetime(2026, 12, 15, 12, tzinfo=dt.UTC))


def url(organization) -> str:
    return f"/api/v1/organizations/{organization.public_id}/exchange-rates"


@pytest.fixture
def contracts(organization):
    """A USD and a EUR contract of 10 seats, and a GBP one; 2 users each."""
    made = {
        currency: ContractFactory(
            organization=organization,
            vendor_name=currency,
            currency=currency,
            num_seats=10,
            annual_spend=Decimal("1000.00"),
        )
        for currency in ("USD", "EUR", "GBP")
    }
    for contract in made.values():
        for _ in range(2):
            user = UserFactory(organization=organization)
            activity(user=user, contract=contract, day=dt.date(2026, 11, 3))
    return made


def test_totals_convert_with_the_stated_rate_and_name_what_they_could_not(
    admin_client, organization, contracts
):
    for valid_from, rate in (("2026-10-01", "1.05"), ("2026-11-20", "1.10")):
        answer = admin_client.post(
            url(organization),
            {"currency": "eur", "rate": rate, "valid_from": valid_from},
            format="json",
        )
        assert answer.status_code == 201
    # A rate from after the month does not count for it.
    ExchangeRate.objects.create(
        organization=organization,
        currency="EUR",
        rate=Decimal("2"),
        valid_from=dt.date(2026, 12, 1),
    )

    usage = admin_client.get(
        analytics_url(organization, "contract-usage", month="2026-11")
    ).json()

    assert {row["vendor_name"]: row["currency"] for row in usage["contracts"]} == {
        "EUR": "EUR",
        "GBP": "GBP",
        "USD": "USD",
    }
    # USD 1,000 + EUR 1,000 x 1.10; GBP has no rate and is left out.
    assert usage["totals"] == {
        "annual_spend": 2100.0,
        "estimated_waste": 1680.0,
        "currency": "USD",
        "rates": [{"currency": "EUR", "rate": 1.1, "valid_from": "2026-11-20"}],
        "unconverted": ["GBP"],
        "seats_reclaimed": 0,
        "realized_savings": 0.0,
    }
    departments = admin_client.get(
        analytics_url(organization, "spend-by-department", month="2026-11")
    ).json()
    # 1,000 / 12 and 1,100 / 12, to the cent.
    assert (departments["currency"], departments["unconverted"]) == ("USD", ["GBP"])
    assert departments["total_spend"] == 175.0


def test_admins_set_and_list_rates_and_each_change_is_audited(
    admin_client, organization
):
    body = {"currency": "EUR", "rate": "1.08", "valid_from": "2026-12-01"}
    first = admin_client.post(url(organization), body, format="json")
    again = admin_client.post(
        url(organization), {**body, "rate": "1.09"}, format="json"
    )

    assert (first.status_code, again.status_code) == (201, 201)
    assert admin_client.get(url(organization)).json()["results"] == [
        {"currency": "EUR", "rate": 1.09, "valid_from": "2026-12-01"}
    ]
    events = AuditEvent.objects.filter(action=AuditAction.EXCHANGE_RATE_SET)
    assert [event.details["replaced"] for event in events.order_by("id")] == [
        False,
        True,
    ]


@pytest.mark.parametrize(
    ("body", "code", "detail"),
    [
        (
            {"currency": "EURO", "rate": "1", "valid_from": "2026-12-01"},
            "invalid_field",
            '"EURO" is not an ISO 4217 currency code. Send three capital letters '
            "such as USD, EUR or GBP.",
        ),
        (
            {"currency": "XYZ", "rate": "1", "valid_from": "2026-12-01"},
            "invalid_field",
            '"XYZ" is not an ISO 4217 currency code. Send three capital letters '
            "such as USD, EUR or GBP.",
        ),
        (
            {"currency": "USD", "rate": "1", "valid_from": "2026-12-01"},
            "invalid_request",
            "USD is Acme's reporting currency: its rate is always 1.",
        ),
        (
            {"currency": "EUR", "rate": "0", "valid_from": "2026-12-01"},
            "invalid_request",
            "rate must be more than 0.",
        ),
    ],
)
def test_it_refuses_a_rate_it_cannot_use(
    admin_client, organization, body, code, detail
):
    response = admin_client.post(url(organization), body, format="json")

    assert response.status_code == 400
    assert (response.json()["code"], response.json()["detail"]) == (code, detail)
    assert not ExchangeRate.objects.exists()


def test_a_new_contract_is_in_the_reporting_currency_unless_given(
    admin_client, organization
):
    organization.reporting_currency = "EUR"
    organization.save()

    made = admin_client.post(
        "/api/v1/contracts",
        {"vendor_name": "Slack", "product_url": "https://app.slack.com"},
        format="json",
    )
    given = admin_client.post(
        "/api/v1/contracts",
        {"vendor_name": "Zoom", "product_url": "https://zoom.us", "currency": "gbp"},
        format="json",
    )

    assert (made.json()["currency"], given.json()["currency"]) == ("EUR", "GBP")
    assert dict(Contract.objects.values_list("vendor_name", "currency")) == {
        "Slack": "EUR",
        "Zoom": "GBP",
    }


def test_the_console_and_the_digest_mark_amounts_in_another_currency(
    organization, admin_user, contracts
):
    ExchangeRate.objects.create(
        organization=organization,
        currency="EUR",
        rate=Decimal("1.10"),
        valid_from=dt.date(2026, 11, 1),
    )
    staff = UserFactory(organization=None, is_staff=True)
    client = Client()
    client.force_login(grant(staff, *SUPPORT_PERMISSIONS))

    page = client.get(
        f"/admin/accounts/organization/{organization.pk}/usage/?month=2026-11"
    ).content.decode()
    digest = rendering.digest_email(
        selectors.digest_build(
            organization=organization,
            notification_settings=selectors.notification_settings_get(
                organization=organization
            ),
            period="2026-W51",
            today=dt.date(2026, 12, 15),
        )
    )

    assert "1,000.00 EUR" in page
    assert "1,000.00 GBP" in page
    assert "converted at 1 EUR = 1.10000000 (from 2026-11-01)" in page
    assert "leaving out GBP (no rate)" in page
    assert "800.00 EUR" in digest.text
