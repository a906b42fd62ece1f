"""manage.py send_digests: what a digest says, when it is due, and that each
(organization, period, channel) goes out once, with retries after failure."""

import datetime as dt
import smtplib
import time
from decimal import Decimal
from html import escape
from io import StringIO

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import CommandError, call_command

from accounts.models import Role
from accounts.tests.factories import OrganizationFactory, UserFactory
from alerts import selectors
from alerts.models import DeliveryStatus, DigestDelivery, NotificationSettings
from alerts.tests.receiver import Answer
from alerts.tests.seed import (
    MONDAY,
    SEEDED_ON,
    organization_created_on,
    seed_organization,
    send_due_at,
)
from contracts.tests.factories import ContractFactory
from procure_site import clock
from url_visits.tests.factories import ActivityFactory

# These tests are about digests (test_renewal_reminders.py has reminders).
pytestmark = pytest.mark.usefixtures("no_reminders")


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("send_digests", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def run_with_failures(*args: str) -> tuple[str, str]:
    """A run in which some delivery fails: the command exits 1 after its report."""
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError) as failure:
        call_command("send_digests", *args, stdout=out, stderr=err)
    assert failure.value.returncode == 1
    return out.getvalue(), err.getvalue()


def use(organization, **values) -> NotificationSettings:
    found, _ = NotificationSettings.objects.update_or_create(
        organization=organization, defaults=values
    )
    return found


@pytest.fixture
def seeded(organization, admin_user, time_machine):
    time_machine.move_to(SEEDED_ON)
    return seed_organization(organization=organization, admin=admin_user)


def this_week(today: dt.date) -> str:
    year, week, _ = today.isocalendar()
    return f"{year}-W{week:02d}"


def test_it_posts_the_exact_digest_to_the_webhook(seeded, receiver):
    use(seeded.organization, webhook_url=receiver.url)
    today = seeded.today
    period = this_week(today)
    last_month = (today.replace(day=1) - dt.timedelta(days=1)).strftime("%Y-%m")
    slack_expiry = seeded.slack.expire_at.astimezone(dt.UTC)

    out, _ = run()

    assert f"sent: acme.io {period} webhook" in out
    [request] = receiver.requests
    renewal = (
        f"• *Slack* expires {slack_expiry.date().isoformat()} (20 days): "
        "*downsize*. Only 2 of 10 seats of Slack were used in the last 30 days. "
        "Renew with 3 seats (active users plus 10%) to save about 840.00 a year."
    )
    waste = (
        f"*Largest estimated waste in {last_month}* (total 6,300.00)\n"
        "• *Zoom*: 4,500.00 (2 of 20 seats used)\n"
        "• *Slack*: 1,200.00 (0 of 10 seats used)\n"
        "• *Figma*: 600.00 (0 of 5 seats used)"
    )
    inactive = (
        "*Newly inactive:* Since the last digest, 1 person passed 30 days without "
        "using 1 seat. <http://localhost:3000/inactive-users?days=30|See who>"
    )
    reclaims = (
        "*Reclaims:* 0 people have not answered yet whether they still need "
        "their seat; 0 seats released or unanswered await your confirmation "
        "that they were removed. Realized savings in 2026-12: 0.00 USD from 0 "
        "seats removed."
    )
    reporting = (
        f"The extension is reporting (last use recorded on {today.isoformat()})."
    )
    subject = f"proCure digest for Acme ({period}): 1 renewal in the next 30 days"
    assert request.json() == {
        "text": "\n".join(
            [
                f"*{subject}*",
                "*Renewing in the next 30 days*",
                renewal,
                waste,
                inactive,
                reclaims,
                reporting,
            ]
        ),
        "blocks": [
            {"type": "header", "text": {"type": "plain_text", "text": subject}},
            {
                "type": "section",
                "text": {
                    "type": "mrkdwn",
                    "text": f"*Renewing in the next 30 days*\n{renewal}",
                },
            },
            {"type": "section", "text": {"type": "mrkdwn", "text": waste}},
            {"type": "section", "text": {"type": "mrkdwn", "text": inactive}},
            {"type": "section", "text": {"type": "mrkdwn", "text": reclaims}},
            {"type": "section", "text": {"type": "mrkdwn", "text": reporting}},
        ],
        "procure": {
            "organization_id": seeded.organization.public_id,
            "company_name": "Acme",
            "period": period,
            "frequency": "weekly",
            "renewal_window_days": 30,
            "renewals": [
                {
                    "contract_id": seeded.slack.id,
                    "vendor_name": "Slack",
                    "expire_at": slack_expiry.isoformat(),
                    "days_until_expiry": 20,
                    "annual_spend": "1200.00",
                    "total_seats": 10,
                    "active_users": 2,
                    "suggestion": "downsize",
                    "suggested_seats": 3,
                    "estimated_savings": "840.00",
                    "reason": "Only 2 of 10 seats of Slack were used in the last 30 "
                    "days. Renew with 3 seats (active users plus 10%) to save about "
                    "840.00 a year.",
                }
            ],
            "waste_month": last_month,
            "waste_coverage": "full",
            "waste_coverage_note": None,
            "total_estimated_waste": "6300.00",
            "largest_waste": [
                {
                    "contract_id": seeded.zoom.id,
                    "vendor_name": "Zoom",
                    "estimated_waste": "4500.00",
                    "active_users": 2,
                    "total_seats": 20,
                    "unused_seats": 18,
                },
                {
                    "contract_id": seeded.slack.id,
                    "vendor_name": "Slack",
                    "estimated_waste": "1200.00",
                    "active_users": 0,
                    "total_seats": 10,
                    "unused_seats": 10,
                },
                {
                    "contract_id": seeded.figma.id,
                    "vendor_name": "Figma",
                    "estimated_waste": "600.00",
                    "active_users": 0,
                    "total_seats": 5,
                    "unused_seats": 5,
                },
            ],
            "inactive_days": 30,
            "newly_inactive_users": 1,
            "newly_inactive_seats": 1,
            "inactive_users_url": "http://localhost:3000/inactive-users?days=30",
            "tracking_paused": False,
            "extension_reporting": True,
            "last_activity_day": today.isoformat(),
            "reclaims": {
                "asked": 0,
                "awaiting_removal": 0,
                "month": "2026-12",
                "seats_removed": 0,
                "realized_savings": "0.00",
                "currency": "USD",
                "unconverted": [],
            },
            "discovery": {
                "month": None,
                "new_applications": [],
                "not_sanctioned_gaining_users": [],
            },
        },
    }


