"""Writes of the alerts app: the notification settings, and sending each
organization's renewal and waste digest at most once per period and channel.

Digests are sent from the `send_digests` command, never in a web request.
`digest_deliver` sends one claimed delivery and is the function a task queue
would run; the only delivery made in a request is the admin's explicit test
message (`webhook_test_send`).
"""

import logging
import smtplib
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings
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
from alerts.webhooks import (
    WebhookAnswer,
    WebhookFailed,
    WebhookRefused,
    webhook_post,
    webhook_url_masked,
    webhook_url_problem,
)
from procure_site import clock
from procure_site.error_codes import ErrorCode
from procure_site.exceptions import DomainError, InvalidFields

logger = logging.getLogger(__name__)

# A run that claimed a delivery and died (killed, machine lost) leaves it
# "sending"; after this long another run may take it over. Far longer than a
# delivery can take with the webhook and mail timeouts.
CLAIM_EXPIRY = timedelta(minutes=30)


class WebhookUnreachable(DomainError):
    """The receiver gave no answer: the test endpoint answers 502."""

    status_code = 502
    code = ErrorCode.WEBHOOK_UNREACHABLE


class DeliveryFailed(Exception):
    """One delivery did not go through; its text goes into `last_error`."""


def webhook_url_chosen(*, sent: str, stored: str, allow_private: bool) -> str:
    """The webhook URL to store when `sent` replaces `stored`.

    A webhook URL must be https:// (http:// too where private networks are
    allowed) and must not name a non-public address; names are checked again
    after DNS resolution whenever something is sent. The masked URL that
    staff are shown, sent back as it is, keeps the stored URL. Raises
    InvalidFields naming webhook_url otherwise.
    """
    sent = sent.strip()
    if stored and sent == webhook_url_masked(stored):
        return stored
    if sent:
        problem = webhook_url_problem(sent, allow_private=allow_private)
        if problem is not None:
            raise InvalidFields({"webhook_url": [problem]})
    return sent


def webhook_host(url: str) -> str | None:
    return urlsplit(url).hostname if url else None


def _webhook_call(*, url: str, payload: dict[str, object]) -> WebhookAnswer:
    return webhook_post(
        url,
        payload=payload,
        allow_private=settings.WEBHOOK_ALLOW_PRIVATE_NETWORKS,
        timeout=settings.WEBHOOK_TIMEOUT_SECONDS,
    )


def webhook_test_send(*, organization: Organization) -> WebhookAnswer:
    """Posts a test message to the organization's webhook and returns what the
    receiver answered, whatever its status. A URL that may not be called is
    a 400 and a receiver that cannot be reached a 502."""
    notification_settings = selectors.notification_settings_get(
        organization=organization
    )
    if not notification_settings.webhook_url:
        raise DomainError(
            "This organization has no webhook URL: set webhook_url in its "
            "notification settings first."
        )
    try:
        return _webhook_call(
            url=notification_settings.webhook_url,
            payload=rendering.webhook_test_payload(
                company_name=organization.company_name
            ),
        )
    except WebhookRefused as exc:
        raise DomainError(str(exc)) from None
    except WebhookFailed as exc:
        raise WebhookUnreachable(str(exc)) from None


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
        answer = _webhook_call(
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
