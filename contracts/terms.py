"""A contract's status and renewal terms, as pure rules (no database).

Status is one of ContractStatus. Clients and CSV files written before it was
a choice send free text; `status_read` maps the usual words to a status and
answers None for anything else, which the API refuses with the valid values.

A contract is renewed on its expiry day. One that auto-renews rolls over by
a year each time that day passes, so its next renewal is the first
anniversary of `expire_at` on or after today; one that does not is over once
the day has passed. Cancelling takes `notice_period_days` of notice: the
last day to cancel is that many days before the renewal.
"""

import datetime as dt

from django.db import models


class ContractStatus(models.TextChoices):
    ACTIVE = "active"
    TRIAL = "trial"
    CANCELLED = "cancelled"
    EXPIRED = "expired"


class PricingModel(models.TextChoices):
    # N seats for a yearly amount: unused seats are waste.
    PER_SEAT = "per_seat"
    # A fixed price whatever the number of users.
    FLAT = "flat"
    # Spend follows use.
    USAGE_BASED = "usage_based"


# The words clients used before status was a choice, and what they mean now.
_SYNONYMS = {
    "": ContractStatus.ACTIVE,
    "live": ContractStatus.ACTIVE,
    "current": ContractStatus.ACTIVE,
    "renewed": ContractStatus.ACTIVE,
    "pending": ContractStatus.TRIAL,
    "pilot": ContractStatus.TRIAL,
    "evaluation": ContractStatus.TRIAL,
    "canceled": ContractStatus.CANCELLED,
    "inactive": ContractStatus.CANCELLED,
    "terminated": ContractStatus.CANCELLED,
    "ended": ContractStatus.EXPIRED,
    "lapsed": ContractStatus.EXPIRED,
}
# Statuses whose contracts cost money now: they count in spend, waste and
# renewals. Cancelled and expired ones keep their history only.
IN_FORCE = (ContractStatus.ACTIVE, ContractStatus.TRIAL)
MAX_NOTICE_DAYS = 3650


def status_read(text: str) -> ContractStatus | None:
    """The status `text` names, whatever its case and spacing, or None."""
    word = " ".join(text.split()).lower()
    if word in ContractStatus.values:
        return ContractStatus(word)
    return _SYNONYMS.get(word)


# The contract types that say the price follows use (the web app's form and
# CSV name the pricing only there).
_USAGE_BASED_TYPES = {"usage-based", "usage based", "usage_based", "pay as you go"}


def pricing_from_type(contract_type: str) -> PricingModel | None:
    """usage_based for a contract type that says so, else None (unknown)."""
    word = " ".join(contract_type.split()).lower()
    return PricingModel.USAGE_BASED if word in _USAGE_BASED_TYPES else None


def status_refusal(text: str) -> str:
    valid = ", ".join(ContractStatus.values)
    return f'"{text}" is not a contract status. Send one of: {valid}.'


def _anniversary(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        # 29 February in a year without one: the day before.
        return day.replace(year=day.year + years, day=28)


def renews_on(
    *, expire_at: dt.datetime | None, auto_renew: bool, today: dt.date
) -> dt.date | None:
    """The day the current term ends: `expire_at`'s day, or for a contract
    that auto-renews and whose day has passed, the first anniversary of it
    on or after today. None without an expiry."""
    if expire_at is None:
        return None
    day = expire_at.astimezone(dt.UTC).date()
    if not auto_renew or day >= today:
        return day
    years = today.year - day.year
    renewal = _anniversary(day, years)
    if renewal < today:
        renewal = _anniversary(day, years + 1)
    return renewal


def cancel_by(*, renewal: dt.date | None, notice_period_days: int) -> dt.date | None:
    """The last day to give notice before `renewal`, or None without one."""
    if renewal is None:
        return None
    return renewal - dt.timedelta(days=notice_period_days)


def status_shown(
    *, status: str, expire_at: dt.datetime | None, auto_renew: bool, today: dt.date
) -> str:
    """The status a contract has today: an active or trial contract past an
    expiry it does not renew from is expired, whatever was stored."""
    if status in IN_FORCE and not in_force(
        status=status, expire_at=expire_at, auto_renew=auto_renew, on=today
    ):
        return ContractStatus.EXPIRED.value
    return status


def in_force(
    *,
    status: str,
    expire_at: dt.datetime | None,
    auto_renew: bool,
    on: dt.date,
) -> bool:
    """Whether the contract costs money on day `on`: its status is active or
    trial, and it has not passed an expiry it does not renew from."""
    if status not in IN_FORCE:
        return False
    if expire_at is None or auto_renew:
        return True
    return expire_at.astimezone(dt.UTC).date() >= on
