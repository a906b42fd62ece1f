"""procure_site.clock: the one clock, and the calendar arithmetic on it."""

import datetime as dt

import pytest

from procure_site import clock


@pytest.mark.time_machine(dt.datetime(2027, 1, 1, 0, 30, tzinfo=dt.UTC), tick=False)
def test_it_reads_now_and_today_in_utc() -> None:
    assert clock.now() == dt.datetime(2027, 1, 1, 0, 30, tzinfo=dt.UTC)
    assert clock.today() == dt.date(2027, 1, 1)
    assert clock.current_month() == dt.date(2027, 1, 1)


@pytest.mark.time_machine(
    dt.datetime(2028, 2, 29, 23, 30, tzinfo=dt.timezone(dt.timedelta(hours=-5)))
)
def test_it_names_the_utc_day_not_the_local_one() -> None:
    # 23:30 in New York on 29 February is 04:30 UTC on 1 March.
    assert clock.today() == dt.date(2028, 3, 1)
    assert clock.current_month() == dt.date(2028, 3, 1)


def test_it_parses_months() -> None:
    assert clock.parse_month("2026-11") == dt.date(2026, 11, 1)
    assert clock.parse_month(" 2026-01 ") == dt.date(2026, 1, 1)


@pytest.mark.parametrize(
    "text", ["2026-13", "2026-00", "2026-1", "26-11", "2026/11", "nov", "", "9999-12"]
)
def test_it_refuses_malformed_months(text: str) -> None:
    with pytest.raises(ValueError, match="month must be a month in the form YYYY-MM"):
        clock.parse_month(text)


def test_it_steps_across_years() -> None:
    assert clock.add_months(dt.date(2026, 11, 1), 2) == dt.date(2027, 1, 1)
    assert clock.add_months(dt.date(2026, 1, 1), -1) == dt.date(2025, 12, 1)
    assert clock.add_months(dt.date(2026, 3, 1), -14) == dt.date(2025, 1, 1)
    assert clock.next_month(dt.date(2026, 12, 31)) == dt.date(2027, 1, 1)
    assert clock.previous_month(dt.date(2026, 1, 15)) == dt.date(2025, 12, 1)
    assert clock.previous_month(dt.date(2026, 3, 31)) == dt.date(2026, 2, 1)
    assert clock.month_start(dt.date(2028, 2, 29)) == dt.date(2028, 2, 1)
    assert clock.format_month(dt.date(2026, 2, 1)) == "2026-02"


def test_it_lists_recent_months_oldest_first() -> None:
    assert clock.recent_months(current=dt.date(2026, 2, 17), count=4) == [
        dt.date(2025, 11, 1),
        dt.date(2025, 12, 1),
        dt.date(2026, 1, 1),
        dt.date(2026, 2, 1),
    ]
    assert clock.recent_months(current=dt.date(2026, 2, 17), count=1) == [
        dt.date(2026, 2, 1)
    ]


def test_it_lists_the_months_between_two_days() -> None:
    assert clock.months_between(dt.date(2026, 11, 30), dt.date(2027, 1, 1)) == [
        dt.date(2026, 11, 1),
        dt.date(2026, 12, 1),
        dt.date(2027, 1, 1),
    ]
    assert clock.months_between(dt.date(2027, 2, 2), dt.date(2027, 1, 31)) == []


@pytest.mark.parametrize(
    ("day", "week"),
    [
        (dt.date(2026, 12, 28), "2026-W53"),
        (dt.date(2027, 1, 3), "2026-W53"),
        (dt.date(2027, 1, 4), "2027-W01"),
        (dt.date(2024, 12, 30), "2025-W01"),
        (dt.date(2028, 2, 29), "2028-W09"),
    ],
)
def test_it_names_iso_weeks_by_their_iso_year(day: dt.date, week: str) -> None:
    assert clock.iso_week(day) == week
