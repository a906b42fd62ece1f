import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Role
from accounts.tests.factories import UserFactory
from audit.models import AuditAction, AuditEvent
from audit.services import audit_record
from conftest import client_for


def log_url(organization, **params) -> str:
    public_id = getattr(organization, "public_id", organization)
    query = "&".join(f"{key}={value}" for key, value in params.items())
    return f"/api/v1/organizations/{public_id}/audit-log" + (
        f"?{query}" if query else ""
    )


@pytest.fixture
def events(organization, other_organization, admin_user, member, outsider_admin):
    """Three events of Acme, oldest first, and one of Globex."""
    recorded = [
        audit_record(
            action=AuditAction.USER_SIGNED_UP,
            organization=organization,
            actor=member,
            target=member.email,
            details={"role": "member"},
        ),
        audit_record(
            action=AuditAction.USER_ROLE_CHANGED,
            organization=organization,
            actor=admin_user,
            target=member.email,
            details={"from": "member", "to": "admin", "password": "never kept"},
        ),
        audit_record(action=AuditAction.ACTIVITY_PURGED, organization=organization),
    ]
    audit_record(
        action=AuditAction.USER_SIGNED_UP,
        organization=other_organization,
        actor=outsider_admin,
        target=outsider_admin.email,
    )
    return recorded


def test_it_lists_the_organizations_events_newest_first(
    admin_client, admin_user, member, events
):
    response = admin_client.get(log_url(admin_user.organization))

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3
    assert [event["id"] for event in body["results"]] == [e.id for e in events[::-1]]
    assert body["results"][1] == {
        "id": events[1].id,
        "created_at": events[1].created_at.isoformat().replace("+00:00", "Z"),
        "action": "user.role_changed",
        "actor_id": str(admin_user.id),
        "actor_email": "ada@acme.io",
        "target": "max@acme.io",
        "details": {"from": "member", "to": "admin"},
    }
    assert body["results"][0]["actor_id"] is None
    assert body["results"][0]["actor_email"] == ""


def test_it_filters_by_action(admin_client, organization, events):
    response = admin_client.get(log_url(organization, action="user.signed_up"))

    assert [event["id"] for event in response.json()["results"]] == [events[0].id]


def test_it_names_an_unknown_action(admin_client, organization, events):
    response = admin_client.get(log_url(organization, action="user.hacked"))

    assert response.status_code == 400
    detail = response.json()["detail"]
    assert detail.startswith(
        'action: "user.hacked" is not a valid choice. Send one of: user.signed_up, '
    )
    assert "contract.deleted" in detail


def test_it_paginates(admin_client, organization, events):
    response = admin_client.get(log_url(organization, page_size=2, page=2))

    body = response.json()
    assert body["count"] == 3
    assert [event["id"] for event in body["results"]] == [events[0].id]


def test_it_costs_the_same_queries_however_many_events(
    admin_client, organization, admin_user
):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert admin_client.get(log_url(organization)).status_code == 200
        return len(captured.captured_queries)

    audit_record(action=AuditAction.ACTIVITY_PURGED, organization=organization)
    few = queries()
    for _ in range(20):
        audit_record(
            action=AuditAction.TOKEN_REVOKED,
            organization=organization,
            actor=admin_user,
        )

    assert queries() == few


def test_it_lets_staff_see_any_organization(staff_client, organization, events):
    response = staff_client.get(log_url(organization))

    assert response.status_code == 200
    assert response.json()["count"] == 3


def test_it_refuses_an_admin_whose_email_is_unverified(organization, events):
    admin = UserFactory(
        organization=organization, role=Role.ADMIN, email_verified_at=None
    )

    response = client_for(admin).get(log_url(organization))

    assert response.status_code == 403
    assert response.json()["detail"].startswith("Verify your email address")


def test_it_answers_404_for_an_unknown_organization(admin_client, db):
    response = admin_client.get(log_url("org_" + "x" * 32))

    assert response.status_code == 404
    assert AuditEvent.objects.count() == 0
