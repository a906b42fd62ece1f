"""The emails proCure sends and the links in them: verifying an address and
resetting a password."""

import contextlib
import hashlib

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils.crypto import constant_time_compare
from django.utils.http import (
    base36_to_int,
    urlsafe_base64_decode,
)

from accounts import tasks
from accounts.errors import SeatLimitReached, WrongPassword
from accounts.models import Organization, User, UserManager
from accounts.services import lockout, seats
from accounts.services.sessions import user_sessions_revoke
from accounts.tokens import email_verification_token_read
from accounts.validators import password_check
from audit.models import AuditAction
from audit.services import audit_record
from procure_site.error_codes import ErrorCode
from procure_site.exceptions import DomainError


def email_verification_send(*, user: User) -> None:
    """Emails `user` a link that verifies their current address (a task)."""
    tasks.email_verification_email_send.enqueue(user_id=str(user.pk))


def user_email_verification_resend(*, user: User) -> bool:
    """Emails `user` a fresh verification link. False if already verified."""
    if user.email_verified:
        return False
    email_verification_send(user=user)
    return True


LINK_NOT_VALID = (
    "This link is not valid: it may have been cut short or changed. Open the "
    "link from the email again, or sign in and ask for a new one."
)


def _expired_link_resend_claim(*, email: str) -> bool:
    """True for the first expired link opened for `email` in
    EMAIL_VERIFICATION_RESEND_MINUTES, which may send a new one; False until
    that time has passed."""
    # Hashed, so that the cache never holds the addresses themselves.
    digest = hashlib.sha256(UserManager.normalize_email(email).encode()).hexdigest()
    return cache.add(
        f"accounts:expired-verification-link-resent:{digest}",
        True,
        timeout=settings.EMAIL_VERIFICATION_RESEND_MINUTES * 60,
    )


def email_verification_link_read(*, token: str) -> User:
    """The active user a verification link was sent to, at that address.

    An expired link sends a fresh one to the same address (only its holder
    can have it), at most once per EMAIL_VERIFICATION_RESEND_MINUTES however
    often it is opened, and raises DomainError saying so; a link that was not
    made here, or for an address the user no longer has, raises DomainError.
    """
    try:
        user_id, email = email_verification_token_read(token=token)
    except signing.SignatureExpired:
        user_id, email = email_verification_token_read(token=token, max_age=None)
        user = User.objects.filter(pk=user_id, email=email, is_active=True).first()
        if user is None or user.email_verified:
            raise DomainError(
                "This link has expired. Sign in, or ask for a password reset.",
                code=ErrorCode.LINK_NOT_VALID,
            ) from None
        if not _expired_link_resend_claim(email=user.email):
            minutes = settings.EMAIL_VERIFICATION_RESEND_MINUTES
            raise DomainError(
                f"This link has expired. We sent a new one to {user.email} less "
                f"than {minutes} minute{'s' if minutes != 1 else ''} ago: open "
                "the newest email from proCure in that inbox.",
                code=ErrorCode.LINK_NOT_VALID,
            ) from None
        email_verification_send(user=user)
        raise DomainError(
            f"This link has expired. We sent a new one to {user.email}.",
            code=ErrorCode.LINK_NOT_VALID,
        ) from None
    except signing.BadSignature:
        raise DomainError(LINK_NOT_VALID, code=ErrorCode.LINK_NOT_VALID) from None
    user = (
        User.objects.select_related("organization")
        .filter(pk=user_id, email=email, is_active=True)
        .first()
    )
    if user is None:
        # The account is gone, inactive, or its address has changed since.
        raise DomainError(LINK_NOT_VALID, code=ErrorCode.LINK_NOT_VALID)
    return user


def user_email_verify(*, token: str, password: str, client_address: str | None) -> User:
    """Marks the address a verification link was sent to as verified.

    Verifying proves the mailbox and the password together: the link must be
    unexpired, for the user's current address, and come with the account's
    password, so that the owner of an address cannot be made to verify an
    account someone else signed up with it. Wrong passwords count towards the
    account's sign-in lockout. Following a link again changes nothing.
    """
    user = email_verification_link_read(token=token)
    if user.email_verified:
        return user
    lockout.sign_in_lockout_check(email=user.email, client_address=client_address)
    if not user.check_password(password):
        lockout.sign_in_failure_record(email=user.email, client_address=client_address)
        raise WrongPassword(
            f"That is not the password of the proCure account {user.email}. "
            "Didn't create this account? Reset its password."
        )
    lockout.sign_in_success_record(email=user.email, client_address=client_address)
    return seats.user_email_verified_mark(user=user, via="link")


