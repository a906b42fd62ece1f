"""Reclaiming idle seats: asking people, their answers, and the admins'
removals and cancellations. Every change of state is audited in the same
transaction as the change."""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from django.core import signing
from django.db import transaction
from django.db.models import Min, QuerySet

from accounts.models import DeviceToken, Organization, User
from audit.models import AuditAction
from audit.services import audit_record, audit_record_many
from contracts import terms
from contracts.models import Contract
from procure_site import clock
from procure_site.error_codes import ErrorCode
from procure_site.exceptions import Conflict, DomainError, InvalidFields, NotFound
from reclaims import links, savings, tasks
from reclaims.models import OPEN_STATES, Reclaim, ReclaimState
from url_visits.models import LatestActivity

PEOPLE_OR_DAYS = (
    "Send either user_ids (the people to ask) or inactive_days (ask everyone "
    "who has not used the contract for that many days)."
)
# At most this many people are named in one refusal's sentence.
NAMED_IN_REFUSAL = 10


@dataclass(frozen=True)
class Skipped:
    user_id: str
    email: str
    # already_open, kept_recently, joined_recently
    reason: str


@dataclass(frozen=True)
class ReclaimStart:
    contract: Contract
    asked: list[Reclaim]
    skipped: list[Skipped]


def _target(reclaim: Reclaim) -> str:
    return f"{reclaim.user.email} on {reclaim.contract.vendor_name}"


def _details(reclaim: Reclaim, **extra: Any) -> dict[str, Any]:
    return {
        "reclaim_id": reclaim.pk,
        "contract_id": reclaim.contract_id,
        "vendor_name": reclaim.contract.vendor_name,
        "user_id": str(reclaim.user_id),
        **extra,
    }


def _contract_for_reclaim(*, organization: Organization, contract_id: int) -> Contract:
    """The organization's contract, locked, once its seats may be reclaimed."""
    contract: Contract | None = (
        Contract.objects.select_for_update()
        .filter(organization=organization, pk=contract_id)
        .first()
    )
    if contract is None:
        raise NotFound(f"This organization has no contract with the id {contract_id}.")
    if contract.everyone_gets_it:
        raise Conflict(
            f"Everyone at {organization.company_name} gets {contract.vendor_name}, "
            "so its seats are not reclaimed. Turn off everyone_gets_it on the "
            "contract first if that has changed.",
            code=ErrorCode.RECLAIM_NOT_ALLOWED,
        )
    if contract.pricing_model != terms.PricingModel.PER_SEAT:
        raise Conflict(
            f"{contract.vendor_name} is priced {contract.get_pricing_model_display()}"
            ", not per seat: removing a person's seat saves nothing.",
            code=ErrorCode.RECLAIM_NOT_ALLOWED,
        )
    today = clock.today()
    if not terms.in_force(
        status=contract.contract_status,
        expire_at=contract.expire_at,
        auto_renew=contract.auto_renew,
        on=today,
    ):
        shown = terms.status_shown(
            status=contract.contract_status,
            expire_at=contract.expire_at,
            auto_renew=contract.auto_renew,
            today=today,
        )
        raise Conflict(
            f"{contract.vendor_name} is {shown}, not in force: it has no seats to "
            "reclaim.",
            code=ErrorCode.RECLAIM_NOT_ALLOWED,
        )
    return contract


def _chosen_users(*, organization: Organization, user_ids: list[UUID]) -> list[User]:
    users = list(
        User.objects.filter(organization=organization, is_active=True, pk__in=user_ids)
    )
    found = {user.pk for user in users}
    missing = [str(user_id) for user_id in user_ids if user_id not in found]
    if missing:
        raise InvalidFields(
            {
                "user_ids": [
                    f"No active user of {organization.company_name} has the id "
                    f"{user_id}."
                    for user_id in missing[:NAMED_IN_REFUSAL]
                ]
            }
        )
    return sorted(users, key=lambda user: user.email)


def _inactive_users(
    *, organization: Organization, contract: Contract, inactive_days: int
) -> list[User]:
    """Active members who used the contract before but not in the last
    `inactive_days` days (today included), as the inactive-users report."""
    active_since = clock.today() - dt.timedelta(days=inactive_days - 1)
    idle = LatestActivity.objects.filter(
        organization=organization, contract=contract, last_day__lt=active_since
    ).values("user_id")
    return list(
        User.objects.filter(
            organization=organization, is_active=True, pk__in=idle
        ).order_by("email")
    )


def _recently_arrived(*, users: list[User], since: dt.datetime) -> set[UUID]:
    """Those of `users` who joined, or whose first device was seen, since."""
    arrived = {user.pk for user in users if user.date_joined >= since}
    first_devices = (
        DeviceToken.objects.filter(user_id__in=[user.pk for user in users])
        .values("user_id")
        .annotate(first=Min("created_at"))
        .order_by()
    )
    arrived.update(row["user_id"] for row in first_devices if row["first"] >= since)
    return arrived


