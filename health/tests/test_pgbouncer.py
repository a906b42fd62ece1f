"""The service through PgBouncer in transaction mode.

These run with DATABASE_URL on PgBouncer (scripts/start_pgbouncer.sh, port
6432) and DATABASE_TRANSACTION_POOLER=true; .ci/run runs them in a step of
their own, and they are skipped without that setting.

In transaction mode PgBouncer lends a client a server connection for one
transaction, and lends first the one released last. The `neighbours` below
are other clients of the pooler: each takes the server connection the
service has just released and keeps it, so that the service's next request
runs on a server connection none of its earlier requests used, as it would
under load. The tests run outside a test transaction (transaction=True), as
requests do, since a test transaction would keep one server connection from
start to end.
"""

import datetime as dt
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import ProgrammingError, connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from accounts.models import Organization, User
from accounts.tests.factories import TEST_PASSWORD
from analytics.tests.helpers import analytics_url
from audit.models import AuditEvent
from conftest import client_for
from contracts.csv_import import IMPORT_COLUMNS
from contracts.models import Contract
from contracts.tests.factories import ContractFactory
from url_visits.models import Activity

pytestmark = [
    pytest.mark.pgbouncer,
    pytest.mark.skipif(
        not getattr(settings, "DATABASE_TRANSACTION_POOLER", False),
        reason="needs DATABASE_URL on PgBouncer in transaction mode and "
        "DATABASE_TRANSACTION_POOLER=true (scripts/start_pgbouncer.sh)",
    ),
    pytest.mark.django_db(transaction=True),
]

VISITS_URL = "/api/v1/url-visits"


class Neighbours:
    """Other clients of the pooler. Each takes the server connection
    released last; `take_server` keeps it, in an open transaction, until the
    test ends."""

    def __init__(self, connection_params: dict[str, Any]) -> None:
        self._params = connection_params
        self._clients: list[psycopg.Connection[Any]] = []

    def _client(self) -> psycopg.Connection[Any]:
        client = psycopg.connect(**self._params)
        self._clients.append(client)
        return client

    def take_server(self) -> int:
        """Takes the server connection released last (the service's, right
        after a request) and keeps it; returns its backend's process id."""
        row = self._client().execute("SELECT pg_backend_pid()").fetchone()
        assert row is not None
        return int(row[0])

    def set_time_zone(self, name: str) -> int:
        """Sets the time zone of the server connection released last, for
        the session, and hands that connection back to the pool."""
        client = self._client()
        row = client.execute(
            "SELECT pg_backend_pid(), set_config('TimeZone', %s, false)", [name]
        ).fetchone()
        client.commit()
        assert row is not None
        return int(row[0])

    def close(self) -> None:
        for client in self._clients:
            client.close()


@pytest.fixture
def neighbours(transactional_db: None) -> Iterator[Neighbours]:
    database = connection.settings_dict
    others = Neighbours(
        {
            "host": database["HOST"],
            "port": database["PORT"],
            "user": database["USER"],
            "password": database["PASSWORD"],
            "dbname": database["NAME"],
        }
    )
    yield others
    others.close()


