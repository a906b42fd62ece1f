from uuid import UUID

from django.conf import settings
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import exceptions, generics, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView
from rest_framework_simplejwt import views as jwt_views
from rest_framework_simplejwt.serializers import TokenObtainPairSerializer

from accounts import selectors, services
from accounts.authentication import (
    BearerAuthentication,
    check_trusted_origin,
)
from accounts.models import DeviceToken, Organization, User
from accounts.permissions import organization_from_path
from accounts.schema import ORGANIZATION_ERRORS, ORGANIZATION_ID_PARAMETER
from accounts.serializers import (
    DetailSerializer,
    EmailVerifyInputSerializer,
    OrganizationUserSerializer,
    PasswordResetConfirmInputSerializer,
    PasswordResetInputSerializer,
    SessionTokenRefreshSerializer,
    SignedInUserSerializer,
    SignInInputSerializer,
    SignUpInputSerializer,
    UserRoleInputSerializer,
    UserSerializer,
)

AUTH_ERRORS = {400: DetailSerializer, 401: DetailSerializer, 429: DetailSerializer}


def _signed_in_response(user: User, device_token: str, status_code: int) -> Response:
    body = {**UserSerializer(user).data, "device_token": device_token}
    response = Response(body, status=status_code)
    response.set_cookie(
        settings.AUTH_COOKIE_NAME,
        services.session_token_issue(user=user),
        max_age=int(settings.AUTH_COOKIE_AGE.total_seconds()),
        secure=settings.AUTH_COOKIE_SECURE,
        httponly=True,
        samesite=settings.AUTH_COOKIE_SAMESITE,
        path="/",
    )
    return response


