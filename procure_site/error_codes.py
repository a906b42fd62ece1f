"""The machine-readable `code` of every error answer.

Each error body is `{"detail": "<sentence>", "code": "<code>"}` (plus
`errors` for fields, `rows` for a file's rows). `detail` is for people and
may be reworded; `code` is for programs and stays. The table in docs/api.md
and the `Error` schema are made from ERROR_CODES below, and a check in the
root conftest refuses any error answer in the test suite without a known code.
"""

from enum import StrEnum


class ErrorCode(StrEnum):
    # 400
    INVALID_REQUEST = "invalid_request"
    INVALID_FIELD = "invalid_field"
    INVALID_ROWS = "invalid_rows"
    INVALID_FILE = "invalid_file"
    MALFORMED_BODY = "malformed_body"
    UNSAFE_INPUT = "unsafe_input"
    LINK_NOT_VALID = "link_not_valid"
    WRONG_PASSWORD = "wrong_password"  # noqa: S105 (a code, not a password)
    MONTH_NOT_CLOSED = "month_not_closed"
    LAST_ADMIN = "last_admin"
    # 401
    NOT_AUTHENTICATED = "not_authenticated"
    INVALID_CREDENTIALS = "invalid_credentials"
    TOKEN_NOT_VALID = "token_not_valid"  # noqa: S105 (a code, not a token)
    # 403
    PERMISSION_DENIED = "permission_denied"
    ADMINS_ONLY = "admins_only"
    EMAIL_NOT_VERIFIED = "email_not_verified"
    NO_ORGANIZATION = "no_organization"
    OTHER_ORGANIZATION = "other_organization"
    STAFF_PERMISSION_MISSING = "staff_permission_missing"
    # 404, 405, 406
    NOT_FOUND = "not_found"
    METHOD_NOT_ALLOWED = "method_not_allowed"
    NOT_ACCEPTABLE = "not_acceptable"
    # 409
    CONFLICT = "conflict"
    ALREADY_EXISTS = "already_exists"
    RECLAIM_NOT_ALLOWED = "reclaim_not_allowed"
    STATE_NOT_ALLOWED = "state_not_allowed"
    SEATS_EXHAUSTED = "seats_exhausted"
    # 411, 413, 414, 415, 429, 431
    LENGTH_REQUIRED = "length_required"
    PAYLOAD_TOO_LARGE = "payload_too_large"
    REQUEST_LINE_TOO_LONG = "request_line_too_long"
    UNSUPPORTED_MEDIA_TYPE = "unsupported_media_type"
    THROTTLED = "throttled"
    TOO_MANY_ATTEMPTS = "too_many_attempts"
    HEADERS_TOO_LARGE = "headers_too_large"
    EXPECTATION_FAILED = "expectation_failed"
    # 5xx
    SERVER_ERROR = "server_error"
    NOT_IMPLEMENTED = "not_implemented"
    WEBHOOK_UNREACHABLE = "webhook_unreachable"
    DATABASE_UNAVAILABLE = "database_unavailable"
    DATABASE_BUSY = "database_busy"
    NOT_READY = "not_ready"


