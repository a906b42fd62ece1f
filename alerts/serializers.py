from typing import Any

from rest_framework import serializers

from alerts.models import MAX_REMINDER_OFFSETS, DigestFrequency, NotificationSettings
from alerts.webhooks import webhook_url_masked
from procure_site.fields import ChoiceField

# The longest renewal window: the renewals endpoint looks two years ahead.
MAX_RENEWAL_WINDOW_DAYS = 730
MAX_REMINDER_DAYS = 730


# The settings as a caller sees them: the webhook URL in full only with
# context={"webhook_url_in_full": True}, for the organization's own admins;
# masked otherwise. (A comment: drf-spectacular would publish a docstring.)
class NotificationSettingsSerializer(serializers.ModelSerializer):
    organization_id = serializers.CharField(source="organization.public_id")

    class Meta:
        model = NotificationSettings
        fields = [
            "organization_id",
            "email_digest",
            "renewal_window_days",
            "webhook_url",
            "reminder_offsets",
        ]
        extra_kwargs = {
            "webhook_url": {
                "help_text": "The webhook URL, empty for none. It is a "
                "credential: the organization's own admins see it in full; "
                "anyone else (staff) sees its scheme, host and at most its "
                "last four characters, as in https://hooks.slack.com/…x9Kq. "
                "Sending that masked value back in a PUT keeps the URL."
            }
        }

    def to_representation(self, instance: NotificationSettings) -> dict[str, Any]:
        shown: dict[str, Any] = super().to_representation(instance)
        if not self.context.get("webhook_url_in_full", False):
            shown["webhook_url"] = webhook_url_masked(shown["webhook_url"])
        return shown


class NotificationSettingsInputSerializer(serializers.Serializer):
    email_digest = ChoiceField(
        choices=DigestFrequency.choices,
        help_text="How often the renewal and waste digest is sent, by email to "
        "the verified admins and to the webhook: off, weekly (on Mondays, UTC) "
        "or monthly (on the 1st).",
    )
    renewal_window_days = serializers.IntegerField(
        min_value=1,
        max_value=MAX_RENEWAL_WINDOW_DAYS,
        help_text="The digest lists contracts expiring within this many days.",
    )
    webhook_url = serializers.CharField(
        max_length=500,
        allow_blank=True,
        required=False,
        default="",
        help_text="A Slack-compatible incoming-webhook URL or any https:// "
        "endpoint that accepts a JSON POST; empty for none. The masked URL "
        "that staff are shown keeps the current one.",
    )
    reminder_offsets = serializers.ListField(
        child=serializers.IntegerField(min_value=0, max_value=MAX_REMINDER_DAYS),
        max_length=MAX_REMINDER_OFFSETS,
        required=False,
        help_text="Days before each contract's last day to cancel at which a "
        "renewal reminder goes out, once each per term, to the verified admins, "
        "the contract's owner and the webhook (default 90, 30, 7; [] for none). "
        "Left out, the current ones stay.",
    )


class WebhookTestSerializer(serializers.Serializer):
    delivered = serializers.BooleanField(
        help_text="True when the receiver answered with a 2xx status."
    )
    status_code = serializers.IntegerField(
        help_text="The HTTP status the receiver answered with."
    )
    response = serializers.CharField(
        help_text='The start of the receiver\'s answer (Slack answers "ok"). '
        "A redirect is reported here, never followed."
    )
