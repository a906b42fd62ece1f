"""Staff reach another organization's endpoints only as far as their Django
permissions go: the matching view permission to read, change to change.
Reproduces the report of a staff account with no permission that changed a
Globex user's role and paused Globex's tracking."""

import pytest

from accounts.models import Role
from accounts.tests.factories import UserFactory
from audit.models import AuditEvent
from conftest import client_for, grant

pytestmark = pytest.mark.django_db

# Every operation and caller (staff without permission, with view, with
# change among them) is in the table of test_organization_access.py, made
# from the URLconf. These tests follow a change through to the database.


@pytest.fixture
def globex_member(other_organization, outsider_admin):
    return UserFactory(
        organization=other_organization, role=Role.MEMBER, email="gus@globex.com"
    )


def base(organization) -> str:
    return f"/api/v1/organizations/{organization.public_id}"


def refusal(permission: str) -> str:
    return (
        f"Staff need the {permission} permission to do this in another "
        "organization. Ask a superuser to grant it in the admin."
    )


def test_it_refuses_a_role_change_to_staff_without_permissions(
    bare_staff_user, other_organization, globex_member
):
    response = client_for(bare_staff_user).patch(
        f"{base(other_organization)}/users/{globex_member.pk}",
        {"role": "admin"},
        format="json",
    )

    assert response.status_code == 403
    assert response.json() == {
        "detail": refusal("accounts.change_user"),
        "code": "staff_permission_missing",
    }
    globex_member.refresh_from_db()
    assert globex_member.role == Role.MEMBER
    assert not AuditEvent.objects.filter(action="user.role_changed").exists()


def test_it_refuses_a_role_change_to_staff_who_may_only_view_users(
    bare_staff_user, other_organization, globex_member
):
    staff = grant(bare_staff_user, "accounts.view_user")

    response = client_for(staff).patch(
        f"{base(other_organization)}/users/{globex_member.pk}",
        {"role": "admin"},
        format="json",
    )

    assert response.status_code == 403
    assert response.json() == {
        "detail": refusal("accounts.change_user"),
        "code": "staff_permission_missing",
    }


def test_it_lets_staff_with_the_change_permission_change_a_role(
    bare_staff_user, other_organization, globex_member
):
    staff = grant(bare_staff_user, "accounts.change_user")

    response = client_for(staff).patch(
        f"{base(other_organization)}/users/{globex_member.pk}",
        {"role": "admin"},
        format="json",
    )

    assert response.status_code == 200
    globex_member.refresh_from_db()
    assert globex_member.role == Role.ADMIN


def test_it_refuses_a_deactivation_to_staff_without_the_change_permission(
    bare_staff_user, other_organization, globex_member
):
    staff = grant(bare_staff_user, "accounts.view_user")

    response = client_for(staff).post(
        f"{base(other_organization)}/users/{globex_member.pk}/deactivate"
    )

    assert response.status_code == 403
    assert response.json() == {
        "detail": refusal("accounts.change_user"),
        "code": "staff_permission_missing",
    }
    globex_member.refresh_from_db()
    assert globex_member.is_active


def test_it_refuses_pausing_tracking_to_staff_without_the_change_permission(
    bare_staff_user, other_organization
):
    staff = grant(bare_staff_user, "accounts.view_organization")

    response = client_for(staff).put(
        f"{base(other_organization)}/tracking", {"paused": True}, format="json"
    )

    assert response.status_code == 403
    assert response.json() == {
        "detail": refusal("accounts.change_organization"),
        "code": "staff_permission_missing",
    }
    other_organization.refresh_from_db()
    assert other_organization.tracking_paused is False


def test_it_lets_staff_with_the_change_permission_pause_tracking(
    bare_staff_user, other_organization
):
    staff = grant(bare_staff_user, "accounts.change_organization")

    response = client_for(staff).put(
        f"{base(other_organization)}/tracking", {"paused": True}, format="json"
    )

    assert response.status_code == 200
    other_organization.refresh_from_db()
    assert other_organization.tracking_paused is True


def test_it_lets_a_superuser_do_anything(other_organization, globex_member):
    superuser = UserFactory(organization=None, is_staff=True, is_superuser=True)

    response = client_for(superuser).patch(
        f"{base(other_organization)}/users/{globex_member.pk}",
        {"role": "admin"},
        format="json",
    )

    assert response.status_code == 200
