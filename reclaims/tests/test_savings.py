"""reclaims/savings.py: what one removed seat saves (no database)."""

import datetime as dt
from decimal import Decimal

from reclaims.savings import realized_saving, seat_price

DAY = dt.date(2026, 12, 5)


def test_it_saves_the_seats_price_for_the_days_left():
    assert realized_saving(
        annual_spend=Decimal("3650.00"),
        seats=10,
        removed_on=DAY,
        term_ends_on=DAY + dt.timedelta(days=100),
    ) == Decimal("100.00")


def test_it_rounds_to_the_cent_half_up():
    # 1000 / 3 seats = 333.33… a year; 1 day = 0.913242… → 0.91.
    assert realized_saving(
        annual_spend=Decimal("1000.00"),
        seats=3,
        removed_on=DAY,
        term_ends_on=DAY + dt.timedelta(days=1),
    ) == Decimal("0.91")
    # 1.825 a year is 0.005 a day: half a cent rounds up, not to even.
    assert realized_saving(
        annual_spend=Decimal("1.825"),
        seats=1,
        removed_on=DAY,
        term_ends_on=DAY + dt.timedelta(days=1),
    ) == Decimal("0.01")


def test_it_saves_a_year_without_a_term_end_and_nothing_after_it():
    assert realized_saving(
        annual_spend=Decimal("1200.00"), seats=4, removed_on=DAY, term_ends_on=None
    ) == Decimal("300.00")
    assert realized_saving(
        annual_spend=Decimal("1200.00"),
        seats=4,
        removed_on=DAY,
        term_ends_on=DAY - dt.timedelta(days=3),
    ) == Decimal("0.00")


def test_a_contract_without_seats_has_no_seat_price():
    assert seat_price(annual_spend=Decimal("500"), seats=0) is None
    assert realized_saving(
        annual_spend=Decimal("500"), seats=0, removed_on=DAY, term_ends_on=None
    ) == Decimal("0.00")
