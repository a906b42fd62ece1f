import datetime as dt
import logging
import os
import subprocess
import sys

import pytest
from django.core.cache import caches
from django.db import connection
from rest_framework.test import APIClient

from contracts.tests.factories import ContractFactory
from procure_site.exceptions import NOT_SIGNED_IN_DETAIL
from url_visits.models import Activity
from url_visits.selectors import contract_host_matches_forget
from url_visits.serializers import VisitsRecordedSerializer

URL = "/api/v1/url-visits"
# The statements that record a batch's new activity and its rollups.
BATCH_WRITES = (
    ["WITH"]
    if connection.vendor == "postgresql"
    else ["SAVEPOINT", "INSERT", "INSERT", "INSERT", "RELEASE"]
)
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def ms(moment: dt.datetime) -> int:
    return (moment - EPOCH) // dt.timedelta(milliseconds=1)


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def days_ago(days: int, hour: int = 12) -> dt.datetime:
    day = now().date() - dt.timedelta(days=days)
    return dt.datetime.combine(day, dt.time(hour), tzinfo=dt.UTC)


def visit(url: str, moment: dt.datetime | None = None, **extra) -> dict:
    return {"url": url, "timestamp": ms(moment or days_ago(1)), **extra}


def post(client: APIClient, entries):
    return client.post(URL, {"entries": entries}, format="json")


@pytest.fixture
def slack(organization):
    return ContractFactory(
        organization=organization, host="slack.com", vendor_name="Slack"
    )


def test_it_records_one_activity_per_contract_and_day(device_client, member, slack):
    earliest = days_ago(1, hour=8)
    response = post(
        device_client,
        [
            visit(
                "https://app.slack.com/client/T1", days_ago(1, hour=15), browser="Edge"
            ),
            visit("https://slack.com/", earliest, browser="Firefox"),
            visit("https://files.slack.com/x", days_ago(1, hour=9)),
            visit("https://github.com/acme", days_ago(1)),
            visit("chrome://newtab", days_ago(1)),
        ],
    )

    assert response.status_code == 200
    assert response.json() == {
        "processed": 5,
        "matched": 3,
        "recorded": 1,
        "skipped": 1,
        "message": "Processed 5 entries: 3 matched a contract, 1 new activity "
        "recorded, 1 skipped as invalid: 1 with a URL that has no readable host.",
    }
    activity = Activity.objects.get()
    assert activity.user == member
    assert activity.contract == slack
    assert activity.organization == slack.organization
    assert activity.day == earliest.date()
    assert activity.first_seen_at == earliest
    assert activity.browser == "Firefox"


def test_it_accepts_jwt_clients(member_client, admin_client, admin_user, slack):
    assert (
        post(member_client, [visit("https://app.slack.com/")]).json()["recorded"] == 1
    )
    assert post(admin_client, [visit("https://app.slack.com/")]).json()["recorded"] == 1
    assert Activity.objects.filter(user=admin_user, contract=slack).count() == 1


def test_it_defaults_the_browser_to_chrome(device_client, slack):
    post(
        device_client,
        [
            visit("https://slack.com/", days_ago(1)),
            visit("https://slack.com/", days_ago(2), browser=None),
            visit("https://slack.com/", days_ago(3), browser="  "),
        ],
    )

    assert set(Activity.objects.values_list("browser", flat=True)) == {"Chrome"}


@pytest.mark.parametrize(
    "sent, recorded",
    [
        ("firefox", "Firefox"),
        ("  Microsoft   Edge ", "Edge"),
        ("https://console.aws.amazon.com/iam/home?secret=abc123", "Other"),
        ("Chrome 126.0.6478.127 (Official Build)", "Other"),
        (42, "Other"),
    ],
)
def test_it_records_only_browser_names_of_the_allow_list(
    device_client, slack, sent, recorded
):
    response = post(device_client, [visit("https://slack.com/", browser=sent)])

    assert response.status_code == 200
    assert list(Activity.objects.values_list("browser", flat=True)) == [recorded]
    shown = device_client.get("/api/v1/me/activity").json()["results"]
    assert [row["browser"] for row in shown] == [recorded]
    assert "secret" not in device_client.get("/api/v1/me/activity").content.decode()


