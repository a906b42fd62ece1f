import contextlib
import logging
import secrets
import smtplib
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.auth import password_validation
from django.contrib.auth.tokens import default_token_generator
from django.contrib.contenttypes.models import ContentType
from django.core import signing
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode
from rest_framework import exceptions
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.token_blacklist.models import (
    BlacklistedToken,
    OutstandingToken,
)

from accounts import selectors
from accounts.authentication import SessionToken
from accounts.models import (
    DeviceToken,
    Organization,
    Role,
    User,
    UserManager,
    domain_name_validator,
    hash_device_token,
)
from accounts.tokens import email_verification_token_make, email_verification_token_read
from audit.models import AuditAction, AuditEvent
from audit.services import audit_record
from procure_site.exceptions import Conflict, DomainError, NotFound

logger = logging.getLogger(__name__)

INVALID_CREDENTIALS = "Invalid email or password"
# What an erased person's email is replaced with wherever the audit trail and
# the Django admin's history kept it.
ERASED_USER = "(erased user)"


class SeatLimitReached(DomainError):
    pass


class InvalidCredentials(DomainError):
    status_code = 401

    def __init__(self, detail: str = INVALID_CREDENTIALS):
        super().__init__(detail)


class EmailNotSent(DomainError):
    status_code = 503


def organization_create(
    *,
    domain_name: str,
    company_name: str,
    admin_seats: int = 1,
    member_seats: int = 1000,
) -> Organization:
    """Creates an organization; sign-ups from `domain_name` will join it."""
    domain_name = domain_name.strip().lower()
    try:
        domain_name_validator(domain_name)
    except DjangoValidationError:
        raise DomainError(
            f"{domain_name!r} is not a domain name. "
            "Use a lower-case name such as acme.io."
        ) from None
    if not company_name.strip():
        raise DomainError("The company name must not be empty.")
    if admin_seats < 0 or member_seats < 0:
        raise DomainError("Seat caps must be zero or more.")
    try:
        with transaction.atomic():
            return Organization.objects.create(
                domain_name=domain_name,
                company_name=company_name.strip(),
                admin_seats=admin_seats,
                member_seats=member_seats,
            )
    except IntegrityError:
        raise Conflict(
            f"An organization with the domain {domain_name} already exists."
        ) from None


def _check_seat_available(*, organization: Organization, role: str) -> None:
    """Raises SeatLimitReached if one more active user of `role` passes the cap.

    Callers hold a lock on the organization row, so concurrent sign-ups and
    role changes for one organization are counted one at a time.
    """
    used = selectors.organization_seats_used(organization=organization)
    cap = organization.admin_seats if role == Role.ADMIN else organization.member_seats
    if used[role] >= cap:
        raise SeatLimitReached(
            f"{organization.company_name} has no {role} seats left "
            f"({cap} of {cap} taken). Ask an admin of your organization to free one."
        )


def password_check(
    *, password: str, user: User | None = None, field: str = "password"
) -> None:
    """Raises a DRF ValidationError on `field` naming every rule `password` breaks."""
    try:
        password_validation.validate_password(password, user=user)
    except DjangoValidationError as exc:
        raise exceptions.ValidationError({field: list(exc.messages)}) from None


def device_token_issue(*, user: User, device_id: str) -> str:
    """A fresh device token for (user, device_id); the device's old one is revoked.

    Returns the raw token, which is shown once and never stored.
    """
    raw = secrets.token_urlsafe(32)
    with transaction.atomic():
        # Locking the user serializes two sign-ins from the same device.
        User.objects.select_for_update().filter(pk=user.pk).first()
        DeviceToken.objects.live().filter(user=user, device_id=device_id).update(
            revoked_at=timezone.now()
        )
        DeviceToken.objects.create(
            user=user, device_id=device_id, token_hash=hash_device_token(raw)
        )
    return raw


def session_token_issue(*, user: User) -> str:
    """The value of the web app's cookie for `user`."""
    return str(SessionToken.for_user(user))


