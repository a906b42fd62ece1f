"""Reads of reclaims: the list admins work from, and the savings and open
counts that contract usage, the console and digests report."""

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, OuterRef, QuerySet, Subquery, Sum

from accounts.models import Organization
from contracts.models import Contract
from procure_site import clock
from procure_site.exceptions import NotFound
from reclaims.models import OPEN_STATES, Reclaim, ReclaimState
from url_visits.models import LatestActivity


def reclaim_list(
    *,
    organization: Organization,
    state: str | None = None,
    contract_id: int | None = None,
) -> QuerySet[Reclaim]:
    """The organization's reclaims, newest first, with each person's latest
    day of use of the contract (`latest_day`) for active_since_asked.
    NotFound for a contract id that is not the organization's."""
    if (
        contract_id is not None
        and not Contract.objects.filter(
            organization=organization, pk=contract_id
        ).exists()
    ):
        raise NotFound(f"This organization has no contract with the id {contract_id}.")
    latest = LatestActivity.objects.filter(
        organization=organization,
        contract_id=OuterRef("contract_id"),
        user_id=OuterRef("user_id"),
    ).values("last_day")[:1]
    rows = (
        Reclaim.objects.filter(organization=organization)
        .select_related("contract", "user", "started_by", "closed_by")
        .annotate(latest_day=Subquery(latest))
        .order_by("-asked_at", "-id")
    )
    if state is not None:
        rows = rows.filter(state=state)
    if contract_id is not None:
        rows = rows.filter(contract_id=contract_id)
    return rows


def active_since_asked(reclaim: Reclaim) -> bool:
    """Whether the person used the contract after they were asked: a day of
    use on or after the day they were asked, later than the last one known
    then. Noted for admins; it never changes the reclaim's state."""
    latest: dt.date | None = getattr(reclaim, "latest_day", None)
    if latest is None:
        return False
    asked_on = reclaim.asked_at.astimezone(dt.UTC).date()
    known = reclaim.last_active_day
    return latest >= asked_on and (known is None or latest > known)


@dataclass(frozen=True)
class ContractSavings:
    seats_reclaimed: int
    realized_savings: Decimal


def savings_by_contract(
    *, organization: Organization, before: dt.date | None = None
) -> dict[int, ContractSavings]:
    """Seats removed per contract and what they save, in each contract's
    currency; with `before`, only removals before that UTC day."""
    removed = Reclaim.objects.filter(
        organization=organization, state=ReclaimState.REMOVED
    )
    if before is not None:
        removed = removed.filter(closed_at__lt=clock.day_start(before))
    rows = (
        removed.order_by()
        .values("contract_id")
        .annotate(seats=Count("id"), saved=Sum("realized_saving"))
    )
    return {
        row["contract_id"]: ContractSavings(
            seats_reclaimed=row["seats"],
            realized_savings=Decimal(row["saved"] or 0).quantize(Decimal("0.01")),
        )
        for row in rows
    }


def savings_in_month(
    *, organization: Organization, month: dt.date
) -> dict[str, tuple[int, Decimal]]:
    """Per currency, the seats removed in the UTC month and what they save."""
    rows = (
        Reclaim.objects.filter(
            organization=organization,
            state=ReclaimState.REMOVED,
            closed_at__gte=clock.day_start(month),
            closed_at__lt=clock.day_start(clock.next_month(month)),
        )
        .order_by()
        .values("currency")
        .annotate(seats=Count("id"), saved=Sum("realized_saving"))
    )
    return {
        row["currency"]: (
            row["seats"],
            Decimal(row["saved"] or 0).quantize(Decimal("0.01")),
        )
        for row in rows
    }


def open_reclaim_counts(*, organization: Organization) -> Counter[str]:
    """How many of the organization's reclaims are in each open state."""
    rows = (
        Reclaim.objects.filter(organization=organization, state__in=OPEN_STATES)
        .order_by()
        .values("state")
        .annotate(count=Count("id"))
    )
    return Counter({row["state"]: row["count"] for row in rows})
