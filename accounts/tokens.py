"""The signed value in an email-verification link.

It names the user and the address the link was sent to, so that it stops
working when the address changes, and it is signed with SECRET_KEY under a
salt of its own, so that no other signed value in proCure can stand in for it.
Its age is checked against EMAIL_VERIFICATION_MAX_AGE when it is read.
"""

from django.conf import settings
from django.core import signing

EMAIL_VERIFICATION_SALT = "procure.accounts.email-verification"


def email_verification_token_make(*, user_id: str, email: str) -> str:
    return signing.dumps(
        {"user": user_id, "email": email}, salt=EMAIL_VERIFICATION_SALT
    )


_CONFIGURED_AGE = object()


def email_verification_token_read(
    *, token: str, max_age: object = _CONFIGURED_AGE
) -> tuple[str, str]:
    """The (user id, email) a token was made for.

    Raises signing.SignatureExpired for a token older than the maximum age and
    signing.BadSignature for anything that is not a token made here.
    `max_age=None` reads an expired token (still checking its signature), to
    say whom a new link should go to.
    """
    claims = signing.loads(
        token,
        salt=EMAIL_VERIFICATION_SALT,
        max_age=(
            settings.EMAIL_VERIFICATION_MAX_AGE if max_age is _CONFIGURED_AGE else None
        ),
    )
    if not isinstance(claims, dict) or not {"user", "email"} <= claims.keys():
        raise signing.BadSignature("The token does not name a user and an email.")
    return str(claims["user"]), str(claims["email"])


INVITATION_SALT = "procure.accounts.invitation"


def invitation_token_make(*, invitation_id: int) -> str:
    return signing.dumps({"invitation": invitation_id}, salt=INVITATION_SALT)


def invitation_token_read(*, token: str) -> int:
    """The id of the invitation a token was made for.

    Raises signing.BadSignature for anything that is not a token made here.
    The invitation's own expiry, acceptance and revocation are checked by the
    caller, against the database.
    """
    claims = signing.loads(token, salt=INVITATION_SALT)
    if not isinstance(claims, dict) or not isinstance(claims.get("invitation"), int):
        raise signing.BadSignature("The token does not name an invitation.")
    return int(claims["invitation"])
