"""GET/PUT organizations/{id}/reclaim-settings: how many days people have to
answer about their seats, for the reclaims started from then on."""

import datetime as dt

import pytest

from audit.models import AuditEvent
from reclaims.tests.conftest import reclaims_url

pytestmark = pytest.mark.django_db


def settings_url(organization) -> str:
    return f"/api/v1/organizations/{organization.public_id}/reclaim-settings"


def test_it_shows_seven_days_until_an_admin_changes_it(admin_client, organization):
    shown = admin_client.get(settings_url(organization))
    changed = admin_client.put(
        settings_url(organization), {"reply_days": 14}, format="json"
    )

    assert shown.json() == {"organization_id": organization.public_id, "reply_days": 7}
    assert changed.status_code == 200
    assert changed.json()["reply_days"] == 14
    event = AuditEvent.objects.get(action="reclaims.settings_changed")
    assert event.details == {"reply_days": {"from": 7, "to": 14}}


def test_new_reclaims_get_the_new_window_and_old_ones_keep_theirs(
    admin_client, organization, seats
):
    url = reclaims_url(organization, seats.figma)
    first = admin_client.post(url, {"user_ids": [str(seats.ann.pk)]}, format="json")
    admin_client.put(settings_url(organization), {"reply_days": 3}, format="json")
    second = admin_client.post(url, {"user_ids": [str(seats.ben.pk)]}, format="json")

    def window(response) -> dt.timedelta:
        [row] = response.json()["asked"]
        return dt.datetime.fromisoformat(row["answer_by"]) - dt.datetime.fromisoformat(
            row["asked_at"]
        )

    assert window(first) == dt.timedelta(days=7)
    assert window(second) == dt.timedelta(days=3)
    listed = {
        row["email"]: row["answer_by"]
        for row in admin_client.get(reclaims_url(organization)).json()
    }
    assert listed["ann@acme.io"] == first.json()["asked"][0]["answer_by"]


@pytest.mark.parametrize("value", [0, 61, "soon", None])
def test_it_refuses_a_window_out_of_range(admin_client, organization, value):
    response = admin_client.put(
        settings_url(organization), {"reply_days": value}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["errors"]["reply_days"] == [
        "reply_days must be a whole number of days between 1 and 60."
    ]
    organization.refresh_from_db()
    assert organization.reclaim_reply_days == 7


def test_members_and_other_organizations_cannot_change_it(
    member_client, outsider_client, organization
):
    for client, code in (
        (member_client, "admins_only"),
        (outsider_client, "other_organization"),
    ):
        response = client.put(
            settings_url(organization), {"reply_days": 30}, format="json"
        )
        assert response.status_code == 403
        assert response.json()["code"] == code
    organization.refresh_from_db()
    assert organization.reclaim_reply_days == 7
