from rest_framework import serializers

from alerts.models import DigestFrequency, NotificationSettings

# The longest renewal window: the renewals endpoint looks two years ahead.
MAX_RENEWAL_WINDOW_DAYS = 730


class NotificationSettingsSerializer(serializers.ModelSerializer):
    organization_id = serializers.CharField(source="organization.public_id")

    class Meta:
        model = NotificationSettings
        fields = [
            "organization_id",
            "email_digest",
            "renewal_window_days",
            "webhook_url",
        ]


class NotificationSettingsInputSerializer(serializers.Serializer):
    email_digest = serializers.ChoiceField(
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
        "endpoint that accepts a JSON POST; empty for none.",
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
