"""PATCH organizations/{id}/discovered-apps/{application_id}: the admins'
state, note and owner of an application discovery reported, audited, and
never a way to learn about use below the threshold."""

import pytest

from accounts.tests.factories import UserFactory
from audit.models import AuditEvent
from conftest import client_for
from discovery.models import Application, ApplicationDecision
from discovery.tests.helpers import (
    close_the_month,
    discovery_on,
    people,
    report_url,
    report_visits,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def reported(admin_user, organization, time_machine):
    """Zoom used by 3 people (reported), Miro by 1 (below the threshold of
    2), in a month now closed."""
    discovery_on(organization, min_users=2)
    users = people(organization, 3)
    for user in users:
        report_visits(user, "https://zoom.us/j/1")
    report_visits(users[0], "https://miro.com/app/board/1")
    close_the_month(time_machine)
    return {
        "zoom": Application.objects.get(name="Zoom"),
        "miro": Application.objects.get(name="Miro"),
        "client": client_for(admin_user),
    }


def decide(client, organization, application, **body):
    return client.patch(
        f"{report_url(organization)}/{application.pk}", body, format="json"
    )


def test_it_moves_an_app_to_review_then_sanctions_it_and_offers_its_contract(
    admin_user, organization, reported
):
    client, zoom = reported["client"], reported["zoom"]

    reviewing = decide(
        client, organization, zoom, state="in_review", note="Sales asked for it"
    )
    sanctioned = decide(
        client, organization, zoom, state="sanctioned", owner_id=str(admin_user.pk)
    )

    assert reviewing.status_code == 200, reviewing.json()
    assert reviewing.json()["decision"]["state"] == "in_review"
    assert reviewing.json()["contract"] is None
    assert sanctioned.status_code == 200, sanctioned.json()
    body = sanctioned.json()
    assert body["decision"] == {
        "state": "sanctioned",
        "note": "Sales asked for it",
        "owner_id": str(admin_user.pk),
        "owner_email": admin_user.email,
        "decided_by": admin_user.email,
        "decided_at": body["decision"]["decided_at"],
    }
    assert body["contract"] == {
        "vendor_name": "Zoom",
        "product_url": "https://zoom.us",
        "extra_hosts": ["zoom.com"],
    }
    assert "active_users" not in body
    created = client.post(
        "/api/v1/contracts",
        {**body["contract"], "annual_spend": "1200.00", "num_seats": 10},
        format="json",
    )
    assert created.status_code == 201, created.json()
    [row] = client.get(report_url(organization)).json()["applications"]
    assert (row["name"], row["has_contract"], row["decision"]["state"]) == (
        "Zoom",
        True,
        "sanctioned",
    )
    events = AuditEvent.objects.filter(action="application.decided").order_by("id")
    assert [event.details.get("state") for event in events] == [
        {"from": "new", "to": "in_review"},
        {"from": "in_review", "to": "sanctioned"},
    ]
    assert events[0].details["note"] is True
    assert events[1].details["owner"] == admin_user.email
    assert {event.target for event in events} == {"Zoom"}


def test_it_refuses_a_move_the_states_do_not_allow(organization, reported):
    client, zoom = reported["client"], reported["zoom"]
    decide(client, organization, zoom, state="sanctioned")
    decide(client, organization, zoom, state="retired")

    response = decide(client, organization, zoom, state="sanctioned")

    assert response.status_code == 409
    assert response.json() == {
        "detail": "Zoom is retired: it can move to in_review, not to sanctioned.",
        "code": "state_not_allowed",
    }
    assert ApplicationDecision.objects.get().state == "retired"


def test_the_same_state_again_changes_and_audits_nothing(organization, reported):
    client, zoom = reported["client"], reported["zoom"]
    decide(client, organization, zoom, state="in_review")

    again = decide(client, organization, zoom, state="in_review")

    assert again.status_code == 200
    assert AuditEvent.objects.filter(action="application.decided").count() == 1


def test_below_the_threshold_looks_like_never_used(organization, reported):
    """k-anonymity: one person used Miro; deciding on it answers exactly as
    for an application nobody used, and nothing stores a decision."""
    client = reported["client"]
    unused = Application.objects.exclude(name__in=["Zoom", "Miro"])[0]

    below = decide(client, organization, reported["miro"], state="in_review")
    never = decide(client, organization, unused, state="in_review")

    assert below.status_code == never.status_code == 404
    expected = (
        "Your organization's discovery has not reported an application with the "
        "id {}. Decide on applications listed by GET discovered-apps."
    )
    assert below.json()["detail"] == expected.format(reported["miro"].pk)
    assert never.json()["detail"] == expected.format(unused.pk)
    assert not ApplicationDecision.objects.exists()
    names = [
        row["name"]
        for row in client.get(report_url(organization)).json()["applications"]
    ]
    assert names == ["Zoom"]


def test_states_and_notes_never_reveal_a_count_below_the_threshold(
    organization, reported
):
    client, zoom = reported["client"], reported["zoom"]
    decide(client, organization, zoom, state="not_sanctioned", note="Use Meet")
    organization.discovery_min_users = 4
    organization.save()

    report = client.get(report_url(organization)).json()
    patched = decide(client, organization, zoom, note="still no")

    # Zoom's 3 users are below the raised threshold: no row, and no decision
    # can be set or read for it any more.
    assert report["applications"] == []
    assert patched.status_code == 404


def test_it_checks_the_owner_and_the_body(organization, reported, outsider_admin):
    client, zoom = reported["client"], reported["zoom"]

    stranger = decide(client, organization, zoom, owner_id=str(outsider_admin.pk))
    empty = decide(client, organization, zoom)
    bad_state = decide(client, organization, zoom, state="approved")
    long_note = decide(client, organization, zoom, note="x" * 2001)

    assert stranger.status_code == 400
    assert stranger.json()["errors"] == {
        "owner_id": [f"No active user of Acme has the id {outsider_admin.pk}."]
    }
    assert empty.json()["errors"] == {
        "non_field_errors": [
            "Send state, note or owner_id: there is nothing to change."
        ]
    }
    assert bad_state.json()["errors"]["state"] == [
        '"approved" is not a valid choice. Send one of: new, in_review, '
        "sanctioned, not_sanctioned, retired."
    ]
    assert long_note.status_code == 400
    assert not ApplicationDecision.objects.exists()


def test_members_and_other_organizations_cannot_decide(
    organization, reported, outsider_admin
):
    member = UserFactory(organization=organization)
    for user, code in ((member, "admins_only"), (outsider_admin, "other_organization")):
        response = decide(
            client_for(user), organization, reported["zoom"], state="sanctioned"
        )
        assert response.status_code == 403
        assert response.json()["code"] == code
    assert not ApplicationDecision.objects.exists()
