"""The rollups of Activity: one row per (user, contract, month) and one per
(user, contract) with the last day.

Whatever writes activity keeps them: new activity through
url_visits.services.ingestion.activity_insert_new (on PostgreSQL in the INSERT's own
statement, elsewhere through activity_rollups_record), bulk loads through
activity_rollups_rebuild, the purge through activity_rollups_trim; deletes of
users, contracts and organizations cascade to them.
"""

import datetime as dt
from collections.abc import Sequence
from uuid import UUID

from django.db import transaction
from django.db.models import Exists, Max, OuterRef
from django.db.models.functions import TruncMonth

from accounts.models import Organization
from procure_site import clock
from url_visits import activity_sql
from url_visits.activity_sql import ActivityKey
from url_visits.models import Activity, LatestActivity, MonthlyActivity


def activity_rollups_record(
    *, user_id: UUID, organization_id: int, activity: Sequence[ActivityKey]
) -> None:
    """Adds new activity of one user, as (contract id, day) pairs, to the
    rollups: a month row where there was none, and a later last day."""
    if not activity:
        return
    months = sorted(
        {(contract_id, day.replace(day=1)) for contract_id, day in activity}
    )
    MonthlyActivity.objects.bulk_create(
        [
            MonthlyActivity(
                user_id=user_id,
                contract_id=contract_id,
                organization_id=organization_id,
                month=month,
            )
            for contract_id, month in months
        ],
        ignore_conflicts=True,
    )
    last_days: dict[int, dt.date] = {}
    for contract_id, day in activity:
        if contract_id not in last_days or day > last_days[contract_id]:
            last_days[contract_id] = day
    activity_sql.latest_activity_upsert(
        [
            (user_id, contract_id, organization_id, day)
            for contract_id, day in sorted(last_days.items())
        ]
    )


def activity_rollups_rebuild(*, organization: Organization | None = None) -> None:
    """Computes the rollups again from Activity, for one organization or all.

    For activity that was loaded in bulk (the demo seed, a restore, the
    benchmark) rather than recorded through url_visits_record. Safe to run
    twice, and while visits are being recorded.
    """
    # The WHERE clause this always has is also what SQLite needs to tell an
    # upsert's ON CONFLICT from a join's ON.
    activity = Activity.objects.filter(day__isnull=False).order_by()
    if organization is not None:
        activity = activity.filter(organization=organization)
    with transaction.atomic():
        for model in (MonthlyActivity, LatestActivity):
            stale = model.objects.all()
            if organization is not None:
                stale = stale.filter(organization=organization)
            stale.delete()
        activity_sql.insert_ignoring_conflicts(
            MonthlyActivity,
            activity.annotate(month=TruncMonth("day"))
            .values("user_id", "contract_id", "organization_id", "month")
            .distinct(),
            ["user", "contract", "organization", "month"],
        )
        activity_sql.insert_ignoring_conflicts(
            LatestActivity,
            activity.values("user_id", "contract_id", "organization_id").annotate(
                last_day=Max("day")
            ),
            ["user", "contract", "organization", "last_day"],
        )


def activity_rollups_trim(*, cutoff: dt.date) -> None:
    """Drops from the rollups what activity older than `cutoff` leaves behind:
    earlier months, the cutoff's month where none of its days are left, and
    last days before the cutoff (nothing of that user and contract is left).
    """
    first_month = clock.month_start(cutoff)
    MonthlyActivity.objects.filter(month__lt=first_month).delete()
    if cutoff != first_month:
        left = Activity.objects.filter(
            user=OuterRef("user"),
            contract=OuterRef("contract"),
            day__gte=first_month,
            day__lt=clock.next_month(first_month),
        )
        MonthlyActivity.objects.filter(month=first_month).exclude(Exists(left)).delete()
    LatestActivity.objects.filter(last_day__lt=cutoff).delete()
