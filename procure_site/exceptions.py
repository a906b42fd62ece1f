"""One error envelope for the whole API: `{"detail": "<sentence>", "code": "<code>"}`.

DRF's exceptions, Django's and the services' domain exceptions all end here.
Validation errors keep their per-field messages in `errors` beside a
`detail` that is the first message, prefixed with the field's name when the
message does not say which field it is about. `code` is one of
procure_site.error_codes.ErrorCode, for programs.
"""

import logging
import math
import sqlite3
import sys

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework_simplejwt.exceptions import InvalidToken

from procure_site.error_codes import ErrorCode
from procure_site.parsers import BodyRejected

logger = logging.getLogger(__name__)


class DomainError(Exception):
    """A business rule said no. Services raise subclasses; the handler answers."""

    status_code: int = status.HTTP_400_BAD_REQUEST
    code: ErrorCode = ErrorCode.INVALID_REQUEST

    def __init__(self, detail: str, *, code: ErrorCode | None = None):
        super().__init__(detail)
        self.detail = detail
        if code is not None:
            self.code = code


class NotFound(DomainError):
    status_code = status.HTTP_404_NOT_FOUND
    code = ErrorCode.NOT_FOUND


class Conflict(DomainError):
    status_code = status.HTTP_409_CONFLICT
    code = ErrorCode.CONFLICT


class Forbidden(DomainError):
    status_code = status.HTTP_403_FORBIDDEN
    code = ErrorCode.PERMISSION_DENIED


class PayloadTooLarge(DomainError):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    code = ErrorCode.PAYLOAD_TOO_LARGE


class TooManyAttempts(DomainError):
    """A limit a service keeps itself (not a DRF throttle): 429 and Retry-After."""

    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    code = ErrorCode.TOO_MANY_ATTEMPTS

    def __init__(self, detail: str, *, retry_after: int):
        super().__init__(detail)
        self.retry_after = retry_after


class InvalidRows(DomainError):
    """A file with bad rows: `rows` lists each as {"row": n, "errors": [...]}."""

    code = ErrorCode.INVALID_ROWS

    def __init__(self, detail: str, rows: list[dict]):
        super().__init__(detail)
        self.rows = rows


class InvalidFields(DomainError):
    """Values a rule rejected: `errors` maps each field to its messages.

    Answered like a serializer's validation errors, so that a client sees one
    shape whichever of the two said no.
    """

    code = ErrorCode.INVALID_FIELD

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__(validation_detail(errors))
        self.errors = errors


DATABASE_UNAVAILABLE = (
    "The service cannot reach its database right now. Please try again shortly."
)
# Seconds a client is asked to wait before retrying while the database is down.
DATABASE_RETRY_AFTER = "30"
DATABASE_BUSY = (
    "The database is busy with other changes right now. Please try again in a "
    "few seconds."
)
# A write lock is held for moments, not for an outage's minutes.
DATABASE_BUSY_RETRY_AFTER = "5"


def database_busy(exc: BaseException) -> bool:
    """Whether `exc` is SQLite's "database is locked" (SQLITE_BUSY, or
    SQLITE_LOCKED for a shared cache): another connection kept the write lock
    past the busy timeout (DB_SQLITE_BUSY_TIMEOUT). The database is there and
    answering, only busy, unlike the outages that answer DATABASE_UNAVAILABLE.
    """
    cause = exc.__cause__
    if not isinstance(cause, sqlite3.OperationalError):
        return False
    # The primary result code is the low byte of an extended one
    # (SQLITE_BUSY_SNAPSHOT is SQLITE_BUSY | 2 << 8).
    return cause.sqlite_errorcode & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)


def database_refusal(exc: BaseException) -> tuple[dict[str, str], str]:
    """The 503's body and Retry-After for a database that failed a request."""
    if database_busy(exc):
        logger.error("Database busy: %s past the busy timeout", exc)
        return error_body(
            DATABASE_BUSY, ErrorCode.DATABASE_BUSY
        ), DATABASE_BUSY_RETRY_AFTER
    logger.error("Database unavailable: %s", type(exc).__name__)
    return error_body(
        DATABASE_UNAVAILABLE, ErrorCode.DATABASE_UNAVAILABLE
    ), DATABASE_RETRY_AFTER


def error_body(detail: str, code: ErrorCode) -> dict[str, str]:
    return {"detail": detail, "code": code.value}


