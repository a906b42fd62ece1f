"""The arithmetic behind proCure's analytics, on plain numbers and dates.

Nothing here reads the database, so every rule (month ranges, utilization,
waste, renewal advice) is tested without one. Money is computed in Decimal and
rounded half-up, so that 2666.665 becomes 2666.67 on every platform.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from contracts.terms import PricingModel
from procure_site.clock import add_months, format_month, month_start

# Renewal advice keeps this much head-room above the active users, so that a
# downsized contract still fits a few new starters.
SEAT_BUFFER_PERCENT = 10

CENT = Decimal("0.01")
THOUSANDTH = Decimal("0.001")


# How much of a month proCure has data for.
FULL = "full"
PARTIAL = "partial"
NONE = "none"


@dataclass(frozen=True)
class MonthCoverage:
    coverage: str  # FULL, PARTIAL or NONE
    note: str | None


def future_month_refusal(*, month: date, today: date) -> str | None:
    """The sentence refusing a month that has not started, else None."""
    if month <= month_start(today):
        return None
    return (
        f"{format_month(month)} has not started yet, so there is no usage to "
        f"report. Ask for {format_month(month_start(today))} or an earlier month."
    )


def month_coverage(*, month: date, data_since: date, today: date) -> MonthCoverage:
    """Whether proCure's data covers the month starting on `month`.

    `data_since` is the first UTC day proCure has data for (tracking start,
    earlier activity or the retention limit). A month that ends before it is
    not covered: nobody's use was recorded, which says nothing about whether
    anyone used a contract. A month that starts before it, or that is not
    over yet, is covered in part.
    """
    name = format_month(month)
    end = add_months(month, 1)
    if end <= data_since:
        return MonthCoverage(
            coverage=NONE,
            note=(
                f"proCure has no data for {name}: its data for this "
                f"organization begins on {data_since.isoformat()}. Utilization "
                "and waste are unknown, not zero."
            ),
        )
    if month < data_since:
        return MonthCoverage(
            coverage=PARTIAL,
            note=(
                f"{name} is covered from {data_since.isoformat()} only, when "
                "proCure's data for this organization begins: people who used a "
                "contract only earlier in the month are not counted."
            ),
        )
    if end > today:
        return MonthCoverage(
            coverage=PARTIAL,
            note=(
                f"{name} is not over: it covers {month.isoformat()} to "
                f"{today.isoformat()} so far."
            ),
        )
    return MonthCoverage(coverage=FULL, note=None)


def utilization(*, active_users: int, seats: int) -> Decimal | None:
    """Active users per seat, to three places; None when there are no seats."""
    if seats == 0:
        return None
    return (Decimal(active_users) / Decimal(seats)).quantize(
        THOUSANDTH, rounding=ROUND_HALF_UP
    )


def unused_seats(*, active_users: int, seats: int) -> int:
    return max(seats - active_users, 0)


def cost_per_active_user(*, annual_spend: Decimal, active_users: int) -> Decimal | None:
    """Annual spend per active user, to the cent; None when nobody was active."""
    if active_users == 0:
        return None
    return (annual_spend / Decimal(active_users)).quantize(CENT, rounding=ROUND_HALF_UP)


def estimated_waste(
    *, annual_spend: Decimal, seats: int, active_users: int
) -> Decimal | None:
    """The share of the annual spend paid for unused seats, to the cent.

    None when the contract has no seats: its price is then not per seat, so
    no part of it can be attributed to unused seats (the same reason
    utilization is None).
    """
    if seats == 0:
        return None
    unused = unused_seats(active_users=active_users, seats=seats)
    return (annual_spend * unused / Decimal(seats)).quantize(
        CENT, rounding=ROUND_HALF_UP
    )


def seats_with_buffer(active_users: int) -> int:
    """Active users plus the buffer, rounded up: 41 → 46, 3 → 4, 0 → 0."""
    return -(-active_users * (100 + SEAT_BUFFER_PERCENT) // 100)


def _people(count: int) -> str:
    return "1 person" if count == 1 else f"{count} people"


def _money(amount: Decimal) -> str:
    return f"{amount:,.2f}"


@dataclass(frozen=True)
class RenewalAdvice:
    suggestion: str  # "renew", "downsize", "cancel" or "wait"
    suggested_seats: int | None
    estimated_savings: Decimal
    reason: str


def renewal_advice(
    *,
    vendor_name: str,
    active_users: int,
    seats: int,
    annual_spend: Decimal,
    expires_on: date,
    usage_days: int,
    data_since: date | None = None,
    today: date | None = None,
    pricing_model: str = PricingModel.PER_SEAT,
) -> RenewalAdvice:
    """Renew, downsize or cancel a contract, from its recent active users.

    - proCure's data (from `data_since`) does not cover the last `usage_days`
      days up to `today`, and the advice would be to cancel or downsize:
      wait, since missing data is no evidence that nobody uses it.
    - Nobody active in the last `usage_days` days: cancel.
    - Active users plus the buffer, rounded up, below the seats: downsize to
      that many seats.
    - Otherwise renew; when more people are active than there are seats, with
      that many seats instead of the current count.
    - A contract not priced per seat (flat or usage-based) gets no seat
      advice: renew it as is, or cancel it when nobody used it.
    """
    period = f"in the last {usage_days} days"
    per_seat = pricing_model == PricingModel.PER_SEAT
    cut = active_users == 0 or (
        per_seat and seats > 0 and seats_with_buffer(active_users) < seats
    )
    if (
        cut
        and data_since is not None
        and today is not None
        and data_since > today - timedelta(days=usage_days - 1)
    ):
        return RenewalAdvice(
            suggestion="wait",
            suggested_seats=None,
            estimated_savings=Decimal("0.00"),
            reason=(
                f"proCure has data on {vendor_name} only since "
                f"{data_since.isoformat()}, less than the {usage_days} days "
                "advice needs: too little to suggest cutting it. Check again "
                f"after {(data_since + timedelta(days=usage_days)).isoformat()}, "
                f"before it expires on {expires_on.isoformat()}."
            ),
        )
    if active_users == 0:
        return RenewalAdvice(
            suggestion="cancel",
            suggested_seats=None,
            estimated_savings=annual_spend.quantize(CENT),
            reason=(
                f"Nobody used {vendor_name} {period}. Consider cancelling it "
                f"before it expires on {expires_on.isoformat()}."
            ),
        )
    if not per_seat:
        priced = "at a flat price" if pricing_model == PricingModel.FLAT else "by use"
        per_user = cost_per_active_user(
            annual_spend=annual_spend, active_users=active_users
        )
        return RenewalAdvice(
            suggestion="renew",
            suggested_seats=None,
            estimated_savings=Decimal("0.00"),
            reason=(
                f"{_people(active_users)} used {vendor_name} {period}. It is "
                f"priced {priced}, not per seat, so there is no seat advice: "
                f"renew it as is (about {_money(per_user or Decimal(0))} a "
                "year per active user)."
            ),
        )
    if seats == 0:
        return RenewalAdvice(
            suggestion="renew",
            suggested_seats=0,
            estimated_savings=Decimal("0.00"),
            reason=(
                f"{_people(active_users)} used {vendor_name} {period}. It is "
                "not priced per seat, so renew it as is."
            ),
        )
    needed = seats_with_buffer(active_users)
    if needed < seats:
        savings = (annual_spend * (seats - needed) / Decimal(seats)).quantize(
            CENT, rounding=ROUND_HALF_UP
        )
        return RenewalAdvice(
            suggestion="downsize",
            suggested_seats=needed,
            estimated_savings=savings,
            reason=(
                f"Only {active_users} of {seats} seats of {vendor_name} were "
                f"used {period}. Renew with {needed} seats (active users plus "
                f"{SEAT_BUFFER_PERCENT}%) to save about {_money(savings)} a year."
            ),
        )
    if active_users > seats:
        return RenewalAdvice(
            suggestion="renew",
            suggested_seats=needed,
            estimated_savings=Decimal("0.00"),
            reason=(
                f"{_people(active_users)} used {vendor_name} {period} but it "
                f"has only {seats} seats. Renew with {needed} seats (active "
                f"users plus {SEAT_BUFFER_PERCENT}%)."
            ),
        )
    return RenewalAdvice(
        suggestion="renew",
        suggested_seats=seats,
        estimated_savings=Decimal("0.00"),
        reason=(
            f"{active_users} of {seats} seats of {vendor_name} were used "
            f"{period}. Renew it with the same seats."
        ),
    )
