"""UTC months as discovery counts them: pure date arithmetic, no database."""

import datetime as dt
import re

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
INVALID_MONTH = "month must be a month in the form YYYY-MM, such as 2026-11."


def current_month() -> dt.date:
    """The first day of the current UTC month."""
    return dt.datetime.now(dt.UTC).date().replace(day=1)


def month_parse(text: str) -> dt.date:
    """`YYYY-MM` as the first day of that month; ValueError with a sentence."""
    match = _MONTH.match(text.strip())
    if match is None:
        raise ValueError(INVALID_MONTH)
    year, month = int(match.group(1)), int(match.group(2))
    if not 1 <= month <= 12 or year < 1:
        raise ValueError(INVALID_MONTH)
    return dt.date(year, month, 1)


def month_format(month: dt.date) -> str:
    return f"{month.year:04d}-{month.month:02d}"
