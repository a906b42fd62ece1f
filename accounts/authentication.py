"""The three ways into the API: device-token bearer, JWT bearer, web cookie.

A bearer value that parses as a JWT is checked as a simplejwt access token;
anything else is looked up as a device token. The web app's `procure_auth`
cookie holds a simplejwt token of its own type ("session") that is listed as
outstanding when issued and blacklisted on logout, so a logged-out cookie value
never authenticates again.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpResponseBase
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.permissions import SAFE_METHODS
from rest_framework.request import Request
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.settings import api_settings as jwt_settings
from rest_framework_simplejwt.tokens import AccessToken, BlacklistMixin, Token
from rest_framework_simplejwt.utils import get_md5_hash_password

from accounts import selectors
from accounts.models import User


class SessionToken(BlacklistMixin, Token):
    """The web app's cookie value: a long-lived, revocable JWT."""

    token_type = "session"  # noqa: S105 - a token kind, not a secret
    lifetime = settings.AUTH_COOKIE_AGE


def auth_cookie_set(response: HttpResponseBase, value: str) -> None:
    """Gives the browser the web app's session cookie: `value` is a
    SessionToken. auth/sign-in, auth/create-user and the identity
    provider's sign-in page set it the same way."""
    response.set_cookie(
        settings.AUTH_COOKIE_NAME,
        value,
        max_age=int(settings.AUTH_COOKIE_AGE.total_seconds()),
        secure=settings.AUTH_COOKIE_SECURE,
        httponly=True,
        samesite=settings.AUTH_COOKIE_SAMESITE,
        path="/",
    )


def looks_like_jwt(raw: str) -> bool:
    return raw.count(".") == 2


def user_for_jwt(token: Token) -> User:
    """The active user a validated JWT names, with the organization loaded."""
    failed = exceptions.AuthenticationFailed(
        "Your session is no longer valid. Sign in again."
    )
    user_id = token.get(jwt_settings.USER_ID_CLAIM)
    if user_id is None:
        raise failed
    user = selectors.active_user_by_id(user_id=user_id)
    if user is None:
        raise failed
    # Tokens carry a hash of the password they were issued under, so a
    # password change or reset ends every session.
    if token.get(jwt_settings.REVOKE_TOKEN_CLAIM) != get_md5_hash_password(
        user.password
    ):
        raise failed
    return user


OPAQUE_ORIGIN = "null"


def request_origin(request: Request) -> str | None:
    """The Origin of a request, else the origin of its Referer, else None.

    A browser sends `Origin: null` from sandboxed frames, data: URLs and some
    redirects; that is an origin nobody can be trusted as, so it is returned
    as is (and never replaced by the Referer, which such a page controls).
    """
    origin = request.META.get("HTTP_ORIGIN")
    if origin:
        return origin.rstrip("/")
    referer = request.META.get("HTTP_REFERER")
    if referer:
        parts = urlsplit(referer)
        if parts.scheme and parts.netloc:
            return f"{parts.scheme}://{parts.netloc}"
    return None


def origin_is_trusted(request: Request, origin: str) -> bool:
    if origin == OPAQUE_ORIGIN:
        return False
    own_origin = f"{request.scheme}://{request.get_host()}"
    return origin == own_origin or origin in settings.TRUSTED_ORIGINS


def check_trusted_origin(request: Request) -> None:
    """CSRF defence for cookie-authenticated changes: the Origin must be trusted."""
    origin = request_origin(request)
    if origin is None:
        raise exceptions.PermissionDenied(
            "This request has no Origin header. Changes made with the web "
            "session cookie must come from the proCure web app."
        )
    if not origin_is_trusted(request, origin):
        raise exceptions.PermissionDenied(
            f"Requests from {origin} are not trusted. Changes made with the web "
            "session cookie must come from the proCure web app."
        )


def check_sign_in_origin(request: Request) -> None:
    """Login-CSRF defence for the endpoints that set the cookie.

    A page elsewhere must not sign a visitor's browser in to an account of its
    choosing, so a web page's Origin (or an opaque one) must be trusted. No
    Origin means no browser page (the extension's background worker, scripts),
    and an extension's own origin is not a web page, so both pass.
    """
    origin = request.META.get("HTTP_ORIGIN")
    if origin is None:
        return
    origin = origin.rstrip("/")
    web_page = origin == OPAQUE_ORIGIN or origin.startswith(("http://", "https://"))
    if web_page and not origin_is_trusted(request, origin):
        raise exceptions.PermissionDenied(
            f"Requests from {origin} are not trusted. Sign in and sign up "
            "from the proCure web app or the extension."
        )


def bearer_credential(authorization: bytes) -> str | None:
    """The token of an `Authorization: Bearer <token>` header, or None if the
    header is not a bearer one. A malformed bearer header fails authentication.
    """
    parts = authorization.split()
    if not parts or parts[0].lower() != b"bearer":
        return None
    if len(parts) != 2:
        raise exceptions.AuthenticationFailed(
            "The Authorization header must be 'Bearer <token>'."
        )
    try:
        return parts[1].decode("ascii")
    except UnicodeDecodeError:
        raise exceptions.AuthenticationFailed(
            "The bearer token contains characters a token never has."
        ) from None


class BearerAuthentication(BaseAuthentication):
    """`Authorization: Bearer <access JWT or device token>`."""

    def authenticate(self, request: Request):
        raw = bearer_credential(get_authorization_header(request))
        if raw is None:
            return None
        if looks_like_jwt(raw):
            try:
                token = AccessToken(raw)
            except TokenError:
                raise exceptions.AuthenticationFailed(
                    "Your access token is invalid or has expired. Refresh it or "
                    "sign in again."
                ) from None
            return user_for_jwt(token), token
        device_token = selectors.live_device_token(raw_token=raw)
        if device_token is None:
            raise exceptions.AuthenticationFailed(
                "This device token is not valid. Sign in again on this device."
            )
        return device_token.user, device_token

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="api"'


class CookieAuthentication(BaseAuthentication):
    """The web app's HttpOnly `procure_auth` cookie."""

    def authenticate(self, request: Request):
        raw = request.COOKIES.get(settings.AUTH_COOKIE_NAME)
        if not raw:
            return None
        try:
            token = SessionToken(raw)
        except TokenError:
            raise exceptions.AuthenticationFailed(
                "Your session has ended. Sign in again."
            ) from None
        user = user_for_jwt(token)
        if request.method not in SAFE_METHODS:
            check_trusted_origin(request)
        return user, token
