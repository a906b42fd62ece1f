"""What a weekly digest says about reclaims and discovery, for a week in
which the month of November 2026 closed: open reclaims, the month's
realized savings, applications discovered in November, and a not_sanctioned
application that gained users in it."""

import datetime as dt
from decimal import Decimal
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from playwright.sync_api import expect

from alerts.models import NotificationSettings
from conftest import client_for, screenshot
from contracts.tests.factories import ContractFactory
from discovery.models import Application
from discovery.services import discovery_months_close_due
from discovery.tests.helpers import discovery_on, people, report_visits
from procure_site import clock
from reclaims.models import Reclaim, ReclaimState

pytestmark = [
    pytest.mark.usefixtures("no_reminders"),
    pytest.mark.time_machine(dt.datetime(2026, 10, 5, 9, tzinfo=dt.UTC)),
]
# The Monday after November closed: the week's digest holds 1 December.
DIGEST_AT = dt.datetime(2026, 12, 7, 1, 5, tzinfo=dt.UTC)


def move(time_machine, moment: dt.datetime) -> None:
    time_machine.move_to(moment)
    discovery_months_close_due()


@pytest.fixture
def week(organization, admin_user, time_machine, receiver):
    """October: 2 people use Zoom. November: 3 use Zoom (now not
    sanctioned), 2 use Linear (new). December: a Figma seat is removed
    (1,000.00 a year for 4 seats, no expiry: 250.00), one person is still
    asked, one released."""
    NotificationSettings.objects.create(
        organization=organization, webhook_url=receiver.url
    )
    discovery_on(organization, min_users=2)
    staff = people(organization, 3)
    for user in staff[:2]:
        report_visits(user, "https://zoom.us/j/1")
    move(time_machine, dt.datetime(2026, 11, 5, 9, tzinfo=dt.UTC))
    for user in staff:
        report_visits(user, "https://zoom.us/j/2")
    for user in staff[:2]:
        report_visits(user, "https://linear.app/team")
    admin = client_for(admin_user)
    zoom = Application.objects.get(name="Zoom")
    decided = admin.patch(
        f"/api/v1/organizations/{organization.public_id}/discovered-apps/{zoom.pk}",
        {"state": "not_sanctioned", "note": "We use Google Meet"},
        format="json",
    )
    assert decided.status_code == 200, decided.json()
    move(time_machine, dt.datetime(2026, 12, 3, 9, tzinfo=dt.UTC))
    figma = ContractFactory(
        organization=organization,
        vendor_name="Figma",
        num_seats=4,
        annual_spend=Decimal("1000.00"),
        expire_at=None,
    )
    states = (ReclaimState.RELEASED, ReclaimState.RELEASED, ReclaimState.ASKED)
    reclaims = [
        Reclaim.objects.create(
            organization=organization,
            contract=figma,
            user=user,
            state=state,
            asked_at=clock.now(),
            answer_by=clock.now() + dt.timedelta(days=7),
        )
        for user, state in zip(staff, states, strict=True)
    ]
    removed = client_for(admin_user).post(
        f"/api/v1/organizations/{organization.public_id}/reclaims/remove",
        {"reclaim_ids": [reclaims[0].pk]},
        format="json",
    )
    assert removed.status_code == 200, removed.json()
    move(time_machine, DIGEST_AT)
    mail.outbox.clear()
    call_command("send_digests", stdout=StringIO())
    return receiver


def test_the_email_reports_reclaims_savings_and_discovery(week):
    [email] = mail.outbox
    text = email.body
    assert (
        "RECLAIMS\n1 person has not answered yet whether they still need their "
        "seat; 1 seat released or unanswered awaits your confirmation that it "
        "was removed.\nRealized savings in 2026-12: 250.00 USD from 1 seat "
        "removed.\n"
    ) in text
    assert "DISCOVERED IN 2026-11\n- Linear (Linear): 2 people\n" in text
    assert (
        "NOT SANCTIONED, AND USED BY MORE PEOPLE IN 2026-11\n"
        "- Zoom (Zoom Video Communications): 3 people\n"
    ) in text
    html = str(email.alternatives[0][0])
    assert "Discovered in 2026-11" in html
    assert "<li>Zoom (Zoom Video Communications): 3 people</li>" in html


def test_the_webhook_carries_the_same_facts(week):
    [request] = week.requests
    facts = request.json()["procure"]
    assert facts["reclaims"] == {
        "asked": 1,
        "awaiting_removal": 1,
        "month": "2026-12",
        "seats_removed": 1,
        "realized_savings": "250.00",
        "currency": "USD",
        "unconverted": [],
    }
    assert facts["discovery"]["month"] == "2026-11"
    assert [
        (row["name"], row["active_users"], row["state"])
        for row in facts["discovery"]["new_applications"]
    ] == [("Linear", 2, "new")]
    assert [
        (row["name"], row["active_users"], row["state"])
        for row in facts["discovery"]["not_sanctioned_gaining_users"]
    ] == [("Zoom", 3, "not_sanctioned")]
    text = request.json()["text"]
    assert "*Discovered in 2026-11*\n• Linear (Linear): 2 people" in text
    assert "*Not sanctioned, and used by more people in 2026-11*\n• Zoom" in text


def test_the_next_weeks_digest_does_not_repeat_the_discovery_news(week, time_machine):
    time_machine.move_to(DIGEST_AT + dt.timedelta(days=7))
    call_command("send_digests", stdout=StringIO())

    facts = week.requests[-1].json()["procure"]
    assert facts["period"] == "2026-W51"
    assert facts["discovery"] == {
        "month": None,
        "new_applications": [],
        "not_sanctioned_gaining_users": [],
    }
    # Still December's savings: the month of the day before the digest.
    assert facts["reclaims"]["realized_savings"] == "250.00"


@pytest.mark.browser
def test_the_email_reads_well_in_a_mail_client(week, page):
    [email] = mail.outbox
    page.set_viewport_size({"width": 720, "height": 900})
    page.set_content(str(email.alternatives[0][0]))

    expect(page.get_by_text("Discovered in 2026-11")).to_be_visible()
    expect(
        page.get_by_text("Realized savings in 2026-12: 250.00 USD from 1 seat removed.")
    ).to_be_visible()
    screenshot(page, "digest-reclaims-discovery-email")
