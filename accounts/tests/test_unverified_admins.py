"""Admin powers need a verified email address, on every kind of admin endpoint:
a contract write, an analytics report and the user-management API. Reading
what members may read does not."""

import pytest

from accounts.models import Role, User
from accounts.tests.factories import TEST_PASSWORD, UserFactory
from accounts.tokens import email_verification_token_make
from conftest import client_for
from contracts.models import Contract

DETAIL = (
    "Verify your email address to use admin features. We sent a link to "
    "ada@acme.io; ask for a new one at /api/v1/auth/verify-email/resend."
)


@pytest.fixture
def unverified_admin(organization) -> User:
    return UserFactory(
        organization=organization,
        role=Role.ADMIN,
        email="ada@acme.io",
        email_verified_at=None,
    )


@pytest.fixture
def unverified_client(unverified_admin):
    return client_for(unverified_admin)


CONTRACT = {
    "vendor_name": "Slack",
    "product_url": "https://app.slack.com",
    "annual_spend": "8000.00",
    "num_seats": 75,
}


def test_it_refuses_a_contract_write(unverified_client, organization):
    response = unverified_client.post("/api/v1/contracts", CONTRACT, format="json")

    assert response.status_code == 403
    assert response.json() == {"detail": DETAIL, "code": "email_not_verified"}
    assert not Contract.objects.exists()


def test_it_refuses_them_the_contracts_until_verified(unverified_client):
    response = unverified_client.get("/api/v1/contracts")

    assert response.status_code == 403
    assert response.json() == {
        "detail": "Verify your email address to see your organization's "
        "contracts. We sent a link to ada@acme.io; ask for a new one at "
        "/api/v1/auth/verify-email/resend.",
        "code": "email_not_verified",
    }


def test_it_refuses_analytics(unverified_client, organization):
    response = unverified_client.get(
        f"/api/v1/organizations/{organization.public_id}/contract-usage"
    )

    assert response.status_code == 403
    assert response.json() == {"detail": DETAIL, "code": "email_not_verified"}


def test_it_refuses_the_user_management_api(
    unverified_client, organization, unverified_admin, member
):
    base = f"/api/v1/organizations/{organization.public_id}/users"

    listed = unverified_client.get(base)
    promoted = unverified_client.patch(
        f"{base}/{member.id}", {"role": "admin"}, format="json"
    )
    deactivated = unverified_client.post(f"{base}/{member.id}/deactivate")

    for response in (listed, promoted, deactivated):
        assert response.status_code == 403
        assert response.json() == {"detail": DETAIL, "code": "email_not_verified"}
    member.refresh_from_db()
    assert (member.role, member.is_active) == (Role.MEMBER, True)


def test_it_grants_them_once_the_address_is_verified(
    unverified_client, unverified_admin, organization
):
    token = email_verification_token_make(
        user_id=str(unverified_admin.pk), email=unverified_admin.email
    )
    unverified_client.post(
        "/api/v1/auth/verify-email",
        {"token": token, "password": TEST_PASSWORD},
        format="json",
    )

    response = unverified_client.post("/api/v1/contracts", CONTRACT, format="json")

    assert response.status_code == 201
    assert Contract.objects.filter(organization=organization).count() == 1


def test_it_lets_unverified_staff_through(organization, member):
    staff = UserFactory(
        organization=organization,
        role=Role.ADMIN,
        is_staff=True,
        email_verified_at=None,
    )

    response = client_for(staff).get(
        f"/api/v1/organizations/{organization.public_id}/users"
    )

    assert response.status_code == 200
