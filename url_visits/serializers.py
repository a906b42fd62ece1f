from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from url_visits.browsers import BROWSER_NAMES, DEFAULT_BROWSER
from url_visits.models import Activity


class VisitEntrySerializer(serializers.Serializer):
    """One visit as the extension sends it.

    Documents the shape of an entry only: an entry whose values are unusable
    is skipped and counted by the service rather than refusing the batch.
    """

    url = serializers.CharField(help_text="The visited URL; only its host is used.")
    timestamp = serializers.IntegerField(help_text="Milliseconds since the epoch.")
    browser = serializers.CharField(
        required=False,
        default=DEFAULT_BROWSER,
        help_text="Optional; recorded with the day's activity as one of "
        + ", ".join(BROWSER_NAMES)
        + " (any case), else as Other; Chrome when left out.",
    )


@extend_schema_field(VisitEntrySerializer(many=True))
class VisitEntriesField(serializers.ListField):
    """A list of objects; what each object holds is the service's business."""

    default_error_messages = {
        "required": "Send the visits as a list under entries.",
        "null": "Send the visits as a list under entries.",
        "not_a_list": "entries must be a list of visits.",
    }

    def to_internal_value(self, data) -> list[dict]:
        entries = super().to_internal_value(data)
        for position, entry in enumerate(entries, start=1):
            if not isinstance(entry, dict):
                raise serializers.ValidationError(
                    f"Entry {position} of entries is not an object. Send each "
                    "visit as an object with url, timestamp and browser."
                )
        return entries


class UrlVisitsInputSerializer(serializers.Serializer):
    entries = VisitEntriesField(
        help_text="Required: the visits since the last report, each with url "
        "and timestamp. Entries that cannot be used are skipped and counted, "
        "never failing the batch; more than URL_VISITS_MAX_BATCH answers 413."
    )


class VisitsRecordedSerializer(serializers.Serializer):
    processed = serializers.IntegerField(help_text="Entries received.")
    matched = serializers.IntegerField(help_text="Entries that matched a contract.")
    recorded = serializers.IntegerField(help_text="New activity rows.")
    skipped = serializers.IntegerField(
        help_text="Entries skipped for an unusable URL or timestamp."
    )
    message = serializers.CharField()


class OwnActivitySerializer(serializers.ModelSerializer):
    contract_id = serializers.IntegerField(read_only=True)
    vendor_name = serializers.CharField(source="contract.vendor_name", read_only=True)

    class Meta:
        model = Activity
        fields = ["contract_id", "vendor_name", "day", "browser", "first_seen_at"]
        read_only_fields = fields


class MonitoredHostsSerializer(serializers.Serializer):
    organization_id = serializers.CharField(
        help_text="The organization's public id, org_ followed by 32 letters and "
        "digits."
    )
    version = serializers.IntegerField(
        help_text="The organization's contracts version: it grows whenever a "
        "contract is added, changed or removed."
    )
    tracking_paused = serializers.BooleanField(
        help_text="True while an admin has paused tracking: nothing is recorded "
        "and hosts is empty, so the extension need not send anything."
    )
    hosts = serializers.ListField(
        child=serializers.CharField(),
        help_text="Lower-case ASCII (punycode) hosts, sorted. A visited host is "
        "recorded only when it is one of these or a subdomain of one (it ends "
        "with a dot and one of them); the extension may drop every other host "
        "on the device.",
    )


class TrackingSerializer(serializers.Serializer):
    organization_id = serializers.CharField(source="public_id")
    paused = serializers.BooleanField(source="tracking_paused")


class TrackingInputSerializer(serializers.Serializer):
    paused = serializers.BooleanField(
        help_text="True stops recording the organization's visits; false resumes."
    )
