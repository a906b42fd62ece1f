"""GET organizations/{id}/reclaims and contracts/{contract_id}/reclaims:
filters, CSV, and who used the app again after being asked."""

import csv
import io

import pytest

from analytics.tests.helpers import activity
from contracts.tests.factories import ContractFactory
from procure_site import clock
from reclaims.models import ReclaimState
from reclaims.tests.conftest import reclaims_url
from reclaims.tests.helpers import reclaim_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def listed(organization, seats):
    miro = ContractFactory(organization=organization, vendor_name="Miro")
    return {
        "ann": reclaim_in(
            ReclaimState.RELEASED,
            organization=organization,
            contract=seats.figma,
            user=seats.ann,
        ),
        "ben": reclaim_in(
            ReclaimState.ASKED,
            organization=organization,
            contract=seats.figma,
            user=seats.ben,
            asked_days_ago=2,
        ),
        "cat": reclaim_in(
            ReclaimState.KEPT, organization=organization, contract=miro, user=seats.cat
        ),
    }


def test_it_lists_newest_first_and_filters(admin_client, organization, seats, listed):
    url = reclaims_url(organization)

    everything = admin_client.get(url)
    released = admin_client.get(url, {"state": "released"})
    figma = admin_client.get(url, {"contract_id": seats.figma.pk})
    by_path = admin_client.get(reclaims_url(organization, seats.figma))

    # ben was asked 2 days ago, ann and cat 8 days ago (the same moment:
    # then by id, newest first).
    assert [row["email"] for row in everything.json()] == [
        "ben@acme.io",
        "cat@acme.io",
        "ann@acme.io",
    ]
    assert [row["email"] for row in released.json()] == ["ann@acme.io"]
    assert {row["email"] for row in figma.json()} == {"ann@acme.io", "ben@acme.io"}
    assert by_path.json() == figma.json()


def test_it_notes_use_after_the_question_without_changing_the_state(
    admin_client, organization, seats, listed
):
    activity(user=seats.ben, contract=seats.figma, day=clock.today())

    rows = {
        row["email"]: row for row in admin_client.get(reclaims_url(organization)).json()
    }

    assert rows["ben@acme.io"]["active_since_asked"] is True
    assert rows["ben@acme.io"]["state"] == "asked"
    assert rows["ann@acme.io"]["active_since_asked"] is False


def test_it_answers_csv(admin_client, organization, listed):
    response = admin_client.get(reclaims_url(organization), {"format": "csv"})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="reclaims.csv"' in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert {(row["email"], row["state"], row["vendor_name"]) for row in rows} == {
        ("ann@acme.io", "released", "Figma"),
        ("ben@acme.io", "asked", "Figma"),
        ("cat@acme.io", "kept", "Miro"),
    }


def test_it_shows_an_expired_window_as_no_answer(admin_client, organization, seats):
    reclaim_in(
        ReclaimState.ASKED,
        organization=organization,
        contract=seats.figma,
        user=seats.ann,
        asked_days_ago=8,
    )

    [row] = admin_client.get(reclaims_url(organization)).json()

    assert row["state"] == "no_answer"


@pytest.mark.parametrize(
    ("query", "field"),
    [({"state": "maybe"}, "state"), ({"contract_id": "x"}, "contract_id")],
)
def test_it_refuses_a_bad_filter(admin_client, organization, query, field):
    response = admin_client.get(reclaims_url(organization), query)

    assert response.status_code == 400
    assert field in response.json()["errors"]


def test_it_refuses_another_organizations_contract(
    admin_client, organization, other_organization
):
    theirs = ContractFactory(organization=other_organization)

    response = admin_client.get(reclaims_url(organization), {"contract_id": theirs.pk})

    assert response.status_code == 404
    assert response.json()["detail"] == (
        f"This organization has no contract with the id {theirs.pk}."
    )


def test_it_shows_nothing_to_members_or_other_organizations(
    member_client, outsider_client, organization, listed
):
    assert member_client.get(reclaims_url(organization)).json()["code"] == (
        "admins_only"
    )
    assert outsider_client.get(reclaims_url(organization)).json()["code"] == (
        "other_organization"
    )
