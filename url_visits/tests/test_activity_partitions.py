"""Activity partitioned by month on PostgreSQL: the migration that converts
the table, partitions made ready before a row needs them, and a purge that
drops whole months. SQLite keeps one table."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from audit.models import AuditAction, AuditEvent
from procure_site import clock
from procure_site.clock import month_start, next_month
from url_visits import activity_partitions
from url_visits.activity_partitions import partition_name
from url_visits.models import Activity
from url_visits.tests.factories import ActivityFactory

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="activity is partitioned on PostgreSQL"
)


def today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


def partition_names() -> set[str]:
    return {partition.name for partition in activity_partitions.activity_partitions()}


@pytest.mark.skipif(connection.vendor == "postgresql", reason="SQLite only")
def test_it_keeps_one_table_on_sqlite(db):
    ActivityFactory(day=today() - dt.timedelta(days=200))

    assert activity_partitions.activity_partitions() == []
    assert not activity_partitions.partitioned()
    assert Activity.objects.count() == 1


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_the_migration_keeps_every_row_and_partitions_by_month():
    executor = MigrationExecutor(connection)
    executor.migrate([("url_visits", "0004_activity_browser_allow_list")])
    # What this process knows of the partitions describes the schema it
    # listed; migrations change it under the test.
    activity_partitions.activity_partitions_forget()
    assert not activity_partitions.partitioned()
    days = [today() - dt.timedelta(days=age) for age in (0, 35, 300, 1000)]
    rows = [ActivityFactory(day=day) for day in days]
    before = sorted(Activity.objects.values_list("id", "user", "contract", "day"))

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([("url_visits", "0005_activity_partitioned_by_month")])
    activity_partitions.activity_partitions_forget()

    assert activity_partitions.partitioned()
    assert sorted(Activity.objects.values_list("id", "user", "contract", "day")) == (
        before
    )
    # One partition per month from the oldest row to two months ahead.
    months = clock.months_between(days[-1], next_month(next_month(today())))
    assert partition_names() == {partition_name(month) for month in months}
    # New rows take ids after the old ones, and the constraints still hold.
    newest = ActivityFactory(contract=rows[0].contract, user=rows[0].user, day=days[1])
    assert newest.id > max(row.id for row in rows)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname FROM pg_constraint "
            "WHERE conrelid = 'url_visits_activity'::regclass ORDER BY conname"
        )
        names = [name for (name,) in cursor.fetchall()]
    assert "activity_one_per_user_day" in names
    assert sum(name.endswith("_fk_accounts_user_id") for name in names) == 1


@postgresql_only
def test_it_creates_the_partition_of_a_month_that_has_none(db):
    month = month_start(today() - dt.timedelta(days=3000))
    assert partition_name(month) not in partition_names()

    ActivityFactory(day=month + dt.timedelta(days=3))

    assert partition_name(month) in partition_names()
    assert Activity.objects.get().day == month + dt.timedelta(days=3)


@postgresql_only
def test_the_purge_drops_whole_months_and_deletes_only_in_the_boundary_month(
    db, settings, django_assert_max_num_queries
):
    settings.ACTIVITY_RETENTION_DAYS = 60
    cutoff = today() - dt.timedelta(days=60)
    boundary = month_start(cutoff)
    old_month = month_start(boundary - dt.timedelta(days=1))
    for day in (old_month, old_month + dt.timedelta(days=5), boundary, cutoff, today()):
        ActivityFactory(day=day)
    expected_gone = 2 + (1 if boundary < cutoff else 0)

    out = StringIO()
    with django_assert_max_num_queries(200) as captured:
        call_command("purge_activity", stdout=out)

    assert out.getvalue() == (
        f"Purged {expected_gone} activity rows older than {cutoff.isoformat()}.\n"
    )
    assert partition_name(old_month) not in partition_names()
    assert partition_name(boundary) in partition_names()
    assert min(Activity.objects.values_list("day", flat=True)) == cutoff
    statements = [query["sql"] for query in captured]
    assert f'DROP TABLE "{partition_name(old_month)}"' in statements
    # Rows are deleted one by one only inside the boundary month.
    deletes = [
        sql for sql in statements if sql.startswith('DELETE FROM "url_visits_activity"')
    ]
    assert len(deletes) == 1
    dropped = AuditEvent.objects.get(
        action=AuditAction.ACTIVITY_PURGED, details__month=f"{old_month:%Y-%m}"
    )
    assert dropped.details["count"] == 2


@postgresql_only
def test_a_purge_skips_a_month_another_nodes_purge_dropped(db, monkeypatch):
    """Two nodes' schedulers run purge_activity at once: both list the same
    old month, one drops it first. The other skips it, without an error,
    and the month is audited once."""
    old_day = today() - dt.timedelta(days=600)
    ActivityFactory(day=old_day)
    listed = activity_partitions.activity_partitions()
    old = next(p for p in listed if p.start == month_start(old_day))

    dropped_elsewhere = []

    def listed_then_dropped_elsewhere():
        # This purge has counted the month's rows and lists the partitions;
        # the other node's purge drops the month right after.
        if not dropped_elsewhere:
            activity_partitions.activity_partition_drop(old)
            dropped_elsewhere.append(old)
        return listed

    monkeypatch.setattr(
        activity_partitions, "activity_partitions", listed_then_dropped_elsewhere
    )

    out = StringIO()
    call_command("purge_activity", "--older-than-days", "500", stdout=out)

    assert "Purged 0 activity rows" in out.getvalue()
    assert not AuditEvent.objects.filter(action=AuditAction.ACTIVITY_PURGED).exists()
    monkeypatch.undo()
    assert old.name not in partition_names()