def test_it_takes_its_numbers_from_the_analytics_endpoints(
    seeded, receiver, admin_client
):
    use(seeded.organization, webhook_url=receiver.url, renewal_window_days=90)
    base = f"/api/v1/organizations/{seeded.organization.public_id}"
    last_month = (seeded.today.replace(day=1) - dt.timedelta(days=1)).strftime("%Y-%m")
    renewals = admin_client.get(f"{base}/renewals?within_days=90").json()
    usage = admin_client.get(f"{base}/contract-usage?month={last_month}").json()

    run()

    facts = receiver.requests[0].json()["procure"]
    assert [
        (row["contract_id"], row["suggestion"], row["active_users"], row["reason"])
        for row in facts["renewals"]
    ] == [
        (row["contract_id"], row["suggestion"], row["active_users"], row["reason"])
        for row in renewals["contracts"]
    ]
    assert [row["vendor_name"] for row in facts["renewals"]] == ["Slack", "Figma"]
    wasteful = sorted(
        (row for row in usage["contracts"] if row["estimated_waste"]),
        key=lambda row: -row["estimated_waste"],
    )
    assert [
        (row["contract_id"], float(row["estimated_waste"]))
        for row in facts["largest_waste"]
    ] == [(row["contract_id"], row["estimated_waste"]) for row in wasteful]
    assert float(facts["total_estimated_waste"]) == usage["totals"]["estimated_waste"]


def test_it_emails_the_verified_admins_in_text_and_html(seeded, organization):
    UserFactory(
        organization=organization,
        role=Role.ADMIN,
        email="una@acme.io",
        email_verified_at=None,
    )
    UserFactory(organization=organization, role=Role.ADMIN, email="bob@acme.io")
    period = this_week(seeded.today)

    out, _ = run()

    assert out.splitlines()[-1] == "Sent 1 digest, 0 failed (retried by a later run)."
    assert sorted(message.to[0] for message in mail.outbox) == [
        "ada@acme.io",
        "bob@acme.io",
    ]
    message = mail.outbox[0]
    assert message.subject == (
        f"proCure digest for Acme ({period}): 1 renewal in the next 30 days"
    )
    assert "RENEWING IN THE NEXT 30 DAYS\n- Slack: expires" in message.body
    assert "Advice: downsize. Only 2 of 10 seats of Slack" in message.body
    assert "- Zoom: 4,500.00 (2 of 20 seats used, 18 unused)" in message.body
    assert "1 person passed 30 days without using 1 seat." in message.body
    assert "http://localhost:3000/inactive-users?days=30" in message.body
    assert "The extension is reporting" in message.body
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    assert "<strong>Slack</strong>" in html
    assert "<strong>Downsize</strong>" in html
    assert 'href="http://localhost:3000/inactive-users?days=30"' in html
    delivery = DigestDelivery.objects.get()
    assert (delivery.channel, delivery.period, delivery.status, delivery.attempts) == (
        "email",
        period,
        DeliveryStatus.SENT,
        1,
    )
    assert delivery.last_response == "Emailed 2 admin(s)."


