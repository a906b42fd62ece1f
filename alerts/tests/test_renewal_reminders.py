"""Renewal reminders (alerts/services/reminders.py): before a contract's last
day to cancel, at each of its organization's offsets, once per term, by
email to the verified admins and the contract's owner and to the webhook."""

import datetime as dt
import json
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command

from accounts.tests.factories import UserFactory
from alerts.models import DeliveryStatus, NotificationSettings, RenewalReminder
from contracts.tests.factories import ContractFactory

# The contract renews itself on 2027-03-01 and takes 60 days' notice: the
# last day to cancel is 2026-12-31.
CANCEL_BY = dt.date(2026, 12, 31)
SUBJECT = "Salesforce: the last day to cancel is 2026-12-31"


@pytest.fixture
def salesforce(organization, admin_user):
    owner = UserFactory(organization=organization, email="sam@acme.io")
    return ContractFactory(
        organization=organization,
        vendor_name="Salesforce",
        owner=owner,
        auto_renew=True,
        notice_period_days=60,
        expire_at=dt.datetime(2027, 3, 1, tzinfo=dt.UTC),
    )


def send() -> str:
    out = StringIO()
    call_command("send_digests", stdout=out, stderr=StringIO())
    return out.getvalue()


def reminders_sent() -> list[tuple[str, list[str]]]:
    return [
        (message.subject, message.to)
        for message in mail.outbox
        if message.subject.startswith("Salesforce:")
    ]


def test_a_simulated_quarter_sends_one_reminder_per_offset(
    organization, salesforce, receiver, time_machine
):
    NotificationSettings.objects.create(
        organization=organization, webhook_url=receiver.url, email_digest="off"
    )
    day = CANCEL_BY - dt.timedelta(days=100)
    sent_on = []
    while day <= CANCEL_BY + dt.timedelta(days=5):
        for hour in (6, 18):
            time_machine.move_to(dt.datetime.combine(day, dt.time(hour), dt.UTC))
            before = len(reminders_sent())
            send()
            if len(reminders_sent()) > before:
                sent_on.append(day)
        day += dt.timedelta(days=1)

    # The 90-, 30- and 7-day reminders, each once, on its day.
    assert sent_on == [
        CANCEL_BY - dt.timedelta(days=90),
        CANCEL_BY - dt.timedelta(days=30),
        CANCEL_BY - dt.timedelta(days=7),
    ]
    # Each to the verified admin and the owner.
    assert [to for _, to in reminders_sent()] == [
        ["ada@acme.io"],
        ["sam@acme.io"],
    ] * 3
    assert [subject for subject, _ in reminders_sent()][::2] == [
        f"{SUBJECT} (in 90 days)",
        f"{SUBJECT} (in 30 days)",
        f"{SUBJECT} (in 7 days)",
    ]
    posted = [json.loads(request.body)["procure"] for request in receiver.requests]
    assert [body["reminder"]["offset_days"] for body in posted] == [90, 30, 7]
    assert set(RenewalReminder.objects.values_list("renews_on", "status")) == {
        (dt.date(2027, 3, 1), DeliveryStatus.SENT)
    }


@pytest.mark.time_machine(dt.datetime(2026, 12, 11, 9, tzinfo=dt.UTC))
def test_a_contract_added_late_gets_the_nearest_reminder_only(organization, salesforce):
    out = send()

    # 20 days before the last day to cancel: the 30-day reminder, not the
    # 90-day one as well.
    assert reminders_sent() == [
        (f"{SUBJECT} (in 20 days)", ["ada@acme.io"]),
        (f"{SUBJECT} (in 20 days)", ["sam@acme.io"]),
    ]
    assert "sent: acme.io Salesforce 30-day reminder (cancel by 2026-12-31)" in out
    # The week's digest goes out beside it.
    assert out.splitlines()[-1] == (
        "Sent 1 digest and 1 renewal reminder, 0 failed (retried by a later run)."
    )
    [body, _] = [m.body for m in mail.outbox if m.subject.startswith("Salesforce:")]
    assert "Salesforce (Acme) renews itself on 2027-03-01." in body
    assert "The last day to cancel or change it is 2026-12-31, in 20 days" in body


@pytest.mark.time_machine(dt.datetime(2026, 12, 11, 9, tzinfo=dt.UTC))
@pytest.mark.parametrize(
    "change",
    [
        {"contract_status": "cancelled"},
        {"contract_status": "expired"},
        {"auto_renew": False, "expire_at": dt.datetime(2026, 12, 1, tzinfo=dt.UTC)},
    ],
    ids=["cancelled", "expired", "ended"],
)
def test_a_contract_out_of_force_is_not_reminded(organization, salesforce, change):
    for name, value in change.items():
        setattr(salesforce, name, value)
    salesforce.save()

    send()

    assert reminders_sent() == []
    assert not RenewalReminder.objects.exists()


@pytest.mark.time_machine(dt.datetime(2026, 12, 11, 9, tzinfo=dt.UTC))
def test_an_unverified_owner_and_an_empty_offset_list_get_nothing(
    organization, salesforce
):
    salesforce.owner.email_verified_at = None
    salesforce.owner.save()
    send()
    assert [to for _, to in reminders_sent()] == [["ada@acme.io"]]

    mail.outbox.clear()
    other = ContractFactory(
        organization=organization,
        vendor_name="Salesforce",
        host="other.salesforce.com",
        expire_at=dt.datetime(2026, 12, 20, tzinfo=dt.UTC),
    )
    NotificationSettings.objects.create(organization=organization, reminder_offsets=[])
    send()

    assert reminders_sent() == []
    assert not RenewalReminder.objects.filter(contract=other).exists()
