"""Invitations: an admin (or the create_organization command, for the first
admin) invites an address of the organization's domain in a role; the emailed
link opens /account/accept-invitation, where the person sets a password.
Accepting creates the account with the address verified: the link reached
the inbox."""

import math
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction

from accounts import selectors, tasks
from accounts.models import Invitation, Organization, Role, User, UserManager
from accounts.services import seats
from accounts.tokens import invitation_token_read
from accounts.validators import password_check
from audit.models import AuditAction
from audit.services import audit_record
from procure_site import clock
from procure_site.error_codes import ErrorCode
from procure_site.exceptions import Conflict, DomainError, NotFound, TooManyAttempts

INVITATION_NOT_VALID = (
    "This invitation link is not valid: it may have been cut short or changed. "
    "Open the link from the email again."
)


def invitation_create(
    *,
    organization: Organization,
    email: str,
    role: str,
    actor: User | None,
    department: str = "",
) -> Invitation:
    """Invites `email` into `organization` as `role` and emails the link.

    The address must be at the organization's domain and have no account,
    and the role a free seat now, which the invitation keeps until it is
    accepted, revoked or expires. A pending invitation to the same address
    must be revoked before another is sent, and one address gets at most
    INVITATIONS_PER_ADDRESS_PER_DAY invitations in 24 hours, so that
    inviting and revoking cannot flood a mailbox.
    """
    email = UserManager.normalize_email(email)
    if role not in Role.values:
        raise DomainError(f"{role!r} is not a role. Use admin or member.")
    domains = selectors.organization_domain_names(organization=organization)
    if email.rsplit("@", 1)[-1] not in domains:
        raise DomainError(
            f"Only addresses at {selectors.domains_sentence(domains)} can join "
            f"{organization.company_name}."
        )
    with transaction.atomic():
        organization = Organization.objects.select_for_update().get(pk=organization.pk)
        if User.objects.filter(email=email).exists():
            raise Conflict(
                f"{email} already has a proCure account.",
                code=ErrorCode.ALREADY_EXISTS,
            )
        if Invitation.objects.pending().filter(email=email).exists():
            raise Conflict(
                f"An invitation to {email} is already pending. Revoke it to "
                "send a new one."
            )
        _check_invitations_per_address(email=email)
        seats.seat_check_available(organization=organization, role=role)
        invitation = Invitation.objects.create(
            organization=organization,
            email=email,
            role=role,
            department=department.strip(),
            invited_by=actor,
            expires_at=clock.now() + settings.INVITATION_MAX_AGE,
        )
        audit_record(
            action=AuditAction.INVITATION_SENT,
            organization=organization,
            actor=actor,
            target=email,
            details={"role": role},
        )
        invitation_id = invitation.pk
        transaction.on_commit(
            lambda: tasks.invitation_email_send.enqueue(invitation_id=invitation_id),
            robust=True,
        )
    return invitation


def _check_invitations_per_address(*, email: str) -> None:
    """Raises TooManyAttempts once `email` was sent INVITATIONS_PER_ADDRESS_PER_DAY
    invitations in the last 24 hours, revoked ones included."""
    limit = settings.INVITATIONS_PER_ADDRESS_PER_DAY
    now = clock.now()
    recent = list(
        Invitation.objects.filter(email=email, created_at__gt=now - timedelta(days=1))
        .order_by("-created_at")
        .values_list("created_at", flat=True)[:limit]
    )
    if len(recent) < limit:
        return
    # The oldest of the last `limit` invitations stops counting a day after
    # it was sent.
    wait = max(1, math.ceil((recent[-1] + timedelta(days=1) - now).total_seconds()))
    hours = math.ceil(wait / 3600)
    raise TooManyAttempts(
        f"{email} was sent {limit} invitation{'s' if limit != 1 else ''} in the "
        "last 24 hours, the most proCure sends to one address in a day. Try "
        f"again in {hours} hour{'s' if hours != 1 else ''}; a pending "
        "invitation's link keeps working.",
        retry_after=wait,
    )


