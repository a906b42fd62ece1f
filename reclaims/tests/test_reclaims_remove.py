"""POST organizations/{id}/reclaims/remove and …/cancel: an admin confirms
seats removed (a realized saving each) or closes reclaims, all or none."""

from decimal import Decimal

import pytest

from audit.models import AuditEvent
from contracts.tests.factories import ContractFactory
from reclaims.models import Reclaim, ReclaimState
from reclaims.tests.helpers import answer, reclaim_in, remove_url

pytestmark = pytest.mark.django_db


def test_it_removes_released_and_unanswered_seats_with_their_savings(
    admin_client, admin_user, organization, seats
):
    released = reclaim_in(
        ReclaimState.RELEASED,
        organization=organization,
        contract=seats.figma,
        user=seats.ann,
    )
    unanswered = reclaim_in(
        ReclaimState.NO_ANSWER,
        organization=organization,
        contract=seats.figma,
        user=seats.ben,
    )

    response = admin_client.post(
        remove_url(organization),
        {"reclaim_ids": [released.pk, unanswered.pk]},
        format="json",
    )

    assert response.status_code == 200, response.json()
    # 3,650.00 a year for 10 seats is 1.00 a seat a day, for the 100 days
    # left in the term.
    assert [
        (row["email"], row["state"], row["realized_saving"], row["currency"])
        for row in response.json()
    ] == [
        ("ann@acme.io", "removed", 100.0, "USD"),
        ("ben@acme.io", "removed", 100.0, "USD"),
    ]
    assert response.json()[0]["closed_by"] == admin_user.email
    assert set(Reclaim.objects.values_list("realized_saving", flat=True)) == {
        Decimal("100.00")
    }
    events = AuditEvent.objects.filter(action="reclaim.removed").order_by("target")
    assert [(event.target, event.details["realized_saving"]) for event in events] == [
        ("ann@acme.io on Figma", "100.00"),
        ("ben@acme.io on Figma", "100.00"),
    ]


def test_it_saves_a_year_on_a_contract_without_an_expiry(
    admin_client, organization, seats
):
    open_ended = ContractFactory(
        organization=organization,
        vendor_name="Miro",
        num_seats=4,
        annual_spend=Decimal("1000.00"),
        currency="EUR",
        expire_at=None,
    )
    reclaim = reclaim_in(
        ReclaimState.RELEASED,
        organization=organization,
        contract=open_ended,
        user=seats.ann,
    )

    response = admin_client.post(
        remove_url(organization), {"reclaim_ids": [reclaim.pk]}, format="json"
    )

    assert response.json()[0]["realized_saving"] == 250.0
    assert response.json()[0]["currency"] == "EUR"


@pytest.mark.parametrize(
    ("state", "why"),
    [
        (ReclaimState.ASKED, "still waiting for an answer until {answer_by}"),
        (ReclaimState.KEPT, "the person keeps the seat"),
        (ReclaimState.REMOVED, "already removed"),
    ],
)
def test_it_removes_nothing_when_one_cannot_be_removed(
    admin_client, organization, seats, state, why
):
    fine = reclaim_in(
        ReclaimState.RELEASED,
        organization=organization,
        contract=seats.figma,
        user=seats.ann,
    )
    refused = reclaim_in(
        state,
        organization=organization,
        contract=seats.figma,
        user=seats.ben,
        asked_days_ago=1 if state == ReclaimState.ASKED else 8,
    )

    response = admin_client.post(
        remove_url(organization),
        {"reclaim_ids": [fine.pk, refused.pk]},
        format="json",
    )

    assert response.status_code == 409
    reason = why.format(answer_by=f"{refused.answer_by:%Y-%m-%d}")
    assert response.json() == {
        "detail": "These reclaims cannot be confirmed removed: "
        f"{refused.pk} (ben@acme.io: {reason}). Nothing was changed.",
        "code": "state_not_allowed",
    }
    fine.refresh_from_db()
    assert fine.state == ReclaimState.RELEASED
    assert fine.realized_saving is None
    assert not AuditEvent.objects.filter(action="reclaim.removed").exists()


def test_it_counts_an_expired_window_as_no_answer_before_removing(
    admin_client, organization, seats
):
    # Asked 8 days ago with 7 to answer: nobody has marked it yet.
    waiting = reclaim_in(
        ReclaimState.ASKED,
        organization=organization,
        contract=seats.figma,
        user=seats.ann,
    )

    response = admin_client.post(
        remove_url(organization), {"reclaim_ids": [waiting.pk]}, format="json"
    )

    assert response.status_code == 200, response.json()
    assert response.json()[0]["state"] == "removed"
    assert list(
        AuditEvent.objects.filter(action__startswith="reclaim.")
        .order_by("id")
        .values_list("action", flat=True)
    ) == ["reclaim.no_answer", "reclaim.removed"]


def test_it_refuses_another_organizations_reclaim(
    admin_client, organization, other_organization, outsider_admin, seats
):
    theirs = reclaim_in(
        ReclaimState.RELEASED,
        organization=other_organization,
        contract=ContractFactory(organization=other_organization),
        user=outsider_admin,
    )

    response = admin_client.post(
        remove_url(organization), {"reclaim_ids": [theirs.pk]}, format="json"
    )

    assert response.status_code == 404
    assert response.json() == {
        "detail": f"This organization has no reclaim with the id {theirs.pk}. "
        "Nothing was changed.",
        "code": "not_found",
    }
    theirs.refresh_from_db()
    assert theirs.state == ReclaimState.RELEASED


@pytest.mark.parametrize("payload", [{}, {"reclaim_ids": []}, {"reclaim_ids": ["x"]}])
def test_it_refuses_a_malformed_list(admin_client, organization, payload):
    response = admin_client.post(remove_url(organization), payload, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_field"
    assert "reclaim_ids" in response.json()["errors"]


def test_it_cancels_open_reclaims_and_their_links_stop_taking_answers(
    admin_client, organization, seats
):
    asked = reclaim_in(
        ReclaimState.ASKED,
        organization=organization,
        contract=seats.figma,
        user=seats.ann,
        asked_days_ago=1,
    )

    response = admin_client.post(
        remove_url(organization, "cancel"), {"reclaim_ids": [asked.pk]}, format="json"
    )

    assert response.status_code == 200
    assert response.json()[0]["state"] == "cancelled"
    assert AuditEvent.objects.filter(action="reclaim.cancelled").count() == 1
    page = answer(asked, "release")
    assert "Your admin withdrew the question about your Figma seat." in (
        page.content.decode()
    )
    asked.refresh_from_db()
    assert asked.state == ReclaimState.CANCELLED


def test_it_does_not_cancel_a_removed_seat(admin_client, organization, seats):
    removed = reclaim_in(
        ReclaimState.REMOVED,
        organization=organization,
        contract=seats.figma,
        user=seats.ann,
    )

    response = admin_client.post(
        remove_url(organization, "cancel"), {"reclaim_ids": [removed.pk]}, format="json"
    )

    assert response.status_code == 409
    assert "already removed" in response.json()["detail"]


def test_members_and_other_admins_cannot_remove(
    member_client, outsider_client, organization, seats
):
    released = reclaim_in(
        ReclaimState.RELEASED,
        organization=organization,
        contract=seats.figma,
        user=seats.ann,
    )
    for client, code in (
        (member_client, "admins_only"),
        (outsider_client, "other_organization"),
    ):
        response = client.post(
            remove_url(organization), {"reclaim_ids": [released.pk]}, format="json"
        )
        assert response.status_code == 403
        assert response.json()["code"] == code
    released.refresh_from_db()
    assert released.state == ReclaimState.RELEASED