def test_it_records_nothing_new_when_the_same_batch_comes_twice(device_client, slack):
    entries = [visit("https://app.slack.com/", days_ago(days)) for days in (1, 2, 3)]

    first = post(device_client, entries).json()
    second = post(device_client, entries).json()

    assert (first["matched"], first["recorded"]) == (3, 3)
    assert (second["matched"], second["recorded"]) == (3, 0)
    assert Activity.objects.count() == 3


def test_it_keeps_the_first_seen_time_already_recorded(device_client, slack):
    post(device_client, [visit("https://slack.com/", days_ago(1, hour=10))])

    response = post(device_client, [visit("https://slack.com/", days_ago(1, hour=7))])

    assert response.json()["recorded"] == 0
    assert Activity.objects.get().first_seen_at == days_ago(1, hour=10)


def test_it_splits_days_at_utc_midnight(device_client, slack):
    midnight = dt.datetime.combine(days_ago(2).date(), dt.time(), tzinfo=dt.UTC)
    just_before = midnight - dt.timedelta(milliseconds=1)

    response = post(
        device_client,
        [
            visit("https://slack.com/", just_before),
            visit("https://slack.com/", midnight),
        ],
    )

    assert response.json()["recorded"] == 2
    assert list(
        Activity.objects.order_by("day").values_list("day", "first_seen_at")
    ) == [
        (just_before.date(), just_before),
        (midnight.date(), midnight),
    ]
    assert just_before.isoformat().endswith("23:59:59.999000+00:00")


def test_it_skips_timestamps_more_than_a_day_ahead(device_client, slack):
    response = post(
        device_client,
        [
            visit("https://slack.com/", now() + dt.timedelta(hours=23)),
            visit("https://slack.com/", now() + dt.timedelta(days=1, minutes=5)),
            visit("https://slack.com/", now() + dt.timedelta(days=3650)),
        ],
    )

    body = response.json()
    assert (body["processed"], body["matched"], body["skipped"]) == (3, 1, 2)
    assert Activity.objects.count() == 1


def test_it_skips_timestamps_older_than_the_retention_window(
    device_client, slack, settings
):
    settings.ACTIVITY_RETENTION_DAYS = 30
    first_kept_day = now().date() - dt.timedelta(days=30)

    response = post(
        device_client,
        [
            visit("https://slack.com/", days_ago(30, hour=0)),
            visit("https://slack.com/", days_ago(31, hour=23)),
            visit("https://slack.com/", days_ago(365 * 20)),
        ],
    )

    body = response.json()
    assert (body["matched"], body["recorded"], body["skipped"]) == (1, 1, 2)
    assert Activity.objects.get().day == first_kept_day


@pytest.mark.parametrize(
    "entry",
    [
        {"url": "http://10.0.0.1/admin"},
        {"url": "http://[::1]:8080/"},
        {"url": "not a url at all"},
        {"url": "https://:443/"},
        {"url": None},
        {"url": 42},
        {"url": ["https://slack.com/"]},
        {"timestamp": None},
        {"timestamp": "1764201600000"},
        {"timestamp": True},
        {"timestamp": 10**30},
        {"timestamp": -(10**30)},
        {"timestamp": -1},
        {},
    ],
)
def test_it_skips_entries_with_an_unusable_url_or_timestamp(
    device_client, slack, entry
):
    good = visit("https://slack.com/")
    bad = {**good, **entry}
    if not entry:
        bad = {"browser": "Chrome"}

    response = post(device_client, [bad, good])

    assert response.status_code == 200
    body = response.json()
    assert (body["processed"], body["matched"], body["skipped"]) == (2, 1, 1)
    assert Activity.objects.count() == 1


def test_it_accepts_fractional_milliseconds(device_client, slack):
    moment = days_ago(1)

    response = post(
        device_client, [{"url": "https://slack.com/", "timestamp": ms(moment) + 0.5}]
    )

    assert response.json()["recorded"] == 1
    assert Activity.objects.get().day == moment.date()