def user_password_reset_request(*, email: str) -> None:
    """Emails a password-reset link if an active user has `email`.

    Says nothing about whether one does: callers answer the same either way.
    """
    # Always one task, whatever the address: the answer takes as long for an
    # address with an account as for one without.
    tasks.password_reset_email_send.enqueue(email=UserManager.normalize_email(email))


def _user_from_uid(uid: str) -> User | None:
    try:
        user_id = urlsafe_base64_decode(uid).decode()
        return User.objects.select_related("organization").get(
            pk=user_id, is_active=True
        )
    except (ValueError, TypeError, OverflowError, DjangoValidationError):
        return None
    except User.DoesNotExist:
        return None


RESET_LINK_NOT_VALID = (
    "This password reset link is not valid: it may have been used already, cut "
    "short or changed. Open the link from the newest email again, or ask for a "
    "new one."
)


def _reset_link_refusal(*, user: User, token: str) -> DomainError:
    """Why `token` does not reset `user`'s password: expired, or not valid.

    Django's reset token is "<timestamp>-<hash over the user's password and
    last sign-in>". A hash that matches its timestamp but is too old has
    expired, which only the holder of a real link can learn. Any other hash
    was used already or never made here: the two read alike, since telling
    them apart would tell anyone with a user's uid whether, and since when,
    that account's password was reset.
    """
    generator = default_token_generator
    try:
        timestamp = base36_to_int(token.split("-", 1)[0])
    except ValueError:
        return DomainError(RESET_LINK_NOT_VALID, code=ErrorCode.LINK_NOT_VALID)
    if constant_time_compare(
        generator._make_token_with_timestamp(user, timestamp, generator.secret), token
    ):
        return DomainError(
            "This password reset link has expired. Ask for a new one below.",
            code=ErrorCode.LINK_NOT_VALID,
        )
    return DomainError(RESET_LINK_NOT_VALID, code=ErrorCode.LINK_NOT_VALID)


def password_reset_link_read(*, uid: str, token: str) -> User:
    """The active user a password-reset link is for, while it works.

    Raises DomainError saying whether the link expired or does not work
    (used, altered, or not made here).
    """
    user = _user_from_uid(uid)
    if user is None:
        raise DomainError(RESET_LINK_NOT_VALID, code=ErrorCode.LINK_NOT_VALID)
    if not default_token_generator.check_token(user, token):
        raise _reset_link_refusal(user=user, token=token)
    return user


def user_password_reset_confirm(
    *, uid: str, token: str, new_password: str, client_address: str | None
) -> User:
    """Sets a new password through a reset link, ends every session of the
    user, and marks their address verified: the link reached their inbox.

    The link works once: the token is bound to the password it replaces. It
    also unlocks password sign-in, in the API and the admin, and lets the
    network it was followed from sign in even while others keep guessing
    (accounts/services/lockout.py).
    """
    user = password_reset_link_read(uid=uid, token=token)
    password_check(password=new_password, user=user, field="new_password")
    with transaction.atomic():
        # Checked again under a lock, so that one link sets one password even
        # when it is followed twice at once.
        # The organization first, then the user: the order of every other
        # lock of both (sign-up, role change, verification).
        if user.organization_id is not None:
            Organization.objects.select_for_update().get(pk=user.organization_id)
        user = (
            User.objects.select_for_update(of=("self",))
            .select_related("organization")
            .get(pk=user.pk)
        )
        if not default_token_generator.check_token(user, token):
            raise _reset_link_refusal(user=user, token=token)
        user.set_password(new_password)
        user.save(update_fields=["password"])
        audit_record(
            action=AuditAction.USER_PASSWORD_RESET,
            organization=user.organization,
            actor=user,
            target=user.email,
        )
        # The link reached the inbox, which verifies the address; an admin
        # whose organization has no admin seat left stays unverified.
        with contextlib.suppress(SeatLimitReached):
            user = seats.user_email_verified_mark(user=user, via="password_reset")
        user_sessions_revoke(user=user, actor=user, reason="password_reset")
    lockout.sign_in_lockout_clear(email=user.email, client_address=client_address)
    return user
