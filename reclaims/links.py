"""The signed value in the link a person gets to answer about their seat.

It names the reclaim only, signed with SECRET_KEY under a salt of its own so
that no other signed value can stand in for it. It has no age limit of its
own: the reclaim's state decides whether it still takes an answer.
"""

from django.core import signing

RECLAIM_SALT = "procure.reclaims.answer"


def reclaim_token_make(*, reclaim_id: int) -> str:
    return signing.dumps({"reclaim": reclaim_id}, salt=RECLAIM_SALT)


def reclaim_token_read(*, token: str) -> int:
    """The id of the reclaim a token was made for; signing.BadSignature for
    anything that is not a token made here."""
    claims = signing.loads(token, salt=RECLAIM_SALT)
    if not isinstance(claims, dict) or not isinstance(claims.get("reclaim"), int):
        raise signing.BadSignature("The token does not name a reclaim.")
    return int(claims["reclaim"])
