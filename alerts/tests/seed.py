"""An organization whose digest has something in every section."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from accounts.models import Organization, Role, User
from accounts.tests.factories import UserFactory
from alerts.services import delivery
from contracts.models import Contract
from contracts.tests.factories import ContractFactory
from procure_site import clock
from url_visits.tests.factories import ActivityFactory

# A Wednesday on which every section of the seeded digest has something, and
# the sections do not overlap: the leaver's last use (33 days ago) falls in
# last month and in the week in which people became inactive, the member's
# use of Zoom in last month (on the 2nd, 37 days ago) in neither that week
# nor the last 30 days. Tests of what a digest says run on this day.
SEEDED_ON = dt.datetime(2026, 12, 9, 10, tzinfo=dt.UTC)

# A Monday early in a month, so that a week and a month later are easy to name.
MONDAY = dt.datetime(2026, 11, 2, 1, 5, tzinfo=dt.UTC)


def send_due_at(time_machine, moment: dt.datetime) -> delivery.DigestRun:
    """Sends the digests due at `moment`, with every clock stopped there."""
    time_machine.move_to(moment, tick=False)
    return delivery.digests_send_due()


@dataclass
class Seeded:
    organization: Organization
    admin: User
    slack: Contract
    zoom: Contract
    figma: Contract
    today: dt.date


def organization_created_on(organization: Organization, day: dt.date) -> None:
    """Moves the organization's creation, where proCure's data for it begins
    unless activity was recorded earlier, to the start of `day` (UTC)."""
    organization.created_at = dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)
    Organization.objects.filter(pk=organization.pk).update(
        created_at=organization.created_at
    )


def seed_organization(*, organization: Organization, admin: User) -> Seeded:
    """Acme, tracked for a year, so that last month is fully covered, with
    three contracts:

    - Slack renews in 20 days; 2 of its 10 seats were used this week.
    - Zoom renews in 200 days; 1 of its 20 seats was used last month, and the
      person who used it 33 days ago is newly inactive.
    - Figma renews in 60 days; someone last used it 100 days ago (inactive,
      but not newly).
    """
    now = clock.now()
    today = now.date()
    last_month = clock.previous_month(today).replace(day=2)
    organization_created_on(organization, today - dt.timedelta(days=365))
    slack = ContractFactory(
        organization=organization,
        vendor_name="Slack",
        host="slack.com",
        num_seats=10,
        annual_spend=Decimal("1200.00"),
        expire_at=now + dt.timedelta(days=20),
    )
    zoom = ContractFactory(
        organization=organization,
        vendor_name="Zoom",
        host="zoom.us",
        num_seats=20,
        annual_spend=Decimal("5000.00"),
        expire_at=now + dt.timedelta(days=200),
    )
    figma = ContractFactory(
        organization=organization,
        vendor_name="Figma",
        host="figma.com",
        num_seats=5,
        annual_spend=Decimal("600.00"),
        expire_at=now + dt.timedelta(days=60),
    )
    member = UserFactory(organization=organization, role=Role.MEMBER)
    leaver = UserFactory(organization=organization, role=Role.MEMBER)
    old_timer = UserFactory(organization=organization, role=Role.MEMBER)
    ActivityFactory(user=admin, contract=slack, day=today)
    ActivityFactory(user=member, contract=slack, day=today - dt.timedelta(days=1))
    ActivityFactory(user=member, contract=zoom, day=last_month)
    ActivityFactory(user=leaver, contract=zoom, day=today - dt.timedelta(days=33))
    ActivityFactory(user=old_timer, contract=figma, day=today - dt.timedelta(days=100))
    return Seeded(organization, admin, slack, zoom, figma, today)
