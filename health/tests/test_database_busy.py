"""A SQLite database whose write lock another connection holds past the busy
timeout answers 503 saying it is busy, with a short Retry-After, not that it
cannot be reached (procure_site/exceptions.py).

The lock is real: the test database is copied to a file, the service's
connection is pointed at it with a busy timeout of a tenth of a second, and a
second connection holds a write transaction (BEGIN IMMEDIATE) on that file,
as gunicorn's other workers and the email worker may.
"""

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client

from accounts.models import User
from accounts.tests.factories import OrganizationFactory
from procure_site.exceptions import DATABASE_BUSY

pytestmark = [
    pytest.mark.sqlite_only,
    pytest.mark.skipif(
        connection.vendor != "sqlite", reason="about SQLite's own locking"
    ),
]

SIGN_UP = "/api/v1/auth/create-user"
JANE = {"email": "jane@acme.io", "password": "Str0ngPass", "device_id": "web"}
JSON = "application/json"


@contextmanager
def database_locked(directory: Path) -> Iterator[sqlite3.Connection]:
    """The service's connection on a file copy of the test database, whose
    write lock another connection (yielded) holds until it rolls back or the
    block ends."""
    database = directory / "db.sqlite3"
    connection.ensure_connection()
    with sqlite3.connect(database) as copy:
        connection.connection.backup(copy)
    copy.close()
    saved_settings = dict(connection.settings_dict)
    # Closing SQLite's in-memory test database would destroy it, so the live
    # connection is set aside and given back afterwards.
    saved_connection = connection.connection
    connection.connection = None
    connection.settings_dict["NAME"] = str(database)
    connection.settings_dict["OPTIONS"] = {
        **connection.settings_dict["OPTIONS"],
        "timeout": 0.1,
    }
    holder = sqlite3.connect(database, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        yield holder
    finally:
        if holder.in_transaction:
            holder.execute("ROLLBACK")
        holder.close()
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(saved_settings)
        connection.connection = saved_connection


@pytest.fixture
def acme(transactional_db):
    return OrganizationFactory(domain_name="acme.io")


def assert_database_busy(response) -> None:
    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": DATABASE_BUSY, "code": "database_busy"}
    assert response["Retry-After"] == "5"


class WritingMiddleware:
    """A middleware that writes to the database before any view runs."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        User.objects.filter(email="nobody@acme.io").update(is_active=False)
        return self.get_response(request)


def test_a_sign_up_that_cannot_get_the_write_lock_answers_busy(acme, tmp_path):
    with database_locked(tmp_path):
        response = Client(raise_request_exception=False).post(
            SIGN_UP, JANE, content_type=JSON
        )

    assert_database_busy(response)
    assert not User.objects.filter(email="jane@acme.io").exists()


def test_a_lock_met_outside_the_api_answers_busy_too(acme, tmp_path, settings):
    settings.MIDDLEWARE = [
        *settings.MIDDLEWARE,
        "health.tests.test_database_busy.WritingMiddleware",
    ]

    with database_locked(tmp_path):
        response = Client(raise_request_exception=False).get("/")

    assert_database_busy(response)


def test_the_same_sign_up_succeeds_once_the_lock_is_released(acme, tmp_path):
    client = Client(raise_request_exception=False)
    with database_locked(tmp_path) as holder:
        assert_database_busy(client.post(SIGN_UP, JANE, content_type=JSON))
        holder.execute("ROLLBACK")

        response = client.post(SIGN_UP, JANE, content_type=JSON)

        assert response.status_code == 201
        assert User.objects.filter(email="jane@acme.io").exists()