def user_sign_up(
    *, email: str, password: str, device_id: str, role: str = Role.MEMBER
) -> tuple[User, str]:
    """Creates a user in the organization of the email's domain.

    Returns the user and a raw device token for `device_id`.
    """
    email = UserManager.normalize_email(email)
    domain = email.rsplit("@", 1)[-1]
    organization = Organization.objects.filter(domain_name=domain).first()
    if organization is None:
        raise NotFound(f"No organization found for domain {domain}. Sign up failed.")
    password_check(password=password, user=User(email=email))
    if User.objects.filter(email=email).exists():
        raise Conflict(f"An account for {email} already exists. Sign in instead.")
    try:
        with transaction.atomic():
            organization = Organization.objects.select_for_update().get(
                pk=organization.pk
            )
            _check_seat_available(organization=organization, role=role)
            user = User.objects.create_user(
                email=email, password=password, organization=organization, role=role
            )
            audit_record(
                action=AuditAction.USER_SIGNED_UP,
                organization=organization,
                actor=user,
                target=user.email,
                details={"role": role},
            )
            # Sent once the user is committed: a rolled-back sign-up mails
            # nobody, and a mail server that is down does not undo it.
            transaction.on_commit(
                lambda: email_verification_send(user=user), robust=True
            )
    except IntegrityError:
        # Two sign-ups with the same email raced past the check above.
        raise Conflict(
            f"An account for {email} already exists. Sign in instead."
        ) from None
    return user, device_token_issue(user=user, device_id=device_id)


def user_sign_in_with_password(
    *, email: str, password: str, device_id: str
) -> tuple[User, str]:
    user = (
        User.objects.select_related("organization")
        .filter(email=UserManager.normalize_email(email))
        .first()
    )
    if user is None:
        # Hash anyway, so that the answer takes as long for an unknown email.
        User().set_password(password)
        raise InvalidCredentials()
    if not user.check_password(password) or not user.is_active:
        raise InvalidCredentials()
    return user, device_token_issue(user=user, device_id=device_id)


def user_sign_in_with_device_token(*, device_token: str, device_id: str) -> User:
    token = selectors.live_device_token(raw_token=device_token)
    if token is None or token.device_id != device_id:
        raise InvalidCredentials("This device token is not valid for this device.")
    return token.user


def session_revoke(*, raw_cookie: str) -> None:
    """Blacklists the session a cookie carried; an invalid value is ignored."""
    with contextlib.suppress(TokenError):
        SessionToken(raw_cookie).blacklist()


def device_token_revoke(*, token: DeviceToken) -> None:
    """Logout from the extension: its own token is revoked."""
    device_tokens_revoke(
        tokens=DeviceToken.objects.filter(pk=token.pk),
        actor=token.user,
        reason="logout",
    )


def device_tokens_revoke(
    *, tokens: QuerySet, actor: User | None = None, reason: str
) -> int:
    """Revokes the live tokens among `tokens`, one audit event each.

    Returns how many were live.
    """
    with transaction.atomic():
        live = list(
            DeviceToken.objects.live()
            .filter(pk__in=tokens.values("pk"))
            .select_related("user__organization")
            .select_for_update(of=("self",))
        )
        DeviceToken.objects.filter(pk__in=[token.pk for token in live]).update(
            revoked_at=timezone.now()
        )
        for token in live:
            audit_record(
                action=AuditAction.TOKEN_REVOKED,
                organization=token.user.organization,
                actor=actor,
                target=token.user.email,
                details={"reason": reason, "device_id": token.device_id},
            )
    return len(live)


def user_sessions_revoke(
    *, user: User, actor: User | None, reason: str
) -> dict[str, int]:
    """Ends every way `user` is signed in: device tokens, the web cookie's
    sessions and JWT refresh tokens (access tokens live minutes and stop at
    the next check of the user or of the password they were issued under).

    Returns how many device tokens and sessions were live.
    """
    now = timezone.now()
    with transaction.atomic():
        devices = DeviceToken.objects.live().filter(user=user).update(revoked_at=now)
        session_ids = list(
            OutstandingToken.objects.filter(
                user=user, expires_at__gt=now, blacklistedtoken__isnull=True
            ).values_list("pk", flat=True)
        )
        BlacklistedToken.objects.bulk_create(
            [BlacklistedToken(token_id=pk) for pk in session_ids],
            ignore_conflicts=True,
        )
        if devices or session_ids:
            audit_record(
                action=AuditAction.TOKEN_REVOKED,
                organization=user.organization,
                actor=actor,
                target=user.email,
                details={
                    "reason": reason,
                    "devices": devices,
                    "sessions": len(session_ids),
                },
            )
    return {"devices": devices, "sessions": len(session_ids)}