def _flatten(errors, prefix: str = "") -> list[tuple[str, str]]:
    """(field path, message) pairs from DRF's nested error structure."""
    if isinstance(errors, dict):
        pairs = []
        for key, value in errors.items():
            path = key if not prefix else f"{prefix}.{key}"
            pairs.extend(_flatten(value, path))
        return pairs
    if isinstance(errors, list):
        pairs = []
        for index, value in enumerate(errors):
            if isinstance(value, dict | list):
                pairs.extend(_flatten(value, f"{prefix}[{index}]" if prefix else ""))
            else:
                pairs.append((prefix, str(value)))
        return pairs
    return [(prefix, str(errors))]


def validation_detail(errors) -> str:
    pairs = _flatten(errors)
    if not pairs:
        return "The request is not valid."
    field, message = pairs[0]
    if not field or field in ("non_field_errors", "detail"):
        return message
    name = field.rsplit(".", 1)[-1].split("[")[0]
    if name.lower() in message.lower() or name.replace("_", " ") in message.lower():
        return message
    return f"{field}: {message}"


REVOKED_JWT_SENTENCE = (
    "This token is invalid, has expired or was revoked. Sign in again, or ask "
    "auth/token for a new pair."
)
WRONG_CREDENTIALS_DETAIL = "Invalid email or password"
NOT_SIGNED_IN_DETAIL = (
    "You are not signed in. Sign in, then send your token as "
    '"Authorization: Bearer <token>" or the session cookie.'
)


def library_detail(exc: exceptions.APIException, context) -> str | None:
    """Our sentence for an exception whose text comes from DRF or simplejwt.

    Their messages ("Token is blacklisted", "Request was throttled.") name
    the library's view of things, not what the person should do next.
    """
    if isinstance(exc, InvalidToken):
        return REVOKED_JWT_SENTENCE
    if isinstance(exc, exceptions.NotAuthenticated):
        return NOT_SIGNED_IN_DETAIL
    if (
        isinstance(exc, exceptions.AuthenticationFailed)
        and exc.get_codes() == "no_active_account"
    ):
        # The same words as auth/sign-in, which answers unknown emails,
        # wrong passwords and deactivated accounts alike.
        return WRONG_CREDENTIALS_DETAIL
    if isinstance(exc, exceptions.Throttled):
        wait = getattr(exc, "wait", None)
        if wait is None:
            return "Too many requests. Wait a little and try again."
        seconds = max(1, math.ceil(wait))
        unit = "second" if seconds == 1 else "seconds"
        return f"Too many requests. Try again in {seconds} {unit}."
    if isinstance(exc, exceptions.MethodNotAllowed):
        method = context["request"].method
        return (
            f"This endpoint does not accept {method}; its Allow header lists the "
            "methods it does."
        )
    if isinstance(exc, exceptions.UnsupportedMediaType):
        view = context.get("view")
        media_types = [parser.media_type for parser in view.parser_classes]
        return (
            "This endpoint reads "
            + " or ".join(media_types)
            + " bodies only: send the body with that Content-Type."
        )
    if isinstance(exc, exceptions.NotAcceptable):
        return (
            "The API answers in JSON only: send Accept: application/json, or no "
            "Accept header."
        )
    return None


# The code of each library exception the handler answers, most specific
# first. A permission class may name its own (DRF passes its `code` on).
LIBRARY_CODES: tuple[tuple[type[exceptions.APIException], ErrorCode], ...] = (
    (InvalidToken, ErrorCode.TOKEN_NOT_VALID),
    (exceptions.NotAuthenticated, ErrorCode.NOT_AUTHENTICATED),
    (exceptions.AuthenticationFailed, ErrorCode.INVALID_CREDENTIALS),
    (exceptions.PermissionDenied, ErrorCode.PERMISSION_DENIED),
    (exceptions.NotFound, ErrorCode.NOT_FOUND),
    (exceptions.MethodNotAllowed, ErrorCode.METHOD_NOT_ALLOWED),
    (exceptions.NotAcceptable, ErrorCode.NOT_ACCEPTABLE),
    (exceptions.UnsupportedMediaType, ErrorCode.UNSUPPORTED_MEDIA_TYPE),
    (exceptions.Throttled, ErrorCode.THROTTLED),
)


def library_code(exc: exceptions.APIException) -> ErrorCode:
    named = exc.get_codes()
    if isinstance(named, str) and named in ErrorCode.__members__.values():
        return ErrorCode(named)
    for kind, code in LIBRARY_CODES:
        if isinstance(exc, kind):
            return code
    return ErrorCode.INVALID_REQUEST