def test_it_says_why_entries_were_skipped(device_client, slack):
    seconds = int(days_ago(1).timestamp())
    far_future = ms(now() + dt.timedelta(days=30))
    response = post(
        device_client,
        [
            {"url": "https://slack.com/", "timestamp": seconds},
            {"url": "https://app.slack.com/", "timestamp": seconds + 60},
            {"url": "https://slack.com/", "timestamp": "yesterday"},
            {"url": "https://slack.com/", "timestamp": far_future},
            visit("chrome://newtab", days_ago(1)),
        ],
    )

    assert response.status_code == 200
    assert response.json()["skipped"] == 5
    assert response.json()["message"] == (
        "Processed 5 entries: 0 matched a contract, 0 new activity recorded, "
        "5 skipped as invalid: 1 with a URL that has no readable host; "
        "2 with a timestamp in seconds (send milliseconds since the epoch); "
        "1 with a timestamp that is not a number of milliseconds; "
        "1 more than a day in the future (check the device's clock)."
    )
    assert not Activity.objects.exists()


def test_it_answers_an_empty_batch(device_client, slack):
    response = post(device_client, [])

    assert response.status_code == 200
    assert response.json()["processed"] == 0
    assert not Activity.objects.exists()


def test_its_answer_has_exactly_the_documented_fields(device_client, slack):
    response = post(
        device_client, [visit("https://slack.com/"), {"url": "x", "timestamp": 1}]
    )

    assert response.json() == {
        "processed": 2,
        "matched": 1,
        "recorded": 1,
        "skipped": 1,
        "message": "Processed 2 entries: 1 matched a contract, 1 new activity "
        "recorded, 1 skipped as invalid: 1 older than the retention window.",
    }
    assert set(response.json()) == set(VisitsRecordedSerializer().fields)


def test_it_refuses_a_batch_over_the_limit(device_client, slack, settings):
    settings.URL_VISITS_MAX_BATCH = 3

    response = post(device_client, [visit("https://slack.com/")] * 4)

    assert response.status_code == 413
    assert response.json() == {
        "detail": "This batch has 4 entries; the limit is 3 entries per request. "
        "Send the visits in smaller batches.",
        "code": "payload_too_large",
    }
    assert not Activity.objects.exists()
    assert post(device_client, [visit("https://slack.com/")] * 3).status_code == 200


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        ({}, "Send the visits as a list under entries."),
        ({"entries": None}, "Send the visits as a list under entries."),
        ({"entries": "https://slack.com/"}, "entries must be a list of visits."),
        (
            {"entries": {"url": "https://slack.com/"}},
            "entries must be a list of visits.",
        ),
        (
            {"entries": [{"url": "https://slack.com/", "timestamp": 1}, "x"]},
            "Entry 2 of entries is not an object. Send each visit as an object "
            "with url, timestamp and browser.",
        ),
        (
            {"entries": [[]]},
            "Entry 1 of entries is not an object. Send each visit as an object "
            "with url, timestamp and browser.",
        ),
        (
            [{"url": "https://slack.com/"}],
            "Invalid data. Expected a dictionary, but got list.",
        ),
    ],
)
def test_it_rejects_malformed_bodies(device_client, slack, body, detail):
    response = device_client.post(URL, body, format="json")

    assert response.status_code == 400
    assert response.json()["detail"] == detail
    assert not Activity.objects.exists()


def test_it_rejects_a_body_that_is_not_json(device_client, slack):
    response = device_client.post(
        URL, data="entries=[{url", content_type="application/json"
    )

    assert response.status_code == 400
    assert response.json() == {
        "detail": "The request body could not be parsed. Send valid JSON.",
        "code": "malformed_body",
    }


def test_it_refuses_anonymous_callers(anon_client, slack):
    response = post(anon_client, [visit("https://slack.com/")])

    assert response.status_code == 401
    assert response.json() == {
        "detail": NOT_SIGNED_IN_DETAIL,
        "code": "not_authenticated",
    }
    assert not Activity.objects.exists()


