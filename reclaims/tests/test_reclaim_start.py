"""POST organizations/{id}/contracts/{contract_id}/reclaims: who is asked,
who is skipped and why, the emails, the audit trail, and the refusals."""

import datetime as dt
import re

import pytest
from django.core import mail

from accounts.models import DeviceToken
from analytics.tests.helpers import activity
from audit.models import AuditEvent
from contracts.tests.factories import ContractFactory
from procure_site import clock
from reclaims.models import Reclaim, ReclaimState
from reclaims.tests.conftest import days_ago, person, reclaims_url

pytestmark = pytest.mark.django_db


def test_it_asks_everyone_idle_for_the_days_and_emails_each_a_link(
    admin_client, admin_user, organization, seats, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reclaims_url(organization, seats.figma),
            {"inactive_days": 30},
            format="json",
        )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["contract_id"] == seats.figma.pk
    assert body["skipped"] == []
    asked = {row["email"]: row for row in body["asked"]}
    assert sorted(asked) == ["ann@acme.io", "ben@acme.io", "cat@acme.io"]
    assert asked["ann@acme.io"]["state"] == "asked"
    assert (
        asked["ann@acme.io"]["last_active_day"]
        == (clock.today() - dt.timedelta(days=60)).isoformat()
    )
    assert asked["ann@acme.io"]["started_by"] == admin_user.email
    answer_by = dt.datetime.fromisoformat(asked["ann@acme.io"]["answer_by"])
    assert answer_by - dt.datetime.fromisoformat(asked["ann@acme.io"]["asked_at"]) == (
        dt.timedelta(days=7)
    )
    assert sorted(message.to[0] for message in mail.outbox) == sorted(asked)
    message = next(m for m in mail.outbox if m.to == ["ann@acme.io"])
    assert message.subject == "Do you still need your Figma seat?"
    assert re.search(r"/reclaim\?token=\S+", message.body)
    assert "Acme pays for a Figma seat in your name" in message.body
    assert AuditEvent.objects.filter(action="reclaim.asked").count() == 3
    event = AuditEvent.objects.get(
        action="reclaim.asked", target="ann@acme.io on Figma"
    )
    assert event.actor_email == admin_user.email
    assert event.details["contract_id"] == seats.figma.pk


def test_it_asks_the_people_chosen(admin_client, organization, seats):
    response = admin_client.post(
        reclaims_url(organization, seats.figma),
        {"user_ids": [str(seats.dan.pk)]},
        format="json",
    )

    assert response.status_code == 201, response.json()
    assert [row["email"] for row in response.json()["asked"]] == ["dan@acme.io"]
    assert Reclaim.objects.get().user == seats.dan


def test_it_skips_new_people_and_open_reclaims_and_says_why(
    admin_client, organization, seats
):
    newcomer = person(organization, "eve", joined_days_ago=10)
    new_device = person(organization, "fay")
    activity(user=newcomer, contract=seats.figma, day=days_ago(50))
    activity(user=new_device, contract=seats.figma, day=days_ago(50))
    DeviceToken.objects.create(user=new_device, device_id="laptop", token_hash="a" * 64)
    url = reclaims_url(organization, seats.figma)
    admin_client.post(url, {"user_ids": [str(seats.ann.pk)]}, format="json")

    response = admin_client.post(url, {"inactive_days": 30}, format="json")

    assert response.status_code == 201, response.json()
    assert sorted(row["email"] for row in response.json()["asked"]) == [
        "ben@acme.io",
        "cat@acme.io",
    ]
    assert sorted(
        (row["email"], row["reason"]) for row in response.json()["skipped"]
    ) == [
        ("ann@acme.io", "already_open"),
        ("eve@acme.io", "joined_recently"),
        ("fay@acme.io", "joined_recently"),
    ]


def test_it_answers_200_when_everyone_was_skipped(
    admin_client, organization, seats, django_capture_on_commit_callbacks
):
    url = reclaims_url(organization, seats.figma)
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(url, {"inactive_days": 30}, format="json")
    assert len(mail.outbox) == 3
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(url, {"inactive_days": 30}, format="json")

    assert response.status_code == 200
    assert response.json()["asked"] == []
    assert {row["reason"] for row in response.json()["skipped"]} == {"already_open"}
    assert mail.outbox == []
    assert Reclaim.objects.count() == 3


