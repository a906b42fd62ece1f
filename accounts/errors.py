"""The refusals of accounts' rules: the domain exceptions that are more than
a plain DomainError, and the sentences that services and permissions share."""

from django.urls import reverse

from accounts.models import User
from procure_site.error_codes import ErrorCode
from procure_site.exceptions import (
    WRONG_CREDENTIALS_DETAIL,
    DomainError,
    InvalidFields,
)

# The same words as simplejwt's failed sign-in, which the exception handler
# answers (it cannot import accounts).
INVALID_CREDENTIALS = WRONG_CREDENTIALS_DETAIL
NO_ORGANIZATION = (
    "Your account does not belong to an organization. Ask proCure support to "
    "add it to one."
)
ADMINS_ONLY = "Only admins of the organization can do this."


def unverified_admin_detail(user: User) -> str:
    return (
        "Verify your email address to use admin features. We sent a link to "
        f"{user.email}; ask for a new one at {reverse('auth-verify-email-resend')}."
    )


def unverified_reader_detail(user: User) -> str:
    return (
        "Verify your email address to see your organization's contracts. We "
        f"sent a link to {user.email}; ask for a new one at "
        f"{reverse('auth-verify-email-resend')}."
    )


def staff_permission_detail(permission: str) -> str:
    return (
        f"Staff need the {permission} permission to do this in another "
        "organization. Ask a superuser to grant it in the admin."
    )


class SeatLimitReached(DomainError):
    code = ErrorCode.SEATS_EXHAUSTED


class InvalidCredentials(DomainError):
    status_code = 401
    code = ErrorCode.INVALID_CREDENTIALS

    def __init__(self, detail: str = INVALID_CREDENTIALS):
        super().__init__(detail)


class WrongPassword(DomainError):
    """The password that must come with a link (verification) is not the account's."""

    code = ErrorCode.WRONG_PASSWORD


class PasswordRejected(InvalidFields):
    """A password that breaks password rules, named under the payload's `field`."""

    def __init__(self, *, field: str, messages: list[str]):
        super().__init__({field: messages})
