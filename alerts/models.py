from django.db import models

from accounts.models import Organization

DEFAULT_RENEWAL_WINDOW_DAYS = 30
# Renewal reminders go out this many days before a contract's last day to
# cancel (its renewal when it has no notice period), once each per term.
DEFAULT_REMINDER_OFFSETS = [90, 30, 7]
MAX_REMINDER_OFFSETS = 5


def default_reminder_offsets() -> list[int]:
    return list(DEFAULT_REMINDER_OFFSETS)


class DigestFrequency(models.TextChoices):
    OFF = "off", "Off"
    WEEKLY = "weekly", "Weekly"
    MONTHLY = "monthly", "Monthly"


class NotificationSettings(models.Model):
    """How an organization wants its renewal and waste digest. An organization
    without a row has the defaults: weekly, a 30-day window, no webhook."""

    organization = models.OneToOneField(
        Organization, on_delete=models.CASCADE, related_name="notification_settings"
    )
    email_digest = models.CharField(
        max_length=10, choices=DigestFrequency.choices, default=DigestFrequency.WEEKLY
    )
    renewal_window_days = models.PositiveIntegerField(
        default=DEFAULT_RENEWAL_WINDOW_DAYS
    )
    # Slack's incoming-webhook URLs are credentials: they are never written
    # into a digest, the audit trail or a log line.
    webhook_url = models.CharField(max_length=500, blank=True, default="")
    # Days before a contract's last day to cancel at which a renewal reminder
    # goes out; empty for none.
    reminder_offsets = models.JSONField(default=default_reminder_offsets, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "notification settings"

    def __str__(self) -> str:
        return f"Notifications of {self.organization}"


class DeliveryChannel(models.TextChoices):
    EMAIL = "email", "Email"
    WEBHOOK = "webhook", "Webhook"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"


class DigestDelivery(models.Model):
    """One digest of one organization for one period on one channel.

    The unique constraint is what makes a digest go out at most once per
    (organization, period, channel): a run claims the row before sending, and
    a second run finds it claimed or sent.
    """

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="digest_deliveries"
    )
    # "2026-W48" for a weekly digest, "2026-11" for a monthly one.
    period = models.CharField(max_length=10)
    channel = models.CharField(max_length=10, choices=DeliveryChannel.choices)
    status = models.CharField(
        max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True, default="")
    # What the webhook answered, or to whom the email went.
    last_response = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "digest deliveries"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "period", "channel"],
                name="digest_delivery_once_per_period",
            )
        ]

    def __str__(self) -> str:
        return (
            f"{self.period} {self.channel} digest of {self.organization}: {self.status}"
        )


class RenewalReminder(models.Model):
    """One reminder of one contract's renewal, at one offset, on one channel.

    The unique constraint makes each go out at most once per term: the
    renewal day is part of it, so a contract that auto-renews is reminded
    again before its next renewal. A run claims the row before sending; a
    failed one is retried by later runs until the last day to cancel.
    """

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="renewal_reminders"
    )
    contract = models.ForeignKey(
        "contracts.Contract", on_delete=models.CASCADE, related_name="reminders"
    )
    renews_on = models.DateField()
    cancel_by = models.DateField()
    offset_days = models.PositiveIntegerField()
    channel = models.CharField(max_length=10, choices=DeliveryChannel.choices)
    status = models.CharField(
        max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    recipients = models.TextField(blank=True, default="")
    last_error = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "renews_on", "offset_days", "channel"],
                name="renewal_reminder_once_per_term",
            )
        ]

    def __str__(self) -> str:
        return (
            f"{self.offset_days}-day {self.channel} reminder of {self.contract_id} "
            f"renewing {self.renews_on}: {self.status}"
        )
