"""send_digests runs that overlap (PostgreSQL only): each digest still goes
out once per organization, period and channel.

The runs start together on a barrier, each in a thread with a database
connection of its own, and the receiver answers slowly so that they overlap
for the whole delivery.
"""

import datetime as dt
import threading
from concurrent.futures import ThreadPoolExecutor
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection, connections

from accounts.models import Role
from accounts.tests.factories import OrganizationFactory, UserFactory
from alerts.models import (
    DeliveryStatus,
    DigestDelivery,
    NotificationSettings,
    RenewalReminder,
)
from alerts.tests.seed import seed_organization
from contracts.tests.factories import ContractFactory
from procure_site import clock

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL's concurrent connections",
    ),
    pytest.mark.django_db(transaction=True),
]

RUNS = 6


def overlapping_runs(count: int) -> list[str]:
    barrier = threading.Barrier(count)

    def one_run() -> str:
        try:
            barrier.wait()
            out = StringIO()
            call_command("send_digests", stdout=out, stderr=StringIO())
            return out.getvalue()
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(lambda _: one_run(), range(count)))


@pytest.mark.usefixtures("no_reminders")
def test_it_sends_each_digest_once_when_runs_overlap(
    organization, admin_user, receiver
):
    seed_organization(organization=organization, admin=admin_user)
    NotificationSettings.objects.create(
        organization=organization, webhook_url=receiver.url
    )
    others = [OrganizationFactory(domain_name=f"org{n}.example") for n in range(3)]
    for other in others:
        UserFactory(organization=other, role=Role.ADMIN)
        NotificationSettings.objects.create(
            organization=other, email_digest="monthly", webhook_url=receiver.url
        )
    receiver.delay = 0.2

    outputs = overlapping_runs(RUNS)

    # Four organizations, two channels each: eight deliveries, each once.
    assert len(receiver.requests) == 4
    assert len(mail.outbox) == 4
    assert DigestDelivery.objects.filter(status=DeliveryStatus.SENT).count() == 8
    assert set(DigestDelivery.objects.values_list("attempts", flat=True)) == {1}
    sent_lines = [
        line for output in outputs for line in output.splitlines() if "sent:" in line
    ]
    assert len(sent_lines) == 8
    assert len(set(sent_lines)) == 8


def test_it_sends_each_renewal_reminder_once_when_runs_overlap(
    organization, admin_user, receiver
):
    NotificationSettings.objects.create(
        organization=organization, email_digest="off", webhook_url=receiver.url
    )
    ContractFactory(
        organization=organization,
        vendor_name="Salesforce",
        expire_at=clock.now() + dt.timedelta(days=20),
    )
    receiver.delay = 0.2

    overlapping_runs(RUNS)

    # The 30-day reminder, once by email and once to the webhook.
    assert len(receiver.requests) == 1
    assert [message.to for message in mail.outbox] == [["ada@acme.io"]]
    assert RenewalReminder.objects.filter(status=DeliveryStatus.SENT).count() == 2
    assert set(RenewalReminder.objects.values_list("attempts", flat=True)) == {1}
