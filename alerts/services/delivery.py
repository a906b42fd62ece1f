"""Sending each organization's renewal and waste digest at most once per
period and channel.

Digests are sent from the `send_digests` command, never in a web request.
`digest_deliver` sends one claimed delivery and is the function a task queue
would run.
"""

import logging
import smtplib
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.core.mail import EmailMultiAlternatives, get_connection
from django.db.models import Q

from accounts.models import Organization
from alerts import rendering, selectors
from alerts.models import (
    DeliveryChannel,
    DeliveryStatus,
    DigestDelivery,
    NotificationSettings,
)
from alerts.periods import digest_period
from alerts.services import webhook
from alerts.webhooks import (
    WebhookFailed,
    WebhookRefused,
)
from procure_site import clock

logger = logging.getLogger(__name__)

# A run that claimed a delivery and died (killed, machine lost) leaves it
# "sending"; after this long another run may take it over. Far longer than a
# delivery can take with the webhook and mail timeouts.
CLAIM_EXPIRY = timedelta(minutes=30)


class DeliveryFailed(Exception):
    """One delivery did not go through; its text goes into `last_error`."""


def _email_send(*, digest: selectors.Digest, recipients: list[str]) -> str:
    if not recipients:
        raise DeliveryFailed("The organization has no admin with a verified email.")
    email = rendering.digest_email(digest)
    messages = []
    for recipient in recipients:
        message = EmailMultiAlternatives(email.subject, email.text, None, [recipient])
        message.attach_alternative(email.html, "text/html")
        messages.append(message)
    try:
        get_connection().send_messages(messages)
    except (smtplib.SMTPException, OSError) as exc:
        # The exception's text may quote the server; its type is enough.
        raise DeliveryFailed(
            f"The mail server refused or could not be reached ({type(exc).__name__})."
        ) from None
    return f"Emailed {len(recipients)} admin(s)."


def _webhook_send(*, digest: selectors.Digest, url: str) -> str:
    if not url:
        raise DeliveryFailed("The organization has no webhook URL any more.")
    try:
        answer = webhook.webhook_call(
            url=url, payload=rendering.digest_webhook_payload(digest)
        )
    except (WebhookRefused, WebhookFailed) as exc:
        raise DeliveryFailed(str(exc)) from None
    summary = f"HTTP {answer.status}: {answer.body[:500]}"
    if not answer.ok:
        raise DeliveryFailed(f"The webhook answered {summary}")
    return summary


def _digest_send(*, delivery: DigestDelivery, today: date) -> str:
    """Builds the delivery's digest and sends it on its channel; what the
    receiver said, or DeliveryFailed."""
    organization = delivery.organization
    notification_settings = selectors.notification_settings_get(
        organization=organization
    )
    digest = selectors.digest_build(
        organization=organization,
        notification_settings=notification_settings,
        period=delivery.period,
        today=today,
    )
    if delivery.channel == DeliveryChannel.EMAIL:
        return _email_send(
            digest=digest,
            recipients=selectors.digest_recipients(organization=organization),
        )
    return _webhook_send(digest=digest, url=notification_settings.webhook_url)


def digest_deliver(*, delivery: DigestDelivery) -> DigestDelivery:
    """Sends one claimed delivery and records how it went.

    On failure the delivery stays due: the next run after `next_attempt_at`
    (1, 2, 4... hours later, at most a day) tries again, until its period is
    over. Attempts and the last error show in the Django admin.
    """
    now = clock.now()
    organization = delivery.organization
    delivery.attempts += 1
    delivery.last_attempt_at = now
    try:
        response = _digest_send(delivery=delivery, today=now.date())
    except Exception as exc:
        if not isinstance(exc, DeliveryFailed):
            # A bug or a lost database must not leave the delivery claimed
            # nor stop the run for the other organizations.
            logger.exception("Digest delivery %s could not be sent", delivery.pk)
            exc = DeliveryFailed(f"Unexpected error ({type(exc).__name__}).")
        logger.warning(
            "Digest %s of %s by %s failed: %s",
            delivery.period,
            organization.domain_name,
            delivery.channel,
            exc,
        )
        delivery.status = DeliveryStatus.FAILED
        delivery.last_error = str(exc)
        delivery.next_attempt_at = selectors.digest_retry_at(
            attempts=delivery.attempts, now=now
        )
    else:
        delivery.status = DeliveryStatus.SENT
        delivery.sent_at = now
        delivery.last_error = ""
        delivery.last_response = response
        delivery.next_attempt_at = None
    delivery.save()
    return delivery


