from datetime import timedelta

from django.db.models import Count
from django.utils import timezone

from accounts import device_token_sql
from accounts.models import (
    PUBLIC_ID_PREFIX,
    DeviceToken,
    Organization,
    Role,
    User,
    UserManager,
    hash_device_token,
)

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
    token = device_token_sql.live_device_token_by_hash(
        token_hash=hash_device_token(raw_token)
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        device_token_sql.device_token_touch(token_id=token.pk, used_at=now)
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