def test_it_never_names_a_person_in_the_webhook(seeded, receiver):
    use(seeded.organization, webhook_url=receiver.url)

    run()

    body = receiver.requests[0].body.decode()
    assert "@acme.io" not in body
    assert receiver.url not in body


def test_it_says_when_the_extension_has_stopped_reporting(organization, admin_user):
    contract = ContractFactory(organization=organization, vendor_name="Notion")
    ActivityFactory(
        user=admin_user,
        contract=contract,
        day=clock.now().date() - dt.timedelta(days=9),
    )

    run()

    last = (clock.now().date() - dt.timedelta(days=9)).isoformat()
    assert (
        "The extension has not reported any use of a contract in the last 7 days "
        f"(last on {last}): check that it is installed and signed in."
    ) in mail.outbox[0].body


def test_it_says_when_the_extension_never_reported(organization, admin_user):
    # Tracked since before last month, so that its waste is known; not priced
    # per seat, so there is none.
    organization_created_on(organization, clock.now().date() - dt.timedelta(days=90))
    ContractFactory(organization=organization, vendor_name="Notion", num_seats=0)

    run()

    body = mail.outbox[0].body
    assert "The extension has not reported any use of a contract yet." in body
    assert "No contract renews in the next 30 days." in body
    assert "No estimated waste." in body


def test_it_says_the_waste_is_unknown_for_a_month_without_data(
    organization, admin_user, receiver
):
    # Created today: proCure has no data for last month, so a contract nobody
    # used then is unknown, not wasted.
    ContractFactory(organization=organization, vendor_name="Zoom", num_seats=20)
    use(organization, webhook_url=receiver.url)
    today = clock.now().astimezone(dt.UTC).date()
    last_month = (today.replace(day=1) - dt.timedelta(days=1)).strftime("%Y-%m")
    note = (
        f"proCure has no data for {last_month}: its data for this organization "
        f"begins on {today.isoformat()}. Utilization and waste are unknown, not "
        "zero."
    )

    out, _ = run()

    assert out.splitlines()[-1] == "Sent 2 digests, 0 failed (retried by a later run)."
    message = mail.outbox[0]
    assert f"ESTIMATED WASTE IN {last_month}: UNKNOWN\n{note}\n" in message.body
    assert "No estimated waste." not in message.body
    assert "total 0.00" not in message.body
    [(html, _)] = message.alternatives
    assert f"Estimated waste in {last_month}: unknown</h2>" in html
    assert note in html
    assert "No estimated waste." not in html
    payload = receiver.requests[0].json()
    waste = f"*Estimated waste in {last_month}: unknown.* {note}"
    assert waste in payload["text"].splitlines()
    assert {"type": "section", "text": {"type": "mrkdwn", "text": waste}} in (
        payload["blocks"]
    )
    facts = payload["procure"]
    assert facts["waste_coverage"] == "none"
    assert facts["waste_coverage_note"] == note
    assert facts["total_estimated_waste"] is None
    assert facts["largest_waste"] == []


