import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import pytest

from accounts.models import Organization, User
from accounts.tests.factories import UserFactory
from analytics.tests.helpers import activity
from contracts.models import Contract
from contracts.tests.factories import ContractFactory
from procure_site import clock


def days_ago(count: int) -> dt.date:
    return clock.today() - dt.timedelta(days=count)


def person(organization: Organization, name: str, joined_days_ago: int = 400) -> User:
    return UserFactory(
        organization=organization,
        email=f"{name}@{organization.domain_name}",
        date_joined=clock.now() - dt.timedelta(days=joined_days_ago),
    )


@dataclass
class Seats:
    figma: Contract
    ann: User
    ben: User
    cat: User
    dan: User

    @property
    def idle(self) -> list[User]:
        return [self.ann, self.ben, self.cat]


@pytest.fixture
def seats(organization) -> Seats:
    """Figma: 10 seats for 3,650.00 a year, so a seat costs 1.00 a day, and
    its term ends in exactly 100 days: a seat removed today saves 100.00.

    ann, ben and cat last used it 60, 45 and 40 days ago (idle for 30 days);
    dan used it 2 days ago.
    """
    figma = ContractFactory(
        organization=organization,
        vendor_name="Figma",
        host="www.figma.com",
        num_seats=10,
        annual_spend=Decimal("3650.00"),
        expire_at=clock.now() + dt.timedelta(days=100),
    )
    found = Seats(
        figma=figma,
        ann=person(organization, "ann"),
        ben=person(organization, "ben"),
        cat=person(organization, "cat"),
        dan=person(organization, "dan"),
    )
    for user, last in ((found.ann, 60), (found.ben, 45), (found.cat, 40)):
        activity(user=user, contract=figma, day=days_ago(last))
    activity(user=found.dan, contract=figma, day=days_ago(2))
    return found


def reclaims_url(organization: Organization, contract: Contract | None = None) -> str:
    base = f"/api/v1/organizations/{organization.public_id}"
    if contract is None:
        return f"{base}/reclaims"
    return f"{base}/contracts/{contract.pk}/reclaims"
