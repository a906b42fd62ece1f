"""While the database cannot be reached every endpoint answers a 503 JSON with
Retry-After, never a 500 page; liveness stays up; all recover by themselves.

The outage is real: the default connection is pointed at a closed port
(PostgreSQL) or at a file that cannot be opened (SQLite) and any open
connection is set aside, so the next query fails to connect exactly as it
would in production. The tests use `transactional_db`, so that no test
transaction is open on the connection that goes away.
"""

import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.db import connections
from django.test import Client
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken

from accounts.models import User
from procure_site.exceptions import DATABASE_UNAVAILABLE

UNREACHABLE = {
    "postgresql": {"HOST": "127.0.0.1", "PORT": "1"},
    "sqlite": {"NAME": "file:/nonexistent-procure-dir/db.sqlite3?mode=rw"},
}


@contextmanager
def database_unreachable() -> Iterator[None]:
    connection = connections["default"]
    if connection.vendor not in UNREACHABLE:
        pytest.skip(f"No way to make a {connection.vendor} database unreachable.")
    saved_settings = dict(connection.settings_dict)
    saved_state = {}
    if connection.vendor == "sqlite":
        # Closing SQLite's in-memory test database would destroy it, so the
        # live connection is set aside and given back afterwards.
        saved_state = {
            name: getattr(connection, name)
            for name in ("connection", "errors_occurred", "health_check_done")
        }
        connection.connection = None
    else:
        # PostgreSQL's is closed, so that recovery means a real reconnect.
        connection.close()
    connection.settings_dict.update(UNREACHABLE[connection.vendor])
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(saved_settings)
        for name, value in saved_state.items():
            setattr(connection, name, value)


@pytest.fixture
def outage(transactional_db):
    with database_unreachable():
        yield


def assert_database_unavailable(response) -> None:
    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "detail": DATABASE_UNAVAILABLE,
        "code": "database_unavailable",
    }
    assert response["Retry-After"] == "30"


def jwt_client() -> APIClient:
    # A token for a user the database would be asked about: it must not be
    # stored to be signed, which the outage would prevent.
    user = User(id=uuid.uuid4(), email="nobody@acme.io", password="!")
    client = APIClient(raise_request_exception=False)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {AccessToken.for_user(user)}")
    return client


class QueryingMiddleware:
    """A middleware that reads the database before any view runs."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        User.objects.exists()
        return self.get_response(request)


def test_an_api_endpoint_answers_503_with_retry_after(outage):
    assert_database_unavailable(jwt_client().get("/api/v1/auth/me"))


def test_the_ingestion_endpoint_answers_503(outage):
    response = jwt_client().post(
        "/api/v1/url-visits",
        {"entries": [{"url": "https://app.slack.com/", "timestamp": 1}]},
        format="json",
    )

    assert_database_unavailable(response)


def test_ping_answers_503_with_both_checks_failed(outage):
    response = Client().get("/ping")

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    body = response.json()
    assert body["message"] == "Backend is up but its database is not working."
    assert body["database"]["read"]["status"] == "failed"
    assert body["database"]["write"]["status"] == "failed"


def test_readiness_answers_503(outage):
    response = Client().get("/readyz")

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert response.json() == {
        "status": "unavailable",
        "detail": "The database cannot be reached.",
        "code": "not_ready",
    }


def test_liveness_stays_up(outage):
    response = Client().get("/healthz")

    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_the_django_admin_answers_503_json_not_a_500_page(outage, settings):
    client = Client(raise_request_exception=False)
    # A session cookie makes the session middleware read the database.
    client.cookies["sessionid"] = "a" * 32

    assert_database_unavailable(client.get(f"/{settings.ADMIN_URL}"))


def test_a_failure_inside_middleware_answers_503(outage, settings):
    settings.MIDDLEWARE = [
        *settings.MIDDLEWARE,
        "health.tests.test_database_outage.QueryingMiddleware",
    ]

    assert_database_unavailable(Client(raise_request_exception=False).get("/"))


def test_everything_recovers_once_the_database_is_back(transactional_db):
    with database_unreachable():
        assert Client().get("/readyz").status_code == 503
        assert Client().get("/ping").status_code == 503

    assert Client().get("/readyz").status_code == 200
    assert Client().get("/ping").status_code == 200


@pytest.mark.postgres_only
@pytest.mark.skipif(
    connections["default"].vendor != "postgresql",
    reason="needs a PostgreSQL server connection to kill",
)
def test_a_connection_killed_by_a_database_restart_is_replaced(transactional_db):
    connection = connections["default"]
    connection.ensure_connection()
    pid = connection.connection.info.backend_pid
    killer = connections.create_connection("default")
    try:
        with killer.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
            # pg_terminate_backend only signals: until the backend has
            # exited, the health check's SELECT 1 would still be answered
            # and the request's own query would be the one to fail.
            for _ in range(500):
                cursor.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid])
                if cursor.fetchone() is None:
                    break
                time.sleep(0.01)
            else:
                pytest.fail(f"backend {pid} still ran 5 s after it was told to stop")
    finally:
        killer.close()
    # What the WSGI handler does between two requests of a worker.
    connection.close_if_unusable_or_obsolete()

    # CONN_HEALTH_CHECKS finds the dead connection before the first query
    # and opens a new one, so not even one request fails.
    try:
        assert Client().get("/readyz").status_code == 200
    finally:
        # Should the check fail, the next tests get a fresh connection
        # rather than the dead one.
        connection.close()
