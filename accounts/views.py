from django.conf import settings
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView
from rest_framework_simplejwt import views as jwt_views

from accounts import services
from accounts.authentication import (
    BearerAuthentication,
    check_trusted_origin,
)
from accounts.models import DeviceToken, User
from accounts.serializers import (
    DetailSerializer,
    SessionTokenRefreshSerializer,
    SignedInUserSerializer,
    SignInInputSerializer,
    SignUpInputSerializer,
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
        auth=[],
    )
    def post(self, request: Request) -> Response:
        serializer = SignInInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if "device_token" in data and "password" not in data:
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


class TokenObtainView(jwt_views.TokenObtainPairView):
    """A JWT access/refresh pair for scripts and other REST clients."""

    authentication_classes: list = []
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "sign_in"


class TokenRefreshView(jwt_views.TokenRefreshView):
    authentication_classes: list = []
    serializer_class = SessionTokenRefreshSerializer


class TokenBlacklistView(jwt_views.TokenBlacklistView):
    authentication_classes: list = []

    @extend_schema(responses={200: DetailSerializer, 401: DetailSerializer})
    def post(self, request: Request, *args, **kwargs) -> Response:
        response = super().post(request, *args, **kwargs)
        response.data = {"detail": "The refresh token is revoked."}
        return response
