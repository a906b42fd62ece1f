import contextlib
import secrets

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from rest_framework import exceptions
from rest_framework_simplejwt.exceptions import TokenError

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
from procure_site.exceptions import Conflict, DomainError, NotFound

INVALID_CREDENTIALS = "Invalid email or password"


class SeatLimitReached(DomainError):
    pass


class InvalidCredentials(DomainError):
    status_code = 401

    def __init__(self, detail: str = INVALID_CREDENTIALS):
        super().__init__(detail)


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


def password_check(*, password: str, user: User | None = None) -> None:
    """Raises a DRF ValidationError on `password` naming every rule it breaks."""
    try:
        password_validation.validate_password(password, user=user)
    except DjangoValidationError as exc:
        raise exceptions.ValidationError({"password": list(exc.messages)}) from None


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
    device_tokens_revoke(tokens=DeviceToken.objects.filter(pk=token.pk))


def device_tokens_revoke(*, tokens: QuerySet) -> int:
    """Revokes the live tokens among `tokens`; returns how many were live."""
    return tokens.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())


def user_change_role(*, user: User, role: str) -> User:
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
        user = User.objects.get(pk=user.pk)
        if user.role == role:
            return user
        if user.is_active:
            _check_seat_available(organization=organization, role=role)
            if user.role == Role.ADMIN:
                used = selectors.organization_seats_used(organization=organization)
                if used[Role.ADMIN] <= 1:
                    raise DomainError(
                        f"{user.email} is the last admin of "
                        f"{organization.company_name}. Make someone else an admin "
                        "first."
                    )
        user.role = role
        user.save(update_fields=["role"])
    return user