def service_backend() -> tuple[int, str]:
    """The backend process and time zone of the service's next transaction."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid(), current_setting('TimeZone')")
        row = cursor.fetchone()
    assert row is not None
    return int(row[0]), str(row[1])


def report_visit(client: APIClient, url: str, *, days_ago: int = 1) -> Any:
    """What the extension sends for one visit to `url`, `days_ago` days ago."""
    moment = dt.datetime.now(dt.UTC) - dt.timedelta(days=days_ago)
    entry = {"url": url, "timestamp": int(moment.timestamp() * 1000)}
    return client.post(VISITS_URL, {"entries": [entry]}, format="json")


@pytest.fixture
def slack(organization: Organization) -> Contract:
    contract: Contract = ContractFactory.create(
        organization=organization, host="slack.com", vendor_name="Slack"
    )
    return contract


def test_it_runs_behind_a_pooler_in_transaction_mode(neighbours: Neighbours) -> None:
    released, _ = service_backend()

    # In session mode, or without a pooler, every client has a server
    # connection of its own and these differ.
    assert neighbours.take_server() == released, (
        "DATABASE_URL does not reach PostgreSQL through a transaction-mode pooler"
    )
    assert service_backend()[0] != released


def test_it_records_the_visits_the_extension_sends(
    device_client: APIClient, member: User, slack: Contract, neighbours: Neighbours
) -> None:
    neighbours.take_server()

    response = report_visit(device_client, "https://app.slack.com/client/T1")

    assert response.status_code == 200, response.json()
    assert (response.json()["matched"], response.json()["recorded"]) == (1, 1)
    neighbours.take_server()
    activity = Activity.objects.get()
    assert (activity.user, activity.contract) == (member, slack)


def test_it_refuses_a_revoked_device_token_on_the_next_request(
    device_client: APIClient, slack: Contract, neighbours: Neighbours
) -> None:
    assert report_visit(device_client, "https://slack.com/").status_code == 200
    neighbours.take_server()
    assert device_client.post("/api/v1/auth/logout").status_code == 200
    neighbours.take_server()

    response = report_visit(device_client, "https://slack.com/")

    assert response.status_code == 401
    assert response.json() == {
        "detail": "This device token is not valid. Sign in again on this device.",
        "code": "invalid_credentials",
    }
    assert Activity.objects.count() == 1


def test_it_matches_a_contract_from_the_request_after_it_was_added(
    device_client: APIClient,
    admin_client: APIClient,
    organization: Organization,
    neighbours: Neighbours,
) -> None:
    before = report_visit(device_client, "https://zoom.us/j/1")
    assert (before.json()["matched"], before.json()["recorded"]) == (0, 0)
    neighbours.take_server()

    added = admin_client.post(
        "/api/v1/contracts",
        {"vendor_name": "Zoom", "product_url": "https://zoom.us"},
        format="json",
    )
    assert added.status_code == 201, added.json()
    neighbours.take_server()

    after = report_visit(device_client, "https://zoom.us/j/1")
    assert (after.json()["matched"], after.json()["recorded"]) == (1, 1)
    assert Activity.objects.get().contract_id == added.json()["id"]


def test_it_signs_in_and_reports_usage(
    admin_user: User,
    organization: Organization,
    slack: Contract,
    neighbours: Neighbours,
) -> None:
    web_app = APIClient()
    signed_in = web_app.post(
        "/api/v1/auth/sign-in",
        {"email": admin_user.email, "password": TEST_PASSWORD, "device_id": "ext-1"},
        format="json",
    )
    assert signed_in.status_code == 200, signed_in.json()
    neighbours.take_server()
    extension = APIClient()
    extension.credentials(
        HTTP_AUTHORIZATION=f"Bearer {signed_in.json()['device_token']}"
    )
    assert report_visit(extension, "https://slack.com/").json()["recorded"] == 1
    neighbours.take_server()

    # The web app reads the report with the cookie sign-in set.
    report = web_app.get(analytics_url(organization, "contract-usage"))

    assert report.status_code == 200, report.json()
    usage = report.json()["contracts"][0]
    assert (usage["vendor_name"], usage["active_users"]) == ("Slack", 1)


@pytest.fixture
def audit_log_refusing_writes(transactional_db: None) -> Iterator[None]:
    """A trigger that makes PostgreSQL refuse every new audit event."""
    table = connection.ops.quote_name(AuditEvent._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE FUNCTION procure_refuse_audit() RETURNS trigger "
            "LANGUAGE plpgsql AS "
            "$$ BEGIN RAISE EXCEPTION 'audit log refused by the test'; END $$"
        )
        cursor.execute(
            f"CREATE TRIGGER procure_refuse_audit BEFORE INSERT ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION procure_refuse_audit()"
        )
    yield
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TRIGGER procure_refuse_audit ON {table}")
        cursor.execute("DROP FUNCTION procure_refuse_audit()")


def test_it_writes_nothing_of_a_transaction_that_fails_midway(
    admin_user: User, audit_log_refusing_writes: None
) -> None:
    admin = client_for(admin_user)
    admin.raise_request_exception = False
    rows = [
        f"Vendor {n},100,subscription,active,invoice,https://app.vendor{n}.com,"
        f"5,Owner {n},2027-01-01,2026-01-01,"
        for n in range(2)
    ]
    csv_file = SimpleUploadedFile(
        "contracts.csv", "\n".join([",".join(IMPORT_COLUMNS), *rows]).encode()
    )

    # The contracts are written, then the audit event that must go with
    # them is refused: the whole transaction is rolled back.
    with CaptureQueriesContext(connection) as queries:
        response = admin.post(
            "/api/v1/contracts/import", {"file": csv_file}, format="multipart"
        )

    assert response.status_code == 500
    assert response.json() == {
        "detail": "Something went wrong on our side. Please try again later.",
        "code": "server_error",
    }
    statements = [query["sql"] for query in queries.captured_queries]
    assert any(sql.startswith('INSERT INTO "contracts_contract"') for sql in statements)
    assert statements[-1] == "ROLLBACK"
    # The next request gets the server connection released last: the
    # failed transaction did not leave it unusable.
    listed = admin.get("/api/v1/contracts")
    assert listed.status_code == 200, listed.json()
    assert listed.json()["results"] == []
    assert not Contract.objects.exists()
    assert not AuditEvent.objects.exists()


def test_it_prepares_no_statement_on_the_server(
    device_client: APIClient, slack: Contract, neighbours: Neighbours
) -> None:
    # Django's cursors bind parameters on the client and never prepare.
    # With server_side_binding and a prepare_threshold in OPTIONS, psycopg
    # would prepare a statement on one server connection and run it by name
    # on the next, where PgBouncer 1.18 has not carried it: this loop then
    # fails with 'prepared statement "_pg3_9" does not exist'.
    for days in range(1, 7):
        neighbours.take_server()
        response = report_visit(device_client, "https://slack.com/", days_ago=days)
        assert response.status_code == 200, response.json()
        assert response.json()["recorded"] == 1

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements")
        assert cursor.fetchone() == (0,)


def test_it_keeps_utc_on_a_server_connection_another_client_moved(
    neighbours: Neighbours,
) -> None:
    # Django sets the time zone once per client connection, for the
    # session; PgBouncer sets it again on each server connection it lends.
    service_backend()
    moved = neighbours.set_time_zone("America/New_York")

    assert service_backend() == (moved, "UTC")


def test_it_iterates_a_queryset_across_server_connections(
    organization: Organization, neighbours: Neighbours
) -> None:
    ContractFactory.create_batch(3, organization=organization)
    contracts = Contract.objects.order_by("vendor_name").iterator(chunk_size=1)

    first = next(contracts)
    neighbours.take_server()

    assert len([first, *contracts]) == 3


def test_it_would_lose_a_server_side_cursor_without_the_setting(
    organization: Organization,
    neighbours: Neighbours,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # What DISABLE_SERVER_SIDE_CURSORS (DATABASE_TRANSACTION_POOLER) is for:
    # outside a transaction, iterator() declares a cursor WITH HOLD on one
    # server connection and fetches from it in later transactions.
    monkeypatch.setitem(connection.settings_dict, "DISABLE_SERVER_SIDE_CURSORS", False)
    ContractFactory.create_batch(3, organization=organization)
    contracts = Contract.objects.order_by("vendor_name").iterator(chunk_size=1)

    next(contracts)
    neighbours.take_server()

    with pytest.raises(
        psycopg.errors.InvalidCursorName,
        match=r'cursor "_django_curs_\w+" does not exist',
    ) as lost:
        list(contracts)
    # FETCH failed first, then closing the cursor, on yet another server
    # connection.
    assert isinstance(lost.value.__context__, ProgrammingError)
