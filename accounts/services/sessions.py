"""How people are signed in and out: device tokens for the extension, session
tokens for the web app's cookie, signing in, and revoking either."""

import contextlib
import secrets

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from rest_framework import exceptions
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.token_blacklist.models import (
    BlacklistedToken,
    OutstandingToken,
)

from accounts import selectors
from accounts.authentication import SessionToken, bearer_credential, looks_like_jwt
from accounts.errors import InvalidCredentials
from accounts.models import DeviceToken, User, UserManager, hash_device_token
from accounts.services import lockout
from audit.models import AuditAction
from audit.services import audit_record
from procure_site import clock
from procure_site.exceptions import Forbidden


def device_token_issue(*, user: User, device_id: str) -> str:
    """A fresh device token for (user, device_id); the device's old one is revoked.

    Returns the raw token, which is shown once and never stored.
    """
    raw = secrets.token_urlsafe(32)
    with transaction.atomic():
        # Locking the user serializes two sign-ins from the same device.
        User.objects.select_for_update().filter(pk=user.pk).first()
        DeviceToken.objects.live().filter(user=user, device_id=device_id).update(
            revoked_at=clock.now()
        )
        DeviceToken.objects.create(
            user=user, device_id=device_id, token_hash=hash_device_token(raw)
        )
    return raw


def session_token_issue(*, user: User) -> str:
    """The value of the web app's cookie for `user`."""
    return str(SessionToken.for_user(user))


def user_sign_in(
    *,
    device_id: str,
    client_address: str | None,
    email: str | None = None,
    password: str | None = None,
    device_token: str | None = None,
) -> tuple[User, str]:
    """Signs in with email and password, or else with a device token.

    Returns the user and the device token for `device_id`: a fresh one after a
    password, the same one otherwise. A device token is never locked out:
    it cannot be guessed, so only passwords count towards the lockout.
    """
    if email is None or password is None:
        user = _sign_in_with_device_token(
            device_token=device_token, device_id=device_id
        )
        return user, device_token
    user = user_password_check(
        email=email, password=password, client_address=client_address
    )
    return user, device_token_issue(user=user, device_id=device_id)


def user_password_check(
    *, email: str, password: str, client_address: str | None
) -> User:
    """The active user with `email` and `password`, else InvalidCredentials.

    Failures count towards the lockout (accounts/services/lockout.py): past
    its limits even the right password waits (TooManyAttempts).
    """
    lockout.sign_in_lockout_check(email=email, client_address=client_address)
    user = (
        User.objects.select_related("organization")
        .filter(email=UserManager.normalize_email(email))
        .first()
    )
    if user is None:
        # Hash anyway, so that the answer takes as long for an unknown email.
        User().set_password(password)
        lockout.sign_in_failure_record(email=email, client_address=client_address)
        raise InvalidCredentials()
    if not user.check_password(password) or not user.is_active:
        lockout.sign_in_failure_record(email=email, client_address=client_address)
        raise InvalidCredentials()
    lockout.sign_in_success_record(email=email, client_address=client_address)
    organization = user.organization
    if organization is not None and not organization.password_sign_in:
        raise Forbidden(
            f"{organization.company_name} signs in with its identity provider "
            f"only: sign in at {settings.SITE_URL}/account/sso with your work "
            "address."
        )
    return user


def _sign_in_with_device_token(*, device_token: str, device_id: str) -> User:
    token = selectors.live_device_token(raw_token=device_token)
    if token is None or token.device_id != device_id:
        raise InvalidCredentials("This device token is not valid for this device.")
    return token.user


def user_sign_out(*, raw_cookie: str | None, authorization: bytes) -> None:
    """Ends the session a request carries: the web app's cookie, the
    extension's device token in the Authorization header, or both.

    A stale or invalid value is simply nothing to revoke. A JWT access token
    is left to expire: it lives minutes.
    """
    if raw_cookie:
        with contextlib.suppress(TokenError):
            SessionToken(raw_cookie).blacklist()
    try:
        raw = bearer_credential(authorization)
    except exceptions.AuthenticationFailed:
        return
    if raw is None or looks_like_jwt(raw):
        return
    token = selectors.live_device_token(raw_token=raw)
    if token is not None:
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
            revoked_at=clock.now()
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
    *, user: User, actor: User | None, reason: str, audited: bool = True
) -> dict[str, int]:
    """Ends every way `user` is signed in: device tokens, the web cookie's
    sessions and JWT refresh tokens (access tokens live minutes and stop at
    the next check of the user or of the password they were issued under).

    Returns how many device tokens and sessions were live. With `audited`
    off, the caller records them in its own event.
    """
    now = clock.now()
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
        if audited and (devices or session_ids):
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