def test_it_refuses_users_without_an_organization(staff_client, slack):
    response = post(staff_client, [visit("https://slack.com/")])

    assert response.status_code == 403
    assert response.json() == {
        "detail": "Your account does not belong to an organization. Ask proCure "
        "support to add it to one.",
        "code": "no_organization",
    }
    assert not Activity.objects.exists()


def test_it_matches_a_contract_added_after_an_earlier_batch(
    device_client, organization
):
    entries = [visit("https://github.com/acme/repo")]
    assert post(device_client, entries).json()["matched"] == 0

    github = ContractFactory(organization=organization, host="github.com")

    assert post(device_client, entries).json()["recorded"] == 1
    assert Activity.objects.get().contract == github


def test_it_stops_matching_a_host_a_contract_no_longer_has(device_client, organization):
    tool = ContractFactory(organization=organization, host="old.example.com")
    assert (
        post(device_client, [visit("https://old.example.com/")]).json()["matched"] == 1
    )

    tool.product_url = "https://new.example.com"
    tool.save()

    assert (
        post(device_client, [visit("https://old.example.com/")]).json()["matched"] == 0
    )
    assert (
        post(device_client, [visit("https://new.example.com/")]).json()["matched"] == 1
    )


def test_it_gives_a_visit_to_the_most_specific_contract(device_client, organization):
    ContractFactory(organization=organization, host="amazon.com")
    aws = ContractFactory(organization=organization, host="aws.amazon.com")

    post(device_client, [visit("https://console.aws.amazon.com/ec2")])

    assert Activity.objects.get().contract == aws


def test_it_never_matches_another_organizations_contracts(
    device_client, outsider_client, slack, other_organization
):
    ContractFactory(organization=other_organization, host="globex-tools.com")

    mine = post(device_client, [visit("https://app.globex-tools.com/")]).json()
    theirs = post(outsider_client, [visit("https://app.slack.com/")]).json()

    assert (mine["matched"], theirs["matched"]) == (0, 0)
    assert not Activity.objects.exists()


def test_it_records_nothing_while_tracking_is_paused(
    member_client, organization, slack, django_assert_num_queries
):
    organization.tracking_paused = True
    organization.save()
    entries = [
        visit("https://app.slack.com/"),
        visit("https://slack.com/", days_ago(2)),
    ]

    # Authentication only: the contracts are not even read.
    with django_assert_num_queries(1):
        response = post(member_client, entries)

    assert response.status_code == 200
    assert response.json() == {
        "processed": 2,
        "matched": 0,
        "recorded": 0,
        "skipped": 0,
        "message": "Tracking is paused for your organization, so none of these 2 "
        "entries was recorded.",
    }
    assert not Activity.objects.exists()


def test_it_records_again_once_tracking_resumes(
    device_client, admin_client, organization, slack
):
    tracking_url = f"/api/v1/organizations/{organization.public_id}/tracking"
    entries = [visit("https://app.slack.com/")]
    admin_client.put(tracking_url, {"paused": True}, format="json")
    assert post(device_client, entries).json()["recorded"] == 0

    admin_client.put(tracking_url, {"paused": False}, format="json")

    assert post(device_client, entries).json()["recorded"] == 1
    assert Activity.objects.count() == 1


UNVERIFIED = (
    "Verify your email address before proCure records your usage: open the link "
    "in the verification email proCure sent you, then the extension can report "
    "again."
)


def test_it_refuses_an_unverified_reporter_when_verification_is_required(
    device_client, member, slack, settings
):
    settings.REQUIRE_VERIFIED_EMAIL_FOR_REPORTING = True
    member.email_verified_at = None
    member.save()

    response = post(device_client, [visit("https://slack.com/")])

    assert response.status_code == 403
    assert response.json() == {"detail": UNVERIFIED, "code": "email_not_verified"}
    assert not Activity.objects.exists()


def test_it_records_a_verified_reporter_when_verification_is_required(
    device_client, member, slack, settings
):
    settings.REQUIRE_VERIFIED_EMAIL_FOR_REPORTING = True
    assert member.email_verified_at is not None

    assert post(device_client, [visit("https://slack.com/")]).json()["recorded"] == 1


