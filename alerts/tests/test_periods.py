"""alerts.periods, without a database: the period each digest covers."""

import datetime as dt

import pytest

from alerts.periods import digest_period


@pytest.mark.parametrize(
    ("frequency", "now", "period"),
    [
        ("weekly", dt.datetime(2026, 11, 2, 0, 5, tzinfo=dt.UTC), "2026-W45"),
        ("weekly", dt.datetime(2026, 11, 8, 23, 59, tzinfo=dt.UTC), "2026-W45"),
        ("weekly", dt.datetime(2027, 1, 1, 12, tzinfo=dt.UTC), "2026-W53"),
        ("monthly", dt.datetime(2026, 11, 30, 23, tzinfo=dt.UTC), "2026-11"),
        ("monthly", dt.datetime(2026, 12, 1, 0, tzinfo=dt.UTC), "2026-12"),
        ("off", dt.datetime(2026, 12, 1, 0, tzinfo=dt.UTC), None),
    ],
)
def test_it_names_the_period(frequency, now, period):
    assert digest_period(frequency=frequency, now=now) == period


def test_it_reads_the_time_in_utc():
    tokyo = dt.timezone(dt.timedelta(hours=9))

    assert (
        digest_period(
            frequency="monthly", now=dt.datetime(2026, 12, 1, 8, tzinfo=tokyo)
        )
        == "2026-11"
    )
