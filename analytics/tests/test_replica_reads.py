"""Analytics read from the read replica, and from the primary when it is down.

These run against a real streaming standby (scripts/start_replica.sh), with
DATABASE_URL on the primary and DATABASE_REPLICA_URL on the standby; .ci/run
runs them in a step of their own. Django's test runner makes the `replica`
alias a mirror of the primary's test database (nothing can be created on a
standby); the fixtures below point it at the standby, where that test
database arrives through replication.
"""

import logging
import os
import time

import environ
import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext

from accounts.tests.factories import UserFactory
from analytics.tests.helpers import activity, analytics_url
from contracts.tests.factories import ContractFactory
from procure_site import clock, db_router

pytestmark = [
    pytest.mark.replica,
    pytest.mark.skipif(
        not os.environ.get("DATABASE_REPLICA_URL"),
        reason="needs DATABASE_REPLICA_URL, a standby (scripts/start_replica.sh)",
    ),
    pytest.mark.django_db(transaction=True, databases=["default", "replica"]),
]

REPLAY_WAIT_SECONDS = 15


def _point_replica_at(*, host: str, port: int | str):
    replica = connections["replica"]
    original = replica.settings_dict
    replica.close()
    # The mirror shares the primary's settings dict: replace it, never edit it.
    replica.settings_dict = {**original, "HOST": host, "PORT": port}
    db_router.reset_replica_state()
    return original


def _restore_replica(original) -> None:
    connections["replica"].close()
    connections["replica"].settings_dict = original
    db_router.reset_replica_state()


@pytest.fixture
def standby():
    """The `replica` alias on the real standby, holding the test database."""
    url = environ.Env.db_url_config(os.environ["DATABASE_REPLICA_URL"])
    original = _point_replica_at(host=url["HOST"], port=url["PORT"])
    yield connections["replica"]
    _restore_replica(original)


@pytest.fixture
def standby_down():
    """The `replica` alias on a port where nothing listens."""
    original = _point_replica_at(host="127.0.0.1", port=1)
    yield
    _restore_replica(original)


def _wait_for_replay(standby) -> None:
    """Block until the standby has replayed everything the primary wrote."""
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()")
        (written,) = cursor.fetchone()
    deadline = time.monotonic() + REPLAY_WAIT_SECONDS
    with standby.cursor() as cursor:
        while True:
            cursor.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [written])
            if cursor.fetchone()[0]:
                return
            assert time.monotonic() < deadline, "the standby did not catch up"
            time.sleep(0.1)


@pytest.fixture
def used_contract(organization):
    contract = ContractFactory(organization=organization, vendor_name="Slack")
    for _ in range(2):
        activity(
            user=UserFactory(organization=organization),
            contract=contract,
            day=clock.today(),
        )
    return contract


def test_it_reads_contract_usage_on_the_standby(
    standby, admin_client, organization, used_contract
):
    _wait_for_replay(standby)
    with standby.cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery()")
        assert cursor.fetchone() == (True,)

    with (
        CaptureQueriesContext(standby) as on_replica,
        CaptureQueriesContext(connections["default"]) as on_primary,
    ):
        response = admin_client.get(analytics_url(organization, "contract-usage"))

    assert response.status_code == 200, response.json()
    slack = response.json()["contracts"][0]
    assert (slack["vendor_name"], slack["active_users"]) == ("Slack", 2)
    replica_sql = " ".join(q["sql"] for q in on_replica.captured_queries)
    primary_sql = " ".join(q["sql"] for q in on_primary.captured_queries)
    assert "url_visits_monthlyactivity" in replica_sql
    assert "url_visits_monthlyactivity" not in primary_sql


def test_it_keeps_other_reads_on_the_primary(standby, admin_client, organization):
    with CaptureQueriesContext(standby) as on_replica:
        response = admin_client.get("/api/v1/contracts")

    assert response.status_code == 200, response.json()
    assert on_replica.captured_queries == []


def test_it_answers_from_the_primary_when_the_standby_is_down(
    standby_down, admin_client, organization, used_contract, caplog
):
    with caplog.at_level(logging.WARNING, logger="procure_site.db_router"):
        first = admin_client.get(analytics_url(organization, "contract-usage"))
        second = admin_client.get(analytics_url(organization, "contract-usage"))

    assert first.status_code == 200, first.json()
    assert second.status_code == 200, second.json()
    slack = first.json()["contracts"][0]
    assert (slack["vendor_name"], slack["active_users"]) == ("Slack", 2)
    warnings = [r for r in caplog.records if r.name == "procure_site.db_router"]
    assert len(warnings) == 1
    assert "read replica is unavailable" in warnings[0].getMessage()


def test_it_reads_the_standby_again_once_it_answers(
    standby, admin_client, organization, used_contract, monkeypatch
):
    db_router._mark_replica_down(OSError("down for the test"))
    monkeypatch.setattr(db_router, "_replica_down_until", 0.0)
    _wait_for_replay(standby)

    with CaptureQueriesContext(standby) as on_replica:
        response = admin_client.get(analytics_url(organization, "contract-usage"))

    assert response.status_code == 200, response.json()
    assert on_replica.captured_queries != []