# code -> (the statuses it comes with, what it means), for the docs and the
# schema.
ERROR_CODES: dict[ErrorCode, tuple[tuple[int, ...], str]] = {
    ErrorCode.INVALID_REQUEST: (
        (400,),
        "A rule of the service refused the request, or the request could not "
        "be understood.",
    ),
    ErrorCode.INVALID_FIELD: (
        (400,),
        "One or more fields are not valid; `errors` maps each field to its messages.",
    ),
    ErrorCode.INVALID_ROWS: (
        (400,),
        "Rows of an uploaded file are not valid; `rows` lists each with its errors.",
    ),
    ErrorCode.INVALID_FILE: (
        (400,),
        "An uploaded file cannot be read: empty, not text, or without the headers.",
    ),
    ErrorCode.MALFORMED_BODY: ((400,), "The body is not valid JSON."),
    ErrorCode.UNSAFE_INPUT: (
        (400,),
        "A NUL character or an unpaired surrogate in the address or the body.",
    ),
    ErrorCode.LINK_NOT_VALID: (
        (400,),
        "An emailed link (verification, reset, invitation) is not valid, has "
        "expired or was used.",
    ),
    ErrorCode.WRONG_PASSWORD: (
        (400,),
        "The password sent with a link is not the account's.",
    ),
    ErrorCode.MONTH_NOT_CLOSED: (
        (400,),
        "The month asked for has not closed yet; its figures are not final.",
    ),
    ErrorCode.LAST_ADMIN: (
        (400,),
        "The change would leave the organization without an admin.",
    ),
    ErrorCode.NOT_AUTHENTICATED: ((401,), "Not signed in."),
    ErrorCode.INVALID_CREDENTIALS: (
        (401,),
        "Unknown email, wrong password, deactivated account, or a device token "
        "for another device.",
    ),
    ErrorCode.TOKEN_NOT_VALID: (
        (401,),
        "The bearer token is not valid, has expired or was revoked.",
    ),
    ErrorCode.PERMISSION_DENIED: (
        (403,),
        "The caller may not do this (or, from the server, a refused request).",
    ),
    ErrorCode.ADMINS_ONLY: ((403,), "Only the organization's admins may do this."),
    ErrorCode.EMAIL_NOT_VERIFIED: (
        (403,),
        "The caller's email address must be verified first.",
    ),
    ErrorCode.NO_ORGANIZATION: (
        (403,),
        "The caller's account belongs to no organization.",
    ),
    ErrorCode.OTHER_ORGANIZATION: (
        (403,),
        "The path names an organization that is not the caller's.",
    ),
    ErrorCode.STAFF_PERMISSION_MISSING: (
        (403,),
        "Staff lack the Django permission this operation needs.",
    ),
    ErrorCode.NOT_FOUND: ((404,), "Nothing is at this address, or no such item."),
    ErrorCode.METHOD_NOT_ALLOWED: (
        (405,),
        "The endpoint does not accept this method; see the Allow header.",
    ),
    ErrorCode.NOT_ACCEPTABLE: ((406,), "The API answers in JSON only."),
    ErrorCode.CONFLICT: (
        (409,),
        "The request conflicts with the current state (a used invitation, say).",
    ),
    ErrorCode.ALREADY_EXISTS: (
        (409,),
        "An account, contract or invitation for this already exists.",
    ),
    ErrorCode.RECLAIM_NOT_ALLOWED: (
        (409,),
        "The contract's seats are not reclaimed: everyone gets it, it is not "
        "priced per seat, or it is not in force.",
    ),
    ErrorCode.STATE_NOT_ALLOWED: (
        (409,),
        "The item's state does not allow this change (a reclaim still waiting "
        "for its answer, a discovered app's next state); the sentence says which.",
    ),
    ErrorCode.SEATS_EXHAUSTED: (
        (400,),
        "The organization's admin or member seats are all taken.",
    ),
    ErrorCode.LENGTH_REQUIRED: (
        (411,),
        "A chunked body; send the body with a Content-Length.",
    ),
    ErrorCode.PAYLOAD_TOO_LARGE: ((413,), "The body or file is larger than allowed."),
    ErrorCode.REQUEST_LINE_TOO_LONG: ((414,), "The address is too long."),
    ErrorCode.UNSUPPORTED_MEDIA_TYPE: (
        (415,),
        "The body is not in a media type this endpoint reads.",
    ),
    ErrorCode.THROTTLED: (
        (429,),
        "Too many requests from this client; see Retry-After.",
    ),
    ErrorCode.TOO_MANY_ATTEMPTS: (
        (429,),
        "Too many failed sign-ins, or emails asked for too often; see Retry-After.",
    ),
    ErrorCode.HEADERS_TOO_LARGE: ((431,), "The headers are too large or too many."),
    ErrorCode.EXPECTATION_FAILED: (
        (417,),
        "An Expect header the server does not support; send the request without it.",
    ),
    ErrorCode.SERVER_ERROR: ((500,), "A fault on the service's side."),
    ErrorCode.NOT_IMPLEMENTED: (
        (501,),
        "A Transfer-Encoding the server does not support; send a Content-Length.",
    ),
    ErrorCode.WEBHOOK_UNREACHABLE: (
        (502,),
        "The organization's webhook did not answer or refused the call.",
    ),
    ErrorCode.DATABASE_UNAVAILABLE: (
        (503,),
        "The database cannot be reached; retry after Retry-After.",
    ),
    ErrorCode.NOT_READY: (
        (503,),
        "Readiness: the database cannot be reached or has migrations to apply.",
    ),
    ErrorCode.DATABASE_BUSY: (
        (503,),
        "The database is busy with other writes; retry after Retry-After.",
    ),
}
