import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.tests.factories import UserFactory
from conftest import client_for
from contracts.tests.factories import ContractFactory
from url_visits.tests.factories import ActivityFactory


def users_url(organization) -> str:
    public_id = getattr(organization, "public_id", organization)
    return f"/api/v1/organizations/{public_id}/users"


def test_it_lists_the_organizations_users_with_their_last_activity(
    admin_client, organization, admin_user, member, outsider_admin
):
    contract = ContractFactory(organization=organization)
    for day in (dt.date(2026, 10, 1), dt.date(2026, 11, 3), dt.date(2026, 10, 20)):
        ActivityFactory(user=member, contract=contract, day=day)
    unverified = UserFactory(
        organization=organization,
        email="new@acme.io",
        email_verified_at=None,
        is_active=False,
    )

    response = admin_client.get(users_url(organization))

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3
    assert body["results"] == [
        {
            "id": str(admin_user.id),
            "email": "ada@acme.io",
            "role": "admin",
            "department": "",
            "is_active": True,
            "email_verified": True,
            "last_activity": None,
        },
        {
            "id": str(member.id),
            "email": "max@acme.io",
            "role": "member",
            "department": "",
            "is_active": True,
            "email_verified": True,
            "last_activity": "2026-11-03",
        },
        {
            "id": str(unverified.id),
            "email": "new@acme.io",
            "role": "member",
            "department": "",
            "is_active": False,
            "email_verified": False,
            "last_activity": None,
        },
    ]


def test_it_paginates(admin_client, organization, admin_user):
    for n in range(4):
        UserFactory(organization=organization, email=f"u{n}@acme.io")

    response = admin_client.get(users_url(organization) + "?page_size=2&page=2")

    body = response.json()
    assert body["count"] == 5
    assert [user["email"] for user in body["results"]] == ["u1@acme.io", "u2@acme.io"]
    assert body["next"] is not None


def queries_for_users(client, organization, count: int) -> int:
    contract = ContractFactory(organization=organization)
    for _ in range(count):
        ActivityFactory(user=UserFactory(organization=organization), contract=contract)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(users_url(organization))
    assert response.status_code == 200
    assert len(response.json()["results"]) == count + 1
    return len(captured.captured_queries)


def test_it_costs_the_same_queries_for_3_and_30_users(
    admin_client, organization, other_organization, admin_user
):
    few = queries_for_users(admin_client, organization, 3)
    other_admin = UserFactory(organization=other_organization, role="admin")

    many = queries_for_users(client_for(other_admin), other_organization, 30)

    assert few == many


def test_it_lets_staff_see_any_organization(staff_client, organization, member):
    response = staff_client.get(users_url(organization))

    assert response.status_code == 200
    assert [user["email"] for user in response.json()["results"]] == ["max@acme.io"]


def test_it_answers_404_for_an_unknown_organization(admin_client, db):
    response = admin_client.get(users_url("org_" + "x" * 32))

    assert response.status_code == 404
    assert response.json() == {
        "detail": f"No organization has the id org_{'x' * 32}.",
        "code": "not_found",
    }
