"""GET/PUT /api/v1/organizations/{organization_id}/notifications."""

import pytest

from accounts.errors import ADMINS_ONLY, unverified_admin_detail
from accounts.models import Role
from accounts.tests.factories import UserFactory
from alerts.models import NotificationSettings
from audit.models import AuditAction, AuditEvent
from conftest import client_for, grant

SLACK_URL = "https://hooks.slack.com/services/T000/B000/abcdefSECRETxyz"
SLACK_URL_MASKED = "https://hooks.slack.com/…Txyz"


def url(organization) -> str:
    public_id = getattr(organization, "public_id", organization)
    return f"/api/v1/organizations/{public_id}/notifications"


def body(**changes):
    return {
        "email_digest": "monthly",
        "renewal_window_days": 45,
        "webhook_url": SLACK_URL,
        **changes,
    }


def test_it_shows_the_defaults_to_an_admin(admin_client, organization):
    response = admin_client.get(url(organization))

    assert response.status_code == 200
    assert response.json() == {
        "organization_id": organization.public_id,
        "email_digest": "weekly",
        "renewal_window_days": 30,
        "webhook_url": "",
        "reminder_offsets": [90, 30, 7],
    }
    assert not NotificationSettings.objects.exists()


def test_it_changes_the_settings(admin_client, organization):
    response = admin_client.put(url(organization), body(), format="json")

    assert response.status_code == 200
    assert response.json() == {
        "organization_id": organization.public_id,
        "email_digest": "monthly",
        "renewal_window_days": 45,
        "webhook_url": SLACK_URL,
        "reminder_offsets": [90, 30, 7],
    }
    stored = NotificationSettings.objects.get(organization=organization)
    assert (stored.email_digest, stored.renewal_window_days, stored.webhook_url) == (
        "monthly",
        45,
        SLACK_URL,
    )
    assert admin_client.get(url(organization)).json() == response.json()


def test_it_audits_a_change_without_the_webhook_secret(
    admin_client, admin_user, organization
):
    admin_client.put(url(organization), body(), format="json")
    admin_client.put(url(organization), body(), format="json")

    event = AuditEvent.objects.get()
    assert event.action == AuditAction.NOTIFICATIONS_UPDATED
    assert (event.organization, event.actor) == (organization, admin_user)
    assert event.details == {
        "email_digest": "monthly",
        "renewal_window_days": 45,
        "webhook_host": "hooks.slack.com",
        "webhook_changed": True,
        "reminder_offsets": [90, 30, 7],
    }
    assert "SECRET" not in repr(list(AuditEvent.objects.values()))


@pytest.mark.parametrize(
    ("changes", "detail"),
    [
        (
            {"email_digest": "daily"},
            '"daily" is not a valid choice. Send one of: off, weekly, monthly.',
        ),
        ({"renewal_window_days": 0}, "greater than or equal to 1"),
        ({"renewal_window_days": 731}, "less than or equal to 730"),
        ({"webhook_url": "http://hooks.example.com/x"}, "must start with https://"),
        ({"webhook_url": "ftp://hooks.example.com/x"}, "must start with https://"),
        ({"webhook_url": "not a url"}, "must start with https://"),
        ({"webhook_url": "https://127.0.0.1/hook"}, "a loopback address"),
        ({"webhook_url": "https://10.1.2.3/hook"}, "a private network address"),
        ({"webhook_url": "https://169.254.169.254/latest"}, "link-local"),
        ({"webhook_url": "https://[::1]/hook"}, "a loopback address"),
        (
            {"webhook_url": "https://user:pw@hooks.example.com/"},
            "user name or password",
        ),
        ({"webhook_url": "https://hooks.example.com:99999/"}, "not a valid URL"),
    ],
)
def test_it_refuses_bad_values(admin_client, organization, changes, detail):
    response = admin_client.put(url(organization), body(**changes), format="json")

    assert response.status_code == 400
    assert detail in response.json()["detail"]
    assert not NotificationSettings.objects.exists()
    assert not AuditEvent.objects.exists()


