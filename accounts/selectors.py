import datetime as dt
from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.db.models.expressions import CombinedExpression
from django.db.models.functions import Coalesce

from accounts import device_token_sql
from accounts.models import (
    PUBLIC_ID_PREFIX,
    DeviceToken,
    Invitation,
    Organization,
    OrganizationDomain,
    Role,
    User,
    UserManager,
    hash_device_token,
)
from procure_site import clock

# A device token's last use is written at most this often, so that the
# extension's syncs do not each cost an extra UPDATE.
LAST_USED_RESOLUTION = timedelta(minutes=5)


def active_user_by_id(*, user_id) -> User | None:
    try:
        return User.objects.select_related("organization").get(
            pk=user_id, is_active=True
        )
    except (User.DoesNotExist, ValueError):
        return None


def user_by_email(*, email: str) -> User | None:
    return User.objects.filter(email=UserManager.normalize_email(email)).first()


def live_device_token(*, raw_token: str) -> DeviceToken | None:
    """The live token with this value, its user active, or None.

    Records the time of use, coarsely. Every extension request comes through
    here, so the lookup is one statement written once (device_token_sql.py);
    it reads the database on every call, so that a revoked or rotated token,
    a deactivated user or a paused organization is seen at once.
    """
    now = clock.now()
    return device_token_sql.live_device_token_by_hash(
        token_hash=hash_device_token(raw_token),
        used_at=now,
        touch_before=now - LAST_USED_RESOLUTION,
    )


def organization_by_public_id(*, public_id: str) -> Organization | None:
    return Organization.objects.filter(public_id=public_id).first()


def organization_by_domain_or_public_id(*, identifier: str) -> Organization | None:
    """The organization with this domain (acme.io, or one of its verified
    domains) or public id (org_...)."""
    identifier = identifier.strip()
    if identifier.startswith(PUBLIC_ID_PREFIX):
        return Organization.objects.filter(public_id=identifier).first()
    return organization_for_domain(domain=identifier)


def organization_for_domain(*, domain: str) -> Organization | None:
    """The organization whose people have addresses at `domain`: its first
    domain, or one of its verified domains. None for a domain nobody owns,
    or one only requested."""
    domain = domain.strip().lower()
    organization = Organization.objects.filter(domain_name=domain).first()
    if organization is not None:
        return organization
    return Organization.objects.filter(
        domains__domain=domain, domains__verified_at__isnull=False
    ).first()


def organization_domain_names(*, organization: Organization) -> list[str]:
    """The organization's email domains: its first, then the verified
    others, in alphabetical order."""
    others = OrganizationDomain.objects.filter(
        organization=organization, verified_at__isnull=False
    ).values_list("domain", flat=True)
    return [organization.domain_name, *others]


@dataclass(frozen=True)
class ListedDomain:
    """One of an organization's email domains, as its admins see it."""

    id: int | None
    domain: str
    primary: bool
    verified: bool
    requested_at: dt.datetime
    verified_at: dt.datetime | None

    @classmethod
    def of(cls, row: OrganizationDomain) -> "ListedDomain":
        return cls(
            id=row.pk,
            domain=row.domain,
            primary=False,
            verified=row.verified,
            requested_at=row.requested_at,
            verified_at=row.verified_at,
        )


def organization_domain_list(*, organization: Organization) -> list[ListedDomain]:
    """Every domain of the organization, its first one first."""
    first = ListedDomain(
        id=None,
        domain=organization.domain_name,
        primary=True,
        verified=True,
        requested_at=organization.created_at,
        verified_at=organization.created_at,
    )
    others = OrganizationDomain.objects.filter(organization=organization)
    return [first, *(ListedDomain.of(row) for row in others)]


def domains_sentence(domains: list[str]) -> str:
    """acme.io; acme.io or acme.co.uk; acme.io, acme.de or acme.co.uk."""
    if len(domains) == 1:
        return domains[0]
    return ", ".join(domains[:-1]) + " or " + domains[-1]


def _seat_holders() -> QuerySet[User]:
    """The people who hold a seat: active, with a verified address.

    An unverified sign-up, which anyone can make with any address of the
    domain, holds none, so that it never keeps out a person who proves their
    address or a person an admin invites.
    """
    return User.objects.filter(is_active=True, email_verified_at__isnull=False)


def _per_role(rows: QuerySet[User] | QuerySet[Invitation]) -> dict[str, int]:
    counts = {role: 0 for role in Role.values}
    for row in rows.values("role").annotate(count=Count("id")).order_by():
        counts[row["role"]] = row["count"]
    return counts


def organization_seats_held(*, organization: Organization) -> dict[str, int]:
    """Seats held in the organization, per role: its active people whose
    address is verified."""
    return _per_role(_seat_holders().filter(organization=organization))


def user_is_last_admin(*, user: User, organization: Organization) -> bool:
    """Whether `user` is the organization's only admin with a verified
    address (an unverified admin holds no seat and no admin powers)."""
    if user.role != Role.ADMIN or not user.email_verified or not user.is_active:
        return False
    return organization_seats_held(organization=organization)[Role.ADMIN] <= 1


def organization_seats_reserved(*, organization: Organization) -> dict[str, int]:
    """Seats kept for the organization's pending invitations, per role: each
    holds a seat of its role until it is accepted, revoked or expires."""
    return _per_role(Invitation.objects.pending().filter(organization=organization))


def organizations_with_seats_used(
    *, queryset: QuerySet[Organization]
) -> QuerySet[Organization]:
    """`queryset` with `admin_seats_used` and `member_seats_used`: the seats
    held and reserved per role, as the two selectors above count them, for a
    list of organizations in one query."""

    def count(rows: QuerySet[User] | QuerySet[Invitation]) -> Coalesce:
        per_organization = (
            rows.filter(organization=OuterRef("pk"))
            .order_by()
            .values("organization")
            .annotate(count=Count("id"))
            .values("count")
        )
        return Coalesce(Subquery(per_organization), 0)

    def used(role: str) -> CombinedExpression:
        return count(_seat_holders().filter(role=role)) + count(
            Invitation.objects.pending().filter(role=role)
        )

    return queryset.annotate(
        admin_seats_used=used(Role.ADMIN), member_seats_used=used(Role.MEMBER)
    )


def organization_invitation_list(*, organization: Organization) -> QuerySet[Invitation]:
    """The organization's invitations, newest first, with who sent each."""
    return Invitation.objects.filter(organization=organization).select_related(
        "invited_by"
    )


def users_erasure_summary(*, users: list[User]) -> dict[str, int]:
    """What erasing `users` deletes, counted: the Django admin's delete page
    shows it instead of listing every row."""
    from rest_framework_simplejwt.token_blacklist.models import OutstandingToken

    ids = [user.pk for user in users]
    return {
        "people": len(ids),
        "activity rows (user, contract, day)": User.objects.filter(
            pk__in=ids
        ).aggregate(rows=Count("activities"))["rows"],
        "device tokens": DeviceToken.objects.filter(user_id__in=ids).count(),
        "sessions and refresh tokens": OutstandingToken.objects.filter(
            user_id__in=ids
        ).count(),
    }