def _delivery_claim(
    *, organization: Organization, period: str, channel: str, now: datetime
) -> DigestDelivery | None:
    """The delivery of (organization, period, channel), claimed for this run,
    or None when it was sent, is being sent by another run or waits for its
    retry time.

    The claim is one conditional UPDATE: of two runs that race for the row,
    the database lets exactly one change it.
    """
    delivery, _ = DigestDelivery.objects.get_or_create(
        organization=organization, period=period, channel=channel
    )
    claimable = (
        Q(status=DeliveryStatus.PENDING)
        | Q(status=DeliveryStatus.FAILED, next_attempt_at__lte=now)
        | Q(status=DeliveryStatus.SENDING, claimed_at__lt=now - CLAIM_EXPIRY)
    )
    claimed = DigestDelivery.objects.filter(claimable, pk=delivery.pk).update(
        status=DeliveryStatus.SENDING, claimed_at=now
    )
    if not claimed:
        return None
    delivery.refresh_from_db()
    return delivery


def _delivery_due(
    *, organization: Organization, period: str, channel: str, now: datetime
) -> bool:
    """Whether a run at `now` would send this delivery (for --dry-run)."""
    existing = DigestDelivery.objects.filter(
        organization=organization, period=period, channel=channel
    ).first()
    if existing is None or existing.status == DeliveryStatus.PENDING:
        return True
    if existing.status == DeliveryStatus.FAILED:
        return existing.next_attempt_at is None or existing.next_attempt_at <= now
    if existing.status == DeliveryStatus.SENDING:
        return existing.claimed_at is None or existing.claimed_at < now - CLAIM_EXPIRY
    return False


@dataclass
class DigestRun:
    sent: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    due: list[str] = field(default_factory=list)
    dry_run: bool = False


def _channels(
    *, organization: Organization, notification_settings: NotificationSettings
) -> list[str]:
    channels: list[str] = []
    if selectors.digest_recipients(organization=organization):
        channels.append(DeliveryChannel.EMAIL)
    if notification_settings.webhook_url:
        channels.append(DeliveryChannel.WEBHOOK)
    return channels


def digests_send_due(*, domain: str | None = None, dry_run: bool = False) -> DigestRun:
    """Sends every digest due now, and nothing else.

    Each organization whose digest is not off has one delivery per channel
    (email when it has a verified admin, webhook when it has a URL) and
    period. A delivery already sent, being sent by an overlapping run or
    waiting for its retry is left alone, so running this every hour, or
    twice at once, sends each digest once. With `dry_run`, lists what would
    be sent and writes nothing.
    """
    now = clock.now()
    run = DigestRun(dry_run=dry_run)
    for organization in selectors.organizations_for_digests(domain=domain):
        notification_settings = selectors.notification_settings_get(
            organization=organization
        )
        period = digest_period(frequency=notification_settings.email_digest, now=now)
        if period is None:
            continue
        for channel in _channels(
            organization=organization, notification_settings=notification_settings
        ):
            label = f"{organization.domain_name} {period} {channel}"
            if dry_run:
                if _delivery_due(
                    organization=organization, period=period, channel=channel, now=now
                ):
                    run.due.append(label)
                continue
            delivery = _delivery_claim(
                organization=organization, period=period, channel=channel, now=now
            )
            if delivery is None:
                continue
            run.due.append(label)
            delivery = digest_deliver(delivery=delivery)
            if delivery.status == DeliveryStatus.SENT:
                run.sent.append(label)
            else:
                run.failed.append(f"{label}: {delivery.last_error}")
    return run
