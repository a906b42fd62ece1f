"""Limits kept per account rather than per client address: failed sign-ins
to one email, and password-reset emails sent to one address.

A client can change its address at will (a botnet, a proxy); counting by the
email as well means that guessing one account's password stays slow whatever
the addresses. Counts live in the cache (Redis in production, shared by every
worker), in fixed windows.
"""

import hashlib
import math
import time

from django.conf import settings
from django.core.cache import cache

from accounts.models import UserManager
from procure_site.exceptions import TooManyAttempts


def _key(kind: str, email: str) -> str:
    # Hashed, so that the cache never holds the addresses themselves.
    digest = hashlib.sha256(UserManager.normalize_email(email).encode()).hexdigest()
    return f"accounts:{kind}:{digest}"


def _window_count(*, kind: str, email: str) -> tuple[int, int]:
    """The count of the current window and the seconds until it ends."""
    key = _key(kind, email)
    count = cache.get(f"{key}:count", 0)
    ends_at = cache.get(f"{key}:ends", 0.0)
    return int(count), max(1, math.ceil(ends_at - time.time()))


def _window_add(*, kind: str, email: str, seconds: int) -> int:
    """Counts one more event in the current window (opening one if needed)."""
    key = _key(kind, email)
    if cache.add(f"{key}:count", 0, timeout=seconds):
        cache.set(f"{key}:ends", time.time() + seconds, timeout=seconds)
    try:
        return cache.incr(f"{key}:count")
    except ValueError:
        # The window ended between add() and incr().
        cache.add(f"{key}:count", 1, timeout=seconds)
        cache.set(f"{key}:ends", time.time() + seconds, timeout=seconds)
        return 1


def sign_in_lockout_check(*, email: str) -> None:
    """Raises TooManyAttempts while `email` has failed too often to sign in."""
    failures, retry_after = _window_count(kind="sign-in-failures", email=email)
    if failures >= settings.SIGN_IN_LOCKOUT_FAILURES:
        minutes = math.ceil(retry_after / 60)
        raise TooManyAttempts(
            "Too many failed sign-ins to this account. Try again in "
            f"{minutes} minute{'s' if minutes != 1 else ''}, or reset your password.",
            retry_after=retry_after,
        )


def sign_in_failure_record(*, email: str) -> None:
    _window_add(
        kind="sign-in-failures",
        email=email,
        seconds=settings.SIGN_IN_LOCKOUT_MINUTES * 60,
    )


def sign_in_failures_clear(*, email: str) -> None:
    key = _key("sign-in-failures", email)
    cache.delete_many([f"{key}:count", f"{key}:ends"])


def password_reset_email_allowed(*, email: str) -> bool:
    """Counts a reset email to `email`; False once the hour's allowance is spent."""
    sent = _window_add(kind="password-reset-emails", email=email, seconds=3600)
    return sent <= settings.PASSWORD_RESET_EMAILS_PER_HOUR