def reclaim_start(
    *,
    organization: Organization,
    contract_id: int,
    actor: User,
    user_ids: list[UUID] | None = None,
    inactive_days: int | None = None,
) -> ReclaimStart:
    """Asks each chosen person whether they still need their seat, by email.

    Either the people in `user_ids` (active users of the organization), or
    everyone who used the contract before but not in the last
    `inactive_days` days, except people who joined, or whose first device
    was seen, within those days (new people have not had the time to use
    it), and people who answered Keep within them. Nobody is asked twice
    about a seat while a reclaim of it is open; they are listed as skipped.
    The contract must be per seat, in force, and not one everyone gets.
    """
    if (user_ids is None) == (inactive_days is None):
        raise DomainError(PEOPLE_OR_DAYS)
    now = clock.now()
    with transaction.atomic():
        contract = _contract_for_reclaim(
            organization=organization, contract_id=contract_id
        )
        if inactive_days is None:
            users = _chosen_users(organization=organization, user_ids=user_ids or [])
        else:
            users = _inactive_users(
                organization=organization,
                contract=contract,
                inactive_days=inactive_days,
            )
        open_ids = set(
            Reclaim.objects.filter(
                contract=contract, state__in=OPEN_STATES
            ).values_list("user_id", flat=True)
        )
        kept_ids: set[UUID] = set()
        arrived: set[UUID] = set()
        if inactive_days is not None:
            since = now - dt.timedelta(days=inactive_days)
            kept_ids = set(
                Reclaim.objects.filter(
                    contract=contract, state=ReclaimState.KEPT, answered_at__gte=since
                ).values_list("user_id", flat=True)
            )
            arrived = _recently_arrived(users=users, since=since)
        last_days = dict(
            LatestActivity.objects.filter(
                organization=organization,
                contract=contract,
                user_id__in=[user.pk for user in users],
            ).values_list("user_id", "last_day")
        )
        skipped: list[Skipped] = []
        asked: list[Reclaim] = []
        answer_by = now + dt.timedelta(days=organization.reclaim_reply_days)
        for user in users:
            reason = (
                "already_open"
                if user.pk in open_ids
                else "kept_recently"
                if user.pk in kept_ids
                else "joined_recently"
                if user.pk in arrived
                else None
            )
            if reason is not None:
                skipped.append(Skipped(str(user.pk), user.email, reason))
                continue
            asked.append(
                Reclaim(
                    organization=organization,
                    contract=contract,
                    user=user,
                    started_by=actor,
                    last_active_day=last_days.get(user.pk),
                    asked_at=now,
                    answer_by=answer_by,
                )
            )
        asked = Reclaim.objects.bulk_create(asked, batch_size=500)
        audit_record_many(
            action=AuditAction.RECLAIM_ASKED,
            organization=organization,
            actor=actor,
            entries=[
                (
                    _target(reclaim),
                    _details(
                        reclaim,
                        answer_by=answer_by.isoformat(),
                        last_active_day=reclaim.last_active_day.isoformat()
                        if reclaim.last_active_day
                        else None,
                    ),
                )
                for reclaim in asked
            ],
        )
        reclaim_ids = [reclaim.pk for reclaim in asked]
        if reclaim_ids:
            transaction.on_commit(
                lambda: tasks.reclaim_emails_send.enqueue(reclaim_ids=reclaim_ids)
            )
    return ReclaimStart(contract=contract, asked=asked, skipped=skipped)


ANSWERS = {"keep": ReclaimState.KEPT, "release": ReclaimState.RELEASED}


def reclaim_link_read(*, token: str) -> Reclaim:
    """The reclaim an emailed link is for; DomainError for a link that was
    not made here or whose person is gone or deactivated. Closes the
    reclaim's answer window first if it has passed."""
    try:
        reclaim_id = links.reclaim_token_read(token=token)
    except signing.BadSignature:
        raise DomainError(
            "This link is not valid: it may have been cut short or changed. "
            "Open the link from the email again.",
            code=ErrorCode.LINK_NOT_VALID,
        ) from None
    reclaims_unanswered_close(reclaim_ids=[reclaim_id])
    reclaim = (
        Reclaim.objects.select_related("contract", "user", "organization")
        .filter(pk=reclaim_id, user__is_active=True)
        .first()
    )
    if reclaim is None:
        raise DomainError(
            "This link no longer works: the question it asked was withdrawn.",
            code=ErrorCode.LINK_NOT_VALID,
        )
    return reclaim


