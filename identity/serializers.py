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


class IdentityProviderSerializer(serializers.Serializer[Any]):
    configured = serializers.BooleanField(
        help_text="Whether the organization's people can sign in with it."
    )
    issuer = serializers.CharField(allow_null=True)
    client_id = serializers.CharField(allow_null=True)
    client_secret = serializers.CharField(
        allow_null=True,
        help_text="Never shown: only its last four characters, after '…'.",
    )
    password_sign_in = serializers.BooleanField(
        help_text="Whether people can still sign in with a password too."
    )
    redirect_uri = serializers.CharField(
        help_text="The sign-in redirect URI to register with the provider."
    )
    sign_in_url = serializers.CharField(
        help_text="Where people start signing in with the provider."
    )


class IdentityProviderInputSerializer(serializers.Serializer[Any]):
    issuer = serializers.URLField(
        max_length=500,
        help_text="The provider's issuer, as its discovery document names it "
        "(https://acme.okta.com, https://login.microsoftonline.com/<tenant>/v2.0, "
        "https://accounts.google.com).",
    )
    client_id = serializers.CharField(max_length=255)
    client_secret = serializers.CharField(
        max_length=1000,
        required=False,
        allow_blank=True,
        write_only=True,
        help_text="Required the first time; leave it out to keep the stored one.",
    )
    password_sign_in = serializers.BooleanField(
        default=True,
        help_text="false: people of the organization sign in with the provider "
        "only (password sign-in answers 403).",
    )
