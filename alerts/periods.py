"""The period a digest covers, named so that each is sent once: pure code."""

from datetime import UTC, datetime

from alerts.models import DigestFrequency
from procure_site import clock


def digest_period(*, frequency: str, now: datetime) -> str | None:
    """The name of the current period of `frequency` at `now` (UTC), or None
    when digests are off: "2026-W48" (ISO week) or "2026-11" (month).

    A digest is due from the first hour of its period, so an hourly run sends
    the weekly digest early on Monday (UTC) and the monthly one on the 1st.
    """
    today = now.astimezone(UTC).date()
    if frequency == DigestFrequency.WEEKLY:
        return clock.iso_week(today)
    if frequency == DigestFrequency.MONTHLY:
        return clock.format_month(today)
    return None


def period_days(*, frequency: str) -> int:
    """How many days back "new" reaches in a digest of `frequency`."""
    return 7 if frequency == DigestFrequency.WEEKLY else 30
