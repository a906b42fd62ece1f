from rest_framework import serializers

from audit.models import AuditAction, AuditEvent
from procure_site.fields import ChoiceField


class AuditLogQuerySerializer(serializers.Serializer):
    action = ChoiceField(
        choices=AuditAction.choices,
        required=False,
        help_text="Only events of this action.",
    )


class AuditEventSerializer(serializers.ModelSerializer):
    actor_id = serializers.UUIDField(
        read_only=True,
        allow_null=True,
        help_text="The user who acted; null for the system or a deleted user.",
    )
    actor_email = serializers.CharField(
        read_only=True,
        help_text="The actor's email when they acted; empty for the system.",
    )
    details = serializers.DictField(read_only=True)

    class Meta:
        model = AuditEvent
        fields = [
            "id",
            "created_at",
            "action",
            "actor_id",
            "actor_email",
            "target",
            "details",
        ]
        read_only_fields = fields
