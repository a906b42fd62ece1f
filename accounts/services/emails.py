"""The emails proCure sends and the links in them: verifying an address and
resetting a password."""

import contextlib
import logging
import smtplib
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core import signing
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode

from accounts.errors import EmailNotSent
from accounts.models import User, UserManager
from accounts.services.sessions import user_sessions_revoke
from accounts.tokens import email_verification_token_make, email_verification_token_read
from accounts.validators import password_check
from audit.models import AuditAction
from audit.services import audit_record
from procure_site.exceptions import DomainError

logger = logging.getLogger(__name__)


def _email_send(*, to: str, subject: str, body: str) -> None:
    try:
        send_mail(subject, body, None, [to])
    except (smtplib.SMTPException, OSError) as exc:
        # The exception's text may carry the server's reply; its type is enough.
        logger.error("Could not send the email %r: %s", subject, type(exc).__name__)
        raise EmailNotSent(
            "We could not send the email just now. Please try again in a few minutes."
        ) from None


def email_verification_send(*, user: User) -> None:
    """Emails `user` a link that verifies their current address."""
    token = email_verification_token_make(user_id=str(user.pk), email=user.email)
    link = f"{settings.PUBLIC_BASE_URL}/verify-email?{urlencode({'token': token})}"
    hours = int(settings.EMAIL_VERIFICATION_MAX_AGE.total_seconds() // 3600)
    _email_send(
        to=user.email,
        subject="Verify your email address for proCure",
        body=(
            f"Hello,\n\nPlease confirm that {user.email} is your address by "
            f"opening this link within {hours} hours:\n\n{link}\n\n"
            "If you did not sign up for proCure, you can ignore this email.\n"
        ),
    )


def user_email_verification_resend(*, user: User) -> bool:
    """Emails `user` a fresh verification link. False if already verified."""
    if user.email_verified:
        return False
    email_verification_send(user=user)
    return True


def user_email_verify(*, token: str) -> User:
    """Marks the address a verification link was sent to as verified.

    The link must be unexpired, for the user's current address, and the user
    active. Following it again changes nothing.
    """
    ask_again = f"Ask for a new one at {reverse('auth-verify-email-resend')}."
    try:
        user_id, email = email_verification_token_read(token=token)
    except signing.SignatureExpired:
        raise DomainError(f"This verification link has expired. {ask_again}") from None
    except signing.BadSignature:
        raise DomainError(f"This verification link is not valid. {ask_again}") from None
    with transaction.atomic():
        user = (
            User.objects.select_for_update()
            .filter(pk=user_id, email=email, is_active=True)
            .first()
        )
        if user is None:
            # The account is gone, inactive, or its address has changed since.
            raise DomainError(f"This verification link is not valid. {ask_again}")
        if user.email_verified:
            return user
        user.email_verified_at = timezone.now()
        user.save(update_fields=["email_verified_at"])
        audit_record(
            action=AuditAction.USER_EMAIL_VERIFIED,
            organization=user.organization,
            actor=user,
            target=user.email,
        )
    return user


def user_email_mark_verified(*, user: User, actor: User) -> User:
    """Marks `user`'s address as verified on their behalf, as support does when
    the person has shown they own it some other way. Audited with the staff
    member as actor; an address already verified is left as it was."""
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        if user.email_verified:
            return user
        user.email_verified_at = timezone.now()
        user.save(update_fields=["email_verified_at"])
        audit_record(
            action=AuditAction.USER_EMAIL_VERIFIED,
            organization=user.organization,
            actor=actor,
            target=user.email,
            details={"by": "staff"},
        )
    return user


def user_password_reset_request(*, email: str) -> None:
    """Emails a password-reset link if an active user has `email`.

    Says nothing about whether one does: callers answer the same either way.
    """
    user = User.objects.filter(
        email=UserManager.normalize_email(email), is_active=True
    ).first()
    if user is None:
        return
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    link = f"{settings.PUBLIC_BASE_URL}/reset-password?" + urlencode(
        {"uid": uid, "token": token}
    )
    hours = settings.PASSWORD_RESET_TIMEOUT // 3600
    # A failure to send must answer like an unknown address, so it is only
    # logged (by _email_send).
    with contextlib.suppress(EmailNotSent):
        _email_send(
            to=user.email,
            subject="Reset your proCure password",
            body=(
                "Hello,\n\nSomeone asked to reset the password of the proCure "
                f"account {user.email}. To choose a new one, open this link "
                f"within {hours} hours:\n\n{link}\n\n"
                "If it was not you, ignore this email: your password stays as "
                "it is.\n"
            ),
        )


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


def user_password_reset_confirm(*, uid: str, token: str, new_password: str) -> User:
    """Sets a new password through a reset link, ends every session of the
    user, and marks their address verified: the link reached their inbox.

    The link works once: the token is bound to the password it replaces.
    """
    invalid = DomainError(
        "This password reset link is not valid or has expired. Ask for a new one."
    )
    user = _user_from_uid(uid)
    if user is None or not default_token_generator.check_token(user, token):
        raise invalid
    password_check(password=new_password, user=user, field="new_password")
    with transaction.atomic():
        # Checked again under a lock, so that one link sets one password even
        # when it is followed twice at once.
        user = (
            User.objects.select_for_update(of=("self",))
            .select_related("organization")
            .get(pk=user.pk)
        )
        if not default_token_generator.check_token(user, token):
            raise invalid
        user.set_password(new_password)
        fields = ["password"]
        newly_verified = not user.email_verified
        if newly_verified:
            user.email_verified_at = timezone.now()
            fields.append("email_verified_at")
        user.save(update_fields=fields)
        audit_record(
            action=AuditAction.USER_PASSWORD_RESET,
            organization=user.organization,
            actor=user,
            target=user.email,
        )
        if newly_verified:
            audit_record(
                action=AuditAction.USER_EMAIL_VERIFIED,
                organization=user.organization,
                actor=user,
                target=user.email,
                details={"via": "password_reset"},
            )
        user_sessions_revoke(user=user, actor=user, reason="password_reset")
    return user