def invitation_revoke(
    *, organization: Organization, invitation_id: int, actor: User | None
) -> Invitation:
    """Revokes a pending invitation of `organization`; its link stops working.

    Another organization's invitation is NotFound, as if it did not exist.
    Revoking one that is no longer pending changes nothing.
    """
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update(of=("self",))
            .select_related("organization", "invited_by")
            .filter(organization=organization, pk=invitation_id)
            .first()
        )
        if invitation is None:
            raise NotFound(f"No invitation {invitation_id} in this organization.")
        if invitation.status != "pending":
            return invitation
        invitation.revoked_at = clock.now()
        invitation.save(update_fields=["revoked_at"])
        audit_record(
            action=AuditAction.INVITATION_REVOKED,
            organization=invitation.organization,
            actor=actor,
            target=invitation.email,
        )
    return invitation


def invitations_revoke_sent_by(
    *, inviter: User, actor: User | None, reason: str
) -> int:
    """Revokes the pending invitations `inviter` sent, in the caller's
    transaction: an admin who is demoted, deactivated or erased no longer
    brings people in. Each is audited like any revocation, with `reason`.
    Returns how many were revoked."""
    pending = list(
        Invitation.objects.pending()
        .select_for_update(of=("self",))
        .select_related("organization")
        .filter(invited_by=inviter)
    )
    now = clock.now()
    for invitation in pending:
        invitation.revoked_at = now
        invitation.save(update_fields=["revoked_at"])
        audit_record(
            action=AuditAction.INVITATION_REVOKED,
            organization=invitation.organization,
            actor=actor,
            target=invitation.email,
            details={"reason": reason},
        )
    return len(pending)


def invitation_link_read(*, token: str) -> Invitation:
    """The pending invitation an invitation link is for.

    Raises DomainError saying whether the link is not valid, or the
    invitation was accepted, revoked or has expired.
    """
    try:
        invitation_id = invitation_token_read(token=token)
    except signing.BadSignature:
        raise DomainError(INVITATION_NOT_VALID, code=ErrorCode.LINK_NOT_VALID) from None
    invitation = (
        Invitation.objects.select_related("organization")
        .filter(pk=invitation_id)
        .first()
    )
    if invitation is None:
        raise DomainError(INVITATION_NOT_VALID, code=ErrorCode.LINK_NOT_VALID)
    refusals = {
        "accepted": "This invitation has already been accepted. Sign in with "
        f"{invitation.email}, or reset its password.",
        "revoked": "This invitation was withdrawn. Ask an admin of "
        f"{invitation.organization.company_name} to invite you again.",
        "expired": "This invitation has expired. Ask an admin of "
        f"{invitation.organization.company_name} to invite you again.",
    }
    if invitation.status in refusals:
        raise DomainError(refusals[invitation.status], code=ErrorCode.LINK_NOT_VALID)
    return invitation


def invitation_accept(*, token: str, password: str) -> User:
    """Creates the invited account with `password`, its address verified.

    The link works once. The invitation kept its seat, but the cap is
    checked again under the organization's lock, as it may have been lowered.
    """
    invitation = invitation_link_read(token=token)
    password_check(password=password, user=User(email=invitation.email))
    try:
        with transaction.atomic():
            organization = Organization.objects.select_for_update().get(
                pk=invitation.organization_id
            )
            invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
            if invitation.status != "pending":
                raise DomainError(
                    "This invitation has already been accepted.",
                    code=ErrorCode.LINK_NOT_VALID,
                )
            # Accepted first, so that the seat it kept is counted once: as
            # the new user's.
            invitation.accepted_at = clock.now()
            invitation.save(update_fields=["accepted_at"])
            seats.seat_check_available(organization=organization, role=invitation.role)
            user = User.objects.create_user(
                email=invitation.email,
                password=password,
                organization=organization,
                role=invitation.role,
                department=invitation.department,
                email_verified_at=invitation.accepted_at,
            )
            audit_record(
                action=AuditAction.INVITATION_ACCEPTED,
                organization=organization,
                actor=user,
                target=user.email,
                details={"role": invitation.role},
            )
    except IntegrityError:
        raise Conflict(
            f"{invitation.email} already has a proCure account. Sign in instead."
        ) from None
    return user