class CreateUserView(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "sign_up"

    @extend_schema(
        request=SignUpInputSerializer,
        responses={
            201: SignedInUserSerializer,
            404: DetailSerializer,
            409: DetailSerializer,
            **AUTH_ERRORS,
        },
        summary="Sign up into the organization of the email's domain",
        description=(
            "Send `email`, `password` and `device_id`; `role` is optional. "
            "Answers the new user with a device token for `device_id` and "
            "sets the `procure_auth` cookie."
        ),
        auth=[],
    )
    def post(self, request: Request) -> Response:
        serializer = SignUpInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user, device_token = services.user_sign_up(**serializer.validated_data)
        return _signed_in_response(user, device_token, status.HTTP_201_CREATED)


class SignInView(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "sign_in"

    @extend_schema(
        request=SignInInputSerializer,
        responses={200: SignedInUserSerializer, **AUTH_ERRORS},
        summary="Sign in with email and password, or with a device token",
        description=(
            "Send `email`, `password` and `device_id`, or `device_token` and "
            "`device_id`. `device_id` is required both ways (400 without it): "
            "a device token belongs to one device, so a token copied to "
            "another device does not sign in. Sets the `procure_auth` cookie."
        ),
        auth=[],
    )
    def post(self, request: Request) -> Response:
        serializer = SignInInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if "email" not in data or "password" not in data:
            user = services.user_sign_in_with_device_token(
                device_token=data["device_token"], device_id=data["device_id"]
            )
            device_token = data["device_token"]
        else:
            user, device_token = services.user_sign_in_with_password(
                email=data["email"],
                password=data["password"],
                device_id=data["device_id"],
            )
        return _signed_in_response(user, device_token, status.HTTP_200_OK)


class LogoutView(APIView):
    """Ends whatever session the request carries; never fails for a stale one."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(
        request=None,
        responses={200: DetailSerializer, 403: DetailSerializer},
        summary="Sign out: clear the cookie and revoke the session or device token",
    )
    def post(self, request: Request) -> Response:
        raw_cookie = request.COOKIES.get(settings.AUTH_COOKIE_NAME)
        if raw_cookie:
            check_trusted_origin(request)
            services.session_revoke(raw_cookie=raw_cookie)
        authenticated = _bearer_or_none(request)
        if authenticated is not None and isinstance(authenticated[1], DeviceToken):
            services.device_token_revoke(token=authenticated[1])
        response = Response({"detail": "Successfully logged out"})
        response.delete_cookie(
            settings.AUTH_COOKIE_NAME, path="/", samesite=settings.AUTH_COOKIE_SAMESITE
        )
        return response


def _bearer_or_none(request: Request):
    try:
        return BearerAuthentication().authenticate(request)
    except exceptions.AuthenticationFailed:
        # An invalid bearer token is simply nothing to revoke.
        return None


class MeView(APIView):
    @extend_schema(
        responses={200: UserSerializer, 401: DetailSerializer},
        summary="The signed-in user",
    )
    def get(self, request: Request) -> Response:
        return Response(UserSerializer(request.user).data)


@extend_schema_view(
    post=extend_schema(responses={200: TokenObtainPairSerializer, **AUTH_ERRORS})
)
class TokenObtainView(jwt_views.TokenObtainPairView):
    """A JWT access/refresh pair for scripts and other REST clients."""

    authentication_classes: list = []
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "sign_in"


@extend_schema_view(
    post=extend_schema(
        responses={
            200: SessionTokenRefreshSerializer,
            400: DetailSerializer,
            401: DetailSerializer,
        }
    )
)
class TokenRefreshView(jwt_views.TokenRefreshView):
    authentication_classes: list = []
    serializer_class = SessionTokenRefreshSerializer


class TokenBlacklistView(jwt_views.TokenBlacklistView):
    authentication_classes: list = []

    @extend_schema(
        responses={200: DetailSerializer, 400: DetailSerializer, 401: DetailSerializer}
    )
    def post(self, request: Request, *args, **kwargs) -> Response:
        response = super().post(request, *args, **kwargs)
        response.data = {"detail": "The refresh token is revoked."}
        return response


class EmailVerifyView(APIView):
    """The web app's /verify-email page posts the token from the emailed link.

    No session is needed: the signed token names the user and the address.
    """

    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(
        request=EmailVerifyInputSerializer,
        responses={200: DetailSerializer, 400: DetailSerializer},
        summary="Verify an email address with the token from the emailed link",
        auth=[],
    )
    def post(self, request: Request) -> Response:
        serializer = EmailVerifyInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.user_email_verify(token=serializer.validated_data["token"])
        return Response({"detail": "Your email address is verified."})


class EmailVerificationResendView(APIView):
    """A fresh verification link for the signed-in user's own address.

    Only for the signed-in user, so that it tells nobody whether an address
    has an account; anyone can sign in before verifying.
    """

    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "verify_email"

    @extend_schema(
        request=None,
        responses={
            200: DetailSerializer,
            401: DetailSerializer,
            429: DetailSerializer,
            503: DetailSerializer,
        },
        summary="Email the signed-in user a new verification link",
    )
    def post(self, request: Request) -> Response:
        sent = services.user_email_verification_resend(user=request.user)
        detail = (
            f"We sent a new verification link to {request.user.email}."
            if sent
            else "Your email address is already verified."
        )
        return Response({"detail": detail})


class PasswordResetView(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "password_reset"

    @extend_schema(
        request=PasswordResetInputSerializer,
        responses={200: DetailSerializer, 400: DetailSerializer, 429: DetailSerializer},
        summary="Email a password-reset link (same answer for unknown addresses)",
        auth=[],
    )
    def post(self, request: Request) -> Response:
        serializer = PasswordResetInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.user_password_reset_request(email=serializer.validated_data["email"])
        hours = settings.PASSWORD_RESET_TIMEOUT // 3600
        return Response(
            {
                "detail": "If an account uses that address, we sent it a link to "
                f"choose a new password. The link works for {hours} hours."
            }
        )


class PasswordResetConfirmView(APIView):
    """The web app's /reset-password page posts the link's uid and token."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "sign_in"

    @extend_schema(
        request=PasswordResetConfirmInputSerializer,
        responses={200: DetailSerializer, 400: DetailSerializer, 429: DetailSerializer},
        summary="Set a new password with the uid and token from the emailed link",
        auth=[],
    )
    def post(self, request: Request) -> Response:
        serializer = PasswordResetConfirmInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.user_password_reset_confirm(**serializer.validated_data)
        return Response(
            {
                "detail": "Your password is changed and every session is signed "
                "out. Sign in with the new password."
            }
        )


USER_CHANGE_ERRORS = {400: DetailSerializer, **ORGANIZATION_ERRORS}


def _admin_organization(request: Request, organization_id: str) -> Organization:
    return organization_from_path(
        user=request.user, public_id=organization_id, admins_only=True
    )


class OrganizationUserListView(generics.ListAPIView):
    """The organization's users, for its verified admins and staff."""

    serializer_class = OrganizationUserSerializer

    def get_queryset(self) -> QuerySet[User]:
        if getattr(self, "swagger_fake_view", False):
            return User.objects.none()
        organization = _admin_organization(self.request, self.kwargs["organization_id"])
        return selectors.organization_user_list(organization=organization)

    @extend_schema(
        parameters=[ORGANIZATION_ID_PARAMETER],
        responses={200: OrganizationUserSerializer(many=True), **ORGANIZATION_ERRORS},
        summary="The organization's users with their last activity (admins)",
        tags=["organizations"],
    )
    def get(self, request: Request, *args, **kwargs) -> Response:
        return super().get(request, *args, **kwargs)


class OrganizationUserView(APIView):
    @extend_schema(
        parameters=[ORGANIZATION_ID_PARAMETER],
        request=UserRoleInputSerializer,
        responses={200: OrganizationUserSerializer, **USER_CHANGE_ERRORS},
        summary="Change a user's role within the seat caps (admins)",
        tags=["organizations"],
    )
    def patch(self, request: Request, organization_id: str, user_id: UUID) -> Response:
        organization = _admin_organization(request, organization_id)
        user = selectors.organization_user_get(
            organization=organization, user_id=user_id
        )
        serializer = UserRoleInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.user_change_role(
            user=user, role=serializer.validated_data["role"], actor=request.user
        )
        user = selectors.organization_user_get(
            organization=organization, user_id=user_id
        )
        return Response(OrganizationUserSerializer(user).data)


class OrganizationUserDeactivateView(APIView):
    @extend_schema(
        parameters=[ORGANIZATION_ID_PARAMETER],
        request=None,
        responses={200: OrganizationUserSerializer, **USER_CHANGE_ERRORS},
        summary="Deactivate a user and sign them out everywhere (admins)",
        tags=["organizations"],
    )
    def post(self, request: Request, organization_id: str, user_id: UUID) -> Response:
        organization = _admin_organization(request, organization_id)
        user = selectors.organization_user_get(
            organization=organization, user_id=user_id
        )
        services.user_deactivate(user=user, actor=request.user)
        user = selectors.organization_user_get(
            organization=organization, user_id=user_id
        )
        return Response(OrganizationUserSerializer(user).data)
