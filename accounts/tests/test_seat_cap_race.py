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


def test_it_holds_the_member_cap_under_twenty_concurrent_verifications():
    from accounts.tests.factories import TEST_PASSWORD, UserFactory
    from accounts.tokens import email_verification_token_make

    organization = OrganizationFactory(domain_name="race.io", member_seats=5)
    # Twenty sign-ups fit, as none holds a seat before verifying.
    members = [
        UserFactory(
            organization=organization,
            email=f"user{index}@race.io",
            email_verified_at=None,
        )
        for index in range(20)
    ]
    tokens = [
        email_verification_token_make(user_id=str(member.pk), email=member.email)
        for member in members
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

    with ThreadPoolExecutor(max_workers=20) as pool:
        statuses = list(pool.map(verify, tokens))

    assert sorted(statuses) == [200] * 5 + [400] * 15
    verified = User.objects.filter(
        organization=organization, role=Role.MEMBER, email_verified_at__isnull=False
    )
    assert verified.count() == 5


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
