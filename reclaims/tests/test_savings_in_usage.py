"""Contract usage reports the seats reclaimed and their realized savings,
per contract and in total, converted like the spend."""

import datetime as dt
from decimal import Decimal

import pytest

from contracts.models import ExchangeRate
from contracts.tests.factories import ContractFactory
from procure_site import clock
from reclaims.models import ReclaimState
from reclaims.tests.helpers import reclaim_in, remove_url

pytestmark = pytest.mark.django_db


def usage(client, organization, **query):
    response = client.get(
        f"/api/v1/organizations/{organization.public_id}/contract-usage", query
    )
    assert response.status_code == 200, response.json()
    return response.json()


def test_it_counts_removed_seats_and_converts_their_savings(
    admin_client, organization, seats
):
    miro = ContractFactory(
        organization=organization,
        vendor_name="Miro",
        num_seats=4,
        annual_spend=Decimal("1000.00"),
        currency="EUR",
    )
    ExchangeRate.objects.create(
        organization=organization,
        currency="EUR",
        rate=Decimal("1.10"),
        valid_from=clock.today() - dt.timedelta(days=30),
    )
    ids = [
        reclaim_in(
            ReclaimState.RELEASED,
            organization=organization,
            contract=contract,
            user=user,
        ).pk
        for contract, user in (
            (seats.figma, seats.ann),
            (seats.figma, seats.ben),
            (miro, seats.cat),
        )
    ]
    reclaim_in(
        ReclaimState.KEPT, organization=organization, contract=miro, user=seats.dan
    )
    admin_client.post(remove_url(organization), {"reclaim_ids": ids}, format="json")

    report = usage(admin_client, organization)

    rows = {row["vendor_name"]: row for row in report["contracts"]}
    assert (rows["Figma"]["seats_reclaimed"], rows["Figma"]["realized_savings"]) == (
        2,
        200.0,
    )
    # A year of a 250.00 EUR seat: the contract has no expiry.
    assert (rows["Miro"]["seats_reclaimed"], rows["Miro"]["realized_savings"]) == (
        1,
        250.0,
    )
    # 200.00 USD + 250.00 EUR at 1.10.
    assert report["totals"]["seats_reclaimed"] == 3
    assert report["totals"]["realized_savings"] == 475.0


def test_a_month_before_the_removals_shows_none(admin_client, organization, seats):
    reclaim = reclaim_in(
        ReclaimState.RELEASED,
        organization=organization,
        contract=seats.figma,
        user=seats.ann,
    )
    admin_client.post(
        remove_url(organization), {"reclaim_ids": [reclaim.pk]}, format="json"
    )
    last_month = clock.format_month(clock.previous_month(clock.current_month()))

    this_month = usage(admin_client, organization)
    before = usage(admin_client, organization, month=last_month)

    assert this_month["totals"]["seats_reclaimed"] == 1
    assert before["totals"]["seats_reclaimed"] == 0
    assert before["totals"]["realized_savings"] == 0.0
