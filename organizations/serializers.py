from typing import Any

from rest_framework import serializers

from accounts.models import Organization, Role, User
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
