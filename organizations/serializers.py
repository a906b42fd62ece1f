from typing import Any

from rest_framework import serializers

from accounts.models import Organization, Role, User
from contracts.models import ExchangeRate
from contracts.serializers import CurrencyField
from procure_site.fields import ChoiceField


class OrganizationNameSerializer(serializers.Serializer[Organization]):
    organization_id = serializers.CharField(source="public_id")
    domain_name = serializers.CharField()
    company_name = serializers.CharField()


class OrganizationUserSerializer(serializers.ModelSerializer[User]):
    """A user as the organization's admins see them."""

    id = serializers.UUIDField(read_only=True)
    email_verified = serializers.BooleanField(read_only=True)
    last_activity = serializers.DateField(
        read_only=True,
        allow_null=True,
        help_text="The latest UTC day the user used any contract, or null.",
    )

    class Meta:
        model = User
        fields = [
            "id",
            "email",
            "role",
            "department",
            "is_active",
            "email_verified",
            "last_activity",
        ]
        read_only_fields = fields


class UserRoleInputSerializer(serializers.Serializer[Any]):
    role = ChoiceField(
        choices=Role.choices,
        required=False,
        help_text="admin or member, within the seat caps.",
    )
    department = serializers.CharField(
        max_length=100,
        allow_blank=True,
        required=False,
        help_text="The team the person works in, for spend by department; "
        "blank for none.",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not attrs:
            raise serializers.ValidationError("Send role, department or both.")
        return attrs


class PeopleImportInputSerializer(serializers.Serializer[Any]):
    file = serializers.FileField(
        help_text="A CSV file with the header email,department and one person a "
        "line; a blank department takes the person out of theirs.",
        error_messages={
            "required": "Attach the CSV file in a form field named file.",
            "invalid": "Attach the CSV file in a form field named file.",
            "empty": "The file is empty. Upload a CSV file with a header line.",
        },
    )


class PeopleImportResultSerializer(serializers.Serializer[Any]):
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()


class ExchangeRateSerializer(serializers.ModelSerializer[ExchangeRate]):
    rate = serializers.DecimalField(
        max_digits=18, decimal_places=8, coerce_to_string=False, read_only=True
    )

    class Meta:
        model = ExchangeRate
        fields = ["currency", "rate", "valid_from"]
        read_only_fields = fields


class ExchangeRateInputSerializer(serializers.Serializer[Any]):
    currency = CurrencyField(help_text="Required: the ISO 4217 code it converts.")
    rate = serializers.DecimalField(
        max_digits=18,
        decimal_places=8,
        min_value=0,
        help_text="Required: units of the reporting currency one unit of "
        "currency is worth, more than 0.",
    )
    valid_from = serializers.DateField(
        help_text="Required: the first day (YYYY-MM-DD) the rate holds, until a "
        "later one."
    )
