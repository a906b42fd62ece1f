from rest_framework import exceptions, serializers
from rest_framework_simplejwt.serializers import TokenRefreshSerializer

from accounts.models import Role, User

DEVICE_ID_HELP = (
    "Required. The client's own name for this device or browser (the extension "
    "and the web app each keep one). The returned device token is bound to it: "
    "one live token per user and device_id, and the token signs in only with "
    "the same device_id."
)


class SignUpInputSerializer(serializers.Serializer):
    email = serializers.EmailField(
        max_length=254,
        help_text="Required. Its domain picks the organization: jane@acme.io "
        "joins the organization of acme.io (404 if there is none).",
    )
    password = serializers.CharField(
        max_length=128,
        trim_whitespace=False,
        help_text="Required. At least 8 characters with an upper-case letter, "
        "a lower-case letter and a digit.",
    )
    device_id = serializers.CharField(max_length=200, help_text=DEVICE_ID_HELP)
    role = serializers.ChoiceField(
        choices=Role.choices,
        default=Role.MEMBER,
        help_text="Optional, default member. Each role has a seat cap in the "
        "organization; a full one answers 400.",
    )


class SignInInputSerializer(serializers.Serializer):
    """Either email and password, or a device token; device_id always."""

    email = serializers.EmailField(
        max_length=254,
        required=False,
        help_text="With password, one way to sign in; a new device token is "
        "issued for device_id, replacing that device's old one.",
    )
    password = serializers.CharField(
        max_length=128,
        required=False,
        trim_whitespace=False,
        help_text="With email.",
    )
    device_token = serializers.CharField(
        max_length=200,
        required=False,
        help_text="The other way to sign in, instead of email and password: a "
        "token from an earlier sign-up or sign-in on this device, returned "
        "unchanged.",
    )
    device_id = serializers.CharField(max_length=200, help_text=DEVICE_ID_HELP)

    def validate(self, attrs: dict) -> dict:
        has_password = "email" in attrs and "password" in attrs
        if not has_password and "device_token" not in attrs:
            raise serializers.ValidationError(
                "Send either email and password, or device_token, with device_id."
            )
        return attrs


class UserSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(read_only=True)
    organization_id = serializers.CharField(
        source="organization.public_id", default=None, read_only=True
    )

    class Meta:
        model = User
        fields = ["id", "email", "organization_id", "role"]


class MeSerializer(UserSerializer):
    discovery_enabled = serializers.BooleanField(
        source="organization.discovery_enabled",
        default=None,
        read_only=True,
        allow_null=True,
        help_text="Whether the organization counts its users of SaaS "
        "applications that have no contract (aggregates only); null without "
        "an organization.",
    )

    class Meta(UserSerializer.Meta):
        fields = [*UserSerializer.Meta.fields, "discovery_enabled"]


class SignedInUserSerializer(UserSerializer):
    device_token = serializers.CharField(read_only=True)

    class Meta(UserSerializer.Meta):
        fields = [*UserSerializer.Meta.fields, "device_token"]


class EmailVerifyInputSerializer(serializers.Serializer):
    token = serializers.CharField(max_length=500)


class PasswordResetInputSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254)


class PasswordResetConfirmInputSerializer(serializers.Serializer):
    uid = serializers.CharField(max_length=100)
    token = serializers.CharField(max_length=100)
    new_password = serializers.CharField(max_length=128, trim_whitespace=False)


class SessionTokenRefreshSerializer(TokenRefreshSerializer):
    """simplejwt's refresh, with a 401 (not a 500) for a deleted user's token."""

    def validate(self, attrs: dict) -> dict:
        try:
            return super().validate(attrs)
        except User.DoesNotExist:
            raise exceptions.AuthenticationFailed(
                "Your session is no longer valid. Sign in again."
            ) from None
