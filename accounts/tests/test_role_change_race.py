from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken

from accounts.models import Role, User
from accounts.tests.factories import OrganizationFactory, UserFactory
from audit.models import AuditAction, AuditEvent

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.postgres_only,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL's row locks and concurrent connections",
    ),
]


def test_it_holds_the_admin_cap_when_admins_promote_members_at_once():
    organization = OrganizationFactory(domain_name="race.io", admin_seats=5)
    admins = [UserFactory(organization=organization, role=Role.ADMIN) for _ in range(3)]
    members = [UserFactory(organization=organization) for _ in range(12)]
    tokens = [str(AccessToken.for_user(admin)) for admin in admins]

    def promote(index: int) -> int:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens[index % 3]}")
        try:
            return client.patch(
                f"/api/v1/organizations/{organization.public_id}/users/"
                f"{members[index].id}",
                {"role": "admin"},
                format="json",
            ).status_code
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=12) as pool:
        statuses = list(pool.map(promote, range(12)))

    # Three admins already hold three of the five seats: two promotions win.
    assert sorted(statuses) == [200] * 2 + [400] * 10
    assert User.objects.filter(organization=organization, role=Role.ADMIN).count() == 5
    assert AuditEvent.objects.filter(action=AuditAction.USER_ROLE_CHANGED).count() == 2
