from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from discovery.catalog import CATEGORIES
from discovery.models import ApplicationState
from discovery.selectors import MIN_USERS_FLOOR
from procure_site import clock
from procure_site.fields import ChoiceField

MIN_USERS_CEILING = 10_000


class DiscoverySerializer(serializers.Serializer[Any]):
    organization_id = serializers.CharField(source="public_id")
    enabled = serializers.BooleanField(
        source="discovery_enabled",
        help_text="Whether visits to catalog applications without a contract "
        "are counted. Off until an admin turns it on.",
    )
    min_users = serializers.IntegerField(
        source="discovery_min_users",
        help_text="The fewest distinct users an application needs in a month "
        "to be reported.",
    )


class DiscoveryInputSerializer(serializers.Serializer[Any]):
    enabled = serializers.BooleanField(
        help_text="True counts this month's users of catalog applications "
        "that match no contract; false stops it and deletes the open month's "
        "list of who used what."
    )
    min_users = serializers.IntegerField(
        default=3,
        min_value=MIN_USERS_FLOOR,
        max_value=MIN_USERS_CEILING,
        error_messages={
            key: f"min_users must be a whole number between {MIN_USERS_FLOOR} "
            f"and {MIN_USERS_CEILING}, so that nobody is singled out."
            for key in ("invalid", "min_value", "max_value", "max_string_length")
        },
        help_text=f"Report an application only when at least this many people "
        f"used it in the month ({MIN_USERS_FLOOR} or more; default 3).",
    )


class DiscoveredAppsQuerySerializer(serializers.Serializer[Any]):
    month = serializers.CharField(
        required=False,
        help_text="The UTC month, YYYY-MM, once it has ended. Default: the last "
        "month that has ended.",
    )

    def validate_month(self, value: str) -> object:
        try:
            return clock.parse_month(value)
        except ValueError as exc:
            raise serializers.ValidationError(str(exc)) from None


class ContractTemplateSerializer(serializers.Serializer[Any]):
    vendor_name = serializers.CharField()
    product_url = serializers.CharField()
    extra_hosts = serializers.ListField(child=serializers.CharField())


@extend_schema_field(
    {"type": "string", "pattern": r"^\d{4}-\d{2}$", "example": "2026-11"}
)
class MonthField(serializers.DateField):
    """A month as YYYY-MM (the first day of a month inside)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m", **kwargs)


class DecisionSerializer(serializers.Serializer[Any]):
    state = serializers.ChoiceField(
        choices=ApplicationState.choices,
        help_text="new → in_review → sanctioned | not_sanctioned → retired, set "
        "by the admins.",
    )
    note = serializers.CharField()
    owner_id = serializers.CharField(allow_null=True)
    owner_email = serializers.EmailField(allow_null=True)
    decided_by = serializers.EmailField(
        allow_null=True, help_text="Who last changed the state, note or owner."
    )
    decided_at = serializers.DateTimeField(allow_null=True)


class DiscoveredApplicationSerializer(serializers.Serializer[Any]):
    application_id = serializers.IntegerField()
    name = serializers.CharField()
    vendor = serializers.CharField()
    category = serializers.ChoiceField(choices=list(CATEGORIES))
    domains = serializers.ListField(child=serializers.CharField())
    active_users = serializers.IntegerField(
        help_text="Distinct people of the organization who used it in the month."
    )
    first_seen_month = MonthField(
        help_text="The first month (YYYY-MM) it reached the threshold.",
    )
    has_contract = serializers.BooleanField(
        help_text="A contract of the organization now claims one of its domains."
    )
    contract = ContractTemplateSerializer(
        help_text="The fields of POST /api/v1/contracts that make it a contract: "
        "send them with the spend and seats."
    )
    decision = DecisionSerializer()


class DiscoveryReportSerializer(serializers.Serializer[Any]):
    organization_id = serializers.CharField(source="organization.public_id")
    month = MonthField()
    enabled = serializers.BooleanField(source="organization.discovery_enabled")
    min_users = serializers.IntegerField()
    applications = DiscoveredApplicationSerializer(many=True)


class DecisionInputSerializer(serializers.Serializer[Any]):
    state = ChoiceField(choices=ApplicationState.choices, required=False)
    note = serializers.CharField(
        max_length=2000, allow_blank=True, required=False, trim_whitespace=True
    )
    owner_id = serializers.UUIDField(
        allow_null=True,
        required=False,
        error_messages={"invalid": "owner_id must be a user's id (a UUID) or null."},
        help_text="A user of the organization who owns the decision; null for none.",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not attrs:
            raise serializers.ValidationError(
                "Send state, note or owner_id: there is nothing to change."
            )
        return attrs


class DecidedApplicationSerializer(serializers.Serializer[Any]):
    """An application with the admins' decision; never a count of users."""

    application_id = serializers.IntegerField()
    name = serializers.CharField()
    vendor = serializers.CharField()
    category = serializers.ChoiceField(choices=list(CATEGORIES))
    domains = serializers.ListField(child=serializers.CharField())
    decision = DecisionSerializer()
    contract = ContractTemplateSerializer(
        allow_null=True,
        help_text="Once sanctioned: the fields of POST /api/v1/contracts that "
        "make it a contract. Null in other states.",
    )
