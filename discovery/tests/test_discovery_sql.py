"""discovery/discovery_sql.py, on SQLite and on PostgreSQL."""

import datetime as dt
import uuid

import pytest
from django.db import connection

from accounts.tests.factories import OrganizationFactory, UserFactory
from discovery.discovery_sql import application_users_insert
from discovery.models import Application, ApplicationUser

MONTH = dt.date(2026, 11, 1)


def test_it_inserts_each_application_once(organization, member):
    linear, figma = (Application.objects.get(name=n).pk for n in ["Linear", "Figma"])

    for _ in range(2):
        application_users_insert(
            organization_id=organization.pk,
            month=MONTH,
            user_id=member.pk,
            application_ids=[linear, figma],
        )

    assert set(
        ApplicationUser.objects.values_list(
            "organization_id", "month", "application_id", "user_id"
        )
    ) == {
        (organization.pk, MONTH, linear, member.pk),
        (organization.pk, MONTH, figma, member.pk),
    }


def test_it_writes_nothing_for_a_user_erased_meanwhile(organization):
    application_users_insert(
        organization_id=organization.pk,
        month=MONTH,
        user_id=uuid.uuid4(),
        application_ids=[Application.objects.get(name="Linear").pk],
    )

    assert not ApplicationUser.objects.exists()


@pytest.mark.postgres_only
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's setting")
@pytest.mark.django_db(transaction=True)
def test_it_commits_alone_and_asynchronously_on_postgresql():
    organization = OrganizationFactory()
    user = UserFactory(organization=organization)
    application = Application.objects.create(
        name="Test App", vendor="Test", category="ai", domains=["test-app.example"]
    )

    assert not connection.in_atomic_block
    application_users_insert(
        organization_id=organization.pk,
        month=MONTH,
        user_id=user.pk,
        application_ids=[application.pk],
    )

    assert ApplicationUser.objects.filter(user=user).count() == 1
    # The setting ended with the statement's own transaction.
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        assert cursor.fetchone() == ("on",)
