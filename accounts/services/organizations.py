"""Organizations and their members: creating an organization, signing up into
the organization of an email's domain, seat caps, roles, deactivation and the
rule that an organization keeps one active admin."""

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction

from accounts import selectors
from accounts.models import (
    Invitation,
    Organization,
    OrganizationDomain,
    Role,
    User,
    UserManager,
    domain_claimed_sentence,
    domain_name_validator,
)
from accounts.services import invitations, seats
from accounts.services.emails import email_verification_send
from accounts.services.sessions import device_token_issue, user_sessions_revoke
from accounts.validators import password_check
from audit.models import AuditAction
from audit.services import audit_record
from procure_site.error_codes import ErrorCode
from procure_site.exceptions import Conflict, DomainError, NotFound


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
    claim = OrganizationDomain.objects.claiming(domain_name).first()
    if claim is not None:
        raise Conflict(domain_claimed_sentence(claim), code=ErrorCode.ALREADY_EXISTS)
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
            f"An organization with the domain {domain_name} already exists.",
            code=ErrorCode.ALREADY_EXISTS,
        ) from None


def organization_seat_caps_change(
    *,
    organization: Organization,
    admin_seats: int | None = None,
    member_seats: int | None = None,
    actor: User | None = None,
) -> dict[str, tuple[int, int]]:
    """Sets the organization's seat caps that are given, and returns each cap
    that changed as (before, after); audited.

    A cap may not go below the seats its role holds and its pending
    invitations keep, nor the admin cap below 1. The organization row is
    locked, as sign-ups, verifications and role changes lock it.
    """
    wanted = {"admin_seats": admin_seats, "member_seats": member_seats}
    if admin_seats is not None and admin_seats < 1:
        raise DomainError(
            "The admin seat cap must be at least 1: an organization needs an "
            "admin to manage it."
        )
    if member_seats is not None and member_seats < 0:
        raise DomainError("The member seat cap must be zero or more.")
    with transaction.atomic():
        locked = Organization.objects.select_for_update().get(pk=organization.pk)
        held = selectors.organization_seats_held(organization=locked)
        reserved = selectors.organization_seats_reserved(organization=locked)
        changes: dict[str, tuple[int, int]] = {}
        for field, role in (("admin_seats", Role.ADMIN), ("member_seats", Role.MEMBER)):
            cap = wanted[field]
            if cap is None or cap == getattr(locked, field):
                continue
            in_use = held[role] + reserved[role]
            if cap < in_use:
                raise DomainError(
                    f"{locked.company_name} has {in_use} {role} seats in use "
                    f"(people with a verified address and pending invitations), "
                    f"so its {role} cap cannot be {cap}. Deactivate people, change "
                    "roles or revoke invitations first."
                )
            changes[field] = (getattr(locked, field), cap)
            setattr(locked, field, cap)
        if changes:
            locked.save(update_fields=list(changes))
            audit_record(
                action=AuditAction.ORGANIZATION_SEATS_CHANGED,
                organization=locked,
                actor=actor,
                target=f"organization:{locked.public_id}",
                details={
                    "before": {field: before for field, (before, _) in changes.items()},
                    "after": {field: after for field, (_, after) in changes.items()},
                },
            )
    return changes


def user_sign_up(
    *, email: str, password: str, device_id: str, role: str = Role.MEMBER
) -> tuple[User, str]:
    """Creates a user in the organization of the email's domain.

    The user takes a seat of their role only when their address is verified
    (see accounts.services.seats), so that an unverified sign-up never keeps
    the real person out; a sign-up when verified people and pending
    invitations already fill the role's seats is refused at once. An address
    with a pending invitation joins through the invitation's link only, so
    that nobody else can claim it first.

    Returns the user and a raw device token for `device_id`.
    """
    email = UserManager.normalize_email(email)
    domain = email.rsplit("@", 1)[-1]
    organization = selectors.organization_for_domain(domain=domain)
    if organization is None:
        # The first two sentences are the compat contract's; clients match them.
        raise NotFound(
            f"No organization found for domain {domain}. Sign up failed. "
            f"proCure has no organization for {domain} yet: ask whoever runs "
            "proCure for your company to create it (manage.py "
            f"create_organization --domain {domain} --company <name>), then sign "
            "up again."
        )
    password_check(password=password, user=User(email=email))
    if User.objects.filter(email=email).exists():
        raise Conflict(
            f"An account for {email} already exists. Sign in instead.",
            code=ErrorCode.ALREADY_EXISTS,
        )
    try:
        with transaction.atomic():
            organization = Organization.objects.select_for_update().get(
                pk=organization.pk
            )
            if Invitation.objects.pending().filter(email=email).exists():
                raise Conflict(
                    f"{email} is invited to {organization.company_name}: open the "
                    f"link in the invitation email sent to {email} to join. It "
                    "sets your password and verifies your address."
                )
            seats.seat_check_available(organization=organization, role=role)
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
            f"An account for {email} already exists. Sign in instead.",
            code=ErrorCode.ALREADY_EXISTS,
        ) from None
    return user, device_token_issue(user=user, device_id=device_id)


