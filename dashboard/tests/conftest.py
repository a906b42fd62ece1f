"""The staff console's tests share a signed-in support person and Slack,
used by three people in the last full month."""

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client

from accounts.tests.factories import UserFactory
from analytics.tests.helpers import activity
from conftest import SUPPORT_PERMISSIONS, grant
from contracts.tests.factories import ContractFactory
from procure_site import clock


def last_full_month() -> dt.date:
    return clock.add_months(clock.month_start(clock.today()), -1)


@pytest.fixture
def console(db):
    staff = UserFactory(organization=None, is_staff=True, email="ops@procure.example")
    staff = grant(staff, *SUPPORT_PERMISSIONS)
    client = Client()
    client.force_login(staff)
    return client


@pytest.fixture
def slack(organization):
    contract = ContractFactory(
        organization=organization,
        host="app.slack.com",
        vendor_name="Slack",
        num_seats=10,
        annual_spend=Decimal("1200.00"),
        expire_at=clock.now() + dt.timedelta(days=30),
    )
    month = last_full_month()
    for number in range(3):
        user = UserFactory(organization=organization, email=f"s{number}@acme.io")
        activity(user=user, contract=contract, day=month + dt.timedelta(days=number))
    return contract
