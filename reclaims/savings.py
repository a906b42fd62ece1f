"""What removing one seat saves: pure arithmetic, no database.

A per-seat contract's seat costs its annual spend divided by its seats, for
a year. Removed on a day, it saves that price for the days left of the
contract's current term (until contracts.terms.renews_on), a day being a
365th of a year; a contract without an expiry has no term end, so a
removal saves a year. Rounded to the cent, half up, in the contract's
currency.
"""

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

DAYS_PER_YEAR = 365
CENT = Decimal("0.01")


def seat_price(*, annual_spend: Decimal, seats: int) -> Decimal | None:
    """A seat's price for a year, unrounded; None without seats."""
    if seats <= 0:
        return None
    return Decimal(annual_spend) / seats


def realized_saving(
    *,
    annual_spend: Decimal,
    seats: int,
    removed_on: dt.date,
    term_ends_on: dt.date | None,
) -> Decimal:
    """What one seat removed on `removed_on` saves until `term_ends_on`."""
    price = seat_price(annual_spend=annual_spend, seats=seats)
    if price is None:
        return Decimal("0.00")
    if term_ends_on is None:
        days = DAYS_PER_YEAR
    else:
        days = max(0, (term_ends_on - removed_on).days)
    return (price * days / DAYS_PER_YEAR).quantize(CENT, rounding=ROUND_HALF_UP)
