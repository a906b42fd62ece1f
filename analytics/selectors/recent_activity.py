"""What one person used lately (the staff console's user page)."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, Max

from accounts.models import User
from procure_site import clock
from procure_site.db_router import reads_from_replica
from url_visits.models import Activity


@dataclass(frozen=True)
class RecentContractUse:
    vendor_name: str
    days_active: int
    last_day: date


@reads_from_replica
def user_recent_activity(*, user: User, days: int) -> list[RecentContractUse]:
    """Per contract, on how many of the last `days` UTC days (today included)
    `user` used it and when last, most used first. One query over at most
    `days` rows per contract, through the (user, contract, day) index."""
    since = clock.today() - timedelta(days=days - 1)
    rows = (
        Activity.objects.filter(user=user, day__gte=since)
        .values("contract__vendor_name")
        .annotate(days_active=Count("id"), last_day=Max("day"))
        .order_by("-days_active", "contract__vendor_name")
    )
    return [
        RecentContractUse(
            vendor_name=row["contract__vendor_name"],
            days_active=row["days_active"],
            last_day=row["last_day"],
        )
        for row in rows
    ]
