import datetime as dt
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from audit.models import AuditAction, AuditEvent
from url_visits.models import Activity
from url_visits.tests.factories import ActivityFactory

MANAGE_PY = Path(__file__).resolve().parents[2] / "manage.py"


def today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


def activity_days_ago(*days: int) -> None:
    for number in days:
        ActivityFactory(day=today() - dt.timedelta(days=number))


def purge(*args: str) -> str:
    out = StringIO()
    call_command("purge_activity", *args, stdout=out)
    return out.getvalue()


def remaining_ages() -> list[int]:
    return sorted(
        (today() - day).days for day in Activity.objects.values_list("day", flat=True)
    )


def test_it_purges_activity_older_than_the_retention_window(db, settings):
    settings.ACTIVITY_RETENTION_DAYS = 30
    activity_days_ago(0, 29, 30, 31, 900)

    output = purge()

    cutoff = today() - dt.timedelta(days=30)
    assert output == f"Purged 2 activity rows older than {cutoff.isoformat()}.\n"
    assert remaining_ages() == [0, 29, 30]


def test_it_takes_the_window_from_older_than_days(db):
    activity_days_ago(0, 9, 10, 11)

    output = purge("--older-than-days", "10")

    cutoff = today() - dt.timedelta(days=10)
    assert output == f"Purged 1 activity row older than {cutoff.isoformat()}.\n"
    assert remaining_ages() == [0, 9, 10]


def test_it_only_counts_on_a_dry_run(db):
    activity_days_ago(0, 30, 31)

    output = purge("--older-than-days", "7", "--dry-run")

    cutoff = today() - dt.timedelta(days=7)
    assert output == f"Would purge 2 activity rows older than {cutoff.isoformat()}.\n"
    assert Activity.objects.count() == 3


def test_it_deletes_in_batches_and_reports_progress(db):
    activity_days_ago(0, *range(20, 25))

    output = purge("--older-than-days", "10", "--batch-size", "2")

    cutoff = today() - dt.timedelta(days=10)
    assert output.splitlines() == [
        "  2 of 5 rows purged...",
        "  4 of 5 rows purged...",
        "  5 of 5 rows purged...",
        f"Purged 5 activity rows older than {cutoff.isoformat()}.",
    ]
    assert remaining_ages() == [0]


def test_it_runs_one_delete_per_batch(db, django_assert_max_num_queries):
    activity_days_ago(*range(20, 25))

    # The count, then three batches of at most two rows, each in a transaction
    # (a savepoint and its release, in a test) with its audit event, then
    # three deletes that trim the rollups; on PostgreSQL, one more lists the
    # monthly partitions (none is old enough to drop here).
    with django_assert_max_num_queries(17) as captured:
        purge("--older-than-days", "10", "--batch-size", "2")

    statements = [query["sql"] for query in captured]
    activity_deletes = [
        sql for sql in statements if sql.startswith('DELETE FROM "url_visits_activity"')
    ]
    assert len(activity_deletes) == 3
    assert sum(sql.startswith("INSERT") for sql in statements) == 3
    assert not Activity.objects.exists()


def test_it_is_safe_to_run_twice(db):
    activity_days_ago(0, 50)

    purge("--older-than-days", "10")
    output = purge("--older-than-days", "10")

    assert output.startswith("Purged 0 activity rows older than ")
    assert remaining_ages() == [0]


@pytest.mark.parametrize("days", ["0", "-3", "ten", "1.5"])
def test_it_refuses_a_window_that_is_not_a_positive_number_of_days(db, days):
    activity_days_ago(50)

    with pytest.raises(CommandError, match="older-than-days"):
        purge(f"--older-than-days={days}")

    assert Activity.objects.count() == 1


def run_manage_py(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - a fixed command line of our own
        [sys.executable, str(MANAGE_PY), "purge_activity", *args],
        capture_output=True,
        text=True,
        env={**os.environ, "DEBUG": "true"},
        timeout=60,
        check=False,
    )


def test_it_explains_itself_with_help():
    result = run_manage_py("--help")

    assert result.returncode == 0
    assert "--older-than-days" in result.stdout
    assert "--dry-run" in result.stdout


def test_it_exits_non_zero_for_a_bad_window_from_the_command_line():
    result = run_manage_py("--older-than-days", "0")

    assert result.returncode != 0
    assert "must be at least 1, got 0" in result.stderr


def test_it_audits_the_purge_as_the_system(db):
    activity_days_ago(0, 11, 12, 13)

    purge("--older-than-days", "10")

    event = AuditEvent.objects.get()
    assert event.action == AuditAction.ACTIVITY_PURGED
    assert (event.organization, event.actor, event.actor_email) == (None, None, "")
    assert event.target == "activity"
    assert event.details == {
        "count": 3,
        "cutoff": (today() - dt.timedelta(days=10)).isoformat(),
        "older_than_days": 10,
    }


def test_it_audits_each_batch_with_its_count(db):
    activity_days_ago(*range(20, 25))

    purge("--older-than-days", "10", "--batch-size", "2")

    counts = [event.details["count"] for event in AuditEvent.objects.order_by("id")]
    assert counts == [2, 2, 1]


def test_it_audits_nothing_on_a_dry_run_or_when_nothing_expired(db):
    activity_days_ago(0, 50)

    purge("--older-than-days", "10", "--dry-run")
    purge("--older-than-days", "100")

    assert not AuditEvent.objects.exists()
    assert Activity.objects.count() == 2
