"""GET/PUT /api/v1/organizations/{organization_id}/discovery."""

import pytest

from accounts.errors import ADMINS_ONLY
from audit.models import AuditAction, AuditEvent
from discovery.models import ApplicationUser
from discovery.tests.helpers import discovery_on, report_visits


def url(organization) -> str:
    public_id = getattr(organization, "public_id", organization)
    return f"/api/v1/organizations/{public_id}/discovery"


def test_it_is_off_by_default(admin_client, organization):
    response = admin_client.get(url(organization))

    assert response.status_code == 200
    assert response.json() == {
        "organization_id": organization.public_id,
        "enabled": False,
        "min_users": 3,
    }


def test_it_turns_discovery_on_and_audits_it(admin_client, admin_user, organization):
    response = admin_client.put(
        url(organization), {"enabled": True, "min_users": 5}, format="json"
    )

    assert response.status_code == 200
    assert response.json() == {
        "organization_id": organization.public_id,
        "enabled": True,
        "min_users": 5,
    }
    organization.refresh_from_db()
    assert (organization.discovery_enabled, organization.discovery_min_users) == (
        True,
        5,
    )
    event = AuditEvent.objects.get(action=AuditAction.DISCOVERY_CHANGED)
    assert (event.organization, event.actor) == (organization, admin_user)
    assert event.details == {
        "before": {"enabled": False, "min_users": 3},
        "after": {"enabled": True, "min_users": 5},
    }


def test_it_audits_nothing_when_nothing_changes(admin_client, organization):
    admin_client.put(url(organization), {"enabled": False}, format="json")

    assert not AuditEvent.objects.exists()


def test_it_deletes_the_open_month_when_turned_off(admin_client, organization, member):
    discovery_on(organization)
    report_visits(member, "https://linear.app/")
    assert ApplicationUser.objects.exists()

    response = admin_client.put(url(organization), {"enabled": False}, format="json")

    assert response.json()["enabled"] is False
    assert not ApplicationUser.objects.exists()


@pytest.mark.parametrize("min_users", [1, 0, -3, "three", 10_001])
def test_it_refuses_a_threshold_that_singles_people_out(
    admin_client, organization, min_users
):
    response = admin_client.put(
        url(organization), {"enabled": True, "min_users": min_users}, format="json"
    )

    assert response.status_code == 400
    assert (
        "min_users must be a whole number between 2 and 10000"
        in (response.json()["detail"])
    )
    organization.refresh_from_db()
    assert organization.discovery_enabled is False


def test_it_refuses_a_body_without_enabled(admin_client, organization):
    response = admin_client.put(url(organization), {"min_users": 4}, format="json")

    assert response.status_code == 400
    assert "enabled" in response.json()["detail"]


def test_it_refuses_a_member(member_client, organization):
    response = member_client.put(url(organization), {"enabled": True}, format="json")

    assert response.status_code == 403
    assert response.json() == {"detail": ADMINS_ONLY, "code": "admins_only"}
    organization.refresh_from_db()
    assert organization.discovery_enabled is False


def test_it_refuses_another_organizations_admin(outsider_client, organization):
    for response in [
        outsider_client.get(url(organization)),
        outsider_client.put(url(organization), {"enabled": True}, format="json"),
    ]:
        assert response.status_code == 403
        assert response.json() == {
            "detail": "You can only see your own organization.",
            "code": "other_organization",
        }
    organization.refresh_from_db()
    assert organization.discovery_enabled is False


def test_it_refuses_an_unknown_organization(admin_client):
    response = admin_client.get(url("org_nope"))

    assert response.status_code == 404
    assert response.json() == {
        "detail": "No organization has the id org_nope.",
        "code": "not_found",
    }


def test_it_refuses_an_anonymous_caller(anon_client, organization):
    response = anon_client.get(url(organization))

    assert response.status_code == 401
