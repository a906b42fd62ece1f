"""Seat caps: who holds a seat, and the moment an address is verified, which
is when a person takes theirs.

A person, admin or member, holds a seat only once their address is verified,
and a pending invitation keeps one for the person invited. An unverified
sign-up, which anyone can make with any address of the domain, therefore
never keeps a person who proves their address, or an invited one, out of
the organization: whoever verifies first takes a free seat.
"""

from django.db import transaction

from accounts import selectors
from accounts.errors import SeatLimitReached
from accounts.models import Organization, Role, User
from audit.models import AuditAction
from audit.services import audit_record
from procure_site import clock


def seat_check_available(*, organization: Organization, role: str) -> None:
    """Raises SeatLimitReached if one more user of `role` passes the cap.

    Callers hold a lock on the organization row, so concurrent sign-ups,
    verifications and role changes for one organization are counted one at a
    time.
    """
    held = selectors.organization_seats_held(organization=organization)[role]
    reserved = selectors.organization_seats_reserved(organization=organization)[role]
    cap = organization.admin_seats if role == Role.ADMIN else organization.member_seats
    if held + reserved >= cap:
        invitations = (
            f" Pending invitations keep {reserved} of them." if reserved else ""
        )
        raise SeatLimitReached(
            f"{organization.company_name} has no {role} seats left "
            f"({cap} of {cap} taken).{invitations} {_room_for(organization, role)}"
        )


def _room_for(organization: Organization, role: str) -> str:
    """Who can make room for one more person of `role`, and how."""
    option = "--admin-seats" if role == Role.ADMIN else "--member-seats"
    return (
        f"To make room, an admin of {organization.company_name} can deactivate "
        f"someone, change a role or revoke an invitation; to raise the cap, ask "
        "proCure's staff (the organization's page in the admin, or manage.py "
        f"create_organization --domain {organization.domain_name} {option} N)."
    )


def user_email_verified_mark(
    *, user: User, via: str, actor: User | None = None
) -> User:
    """Marks `user`'s current address verified, in the caller's transaction.

    An active person takes a seat of their role now: SeatLimitReached if none
    is left (the address then stays unverified). Already verified changes
    nothing.
    """
    with transaction.atomic():
        if user.organization_id is not None:
            Organization.objects.select_for_update().get(pk=user.organization_id)
        user = (
            User.objects.select_for_update(of=("self",))
            .select_related("organization")
            .get(pk=user.pk)
        )
        if user.email_verified:
            return user
        # An unverified person holds no seat: they take theirs now.
        if user.organization is not None and user.is_active:
            seat_check_available(organization=user.organization, role=user.role)
        user.email_verified_at = clock.now()
        user.save(update_fields=["email_verified_at"])
        audit_record(
            action=AuditAction.USER_EMAIL_VERIFIED,
            organization=user.organization,
            actor=actor or user,
            target=user.email,
            details={"via": via},
        )
    return user