def user_create(
    *,
    email: str,
    password: str,
    organization: Organization | None,
    role: str = Role.MEMBER,
    is_staff: bool = False,
    actor: User | None = None,
) -> User:
    """Creates a user on someone's behalf (staff in the Django admin), within
    the organization's seat caps and audited like a sign-up. No verification
    email is sent: staff mark the address verified when they know it is.

    A staff account may belong to no organization.
    """
    email = UserManager.normalize_email(email)
    if role not in Role.values:
        raise DomainError(f"{role!r} is not a role. Use admin or member.")
    password_check(password=password, user=User(email=email))
    try:
        with transaction.atomic():
            if organization is not None:
                organization = Organization.objects.select_for_update().get(
                    pk=organization.pk
                )
                seats.seat_check_available(organization=organization, role=role)
            user = User.objects.create_user(
                email=email,
                password=password,
                organization=organization,
                role=role,
                is_staff=is_staff,
            )
            audit_record(
                action=AuditAction.USER_SIGNED_UP,
                organization=organization,
                actor=actor,
                target=user.email,
                details={"role": role, "by": "staff"},
            )
    except IntegrityError:
        raise Conflict(
            f"An account for {email} already exists.", code=ErrorCode.ALREADY_EXISTS
        ) from None
    return user


def _check_not_last_admin(*, user: User, organization: Organization) -> None:
    """Raises DomainError if `user` is the organization's last active admin.

    Callers hold the organization row lock.
    """
    if selectors.user_is_last_admin(user=user, organization=organization):
        raise DomainError(
            f"{user.email} is the last admin of {organization.company_name}. "
            "Make someone else an admin first.",
            code=ErrorCode.LAST_ADMIN,
        )


def user_change_role(*, user: User, role: str, actor: User | None = None) -> User:
    """Gives `user` another role within the organization's seat caps.

    An organization always keeps at least one active admin, and a
    deactivated person cannot be made an admin. An admin made a member loses
    the invitations they sent that are still pending.
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
        # The seat check below counts active people only, so a deactivated
        # admin would hold no seat and could be reactivated past the cap.
        if role == Role.ADMIN and not user.is_active:
            raise DomainError(
                f"{user.email} is deactivated, so cannot be made an admin. Only "
                "active people hold admin seats."
            )
        if user.is_active:
            seats.seat_check_available(organization=organization, role=role)
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
        if previous == Role.ADMIN:
            invitations.invitations_revoke_sent_by(
                inviter=user, actor=actor, reason="inviter_demoted"
            )
    return user


def user_department_set(*, user: User, department: str, actor: User | None) -> User:
    """Puts `user` in `department` (blank for none), for spend by department.
    Setting the department a person already has changes and audits nothing."""
    department = department.strip()
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        previous = user.department
        if previous == department:
            return user
        user.department = department
        user.save(update_fields=["department"])
        audit_record(
            action=AuditAction.USER_DEPARTMENT_CHANGED,
            organization=user.organization,
            actor=actor,
            target=user.email,
            details={"from": previous, "to": department},
        )
    return user


def user_deactivate(
    *, user: User, actor: User | None, via: dict[str, Any] | None = None
) -> User:
    """Deactivates `user` and ends all their sessions; their seat is freed,
    and the invitations they sent that are still pending are revoked.

    The organization's last active admin cannot be deactivated. Deactivating
    someone who is already inactive changes nothing.

    `via` says who asked when it is not a person (the identity provider,
    through SCIM): the deactivation is then one audit event, which carries
    `via` and how many device tokens and sessions it ended.
    """
    with transaction.atomic():
        # The organization row lock orders this with sign-ups and role
        # changes, so that two admins cannot deactivate each other at once.
        # A staff account may belong to no organization.
        organization = (
            Organization.objects.select_for_update()
            .filter(id__in=[user.organization_id] if user.organization_id else [])
            .first()
        )
        user = User.objects.select_related("organization").get(pk=user.pk)
        if not user.is_active:
            return user
        if organization is not None:
            _check_not_last_admin(user=user, organization=organization)
        user.is_active = False
        user.save(update_fields=["is_active"])
        if via is None:
            audit_record(
                action=AuditAction.USER_DEACTIVATED,
                organization=organization,
                actor=actor,
                target=user.email,
            )
            user_sessions_revoke(user=user, actor=actor, reason="deactivated")
        else:
            ended = user_sessions_revoke(
                user=user, actor=actor, reason="deactivated", audited=False
            )
            audit_record(
                action=AuditAction.USER_DEACTIVATED,
                organization=organization,
                actor=actor,
                target=user.email,
                details={**via, **ended},
            )
        invitations.invitations_revoke_sent_by(
            inviter=user, actor=actor, reason="inviter_deactivated"
        )
    return user


def user_reactivate(*, user: User, actor: User | None) -> User:
    """Lets a deactivated user sign in again, if their role has a free seat.

    They sign in afresh: deactivation ended their sessions. Reactivating an
    active user changes nothing.
    """
    with transaction.atomic():
        organization = (
            Organization.objects.select_for_update()
            .filter(id__in=[user.organization_id] if user.organization_id else [])
            .first()
        )
        user = User.objects.select_related("organization").get(pk=user.pk)
        if user.is_active:
            return user
        if organization is not None:
            seats.seat_check_available(organization=organization, role=user.role)
        user.is_active = True
        user.save(update_fields=["is_active"])
        audit_record(
            action=AuditAction.USER_REACTIVATED,
            organization=organization,
            actor=actor,
            target=user.email,
        )
    return user
