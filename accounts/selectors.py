from datetime import timedelta

from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.utils import timezone

from accounts.models import (
    PUBLIC_ID_PREFIX,
    DeviceToken,
    Organization,
    Role,
    User,
    UserManager,
    hash_device_token,
)
from procure_site.exceptions import NotFound
from url_visits.models import Activity

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

    Records the time of use, coarsely.
    """
    token = (
        DeviceToken.objects.live()
        .select_related("user__organization")
        .filter(token_hash=hash_device_token(raw_token), user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        DeviceToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def organization_by_public_id(*, public_id: str) -> Organization | None:
    return Organization.objects.filter(public_id=public_id).first()


def organization_by_domain_or_public_id(*, identifier: str) -> Organization | None:
    """The organization with this domain name (acme.io) or public id (org_...)."""
    identifier = identifier.strip()
    if identifier.startswith(PUBLIC_ID_PREFIX):
        return Organization.objects.filter(public_id=identifier).first()
    return Organization.objects.filter(domain_name=identifier.lower()).first()


def organization_seats_used(*, organization: Organization) -> dict[str, int]:
    """Active users of each role in the organization."""
    counts = {role: 0 for role in Role.values}
    rows = (
        User.objects.filter(organization=organization, is_active=True)
        .values("role")
        .annotate(users=Count("id"))
        .order_by()
    )
    for row in rows:
        counts[row["role"]] = row["users"]
    return counts


def organization_seats_remaining(*, organization: Organization) -> dict[str, int]:
    """`admins_remaining` and `members_remaining`: cap minus active users."""
    used = organization_seats_used(organization=organization)
    return {
        "admins_remaining": max(organization.admin_seats - used[Role.ADMIN], 0),
        "members_remaining": max(organization.member_seats - used[Role.MEMBER], 0),
    }


def organization_user_list(*, organization: Organization) -> QuerySet[User]:
    """The organization's users by email, each with `last_activity`: the latest
    day they used any contract, or None. One query, however many users."""
    latest_day = (
        Activity.objects.filter(user=OuterRef("pk")).order_by("-day").values("day")[:1]
    )
    return User.objects.filter(organization=organization).annotate(
        last_activity=Subquery(latest_day)
    )


def organization_user_get(*, organization: Organization, user_id) -> User:
    """One user of the organization, as listed; another organization's is a 404."""
    user = organization_user_list(organization=organization).filter(pk=user_id).first()
    if user is None:
        raise NotFound(
            f"{organization.company_name} has no user with the id {user_id}."
        )
    return user