def exception_handler(exc, context):
    if isinstance(exc, DomainError):
        body: dict = error_body(exc.detail, exc.code)
        if isinstance(exc, InvalidRows):
            body["rows"] = exc.rows
        if isinstance(exc, InvalidFields):
            body["errors"] = exc.errors
        headers = (
            {"Retry-After": str(exc.retry_after)}
            if isinstance(exc, TooManyAttempts)
            else None
        )
        return Response(body, status=exc.status_code, headers=headers)
    if isinstance(exc, OperationalError | InterfaceError):
        body, retry_after = database_refusal(exc)
        return Response(
            body,
            status=status.HTTP_503_SERVICE_UNAVAILABLE,
            headers={"Retry-After": retry_after},
        )
    if isinstance(exc, exceptions.ValidationError):
        return Response(
            {
                **error_body(validation_detail(exc.detail), ErrorCode.INVALID_FIELD),
                "errors": exc.detail,
            },
            status=exc.status_code,
        )
    if isinstance(exc, BodyRejected):
        return Response(
            error_body(str(exc.detail), exc.error_code), status=exc.status_code
        )
    if isinstance(exc, exceptions.ParseError):
        return Response(
            error_body(
                "The request body could not be parsed. Send valid JSON.",
                ErrorCode.MALFORMED_BODY,
            ),
            status=exc.status_code,
        )
    if isinstance(exc, Http404):
        return Response(
            error_body("Not found.", ErrorCode.NOT_FOUND),
            status=status.HTTP_404_NOT_FOUND,
        )
    if isinstance(exc, DjangoPermissionDenied):
        return Response(
            error_body(PERMISSION_DENIED_DETAIL, ErrorCode.PERMISSION_DENIED),
            status=status.HTTP_403_FORBIDDEN,
        )
    response = drf_exception_handler(exc, context)
    if response is not None:
        detail = (
            response.data.get("detail") if isinstance(response.data, dict) else None
        )
        detail = library_detail(exc, context) or detail
        response.data = error_body(
            str(detail or "The request could not be served."), library_code(exc)
        )
        return response
    if isinstance(exc, DatabaseError):
        logger.exception("Database error while serving a request")
    return None


PERMISSION_DENIED_DETAIL = "You do not have permission to perform this action."


def not_found(request, exception=None):
    return JsonResponse(error_body("Not found.", ErrorCode.NOT_FOUND), status=404)


def server_error(request):
    """Django's last resort for an exception that nothing else answered.

    DRF views answer a lost database with a 503 through `exception_handler`,
    but the session and authentication middleware, the Django admin and plain
    Django views fail outside DRF and end here. Django calls this handler
    while it is still handling the exception, so `sys.exc_info()` tells an
    outage or a busy database (answered 503, worth retrying) from a bug (500).
    """
    exc = sys.exc_info()[1]
    if isinstance(exc, OperationalError | InterfaceError):
        body, retry_after = database_refusal(exc)
        response = _error_response(request, body=body, status=503)
        response["Retry-After"] = retry_after
        return response
    return _error_response(
        request,
        body=error_body(
            "Something went wrong on our side. Please try again later.",
            ErrorCode.SERVER_ERROR,
        ),
        status=500,
    )


# The pages that emailed links open (accounts/page_urls.py, mounted here by
# procure_site/urls.py) are read by people in a browser, not by clients.
ACCOUNT_PAGES_PREFIX = "/account/"


def _error_response(request, *, body: dict[str, str], status: int) -> HttpResponse:
    """The error as the client of `request` reads it: JSON for the API, a
    page with the same sentence for the account pages."""
    if not request.path.startswith(ACCOUNT_PAGES_PREFIX):
        return JsonResponse(body, status=status)
    return render(
        request,
        "accounts/outcome.html",
        {
            "title": "Please try again",
            "message": body["detail"],
            "ok": False,
            "web_app_url": settings.WEB_APP_URL,
        },
        status=status,
    )


def bad_request(request, exception=None):
    return JsonResponse(
        error_body("The request could not be understood.", ErrorCode.INVALID_REQUEST),
        status=400,
    )


def permission_denied(request, exception=None):
    return JsonResponse(
        error_body(PERMISSION_DENIED_DETAIL, ErrorCode.PERMISSION_DENIED),
        status=403,
    )
