from rest_framework import exceptions, serializers
from rest_framework_simplejwt.serializers import (
    TokenObtainPairSerializer,
    TokenRefreshSerializer,
)
from rest_framework_simplejwt.tokens import RefreshToken

from accounts.models import Invitation, Role, User
from accounts.services.sessions import user_password_check
from procure_site.client_ip import client_ip
from procure_site.fields import ChoiceField

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
    role = ChoiceField(
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
    token = serializers.CharField(
        max_length=500, help_text="Required. The token of the emailed link."
    )
    password = serializers.CharField(
        max_length=128,
        trim_whitespace=False,
        help_text="Required. The account's password: verifying proves the "
        "mailbox and the password together, so that the owner of an address "
        "cannot be made to verify an account someone else signed up with it.",
    )


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


class AccountTokenObtainPairSerializer(TokenObtainPairSerializer):
    """simplejwt's email-and-password pair, checked by the same rule as
    sign-in, so that failed attempts count towards the account's lockout."""

    def validate(self, attrs: dict) -> dict:
        # A wrong password is InvalidCredentials: a 401 with sign-in's words.
        user = user_password_check(
            email=attrs["email"],
            password=attrs["password"],
            client_address=client_ip(self.context["request"]),
        )
        refresh = RefreshToken.for_user(user)
        return {"refresh": str(refresh), "access": str(refresh.access_token)}


class InvitationInputSerializer(serializers.Serializer):
    email = serializers.EmailField(
        max_length=254,
        help_text="Required. An address at the organization's domain that has "
        "no proCure account yet.",
    )
    role = ChoiceField(
        choices=Role.choices,
        default=Role.MEMBER,
        help_text="Optional, default member. The role must have a free seat now; "
        "accepting checks the cap again.",
    )
    department = serializers.CharField(
        max_length=100,
        allow_blank=True,
        default="",
        help_text="Optional: the team the person will be in, for spend by department.",
    )


class InvitationSerializer(serializers.ModelSerializer):
    invited_by = serializers.EmailField(
        source="invited_by.email",
        default=None,
        read_only=True,
        help_text="The admin who sent it; null when sent by create_organization.",
    )
    status = ChoiceField(
        choices=["pending", "accepted", "revoked", "expired"],
        read_only=True,
        help_text="pending until accepted, revoked or past expires_at.",
    )

    class Meta:
        model = Invitation
        fields = [
            "id",
            "email",
            "role",
            "department",
            "status",
            "invited_by",
            "created_at",
            "expires_at",
            "accepted_at",
            "revoked_at",
        ]
