from django.contrib import admin
from django.http import HttpRequest

from alerts.models import DigestDelivery, NotificationSettings, RenewalReminder


@admin.register(DigestDelivery)
class DigestDeliveryAdmin(admin.ModelAdmin):
    """What was sent to whom and when, per organization; read-only: deliveries
    are written by `send_digests` only."""

    list_display = [
        "organization",
        "period",
        "channel",
        "status",
        "attempts",
        "sent_at",
        "next_attempt_at",
        "error",
    ]
    list_filter = ["status", "channel", "organization"]
    list_select_related = ["organization"]
    search_fields = [
        "organization__domain_name",
        "organization__company_name",
        "period",
    ]
    date_hierarchy = "created_at"
    fields = [
        "organization",
        "period",
        "channel",
        "status",
        "attempts",
        "last_error",
        "last_response",
        "created_at",
        "claimed_at",
        "last_attempt_at",
        "next_attempt_at",
        "sent_at",
    ]
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(
        self, request: HttpRequest, obj: DigestDelivery | None = None
    ) -> bool:
        return False

    @admin.display(description="last error")
    def error(self, delivery: DigestDelivery) -> str:
        # The whole text is on the delivery's page; the list stays readable.
        text = delivery.last_error
        return text if len(text) <= 80 else f"{text[:79]}…"


@admin.register(NotificationSettings)
class NotificationSettingsAdmin(admin.ModelAdmin):
    """Each organization's digest settings, read-only: its admins change them
    through the API, which audits the change. The webhook URL is not shown,
    as it is a credential."""

    list_display = ["organization", "email_digest", "renewal_window_days", "updated_at"]
    list_select_related = ["organization"]
    fields = ["organization", "email_digest", "renewal_window_days", "updated_at"]
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(
        self, request: HttpRequest, obj: NotificationSettings | None = None
    ) -> bool:
        return False


@admin.register(RenewalReminder)
class RenewalReminderAdmin(admin.ModelAdmin):
    """Each renewal reminder, once per contract, term, offset and channel;
    read-only: `send_digests` writes them."""

    list_display = [
        "contract",
        "organization",
        "cancel_by",
        "offset_days",
        "channel",
        "status",
        "attempts",
        "sent_at",
    ]
    list_filter = ["status", "channel", "organization"]
    list_select_related = ["organization", "contract"]
    search_fields = ["organization__domain_name", "contract__vendor_name"]
    fields = [
        "organization",
        "contract",
        "renews_on",
        "cancel_by",
        "offset_days",
        "channel",
        "status",
        "attempts",
        "recipients",
        "last_error",
        "created_at",
        "claimed_at",
        "sent_at",
    ]
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(
        self, request: HttpRequest, obj: RenewalReminder | None = None
    ) -> bool:
        return False