def test_it_records_an_unverified_reporter_by_default(device_client, member, slack):
    member.email_verified_at = None
    member.save()

    response = post(device_client, [visit("https://slack.com/")])

    assert response.status_code == 200
    assert Activity.objects.count() == 1


@pytest.mark.parametrize("value", ["ture", "enabled"])
def test_it_will_not_start_with_a_misspelled_verification_switch(value):
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "procure_site.settings",
            "REQUIRE_VERIFIED_EMAIL_FOR_REPORTING": value,
        },
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode != 0
    assert (
        f"REQUIRE_VERIFIED_EMAIL_FOR_REPORTING must be true or false, got '{value}'."
        in result.stderr
    )


def _everything_stored() -> str:
    """Every row of every table, as text."""
    quote = connection.ops.quote_name
    chunks = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {quote(table)}")  # noqa: S608
            chunks.extend(repr(row) for row in cursor.fetchall())
    return "\n".join(chunks)


def test_it_stores_and_logs_no_trace_of_unmatched_hosts_or_paths(
    device_client, slack, caplog
):
    caplog.set_level(logging.DEBUG)

    response = post(
        device_client,
        [
            visit("https://unmatched-secret.example/inbox?token=abc"),
            visit("https://app.slack.com/private-channel?q=salary-review#frag"),
        ],
    )

    assert response.json()["matched"] == 1
    assert Activity.objects.count() == 1
    stored = _everything_stored()
    logged = caplog.text
    for trace in [
        "unmatched-secret",
        "private-channel",
        "salary-review",
        "app.slack.com",
    ]:
        assert trace not in stored
        assert trace not in logged


def test_it_answers_without_redirecting_to_a_trailing_slash(device_client, slack):
    response = post(device_client, [visit("https://slack.com/")])

    assert response.status_code == 200
    assert (
        device_client.post(URL + "/", {"entries": []}, format="json").status_code == 404
    )


def test_it_runs_the_same_queries_for_one_entry_and_a_thousand(
    member_client, organization, django_assert_max_num_queries
):
    hosts = [f"tool{number}.example.com" for number in range(5)]
    for host in hosts:
        ContractFactory(organization=organization, host=host)
    one = [visit(f"https://{hosts[0]}/", days_ago(300))]
    thousand = [
        visit(f"https://app.{hosts[number % 5]}/x", days_ago(number // 5))
        for number in range(1000)
    ]

    # One query authenticates the JWT and loads the organization, one loads
    # the contracts (the cache is cold), then the writes: every new row and
    # its rollups in one statement on PostgreSQL, elsewhere three INSERTs in
    # a transaction (a savepoint and its release, in a test).
    expected = 2 + len(BATCH_WRITES)
    caches["local"].clear()
    contract_host_matches_forget()
    with django_assert_max_num_queries(expected) as for_one:
        assert post(member_client, one).json()["recorded"] == 1
    caches["local"].clear()
    contract_host_matches_forget()
    with django_assert_max_num_queries(expected) as for_thousand:
        body = post(member_client, thousand).json()

    assert (body["processed"], body["matched"], body["recorded"]) == (1000, 1000, 1000)
    assert len(for_one) == len(for_thousand) == expected
    writes = [q["sql"].split()[0] for q in for_thousand[2:]]
    assert writes == BATCH_WRITES
    assert Activity.objects.count() == 1001


def test_it_needs_no_contract_query_while_the_contracts_are_unchanged(
    member_client, slack, django_assert_num_queries
):
    post(member_client, [visit("https://slack.com/", days_ago(1))])

    # The JWT, then the writes.
    with django_assert_num_queries(1 + len(BATCH_WRITES)):
        post(member_client, [visit("https://slack.com/", days_ago(2))])


def test_it_authenticates_a_device_and_matches_in_one_query(
    device_client, slack, django_assert_num_queries
):
    post(device_client, [visit("https://slack.com/", days_ago(1))])

    # The device token with its user and organization, then the writes: the
    # token's last use was written moments ago and the matches are known.
    with django_assert_num_queries(1 + len(BATCH_WRITES)):
        response = post(device_client, [visit("https://app.slack.com/", days_ago(2))])

    assert response.status_code == 200, response.json()
    assert response.json()["recorded"] == 1
