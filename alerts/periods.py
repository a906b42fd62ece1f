"""The period a digest covers, named so that each is sent once: pure code."""

from datetime import UTC, date, datetime, timedelta

from alerts.models import DigestFrequency


def digest_period(*, frequency: str, now: datetime) -> str | None:
    """The name of the current period of `frequency` at `now` (UTC), or None
    when digests are off: "2026-W48" (ISO week) or "2026-11" (month).

    A digest is due from the first hour of its period, so an hourly run sends
    the weekly digest early on Monday (UTC) and the monthly one on the 1st.
    """
    today = now.astimezone(UTC).date()
    if frequency == DigestFrequency.WEEKLY:
        year, week, _ = today.isocalendar()
        return f"{year}-W{week:02d}"
    if frequency == DigestFrequency.MONTHLY:
        return f"{today.year}-{today.month:02d}"
    return None


def period_days(*, frequency: str) -> int:
    """How many days back "new" reaches in a digest of `frequency`."""
    return 7 if frequency == DigestFrequency.WEEKLY else 30


def previous_month(*, today: date) -> date:
    """The first day of the month before the one of `today`."""
    return (today.replace(day=1) - timedelta(days=1)).replace(day=1)
