"""The refusals of accounts' rules that are more than a plain DomainError."""

from procure_site.exceptions import DomainError, InvalidFields

INVALID_CREDENTIALS = "Invalid email or password"


class SeatLimitReached(DomainError):
    pass


class InvalidCredentials(DomainError):
    status_code = 401

    def __init__(self, detail: str = INVALID_CREDENTIALS):
        super().__init__(detail)


class EmailNotSent(DomainError):
    status_code = 503


class PasswordRejected(InvalidFields):
    """A password that breaks password rules, named under the payload's `field`."""

    def __init__(self, *, field: str, messages: list[str]):
        super().__init__({field: messages})
