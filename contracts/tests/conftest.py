"""Contracts shared by the tests of /api/v1/contracts: Acme's Slack and
Globex's Zoom."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from contracts.tests.factories import ContractFactory


@pytest.fixture
def slack(organization):
    return ContractFactory(
        organization=organization,
        vendor_name="Slack",
        host="app.slack.com",
        annual_spend=Decimal("8000.00"),
        num_seats=75,
        expire_at=datetime(2027, 10, 1, tzinfo=UTC),
    )


@pytest.fixture
def globex_zoom(other_organization):
    return ContractFactory(
        organization=other_organization, vendor_name="Zoom", host="zoom.us"
    )
