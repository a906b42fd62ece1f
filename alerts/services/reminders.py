"""Renewal reminders: before a contract's last day to cancel, at the offsets
its organization chooses (90, 30 and 7 days by default), once each per
term, by email to the organization's verified admins and the contract's
owner, and to its webhook.

A run on any day sends, for each contract, the reminder of the latest offset
reached (the nearest to the last day to cancel) if it has not gone out for
this term: a contract added 20 days before its last day to cancel gets the
30-day reminder, not the 90-day one as well. Past the last day to cancel
nothing is sent. `send_digests` runs this after the digests.
"""

import logging
import smtplib
from dataclasses import dataclass, field
from datetime import date, datetime

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.db.models import Q

from accounts.models import Organization, User
from alerts import selectors
from alerts.models import (
    DeliveryChannel,
    DeliveryStatus,
    NotificationSettings,
    RenewalReminder,
)
from alerts.services import webhook
from alerts.services.delivery import CLAIM_EXPIRY, DeliveryFailed
from alerts.webhooks import WebhookFailed, WebhookRefused
from contracts import terms
from contracts.models import Contract
from procure_site import clock

logger = logging.getLogger(__name__)
# A reminder that failed is tried again by later runs, this many times.
MAX_ATTEMPTS = 5


@dataclass(frozen=True)
class ReminderDue:
    contract: Contract
    renews_on: date
    cancel_by: date
    offset_days: int

    @property
    def label(self) -> str:
        return (
            f"{self.contract.organization.domain_name} {self.contract.vendor_name} "
            f"{self.offset_days}-day reminder (cancel by {self.cancel_by})"
        )


def reminder_due(
    *, contract: Contract, offsets: list[int], today: date
) -> ReminderDue | None:
    """The reminder `contract` is due for today, or None.

    It is the one of the latest offset reached, as long as the last day to
    cancel has not passed and the contract is in force.
    """
    if not offsets or not terms.in_force(
        status=contract.contract_status,
        expire_at=contract.expire_at,
        auto_renew=contract.auto_renew,
        on=today,
    ):
        return None
    renewal = terms.renews_on(
        expire_at=contract.expire_at, auto_renew=contract.auto_renew, today=today
    )
    last_day = terms.cancel_by(
        renewal=renewal, notice_period_days=contract.notice_period_days
    )
    if renewal is None or last_day is None or today > last_day:
        return None
    days_left = (last_day - today).days
    reached = [offset for offset in offsets if days_left <= offset]
    if not reached:
        return None
    return ReminderDue(
        contract=contract,
        renews_on=renewal,
        cancel_by=last_day,
        offset_days=min(reached),
    )


def reminder_recipients(*, contract: Contract, admins: list[str]) -> list[str]:
    """The organization's verified `admins` and the contract's owner, when
    the owner is an active member with a verified address."""
    recipients = list(admins)
    owner: User | None = contract.owner
    if (
        owner is not None
        and owner.is_active
        and owner.email_verified
        and owner.organization_id == contract.organization_id
        and owner.email not in recipients
    ):
        recipients.append(owner.email)
    return recipients


def reminder_text(due: ReminderDue, *, today: date) -> tuple[str, str]:
    """The subject and text of a reminder."""
    contract = due.contract
    days_left = (due.cancel_by - today).days
    when = "today" if days_left == 0 else f"in {days_left} days"
    renews = "renews itself" if contract.auto_renew else "expires"
    subject = (
        f"{contract.vendor_name}: the last day to cancel is {due.cancel_by} ({when})"
    )
    lines = [
        f"{contract.vendor_name} ({contract.organization.company_name}) {renews} "
        f"on {due.renews_on}.",
        f"The last day to cancel or change it is {due.cancel_by}, {when}"
        + (
            f" ({contract.notice_period_days} days' notice)."
            if contract.notice_period_days
            else "."
        ),
        f"It costs {contract.annual_spend:,.2f} a year for {contract.num_seats} seats.",
        "",
        "See its use and proCure's advice: "
        f"{settings.WEB_APP_URL}/renewals?days={max(days_left, 1)}",
    ]
    return subject, "\n".join(lines)