def test_it_marks_a_month_covered_in_part(organization, admin_user, receiver):
    today = clock.now().astimezone(dt.UTC).date()
    first = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    since = first + dt.timedelta(days=9)
    organization_created_on(organization, since)
    ContractFactory(
        organization=organization,
        vendor_name="Zoom",
        num_seats=20,
        annual_spend=Decimal("5000.00"),
    )
    use(organization, webhook_url=receiver.url)
    month = first.strftime("%Y-%m")
    note = (
        f"{month} is covered from {since.isoformat()} only, when proCure's data "
        "for this organization begins: people who used a contract only earlier "
        "in the month are not counted."
    )

    run()

    message = mail.outbox[0]
    assert (
        f"LARGEST ESTIMATED WASTE IN {month} (partial month, total 5,000.00)\n"
        f"{note}\n- Zoom: 5,000.00 (0 of 20 seats used, 20 unused)"
    ) in message.body
    [(html, _)] = message.alternatives
    assert f"Largest estimated waste in {month} (partial month)</h2>" in html
    assert escape(note) in html
    payload = receiver.requests[0].json()
    assert (
        f"*Largest estimated waste in {month}* (partial month, total 5,000.00)\n"
        f"_{note}_\n• *Zoom*: 5,000.00 (0 of 20 seats used)"
    ) in payload["text"]
    facts = payload["procure"]
    assert (facts["waste_coverage"], facts["waste_coverage_note"]) == (
        "partial",
        note,
    )
    assert facts["total_estimated_waste"] == "5000.00"


def test_it_suggests_waiting_on_a_renewal_without_30_days_of_data(
    organization, admin_user, receiver
):
    # Tracked for 10 days, nobody used Slack yet: too little data to cancel.
    today = clock.now().astimezone(dt.UTC).date()
    organization_created_on(organization, today - dt.timedelta(days=10))
    slack = ContractFactory(
        organization=organization,
        vendor_name="Slack",
        num_seats=10,
        annual_spend=Decimal("1200.00"),
        expire_at=clock.now() + dt.timedelta(days=20),
    )
    use(organization, webhook_url=receiver.url)
    expires_on = slack.expire_at.astimezone(dt.UTC).date().isoformat()
    since = today - dt.timedelta(days=10)
    reason = (
        f"proCure has data on Slack only since {since.isoformat()}, less than "
        "the 30 days advice needs: too little to suggest cutting it. Check again "
        f"after {(since + dt.timedelta(days=30)).isoformat()}, before it expires "
        f"on {expires_on}."
    )

    run()

    message = mail.outbox[0]
    assert f"  Advice: wait. {reason}\n" in message.body
    [(html, _)] = message.alternatives
    assert "<strong>Wait</strong>" in html
    payload = receiver.requests[0].json()
    assert f"(20 days): *wait*. {reason}" in payload["text"]
    [renewal] = payload["procure"]["renewals"]
    assert (
        renewal["suggestion"],
        renewal["suggested_seats"],
        renewal["estimated_savings"],
        renewal["reason"],
    ) == ("wait", None, "0.00", reason)


def test_it_says_when_tracking_is_paused(seeded, organization):
    organization.tracking_paused = True
    organization.save()

    run()

    assert "Tracking is paused" in mail.outbox[0].body


def test_it_sends_nothing_when_digests_are_off(seeded, receiver):
    use(seeded.organization, email_digest="off", webhook_url=receiver.url)

    out, _ = run()

    assert out.splitlines()[-1] == "Sent 0 digests, 0 failed (retried by a later run)."
    assert mail.outbox == []
    assert receiver.requests == []
    assert not DigestDelivery.objects.exists()


def test_it_sends_a_weekly_digest_once_a_week(seeded, receiver, time_machine):
    use(seeded.organization, webhook_url=receiver.url)

    first = send_due_at(time_machine, MONDAY)
    later_that_week = send_due_at(time_machine, MONDAY + dt.timedelta(days=4))
    next_week = send_due_at(time_machine, MONDAY + dt.timedelta(days=7))

    assert first.sent == ["acme.io 2026-W45 email", "acme.io 2026-W45 webhook"]
    assert later_that_week.sent == []
    assert next_week.sent == ["acme.io 2026-W46 email", "acme.io 2026-W46 webhook"]
    assert len(mail.outbox) == 2
    assert len(receiver.requests) == 2


def test_it_sends_a_monthly_digest_once_a_month(seeded, receiver, time_machine):
    use(seeded.organization, email_digest="monthly", webhook_url=receiver.url)

    first = send_due_at(time_machine, MONDAY)
    same_month = send_due_at(time_machine, MONDAY + dt.timedelta(days=20))
    next_month = send_due_at(time_machine, MONDAY + dt.timedelta(days=30))

    assert first.sent == ["acme.io 2026-11 email", "acme.io 2026-11 webhook"]
    assert same_month.sent == []
    assert next_month.sent == ["acme.io 2026-12 email", "acme.io 2026-12 webhook"]
    assert receiver.requests[0].json()["procure"]["frequency"] == "monthly"