def test_it_refuses_a_missing_field(admin_client, organization):
    response = admin_client.put(
        url(organization), {"email_digest": "weekly"}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["detail"] == "renewal_window_days: This field is required."


def test_it_accepts_no_webhook(admin_client, organization):
    response = admin_client.put(
        url(organization), body(webhook_url="", email_digest="off"), format="json"
    )

    assert response.status_code == 200
    assert response.json()["webhook_url"] == ""


def test_it_accepts_a_private_http_webhook_where_allowed(
    admin_client, organization, settings
):
    settings.WEBHOOK_ALLOW_PRIVATE_NETWORKS = True

    response = admin_client.put(
        url(organization), body(webhook_url="http://10.0.0.5/hook"), format="json"
    )

    assert response.status_code == 200


def test_it_shows_the_whole_webhook_url_to_the_organizations_admin(
    admin_client, organization
):
    NotificationSettings.objects.create(
        organization=organization, webhook_url=SLACK_URL
    )

    response = admin_client.get(url(organization))

    assert response.status_code == 200
    assert response.json()["webhook_url"] == SLACK_URL


def test_it_masks_the_webhook_url_for_staff(staff_client, organization):
    NotificationSettings.objects.create(
        organization=organization, webhook_url=SLACK_URL
    )

    response = staff_client.get(url(organization))

    assert response.status_code == 200
    assert response.json() == {
        "organization_id": organization.public_id,
        "email_digest": "weekly",
        "renewal_window_days": 30,
        "webhook_url": SLACK_URL_MASKED,
        "reminder_offsets": [90, 30, 7],
    }
    assert "SECRET" not in response.content.decode()


def test_it_masks_the_webhook_url_for_a_staff_admin_of_another_organization(
    organization, other_organization
):
    staff_admin = grant(
        UserFactory(organization=other_organization, role=Role.ADMIN, is_staff=True),
        "accounts.view_organization",
    )
    NotificationSettings.objects.create(
        organization=organization, webhook_url=SLACK_URL
    )

    response = client_for(staff_admin).get(url(organization))

    assert response.status_code == 200
    assert response.json()["webhook_url"] == SLACK_URL_MASKED


def test_it_keeps_the_webhook_url_when_staff_send_back_the_masked_one(
    staff_client, organization
):
    NotificationSettings.objects.create(
        organization=organization, webhook_url=SLACK_URL
    )
    shown = staff_client.get(url(organization)).json()

    response = staff_client.put(
        url(organization),
        body(webhook_url=shown["webhook_url"], renewal_window_days=60),
        format="json",
    )

    assert response.status_code == 200
    assert response.json()["webhook_url"] == SLACK_URL_MASKED
    stored = NotificationSettings.objects.get(organization=organization)
    assert (stored.renewal_window_days, stored.webhook_url) == (60, SLACK_URL)
    assert AuditEvent.objects.get().details["webhook_changed"] is False


def test_it_refuses_another_organizations_admin(outsider_client, organization):
    for response in (
        outsider_client.get(url(organization)),
        outsider_client.put(url(organization), body(), format="json"),
    ):
        assert response.status_code == 403
        assert response.json() == {
            "detail": "You can only see your own organization.",
            "code": "other_organization",
        }
    assert not NotificationSettings.objects.exists()


def test_it_refuses_a_member(member_client, organization):
    for response in (
        member_client.get(url(organization)),
        member_client.put(url(organization), body(), format="json"),
    ):
        assert response.status_code == 403
        assert response.json() == {"detail": ADMINS_ONLY, "code": "admins_only"}
    assert not NotificationSettings.objects.exists()


def test_it_refuses_an_admin_whose_email_is_unverified(organization):
    admin = UserFactory(
        organization=organization, role=Role.ADMIN, email_verified_at=None
    )

    response = client_for(admin).put(url(organization), body(), format="json")

    assert response.status_code == 403
    assert response.json() == {
        "detail": unverified_admin_detail(admin),
        "code": "email_not_verified",
    }


def test_it_asks_for_credentials(anon_client, organization):
    response = anon_client.get(url(organization))

    assert response.status_code == 401


def test_it_answers_404_for_an_unknown_organization(admin_client):
    response = admin_client.get(url("org_" + "0" * 32))

    assert response.status_code == 404
    assert response.json() == {
        "detail": f"No organization has the id {'org_' + '0' * 32}.",
        "code": "not_found",
    }


def test_it_sets_the_reminder_offsets_and_keeps_them_when_left_out(
    admin_client, organization
):
    response = admin_client.put(
        url(organization), body(reminder_offsets=[7, 60, 7]), format="json"
    )
    assert response.status_code == 200
    assert response.json()["reminder_offsets"] == [60, 7]

    again = admin_client.put(url(organization), body(), format="json")

    assert again.json()["reminder_offsets"] == [60, 7]
    refused = admin_client.put(
        url(organization), body(reminder_offsets=[-1]), format="json"
    )
    assert refused.status_code == 400
    assert refused.json()["code"] == "invalid_field"
    assert NotificationSettings.objects.get().reminder_offsets == [60, 7]