def _check_not_last_admin(*, user: User, organization: Organization) -> None:
    """Raises DomainError if `user` is the organization's last active admin.

    Callers hold the organization row lock.
    """
    if user.role != Role.ADMIN:
        return
    used = selectors.organization_seats_used(organization=organization)
    if used[Role.ADMIN] <= 1:
        raise DomainError(
            f"{user.email} is the last admin of {organization.company_name}. "
            "Make someone else an admin first."
        )


def user_change_role(*, user: User, role: str, actor: User | None = None) -> User:
    """Gives `user` another role within the organization's seat caps.

    An organization always keeps at least one active admin.
    """
    if role not in Role.values:
        raise DomainError(f"{role!r} is not a role. Use admin or member.")
    if user.organization_id is None:
        raise DomainError(f"{user.email} belongs to no organization, so has no role.")
    with transaction.atomic():
        organization = Organization.objects.select_for_update().get(
            pk=user.organization_id
        )
        user = User.objects.select_related("organization").get(pk=user.pk)
        previous = user.role
        if previous == role:
            return user
        if user.is_active:
            _check_seat_available(organization=organization, role=role)
            _check_not_last_admin(user=user, organization=organization)
        user.role = role
        user.save(update_fields=["role"])
        audit_record(
            action=AuditAction.USER_ROLE_CHANGED,
            organization=organization,
            actor=actor,
            target=user.email,
            details={"from": previous, "to": role},
        )
    return user


def user_deactivate(*, user: User, actor: User | None) -> User:
    """Deactivates `user` and ends all their sessions; their seat is freed.

    The organization's last active admin cannot be deactivated. Deactivating
    someone who is already inactive changes nothing.
    """
    if user.organization_id is None:
        raise DomainError(f"{user.email} belongs to no organization.")
    with transaction.atomic():
        # The organization row lock orders this with sign-ups and role
        # changes, so that two admins cannot deactivate each other at once.
        organization = Organization.objects.select_for_update().get(
            pk=user.organization_id
        )
        user = User.objects.select_related("organization").get(pk=user.pk)
        if not user.is_active:
            return user
        _check_not_last_admin(user=user, organization=organization)
        user.is_active = False
        user.save(update_fields=["is_active"])
        audit_record(
            action=AuditAction.USER_DEACTIVATED,
            organization=organization,
            actor=actor,
            target=user.email,
        )
        user_sessions_revoke(user=user, actor=actor, reason="deactivated")
    return user


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


def user_erase(*, user: User, actor: User | None = None) -> dict[str, int]:
    """Deletes a person and everything proCure recorded about them.

    Their activity, device tokens and JWT/cookie sessions are deleted with the
    user. Where the audit trail and the Django admin's history kept their
    email, it is replaced by "(erased user)": the events stay, so the trail
    still shows what happened, but no longer who it was. Analytics are
    computed from activity when asked, so they simply stop counting the
    person. Records one `user.erased` event naming only the former user id.

    Returns how many rows of each kind were deleted or anonymized.
    """
    if actor is not None and actor.pk == user.pk:
        actor = None
    with transaction.atomic():
        # Locked first: an ingestion batch of this user that is under way
        # finishes before the rows to delete are collected, and one that
        # comes later waits, then finds no user and stores nothing
        # (url_visits.services).
        user = (
            User.objects.select_for_update(of=("self",))
            .select_related("organization")
            .get(pk=user.pk)
        )
        user_id, email, organization = str(user.pk), user.email, user.organization
        summary = {
            "activity": user.activities.count(),
            "devices": DeviceToken.objects.filter(user=user).count(),
            "sessions": OutstandingToken.objects.filter(user=user)
            .delete()[1]
            .get("token_blacklist.OutstandingToken", 0),
        }
        mentioned_as_actor = Q(actor=user) | Q(actor_email=email)
        summary["audit_events"] = AuditEvent.objects.filter(
            mentioned_as_actor | Q(target=email)
        ).count()
        AuditEvent.objects.filter(mentioned_as_actor).update(actor_email=ERASED_USER)
        AuditEvent.objects.filter(target=email).update(target=ERASED_USER)
        LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(User),
            object_id=user_id,
        ).update(object_repr=ERASED_USER)
        # Activity and device tokens go with the user (on_delete=CASCADE).
        user.delete()
        audit_record(
            action=AuditAction.USER_ERASED,
            organization=organization,
            actor=actor,
            target=ERASED_USER,
            details={"user_id": user_id, **summary},
        )
    return summary