def test_it_does_not_ask_again_soon_after_a_keep(admin_client, organization, seats):
    Reclaim.objects.create(
        organization=organization,
        contract=seats.figma,
        user=seats.ann,
        state=ReclaimState.KEPT,
        asked_at=clock.now() - dt.timedelta(days=3),
        answer_by=clock.now() + dt.timedelta(days=4),
        answered_at=clock.now() - dt.timedelta(days=2),
    )

    response = admin_client.post(
        reclaims_url(organization, seats.figma), {"inactive_days": 30}, format="json"
    )

    assert ["ann@acme.io", "kept_recently"] in [
        [row["email"], row["reason"]] for row in response.json()["skipped"]
    ]


@pytest.mark.parametrize(
    ("values", "sentence"),
    [
        (
            {"everyone_gets_it": True},
            "Everyone at Acme gets Slack, so its seats are not reclaimed. Turn off "
            "everyone_gets_it on the contract first if that has changed.",
        ),
        (
            {"pricing_model": "flat"},
            "Slack is priced Flat, not per seat: removing a person's seat saves "
            "nothing.",
        ),
        (
            {"contract_status": "cancelled"},
            "Slack is cancelled, not in force: it has no seats to reclaim.",
        ),
    ],
)
def test_it_refuses_a_contract_whose_seats_are_not_reclaimed(
    admin_client, organization, seats, values, sentence
):
    slack = ContractFactory(organization=organization, vendor_name="Slack", **values)

    response = admin_client.post(
        reclaims_url(organization, slack),
        {"user_ids": [str(seats.ann.pk)]},
        format="json",
    )

    assert response.status_code == 409
    assert response.json() == {"detail": sentence, "code": "reclaim_not_allowed"}
    assert not Reclaim.objects.exists()
    assert mail.outbox == []


@pytest.mark.parametrize(
    "payload",
    [{}, {"user_ids": ["00000000-0000-0000-0000-000000000001"], "inactive_days": 3}],
)
def test_it_needs_either_people_or_days(admin_client, organization, seats, payload):
    response = admin_client.post(
        reclaims_url(organization, seats.figma), payload, format="json"
    )

    assert response.status_code == 400
    assert response.json()["errors"] == {
        "non_field_errors": [
            "Send either user_ids (the people to ask) or inactive_days (ask "
            "everyone who has not used the contract for that many days)."
        ]
    }


def test_it_refuses_someone_of_another_organization(
    admin_client, organization, seats, outsider_admin
):
    response = admin_client.post(
        reclaims_url(organization, seats.figma),
        {"user_ids": [str(seats.ann.pk), str(outsider_admin.pk)]},
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["errors"] == {
        "user_ids": [f"No active user of Acme has the id {outsider_admin.pk}."]
    }
    assert not Reclaim.objects.exists()


def test_it_refuses_another_organizations_contract(
    admin_client, organization, other_organization, seats
):
    theirs = ContractFactory(organization=other_organization)

    response = admin_client.post(
        f"/api/v1/organizations/{organization.public_id}/contracts/{theirs.pk}/reclaims",
        {"inactive_days": 30},
        format="json",
    )

    assert response.status_code == 404
    assert response.json() == {
        "detail": f"This organization has no contract with the id {theirs.pk}.",
        "code": "not_found",
    }


def test_it_refuses_a_member_and_another_organizations_admin(
    member_client, outsider_client, organization, seats
):
    url = reclaims_url(organization, seats.figma)

    as_member = member_client.post(url, {"inactive_days": 30}, format="json")
    as_outsider = outsider_client.post(url, {"inactive_days": 30}, format="json")

    assert as_member.status_code == 403
    assert as_member.json()["code"] == "admins_only"
    assert as_outsider.status_code == 403
    assert as_outsider.json()["code"] == "other_organization"
    assert not Reclaim.objects.exists()
