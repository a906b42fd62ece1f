"""GET/PUT /api/v1/organizations/{organization_id}/tracking: pause and resume."""

import pytest
from django.conf import settings
from rest_framework.test import APIClient

from accounts.errors import unverified_admin_detail
from accounts.services.sessions import session_token_issue
from accounts.tests.factories import TEST_PASSWORD
from audit.models import AuditAction, AuditEvent
from conftest import WEB_ORIGIN


def url(organization) -> str:
    public_id = getattr(organization, "public_id", organization)
    return f"/api/v1/organizations/{public_id}/tracking"


def put(client: APIClient, organization, paused, **extra):
    return client.put(url(organization), {"paused": paused}, format="json", **extra)


def paused_in_db(organization) -> bool:
    organization.refresh_from_db()
    return organization.tracking_paused


def test_it_tells_an_admin_whether_tracking_is_paused(admin_client, organization):
    response = admin_client.get(url(organization))

    assert response.status_code == 200
    assert response.json() == {
        "organization_id": organization.public_id,
        "paused": False,
    }


def test_it_pauses_and_resumes_tracking(admin_client, admin_user, organization):
    paused = put(admin_client, organization, True)

    assert paused.status_code == 200
    assert paused.json() == {"organization_id": organization.public_id, "paused": True}
    assert paused_in_db(organization) is True
    assert admin_client.get(url(organization)).json()["paused"] is True

    resumed = put(admin_client, organization, False)

    assert resumed.json() == {
        "organization_id": organization.public_id,
        "paused": False,
    }
    assert paused_in_db(organization) is False


def test_it_audits_each_change_with_its_actor(admin_client, admin_user, organization):
    put(admin_client, organization, True)
    put(admin_client, organization, False)

    events = list(AuditEvent.objects.order_by("id"))
    assert [event.action for event in events] == [
        AuditAction.TRACKING_PAUSED,
        AuditAction.TRACKING_RESUMED,
    ]
    for event, paused in zip(events, [True, False], strict=True):
        assert event.organization == organization
        assert (event.actor, event.actor_email) == (admin_user, "ada@acme.io")
        assert event.target == f"organization:{organization.public_id}"
        assert event.details == {"paused": paused}


def test_it_keeps_credentials_out_of_the_audit_trail(admin_user, organization):
    cookie = session_token_issue(user=admin_user)
    client = APIClient()
    client.cookies[settings.AUTH_COOKIE_NAME] = cookie

    put(client, organization, True, HTTP_ORIGIN=WEB_ORIGIN)

    trail = repr(list(AuditEvent.objects.values()))
    assert "tracking.paused" in trail
    for secret in [cookie, TEST_PASSWORD, admin_user.password]:
        assert secret not in trail


def test_it_changes_and_audits_nothing_when_the_state_is_already_set(
    admin_client, organization
):
    put(admin_client, organization, True)

    again = put(admin_client, organization, True)

    assert again.status_code == 200
    assert again.json()["paused"] is True
    assert AuditEvent.objects.count() == 1


def test_it_accepts_the_web_apps_cookie_from_a_trusted_origin(admin_user, organization):
    client = APIClient()
    client.cookies[settings.AUTH_COOKIE_NAME] = session_token_issue(user=admin_user)

    refused = put(client, organization, True)
    accepted = put(client, organization, True, HTTP_ORIGIN=WEB_ORIGIN)

    assert refused.status_code == 403
    assert accepted.status_code == 200
    assert paused_in_db(organization) is True


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        ({}, "paused: This field is required."),
        ({"paused": "maybe"}, "paused: Must be a valid boolean."),
        ({"paused": None}, "paused: This field may not be null."),
    ],
)
def test_it_rejects_a_body_without_a_boolean(admin_client, organization, body, detail):
    response = admin_client.put(url(organization), body, format="json")

    assert response.status_code == 400
    assert response.json()["detail"] == detail
    assert paused_in_db(organization) is False
    assert not AuditEvent.objects.exists()


def test_it_refuses_a_form_body(admin_client, organization):
    # A form field left out would read as false; only JSON says it outright.
    response = admin_client.put(url(organization), "paused=true", content_type="x")

    assert response.status_code == 415
    assert paused_in_db(organization) is False


def test_it_refuses_members(member_client, organization):
    assert member_client.get(url(organization)).status_code == 403
    response = put(member_client, organization, True)

    assert response.status_code == 403
    assert response.json() == {
        "detail": "Only admins of the organization can do this.",
        "code": "admins_only",
    }
    assert paused_in_db(organization) is False
    assert not AuditEvent.objects.exists()


def test_it_refuses_an_admin_whose_email_is_not_verified(
    admin_client, admin_user, organization
):
    admin_user.email_verified_at = None
    admin_user.save()

    response = put(admin_client, organization, True)

    assert response.status_code == 403
    assert response.json() == {
        "detail": unverified_admin_detail(admin_user),
        "code": "email_not_verified",
    }
    assert paused_in_db(organization) is False
    assert not AuditEvent.objects.exists()


def test_it_refuses_admins_of_another_organization(outsider_client, organization):
    assert outsider_client.get(url(organization)).status_code == 403
    response = put(outsider_client, organization, True)

    assert response.status_code == 403
    assert response.json() == {
        "detail": "You can only see your own organization.",
        "code": "other_organization",
    }
    assert paused_in_db(organization) is False
    assert not AuditEvent.objects.exists()


def test_it_answers_404_for_an_unknown_organization(admin_client, organization):
    unknown = "org_" + "x" * 32

    assert admin_client.get(url(unknown)).status_code == 404
    response = put(admin_client, unknown, True)

    assert response.status_code == 404
    assert response.json() == {
        "detail": f"No organization has the id {unknown}.",
        "code": "not_found",
    }
    assert not AuditEvent.objects.exists()


def test_it_refuses_anonymous_callers(anon_client, organization):
    assert anon_client.get(url(organization)).status_code == 401
    assert put(anon_client, organization, True).status_code == 401
    assert paused_in_db(organization) is False


def test_it_lets_staff_pause_any_organization(staff_client, staff_user, organization):
    response = put(staff_client, organization, True)

    assert response.status_code == 200
    assert paused_in_db(organization) is True
    assert AuditEvent.objects.get().actor == staff_user
