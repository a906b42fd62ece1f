from rest_framework import exceptions, serializers
from rest_framework_simplejwt.serializers import TokenRefreshSerializer

from accounts.models import Role, User


class SignUpInputSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254)
    password = serializers.CharField(max_length=128, trim_whitespace=False)
    device_id = serializers.CharField(max_length=200)
    role = serializers.ChoiceField(choices=Role.choices, default=Role.MEMBER)


class SignInInputSerializer(serializers.Serializer):
    """Either email and password, or a device token; device_id always."""

    email = serializers.EmailField(max_length=254, required=False)
    password = serializers.CharField(
        max_length=128, required=False, trim_whitespace=False
    )
    device_token = serializers.CharField(max_length=200, required=False)
    device_id = serializers.CharField(max_length=200)

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
