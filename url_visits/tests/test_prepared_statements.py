"""The extension's two statements per request (device-token lookup, activity
INSERT) are prepared on PostgreSQL's side once per connection
(procure_site/prepared.py), and everything they guarantee holds when they
are: a revoked token is refused at once, the INSERT keeps its answers."""

import datetime as dt

import pytest
from django.db import IntegrityError, connection, transaction

from contracts.tests.factories import ContractFactory
from procure_site.prepared import prepared_cursor
from url_visits.models import Activity

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="prepared on PostgreSQL only"
)
URL = "/api/v1/url-visits"


def batch(*hosts: str) -> dict:
    now_ms = int(dt.datetime.now(dt.UTC).timestamp() * 1000)
    return {
        "entries": [{"url": f"https://{host}/", "timestamp": now_ms} for host in hosts]
    }


def prepared_statements() -> dict[str, tuple[int, int]]:
    """The session's prepared statements: first words -> (generic, custom)
    plans so far."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT statement, generic_plans, custom_plans FROM pg_prepared_statements"
        )
        return {
            " ".join(statement.split()[:2]): (generic, custom)
            for statement, generic, custom in cursor.fetchall()
        }


@pytest.fixture
def slack(organization):
    return ContractFactory(organization=organization, host="slack.com")


def test_the_extensions_statements_are_prepared_and_reused(device_client, slack):
    for _ in range(7):
        response = device_client.post(URL, batch("slack.com", "zoom.us"), format="json")
        assert response.status_code == 200

    statements = prepared_statements()
    # The lookup records the device's use in the same statement.
    token_lookup, insert = "WITH touched", "WITH new"
    # Seven executions each, planned once per execution at most: PostgreSQL
    # moves to its generic plan after five custom ones.
    assert sum(statements[token_lookup]) == 7
    assert sum(statements[insert]) == 7
    assert statements[insert][0] >= 1
    assert Activity.objects.count() == 1


def test_nothing_is_prepared_when_turned_off(device_client, slack, settings):
    settings.DB_PREPARED_STATEMENTS = False

    for _ in range(3):
        assert (
            device_client.post(URL, batch("slack.com"), format="json").status_code
            == 200
        )

    assert prepared_statements() == {}
    assert Activity.objects.count() == 1


def test_a_revoked_token_is_refused_on_the_next_prepared_lookup(
    device_client, member, slack
):
    assert device_client.post(URL, batch("slack.com"), format="json").status_code == 200
    member.device_tokens.update(revoked_at=dt.datetime.now(dt.UTC))

    response = device_client.post(URL, batch("slack.com"), format="json")

    assert response.status_code == 401


def test_errors_of_a_prepared_statement_are_djangos(db):
    # In a savepoint, so that the test's transaction survives the failure.
    with (
        pytest.raises(IntegrityError),
        transaction.atomic(),
        prepared_cursor("default") as cursor,
    ):
        cursor.execute(
            'INSERT INTO "url_visits_activity" ("user_id") VALUES (%(user)s)',
            {"user": None},
        )
