import datetime as dt

import pytest
from django.core.management import call_command
from django.db import connection

from contracts.tests.factories import ContractFactory
from url_visits.models import Activity, LatestActivity, MonthlyActivity
from url_visits.rollups import activity_rollups_rebuild
from url_visits.services.ingestion import activity_insert_new

URL = "/api/v1/url-visits"


def today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


def at_noon(day: dt.date) -> int:
    moment = dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC)
    return int(moment.timestamp() * 1000)


def report(client, *visits: tuple[str, dt.date]) -> dict:
    entries = [{"url": url, "timestamp": at_noon(day)} for url, day in visits]
    response = client.post(URL, {"entries": entries}, format="json")
    assert response.status_code == 200, response.json()
    return response.json()


def monthly_rows() -> set[tuple]:
    return set(MonthlyActivity.objects.values_list("user_id", "contract_id", "month"))


def latest_rows() -> set[tuple]:
    return set(LatestActivity.objects.values_list("user_id", "contract_id", "last_day"))


@pytest.fixture
def slack(organization):
    return ContractFactory(organization=organization, host="slack.com")


@pytest.fixture
def github(organization):
    return ContractFactory(organization=organization, host="github.com")


def test_it_keeps_one_monthly_row_per_user_contract_and_month(
    device_client, member, slack, github
):
    earlier_month = (today() - dt.timedelta(days=40)).replace(day=1)
    report(
        device_client,
        ("https://app.slack.com/", earlier_month),
        ("https://slack.com/", earlier_month + dt.timedelta(days=1)),
        ("https://slack.com/", today()),
        ("https://github.com/", today()),
    )

    assert monthly_rows() == {
        (member.pk, slack.pk, earlier_month),
        (member.pk, slack.pk, today().replace(day=1)),
        (member.pk, github.pk, today().replace(day=1)),
    }
    assert (
        MonthlyActivity.objects.get(contract=github).organization == slack.organization
    )


def test_it_moves_the_last_day_forward_and_never_back(device_client, member, slack):
    report(device_client, ("https://slack.com/", today() - dt.timedelta(days=3)))
    report(device_client, ("https://slack.com/", today() - dt.timedelta(days=1)))
    report(device_client, ("https://slack.com/", today() - dt.timedelta(days=9)))

    assert latest_rows() == {(member.pk, slack.pk, today() - dt.timedelta(days=1))}


def test_it_leaves_the_rollups_alone_when_nothing_new_was_recorded(
    device_client, member, slack, django_assert_num_queries
):
    report(device_client, ("https://slack.com/", today()))

    # The device token, then the INSERT that finds the row already there:
    # on PostgreSQL one statement that writes nothing else, elsewhere in a
    # transaction (a savepoint and its release, in a test).
    with django_assert_num_queries(2 if connection.vendor == "postgresql" else 4):
        body = report(device_client, ("https://slack.com/", today()))

    assert body["recorded"] == 0
    assert len(monthly_rows()) == len(latest_rows()) == 1


def test_the_purge_trims_the_rollups_to_the_activity_it_leaves(
    device_client, member, slack, github, settings
):
    cutoff = today() - dt.timedelta(days=settings.ACTIVITY_RETENTION_DAYS - 5)
    kept = cutoff + dt.timedelta(days=2)
    report(
        device_client,
        ("https://slack.com/", kept),
        ("https://github.com/", kept),
        ("https://github.com/", today()),
    )
    # The purge will take everything of Slack; GitHub keeps its recent days.
    call_command("purge_activity", "--older-than-days", "1", "--batch-size", "1")

    assert not Activity.objects.filter(contract=slack).exists()
    assert monthly_rows() == {(member.pk, github.pk, today().replace(day=1))}
    assert latest_rows() == {(member.pk, github.pk, today())}


# On the 1st the cutoff month would have no earlier day: the 15th has.
@pytest.mark.time_machine(dt.datetime(2026, 12, 15, 12, tzinfo=dt.UTC))
def test_the_purge_keeps_the_month_of_the_cutoff_while_days_of_it_remain(
    device_client, member, slack
):
    first_day = today().replace(day=1)
    report(
        device_client,
        ("https://slack.com/", first_day),
        ("https://slack.com/", today()),
    )

    call_command("purge_activity", "--older-than-days", "1")

    assert monthly_rows() == {(member.pk, slack.pk, first_day)}


def test_a_rebuild_finds_what_recording_kept(device_client, member, slack, github):
    report(
        device_client,
        ("https://slack.com/", today() - dt.timedelta(days=45)),
        ("https://slack.com/", today() - dt.timedelta(days=2)),
        ("https://github.com/", today()),
    )
    kept = (monthly_rows(), latest_rows())
    MonthlyActivity.objects.all().delete()
    LatestActivity.objects.update(last_day=today() - dt.timedelta(days=300))

    activity_rollups_rebuild(organization=slack.organization)
    activity_rollups_rebuild()

    assert (monthly_rows(), latest_rows()) == kept


def test_deleting_a_contract_takes_its_rollups_with_it(device_client, slack, github):
    report(
        device_client, ("https://slack.com/", today()), ("https://github.com/", today())
    )

    slack.delete()

    assert {row[1] for row in monthly_rows()} == {github.pk}
    assert {row[1] for row in latest_rows()} == {github.pk}


def test_it_records_nothing_for_a_contract_of_another_organization(
    member, other_organization
):
    # The match table only ever names the user's own contracts; the INSERT
    # checks it again, as the organization column has no foreign key
    # constraint to catch a mismatch.
    foreign = ContractFactory(organization=other_organization, host="slack.com")
    moment = dt.datetime.now(dt.UTC)

    recorded = activity_insert_new(
        user_id=member.pk,
        organization_id=member.organization_id,
        first_seen={(foreign.pk, moment.date()): (moment, "Chrome")},
    )

    assert recorded == 0
    assert not Activity.objects.exists()
    assert (monthly_rows(), latest_rows()) == (set(), set())
