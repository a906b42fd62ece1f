from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections
from rest_framework.test import APIClient

from accounts.models import Role, User
from accounts.tests.factories import OrganizationFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL's row locks and concurrent connections",
    ),
]


def test_it_holds_the_member_cap_under_twenty_concurrent_sign_ups(monkeypatch):
    from rest_framework.throttling import SimpleRateThrottle

    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"sign_up": None})
    organization = OrganizationFactory(domain_name="race.io", member_seats=5)

    def sign_up(index: int) -> int:
        try:
            return (
                APIClient()
                .post(
                    "/api/v1/auth/create-user",
                    {
                        "email": f"user{index}@race.io",
                        "password": "Str0ngPass",
                        "device_id": f"d{index}",
                    },
                    format="json",
                )
                .status_code
            )
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=20) as pool:
        statuses = list(pool.map(sign_up, range(20)))

    assert sorted(statuses) == [201] * 5 + [400] * 15
    assert User.objects.filter(organization=organization, role=Role.MEMBER).count() == 5