def reclaim_answer(*, token: str, answer: str) -> Reclaim:
    """The person's answer from the emailed page: "keep" or "release".

    Only a reclaim still `asked` takes an answer; after `answer_by` it is
    `no_answer` and the page says to ask an admin. Audited as the person.
    """
    if answer not in ANSWERS:
        raise DomainError("Choose Keep it or Release it.")
    reclaim = reclaim_link_read(token=token)
    with transaction.atomic():
        reclaim = (
            Reclaim.objects.select_for_update()
            .select_related("contract", "user", "organization")
            .get(pk=reclaim.pk)
        )
        if reclaim.state != ReclaimState.ASKED:
            raise Conflict(
                reclaim_closed_sentence(reclaim), code=ErrorCode.STATE_NOT_ALLOWED
            )
        reclaim.state = ANSWERS[answer]
        reclaim.answered_at = clock.now()
        reclaim.save(update_fields=["state", "answered_at"])
        audit_record(
            action=AuditAction.RECLAIM_KEPT
            if reclaim.state == ReclaimState.KEPT
            else AuditAction.RECLAIM_RELEASED,
            organization=reclaim.organization,
            actor=reclaim.user,
            target=_target(reclaim),
            details=_details(reclaim),
        )
    return reclaim


def _day(moment: dt.datetime) -> str:
    """A UTC day as the person's page writes days: "5 December 2026"."""
    day = moment.astimezone(dt.UTC)
    return f"{day.day} {day:%B %Y}"


def reclaim_closed_sentence(reclaim: Reclaim) -> str:
    """What the person's page says once the question takes no answer."""
    vendor = reclaim.contract.vendor_name
    answered = (
        f" on {_day(reclaim.answered_at)}" if reclaim.answered_at is not None else ""
    )
    return {
        ReclaimState.KEPT: f"You answered that you still need your {vendor} "
        f"seat{answered}. Nothing more to do.",
        ReclaimState.RELEASED: f"You released your {vendor} seat{answered}. "
        "Your admin will remove it; thank you.",
        ReclaimState.NO_ANSWER: f"The time to answer passed on "
        f"{_day(reclaim.answer_by)}. If you still need your {vendor} seat, "
        "tell your proCure admin.",
        ReclaimState.REMOVED: f"Your {vendor} seat was removed. If you need it "
        "again, ask your proCure admin.",
        ReclaimState.CANCELLED: f"Your admin withdrew the question about your "
        f"{vendor} seat. Nothing to do.",
    }.get(ReclaimState(reclaim.state), "This question takes no answer any more.")


def _moved(
    rows: list[Reclaim],
    *,
    to: ReclaimState,
    action: AuditAction,
    actor: User | None,
    closed_at: dt.datetime | None = None,
    fields: tuple[str, ...] = (),
    details: Callable[[Reclaim], dict[str, Any]] = lambda row: {},
) -> None:
    """Moves `rows` (loaded with their organization, contract and user) to
    state `to`, closed at `closed_at` by `actor` when given, saving `fields`
    the caller set too, and audits each as `action`: one UPDATE and one
    INSERT per organization, whatever the number of rows."""
    for row in rows:
        row.state = to
        if closed_at is not None:
            row.closed_at = closed_at
            row.closed_by = actor
    closing = ("closed_at", "closed_by") if closed_at is not None else ()
    Reclaim.objects.bulk_update(rows, ["state", *fields, *closing])
    by_organization: dict[int, list[Reclaim]] = {}
    for row in rows:
        by_organization.setdefault(row.organization_id, []).append(row)
    for group in by_organization.values():
        audit_record_many(
            action=action,
            organization=group[0].organization,
            actor=actor,
            entries=[(_target(row), _details(row, **details(row))) for row in group],
        )


def reclaims_unanswered_close(
    *, organization: Organization | None = None, reclaim_ids: list[int] | None = None
) -> int:
    """Marks `no_answer` every asked reclaim whose answer window has passed
    (of one organization, or the reclaims named, or all), audited; how many.

    Run by the close_reclaim_answers command (and digests), and before a
    reclaim is read, so that a late answer never lands. Safe to run from
    several places at once: each row is taken under a lock that skips rows
    another run holds.
    """
    due: QuerySet[Reclaim] = Reclaim.objects.filter(
        state=ReclaimState.ASKED, answer_by__lte=clock.now()
    )
    if organization is not None:
        due = due.filter(organization=organization)
    if reclaim_ids is not None:
        due = due.filter(pk__in=reclaim_ids)
    if not due.exists():
        return 0
    with transaction.atomic():
        rows = list(
            due.select_for_update(skip_locked=True, of=("self",)).select_related(
                "contract", "user", "organization"
            )
        )
        _moved(
            rows,
            to=ReclaimState.NO_ANSWER,
            action=AuditAction.RECLAIM_NO_ANSWER,
            actor=None,
            details=lambda row: {"answer_by": row.answer_by.isoformat()},
        )
    return len(rows)


