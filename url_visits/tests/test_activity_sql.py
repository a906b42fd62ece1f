"""url_visits/activity_sql.py's one-statement INSERT with discovery's rows,
on PostgreSQL (elsewhere discovery writes its rows in a statement of its
own, tested in discovery/tests/test_discovery_sql.py)."""

import datetime as dt
import uuid

import pytest
from django.db import connection

from contracts.tests.factories import ContractFactory
from discovery.models import Application, ApplicationUser
from url_visits.activity_sql import activity_insert_new_with_rollups
from url_visits.models import Activity

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="one statement on PostgreSQL only"
)

MONTH = dt.date(2026, 11, 1)


def first_seen(contract_id: int) -> dict:
    moment = dt.datetime.now(dt.UTC)
    return {(contract_id, moment.date()): (moment, "chrome")}


def test_it_writes_activity_and_discovery_rows_once(organization, member):
    contract = ContractFactory(organization=organization, host="slack.com")
    linear, figma = (Application.objects.get(name=n).pk for n in ["Linear", "Figma"])

    recorded = [
        activity_insert_new_with_rollups(
            user_id=member.pk,
            organization_id=organization.pk,
            first_seen=first_seen(contract.pk),
            discovered_month=MONTH,
            discovered_applications=[linear, figma],
        )
        for _ in range(2)
    ]

    assert recorded == [1, 0]
    assert Activity.objects.count() == 1
    assert set(
        ApplicationUser.objects.values_list(
            "organization_id", "month", "application_id", "user_id"
        )
    ) == {
        (organization.pk, MONTH, linear, member.pk),
        (organization.pk, MONTH, figma, member.pk),
    }


def test_it_writes_no_discovery_row_for_a_user_erased_meanwhile(organization):
    contract = ContractFactory(organization=organization, host="slack.com")

    recorded = activity_insert_new_with_rollups(
        user_id=uuid.uuid4(),
        organization_id=organization.pk,
        first_seen=first_seen(contract.pk),
        discovered_month=MONTH,
        discovered_applications=[Application.objects.get(name="Linear").pk],
    )

    assert recorded == 0
    assert not ApplicationUser.objects.exists()