def test_it_sends_nothing_the_second_time(seeded, receiver):
    use(seeded.organization, webhook_url=receiver.url)
    run()

    out, _ = run()

    assert out.strip() == "Sent 0 digests, 0 failed (retried by a later run)."
    assert len(mail.outbox) == 1
    assert len(receiver.requests) == 1
    assert DigestDelivery.objects.count() == 2


def test_it_retries_a_failed_delivery_with_backoff(seeded, receiver, time_machine):
    use(seeded.organization, email_digest="weekly", webhook_url=receiver.url)
    receiver.answer_next(
        Answer(status=500, body="server_error"), Answer(status=500, body="again")
    )

    failed = send_due_at(time_machine, MONDAY)

    assert failed.failed == [
        "acme.io 2026-W45 webhook: The webhook answered HTTP 500: server_error"
    ]
    delivery = DigestDelivery.objects.get(channel="webhook")
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.FAILED, 1)
    assert delivery.last_error == "The webhook answered HTTP 500: server_error"
    assert delivery.next_attempt_at == MONDAY + dt.timedelta(hours=1)

    too_soon = send_due_at(time_machine, MONDAY + dt.timedelta(minutes=59))
    assert (too_soon.sent, too_soon.failed) == ([], [])
    assert len(receiver.requests) == 1

    send_due_at(time_machine, MONDAY + dt.timedelta(hours=1))
    delivery.refresh_from_db()
    assert (delivery.attempts, delivery.last_error) == (
        2,
        "The webhook answered HTTP 500: again",
    )
    assert delivery.next_attempt_at == MONDAY + dt.timedelta(hours=3)

    retried = send_due_at(time_machine, MONDAY + dt.timedelta(hours=3))

    assert retried.sent == ["acme.io 2026-W45 webhook"]
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_error) == (
        DeliveryStatus.SENT,
        3,
        "",
    )
    assert delivery.sent_at == MONDAY + dt.timedelta(hours=3)
    assert delivery.last_response == "HTTP 200: ok"
    assert len(receiver.requests) == 3
    # The email went out on the first run and was never sent again.
    assert len(mail.outbox) == 1


def test_it_reports_a_failure_on_stderr(seeded, settings):
    use(seeded.organization, webhook_url="https://10.0.0.1/hook")

    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError) as failure:
        call_command("send_digests", stdout=out, stderr=err)

    period = this_week(seeded.today)
    assert err.getvalue().strip() == (
        f"failed: acme.io {period} webhook: The webhook URL points to a private "
        "network address, which is not allowed."
    )
    assert out.getvalue().splitlines()[-1] == (
        "Sent 1 digest, 1 failed (retried by a later run)."
    )
    # Non-zero, so that cron or a systemd timer reports the failure.
    assert failure.value.returncode == 1
    assert str(failure.value) == (
        "1 delivery failed; a later run retries once the backoff has passed."
    )


def test_it_takes_over_a_delivery_left_sending_by_a_dead_run(seeded, time_machine):
    send_due_at(time_machine, MONDAY)
    DigestDelivery.objects.update(
        status=DeliveryStatus.SENDING, claimed_at=MONDAY, sent_at=None
    )

    meanwhile = send_due_at(time_machine, MONDAY + dt.timedelta(minutes=10))
    later = send_due_at(time_machine, MONDAY + dt.timedelta(minutes=31))

    assert meanwhile.sent == []
    assert later.sent == ["acme.io 2026-W45 email"]


def test_it_lists_what_is_due_on_a_dry_run(seeded, receiver):
    use(seeded.organization, webhook_url=receiver.url)
    other = OrganizationFactory(domain_name="globex.com", company_name="Globex")
    UserFactory(organization=other, role=Role.ADMIN)
    period = this_week(seeded.today)

    out, _ = run("--dry-run")

    assert out.splitlines() == [
        f"  due: acme.io {period} email",
        f"  due: acme.io {period} webhook",
        f"  due: globex.com {period} email",
        "Would send 3 digests.",
    ]
    assert mail.outbox == []
    assert receiver.requests == []
    assert not DigestDelivery.objects.exists()


def test_it_sends_to_one_organization_with_org(seeded):
    other = OrganizationFactory(domain_name="globex.com", company_name="Globex")
    UserFactory(organization=other, role=Role.ADMIN, email="gil@globex.com")

    out, _ = run("--org", "GLOBEX.com")

    assert [message.to for message in mail.outbox] == [["gil@globex.com"]]
    assert "acme.io" not in out