def _send(
    *,
    reminder: RenewalReminder,
    due: ReminderDue,
    today: date,
    admins: list[str],
    url: str,
) -> str:
    subject, text = reminder_text(due, today=today)
    if reminder.channel == DeliveryChannel.EMAIL:
        recipients = reminder_recipients(contract=due.contract, admins=admins)
        if not recipients:
            raise DeliveryFailed("Nobody to send it to: no verified admin or owner.")
        messages = [EmailMessage(subject, text, None, [to]) for to in recipients]
        try:
            get_connection().send_messages(messages)
        except (smtplib.SMTPException, OSError) as exc:
            raise DeliveryFailed(
                "The mail server refused or could not be reached "
                f"({type(exc).__name__})."
            ) from None
        return ", ".join(recipients)
    if not url:
        raise DeliveryFailed("The organization has no webhook URL any more.")
    payload: dict[str, object] = {
        "text": f"{subject}\n{text}",
        "procure": {
            "reminder": {
                "contract_id": due.contract.pk,
                "vendor_name": due.contract.vendor_name,
                "renews_on": due.renews_on.isoformat(),
                "cancel_by": due.cancel_by.isoformat(),
                "offset_days": due.offset_days,
            }
        },
    }
    try:
        answer = webhook.webhook_call(url=url, payload=payload)
    except (WebhookRefused, WebhookFailed) as exc:
        raise DeliveryFailed(str(exc)) from None
    if not answer.ok:
        raise DeliveryFailed(f"The webhook answered HTTP {answer.status}.")
    return "webhook"


def _claim(*, due: ReminderDue, channel: str, now: datetime) -> RenewalReminder | None:
    """The reminder row, claimed for this run, or None when it was sent, is
    being sent by another run, or failed too often. One conditional UPDATE
    decides between two runs that race for it."""
    try:
        with transaction.atomic():
            reminder, _ = RenewalReminder.objects.get_or_create(
                contract=due.contract,
                renews_on=due.renews_on,
                offset_days=due.offset_days,
                channel=channel,
                defaults={
                    "organization_id": due.contract.organization_id,
                    "cancel_by": due.cancel_by,
                },
            )
    except IntegrityError:
        # Another run created it between our read and our insert.
        return None
    claimable = (
        Q(status=DeliveryStatus.PENDING)
        | Q(status=DeliveryStatus.FAILED, attempts__lt=MAX_ATTEMPTS)
        | Q(status=DeliveryStatus.SENDING, claimed_at__lt=now - CLAIM_EXPIRY)
    )
    claimed = RenewalReminder.objects.filter(claimable, pk=reminder.pk).update(
        status=DeliveryStatus.SENDING, claimed_at=now
    )
    if not claimed:
        return None
    reminder.refresh_from_db()
    return reminder


@dataclass
class ReminderRun:
    sent: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    due: list[str] = field(default_factory=list)


def _channels(*, notification_settings: NotificationSettings) -> list[str]:
    channels = [DeliveryChannel.EMAIL.value]
    if notification_settings.webhook_url:
        channels.append(DeliveryChannel.WEBHOOK.value)
    return channels


def reminders_send_due(
    *, domain: str | None = None, dry_run: bool = False
) -> ReminderRun:
    """Sends every renewal reminder due today, once per contract, term,
    offset and channel, whatever the number of runs. With `dry_run`, lists
    them and writes nothing."""
    now = clock.now()
    today = clock.today()
    run = ReminderRun()
    organizations = Organization.objects.order_by("domain_name")
    if domain is not None:
        organizations = organizations.filter(domain_name=domain)
    for organization in organizations:
        notification_settings = selectors.notification_settings_get(
            organization=organization
        )
        offsets = [int(offset) for offset in notification_settings.reminder_offsets]
        admins = selectors.digest_recipients(organization=organization)
        contracts = (
            Contract.objects.for_organization(organization)
            .filter(contract_status__in=terms.IN_FORCE, expire_at__isnull=False)
            .select_related("organization", "owner")
            .order_by("vendor_name", "id")
        )
        for contract in contracts:
            due = reminder_due(contract=contract, offsets=offsets, today=today)
            if due is None:
                continue
            for channel in _channels(notification_settings=notification_settings):
                label = f"{due.label} by {channel}"
                if dry_run:
                    if not RenewalReminder.objects.filter(
                        contract=contract,
                        renews_on=due.renews_on,
                        offset_days=due.offset_days,
                        channel=channel,
                        status=DeliveryStatus.SENT,
                    ).exists():
                        run.due.append(label)
                    continue
                reminder = _claim(due=due, channel=channel, now=now)
                if reminder is None:
                    continue
                run.due.append(label)
                reminder.attempts += 1
                try:
                    reminder.recipients = _send(
                        reminder=reminder,
                        due=due,
                        today=today,
                        admins=admins,
                        url=notification_settings.webhook_url,
                    )
                except Exception as exc:
                    if not isinstance(exc, DeliveryFailed):
                        logger.exception("Reminder %s could not be sent", reminder.pk)
                        exc = DeliveryFailed(
                            f"Unexpected error ({type(exc).__name__})."
                        )
                    reminder.status = DeliveryStatus.FAILED
                    reminder.last_error = str(exc)
                    run.failed.append(f"{label}: {exc}")
                else:
                    reminder.status = DeliveryStatus.SENT
                    reminder.sent_at = now
                    reminder.last_error = ""
                    run.sent.append(label)
                reminder.save()
    return run
