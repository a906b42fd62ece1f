from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections
from rest_framework.test import APIClient

from accounts.models import Role, User
from accounts.tests.factories import OrganizationFactory

pytestmark = [
    pytest.mark.postgres_only,
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


def test_it_gives_the_last_admin_seat_to_one_of_ten_concurrent_verifications():
    from accounts.tests.factories import TEST_PASSWORD, UserFactory
    from accounts.tokens import email_verification_token_make

    organization = OrganizationFactory(domain_name="race.io", admin_seats=1)
    # Ten admin sign-ups fit, as none holds a seat before verifying.
    admins = [
        UserFactory(
            organization=organization,
            role=Role.ADMIN,
            email=f"admin{index}@race.io",
            email_verified_at=None,
        )
        for index in range(10)
    ]
    tokens = [
        email_verification_token_make(user_id=str(admin.pk), email=admin.email)
        for admin in admins
    ]

    def verify(token: str) -> int:
        try:
            return (
                APIClient()
                .post(
                    "/api/v1/auth/verify-email",
                    {"token": token, "password": TEST_PASSWORD},
                    format="json",
                )
                .status_code
            )
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=10) as pool:
        statuses = list(pool.map(verify, tokens))

    assert sorted(statuses) == [200] + [400] * 9
    verified = User.objects.filter(
        organization=organization, email_verified_at__isnull=False
    )
    assert verified.count() == 1
