"""The four settings change one way (organizations.services.
organization_setting_change): the same PUT twice stores and audits once, a
different one audits again, and a refused one changes nothing."""

import pytest

from audit.models import AuditEvent

SETTINGS = {
    "tracking": ({"paused": True}, {"paused": False}, {"paused": "maybe"}),
    "reclaim-settings": ({"reply_days": 10}, {"reply_days": 14}, {"reply_days": 0}),
    "discovery": (
        {"enabled": True, "min_users": 3},
        {"enabled": True, "min_users": 5},
        {"enabled": True, "min_users": 1},
    ),
    "notifications": (
        {
            "email_digest": "weekly",
            "renewal_window_days": 30,
            "webhook_url": "https://hooks.example.com/a",
        },
        {
            "email_digest": "monthly",
            "renewal_window_days": 30,
            "webhook_url": "https://hooks.example.com/a",
        },
        {
            "email_digest": "weekly",
            "renewal_window_days": 30,
            "webhook_url": "http://127.0.0.1/hook",
        },
    ),
}

REFUSAL_CODES = {
    "tracking": "invalid_field",
    "reclaim-settings": "invalid_field",
    "discovery": "invalid_field",
    "notifications": "invalid_field",
}


def url(organization, setting: str) -> str:
    return f"/api/v1/organizations/{organization.public_id}/{setting}"


@pytest.mark.parametrize("setting", SETTINGS)
def test_a_repeated_change_is_stored_and_audited_once(
    admin_client, organization, setting
):
    first, second, _ = SETTINGS[setting]

    answers = [
        admin_client.put(url(organization, setting), body, format="json")
        for body in (first, first, second)
    ]

    assert [answer.status_code for answer in answers] == [200, 200, 200]
    assert answers[0].json() == answers[1].json()
    assert AuditEvent.objects.filter(organization=organization).count() == 2
    shown = admin_client.get(url(organization, setting)).json()
    assert {key: shown[key] for key in second} == second


@pytest.mark.parametrize("setting", SETTINGS)
def test_a_refused_change_changes_and_audits_nothing(
    admin_client, organization, setting
):
    before = admin_client.get(url(organization, setting)).json()
    _, _, refused = SETTINGS[setting]

    response = admin_client.put(url(organization, setting), refused, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == REFUSAL_CODES[setting]
    assert admin_client.get(url(organization, setting)).json() == before
    assert not AuditEvent.objects.filter(organization=organization).exists()