def test_it_refuses_an_unknown_organization(db):
    with pytest.raises(
        CommandError, match=r"^No organization has the domain nope\.io\.$"
    ):
        run("--org", "nope.io")


def test_it_skips_email_when_no_admin_is_verified(organization):
    UserFactory(organization=organization, role=Role.ADMIN, email_verified_at=None)

    out, _ = run()

    assert out.strip() == "Sent 0 digests, 0 failed (retried by a later run)."
    assert mail.outbox == []


class UnreachableMailServer(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise smtplib.SMTPConnectError(421, b"try again later")


def test_it_retries_an_email_the_mail_server_refused(seeded, settings, time_machine):
    settings.EMAIL_BACKEND = f"{__name__}.UnreachableMailServer"

    failed = send_due_at(time_machine, MONDAY)

    assert failed.failed == [
        "acme.io 2026-W45 email: The mail server refused or could not be reached "
        "(SMTPConnectError)."
    ]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    retried = send_due_at(time_machine, MONDAY + dt.timedelta(hours=1))

    assert retried.sent == ["acme.io 2026-W45 email"]
    assert len(mail.outbox) == 1
    assert DigestDelivery.objects.get().attempts == 2


def test_it_goes_on_with_other_organizations_after_an_unexpected_error(
    organization, admin_user, monkeypatch, time_machine
):
    other = OrganizationFactory(domain_name="globex.com", company_name="Globex")
    UserFactory(organization=other, role=Role.ADMIN, email="gil@globex.com")
    build = selectors.digest_build

    def broken_for_acme(*, organization, **kwargs):
        if organization.domain_name == "acme.io":
            raise RuntimeError("a bug")
        return build(organization=organization, **kwargs)

    monkeypatch.setattr(selectors, "digest_build", broken_for_acme)

    result = send_due_at(time_machine, MONDAY)

    assert result.failed == ["acme.io 2026-W45 email: Unexpected error (RuntimeError)."]
    assert result.sent == ["globex.com 2026-W45 email"]
    failed = DigestDelivery.objects.get(organization=organization)
    assert (failed.status, failed.next_attempt_at) == (
        DeliveryStatus.FAILED,
        MONDAY + dt.timedelta(hours=1),
    )


def test_it_keeps_a_long_digest_within_slacks_limits(
    organization, admin_user, receiver
):
    use(organization, webhook_url=receiver.url)
    for number in range(14):
        ContractFactory(
            organization=organization,
            vendor_name=f"Vendor {number:02d} " + "x" * 150,
            expire_at=clock.now() + dt.timedelta(days=5 + number),
        )

    run()

    body = receiver.requests[0].json()
    renewals = body["blocks"][1]["text"]["text"]
    assert len(renewals) == 3000
    assert renewals.endswith("…")
    assert body["text"].count("* expires ") == 10
    assert "…and 4 more, soonest first: see the renewals in proCure." in body["text"]
    assert len(body["procure"]["renewals"]) == 14


@pytest.mark.time_machine(MONDAY)
def test_it_sends_other_organizations_digests_when_a_webhook_is_slow(
    organization, admin_user, trickling_receiver, another_receiver, settings
):
    settings.WEBHOOK_TIMEOUT_SECONDS = 1
    # acme.io comes first in a run, and its receiver trickles its answer.
    use(organization, webhook_url=trickling_receiver.url)
    other = OrganizationFactory(domain_name="globex.com", company_name="Globex")
    use(other, webhook_url=another_receiver.url)

    started = time.monotonic()
    out, err = run_with_failures()
    elapsed = time.monotonic() - started

    sentence = "The webhook at 127.0.0.1 did not answer within 1 second."
    assert err.strip() == f"failed: acme.io 2026-W45 webhook: {sentence}"
    assert "sent: globex.com 2026-W45 webhook" in out
    assert len(another_receiver.requests) == 1
    assert elapsed < 1 + 2
    slow = DigestDelivery.objects.get(organization=organization, channel="webhook")
    assert (slow.status, slow.attempts, slow.last_error) == (
        DeliveryStatus.FAILED,
        1,
        sentence,
    )
    assert slow.last_attempt_at is not None
    assert slow.next_attempt_at == slow.last_attempt_at + dt.timedelta(hours=1)