def _admin_targets(
    *, organization: Organization, reclaim_ids: list[int]
) -> list[Reclaim]:
    """The organization's reclaims with these ids, locked; NotFound naming
    the ids that are not its."""
    rows = list(
        Reclaim.objects.select_for_update(of=("self",))
        .select_related("organization", "contract", "user")
        .filter(organization=organization, pk__in=reclaim_ids)
        .order_by("pk")
    )
    missing = sorted(set(reclaim_ids) - {row.pk for row in rows})
    if missing:
        named = ", ".join(str(pk) for pk in missing[:NAMED_IN_REFUSAL])
        raise NotFound(
            f"This organization has no reclaim with the id {named}. Nothing was "
            "changed."
        )
    return rows


def _refused_states(
    rows: list[Reclaim], *, allowed: tuple[str, ...], doing: str
) -> None:
    refused = [row for row in rows if row.state not in allowed]
    if not refused:
        return
    reasons = []
    for row in refused[:NAMED_IN_REFUSAL]:
        if row.state == ReclaimState.ASKED:
            why = f"still waiting for an answer until {row.answer_by:%Y-%m-%d}"
        elif row.state == ReclaimState.KEPT:
            why = "the person keeps the seat"
        else:
            why = f"already {row.state.replace('_', ' ')}"
        reasons.append(f"{row.pk} ({row.user.email}: {why})")
    raise Conflict(
        f"These reclaims cannot be {doing}: {'; '.join(reasons)}. Nothing was changed.",
        code=ErrorCode.STATE_NOT_ALLOWED,
    )


def reclaims_remove(
    *, organization: Organization, reclaim_ids: list[int], actor: User
) -> list[Reclaim]:
    """An admin confirms that these seats were removed in the vendor's tool.

    All or none: each must be the organization's and released or
    unanswered (a seat is never counted removed on the person's word alone,
    nor while they may still answer). Each removal is a realized saving
    (reclaims/savings.py) at the contract's price now, in its currency.
    """
    reclaims_unanswered_close(organization=organization, reclaim_ids=reclaim_ids)
    now = clock.now()
    with transaction.atomic():
        rows = _admin_targets(organization=organization, reclaim_ids=reclaim_ids)
        _refused_states(
            rows,
            allowed=(ReclaimState.RELEASED, ReclaimState.NO_ANSWER),
            doing="confirmed removed",
        )
        for row in rows:
            contract = row.contract
            row.realized_saving = savings.realized_saving(
                annual_spend=contract.annual_spend,
                seats=contract.num_seats,
                removed_on=now.date(),
                term_ends_on=terms.renews_on(
                    expire_at=contract.expire_at,
                    auto_renew=contract.auto_renew,
                    today=now.date(),
                ),
            )
            row.currency = contract.currency
        _moved(
            rows,
            to=ReclaimState.REMOVED,
            action=AuditAction.RECLAIM_REMOVED,
            actor=actor,
            closed_at=now,
            fields=("realized_saving", "currency"),
            details=lambda row: {
                "realized_saving": f"{row.realized_saving:.2f}",
                "currency": row.currency,
            },
        )
    return rows


def reclaims_cancel(
    *, organization: Organization, reclaim_ids: list[int], actor: User
) -> list[Reclaim]:
    """An admin closes open reclaims without removing the seats (all or
    none): the person keeps the seat and their link stops taking answers."""
    now = clock.now()
    with transaction.atomic():
        rows = _admin_targets(organization=organization, reclaim_ids=reclaim_ids)
        _refused_states(rows, allowed=OPEN_STATES, doing="cancelled")
        _moved(
            rows,
            to=ReclaimState.CANCELLED,
            action=AuditAction.RECLAIM_CANCELLED,
            actor=actor,
            closed_at=now,
        )
    return rows


def reclaims_withdraw_for(*, user: User, actor: User | None) -> int:
    """Withdraws the questions still waiting for `user`'s answer (they were
    deactivated: their link stops working and nobody will answer); how many.

    Their released and unanswered seats stay open, for an admin to confirm
    removed in the vendor's tool: deactivating someone in proCure does not
    remove their seat there. Call it inside the deactivation's transaction.
    """
    rows = list(
        Reclaim.objects.select_for_update(of=("self",))
        .select_related("organization", "contract", "user")
        .filter(user=user, state=ReclaimState.ASKED)
    )
    _moved(
        rows,
        to=ReclaimState.CANCELLED,
        action=AuditAction.RECLAIM_CANCELLED,
        actor=actor,
        closed_at=clock.now(),
        details=lambda row: {"reason": "person_deactivated"},
    )
    return len(rows)
