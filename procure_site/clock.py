"""proCure's one clock: "now", "today" and the calendar arithmetic on them.

Every "now" in the product comes from `now()`, and every "today", month and
ISO week from the functions below, so that tests pin one clock (time-machine
moves `now()` with everything else) and SQL is handed its dates from here
instead of asking the database for its own `now()`. Days, months and weeks
are UTC ones. Months are represented by their first day.
"""

import datetime as dt
import re

from django.utils import timezone

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
INVALID_MONTH = "month must be a month in the form YYYY-MM, such as 2026-11."
# The earliest and latest months that can be parsed: year 9999 is refused,
# as its December would have no next month to end a range on.
_FIRST_YEAR, _LAST_YEAR = 1, 9998


def now() -> dt.datetime:
    """The current moment, timezone-aware in UTC."""
    return timezone.now().astimezone(dt.UTC)


def today() -> dt.date:
    """The current UTC day."""
    return now().date()


def day_start(day: dt.date) -> dt.datetime:
    """The first moment of the UTC day `day`."""
    return dt.datetime.combine(day, dt.time.min, dt.UTC)


def month_start(day: dt.date) -> dt.date:
    """The first day of the month `day` falls in."""
    return day.replace(day=1)


def current_month() -> dt.date:
    """The first day of the current UTC month."""
    return month_start(today())


def add_months(month: dt.date, count: int) -> dt.date:
    """The first day of the month `count` months after `month`'s (or before)."""
    index = month.year * 12 + (month.month - 1) + count
    return dt.date(index // 12, index % 12 + 1, 1)


def next_month(month: dt.date) -> dt.date:
    """The first day of the month after `month`'s."""
    return add_months(month, 1)


def previous_month(month: dt.date) -> dt.date:
    """The first day of the month before `month`'s."""
    return add_months(month, -1)


def months_between(first: dt.date, last: dt.date) -> list[dt.date]:
    """The first day of each month from `first`'s to `last`'s, both included."""
    months = []
    month = month_start(first)
    while month <= last:
        months.append(month)
        month = next_month(month)
    return months


def recent_months(*, current: dt.date, count: int) -> list[dt.date]:
    """The `count` months ending with the one `current` falls in, oldest first."""
    last = month_start(current)
    return [add_months(last, offset) for offset in range(1 - count, 1)]


def parse_month(text: str) -> dt.date:
    """`YYYY-MM` as the first day of that month; ValueError with a sentence."""
    match = _MONTH.match(text.strip())
    if match is None:
        raise ValueError(INVALID_MONTH)
    year, month = int(match.group(1)), int(match.group(2))
    if not 1 <= month <= 12 or not _FIRST_YEAR <= year <= _LAST_YEAR:
        raise ValueError(INVALID_MONTH)
    return dt.date(year, month, 1)


def format_month(month: dt.date) -> str:
    """`YYYY-MM`, as months are named in the API and the console."""
    return f"{month.year:04d}-{month.month:02d}"


def iso_week(day: dt.date) -> str:
    """The ISO week `day` falls in, as "2026-W53": the ISO year, which around
    New Year is not always the calendar year (2027-01-01 is in 2026-W53)."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"
