from typing import Any

from rest_framework import serializers

from identity.models import ScimToken


class ScimTokenSerializer(serializers.ModelSerializer[ScimToken]):
    created_by = serializers.SerializerMethodField(
        help_text="The address of the admin who created it, if they still exist."
    )

    class Meta:
        model = ScimToken
        fields = [
            "id",
            "name",
            "prefix",
            "created_at",
            "created_by",
            "last_used_at",
            "revoked_at",
        ]
        extra_kwargs = {
            "prefix": {"help_text": "The token's first 12 characters, to tell it."},
            "last_used_at": {
                "help_text": "When the identity provider last called with it "
                "(to the minute)."
            },
        }

    def get_created_by(self, token: ScimToken) -> str | None:
        return token.created_by.email if token.created_by else None


class ScimTokenCreatedSerializer(ScimTokenSerializer):
    token = serializers.CharField(
        help_text="The bearer token to paste into the identity provider. It "
        "is shown this once: proCure keeps only its SHA-256."
    )

    class Meta(ScimTokenSerializer.Meta):
        fields = [*ScimTokenSerializer.Meta.fields, "token"]


class ScimTokenInputSerializer(serializers.Serializer[Any]):
    name = serializers.CharField(
        max_length=100,
        required=False,
        default="Identity provider",
        error_messages={
            "blank": "Name the token, for example after the identity provider.",
            "max_length": "A token's name is at most 100 characters.",
        },
        help_text="What the token is for, for example Okta.",
    )
