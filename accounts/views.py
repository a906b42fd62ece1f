from django.conf import settings
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.authentication import get_authorization_header
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView
from rest_framework_simplejwt import views as jwt_views
from rest_framework_simplejwt.serializers import TokenObtainPairSerializer

from accounts.authentication import (
    auth_cookie_set,
    check_sign_in_origin,
    check_trusted_origin,
)
from accounts.models import User
from accounts.serializers import (
    AccountTokenObtainPairSerializer,
    EmailVerifyInputSerializer,
    MeSerializer,
    PasswordResetConfirmInputSerializer,
    PasswordResetInputSerializer,
    SessionTokenRefreshSerializer,
    SignedInUserSerializer,
    SignInInputSerializer,
    SignUpInputSerializer,
    UserSerializer,
)
from accounts.services import emails, organizations, sessions
from procure_site.client_ip import client_ip
from procure_site.serializers import DetailSerializer

AUTH_ERRORS = {400: DetailSerializer, 401: DetailSerializer, 429: DetailSerializer}


def _signed_in_response(user: User, device_token: str, status_code: int) -> Response:
    body = {**UserSerializer(user).data, "device_token": device_token}
    response = Response(body, status=status_code)
    auth_cookie_set(response, sessions.session_token_issue(user=user))
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
            403: DetailSerializer,
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
        check_sign_in_origin(request)
        serializer = SignUpInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user, device_token = organizations.user_sign_up(**serializer.validated_data)
        return _signed_in_response(user, device_token, status.HTTP_201_CREATED)


class SignInView(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "sign_in"

    @extend_schema(
        request=SignInInputSerializer,
        responses={200: SignedInUserSerializer, 403: DetailSerializer, **AUTH_ERRORS},
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
        check_sign_in_origin(request)
        serializer = SignInInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user, device_token = sessions.user_sign_in(
            **serializer.validated_data, client_address=client_ip(request)
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
        sessions.user_sign_out(
            raw_cookie=raw_cookie, authorization=get_authorization_header(request)
        )
        response = Response({"detail": "Successfully logged out"})
        response.delete_cookie(
            settings.AUTH_COOKIE_NAME, path="/", samesite=settings.AUTH_COOKIE_SAMESITE
        )
        return response


class MeView(APIView):
    @extend_schema(
        responses={200: MeSerializer, 401: DetailSerializer},
        summary="The signed-in user",
    )
    def get(self, request: Request) -> Response:
        return Response(MeSerializer(request.user).data)


@extend_schema_view(
    post=extend_schema(
        responses={200: TokenObtainPairSerializer, **AUTH_ERRORS},
        summary="A JWT access and refresh pair for scripts",
    )
)
class TokenObtainView(jwt_views.TokenObtainPairView):
    """A JWT access/refresh pair for scripts and other REST clients."""

    authentication_classes: list = []
    serializer_class = AccountTokenObtainPairSerializer
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "sign_in"


@extend_schema_view(
    post=extend_schema(
        responses={
            200: SessionTokenRefreshSerializer,
            400: DetailSerializer,
            401: DetailSerializer,
        },
        summary="A new access token (and refresh token) from a refresh token",
    )
)
class TokenRefreshView(jwt_views.TokenRefreshView):
    authentication_classes: list = []
    serializer_class = SessionTokenRefreshSerializer


class TokenBlacklistView(jwt_views.TokenBlacklistView):
    authentication_classes: list = []

    @extend_schema(
        responses={200: DetailSerializer, 400: DetailSerializer, 401: DetailSerializer},
        summary="Revoke a refresh token",
    )
    def post(self, request: Request, *args, **kwargs) -> Response:
        response = super().post(request, *args, **kwargs)
        response.data = {"detail": "The refresh token is revoked."}
        return response


class EmailVerifyView(APIView):
    """Verifies an address with the emailed link's token and the password.

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
        emails.user_email_verify(
            **serializer.validated_data, client_address=client_ip(request)
        )
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
        sent = emails.user_email_verification_resend(user=request.user)
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
        emails.user_password_reset_request(email=serializer.validated_data["email"])
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
        emails.user_password_reset_confirm(
            **serializer.validated_data, client_address=client_ip(request)
        )
        return Response(
            {
                "detail": "Your password is changed and every session is signed "
                "out. Sign in with the new password."
            }
        )
