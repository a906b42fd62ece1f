"""Limits on guessing passwords, and on password-reset emails to one address.

Failed sign-ins are counted twice, in fixed windows of
SIGN_IN_LOCKOUT_MINUTES: per (account, client network) and per account.

- Past SIGN_IN_LOCKOUT_FAILURES for one account from one network, that
  network waits out the window, even with the right password. A stranger's
  failures from elsewhere never lock out the person's own network.
- Past the much higher SIGN_IN_LOCKOUT_ACCOUNT_FAILURES for one account from
  all networks together (guessing from many addresses), the account takes
  passwords only from networks it signed in from in the last
  KNOWN_NETWORK_DAYS, so that the person keeps signing in where they always
  do while the guessing stops.

A completed password reset, whose emailed link proves the mailbox, clears
both counts and makes the network it was completed from a known one: it
always gets the person in. Device tokens (the extension) are never counted.

IPv6 clients are counted per /64, the block one subscriber usually holds, so
that walking through one's own addresses buys nothing. Counts live in the
default cache, which every worker shares (the database or Redis).
"""

import hashlib
import ipaddress
import math
import time

from axes.utils import reset as axes_reset
from django.conf import settings
from django.core.cache import cache

from accounts.models import UserManager
from procure_site.exceptions import TooManyAttempts

KNOWN_NETWORK_DAYS = 30


def client_network(client_address: str | None) -> str:
    """The address a limit counts: an IPv4 address, or an IPv6 address's /64."""
    try:
        address = ipaddress.ip_address(client_address or "")
    except ValueError:
        return "unknown"
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return str(address)


def _key(kind: str, *parts: str) -> str:
    # Hashed, so that the cache never holds the addresses themselves.
    digest = hashlib.sha256("\n".join(parts).encode()).hexdigest()
    return f"accounts:{kind}:{digest}"


def _account(email: str) -> str:
    return UserManager.normalize_email(email)


def _failure_keys(*, email: str, client_address: str | None) -> tuple[str, str]:
    account = _account(email)
    return (
        _key("sign-in-failures", account, client_network(client_address)),
        _key("sign-in-failures", account),
    )


def _known_key(*, email: str, client_address: str | None) -> str:
    return _key("sign-in-network", _account(email), client_network(client_address))


def _window_counts(keys: tuple[str, ...]) -> list[tuple[int, int]]:
    """Each key's count in its current window and the seconds until it ends."""
    found = cache.get_many([f"{key}:{part}" for key in keys for part in ("n", "end")])
    now = time.time()
    return [
        (
            int(found.get(f"{key}:n", 0)),
            max(1, math.ceil(found.get(f"{key}:end", 0.0) - now)),
        )
        for key in keys
    ]


def _window_add(*, key: str, seconds: int) -> int:
    """Counts one more event in the key's current window (opening one if needed)."""
    if cache.add(f"{key}:n", 0, timeout=seconds):
        cache.set(f"{key}:end", time.time() + seconds, timeout=seconds)
    try:
        return cache.incr(f"{key}:n")
    except ValueError:
        # The window ended between add() and incr().
        cache.add(f"{key}:n", 1, timeout=seconds)
        cache.set(f"{key}:end", time.time() + seconds, timeout=seconds)
        return 1


def _minutes(seconds: int) -> str:
    minutes = math.ceil(seconds / 60)
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


def sign_in_lockout_check(*, email: str, client_address: str | None) -> None:
    """Raises TooManyAttempts while passwords for `email` are not taken from
    `client_address`."""
    network_key, account_key = _failure_keys(email=email, client_address=client_address)
    (network, network_wait), (account, account_wait) = _window_counts(
        (network_key, account_key)
    )
    if network >= settings.SIGN_IN_LOCKOUT_FAILURES:
        raise TooManyAttempts(
            "Too many failed sign-ins to this account from your network. Try "
            f"again in {_minutes(network_wait)}, or reset your password: a "
            "completed reset unlocks it at once.",
            retry_after=network_wait,
        )
    if account >= settings.SIGN_IN_LOCKOUT_ACCOUNT_FAILURES and not cache.get(
        _known_key(email=email, client_address=client_address)
    ):
        raise TooManyAttempts(
            "Too many failed sign-ins to this account from many networks: for "
            f"the next {_minutes(account_wait)} it takes passwords only from "
            "networks it has signed in from before. Reset your password to "
            "sign in from here: a completed reset unlocks it at once.",
            retry_after=account_wait,
        )


def sign_in_failure_record(*, email: str, client_address: str | None) -> None:
    seconds = settings.SIGN_IN_LOCKOUT_MINUTES * 60
    for key in _failure_keys(email=email, client_address=client_address):
        _window_add(key=key, seconds=seconds)


def sign_in_success_record(*, email: str, client_address: str | None) -> None:
    """Forgets the network's failures and remembers it as one the account signs
    in from. The account's own count stays: the person signing in does not
    stop someone else guessing."""
    network_key, _ = _failure_keys(email=email, client_address=client_address)
    cache.delete_many([f"{network_key}:n", f"{network_key}:end"])
    cache.set(
        _known_key(email=email, client_address=client_address),
        True,
        timeout=KNOWN_NETWORK_DAYS * 24 * 60 * 60,
    )


def sign_in_lockout_clear(*, email: str, client_address: str | None) -> None:
    """After a completed password reset: forgets every count of the account,
    the admin login's (django-axes) included, and remembers the network the
    reset came from."""
    _, account_key = _failure_keys(email=email, client_address=client_address)
    cache.delete_many([f"{account_key}:n", f"{account_key}:end"])
    sign_in_success_record(email=email, client_address=client_address)
    axes_reset(username=_account(email))


def sign_in_network_known(*, email: str, client_address: str | None) -> bool:
    """Whether `email` signed in (or reset its password) from this network in
    the last KNOWN_NETWORK_DAYS."""
    return bool(cache.get(_known_key(email=email, client_address=client_address)))


def password_reset_email_allowed(*, email: str) -> bool:
    """Counts a reset email to `email`; False once the hour's allowance is spent."""
    sent = _window_add(key=_key("password-reset-emails", _account(email)), seconds=3600)
    return sent <= settings.PASSWORD_RESET_EMAILS_PER_HOUR
