"""A persistent connection is checked before each request's first query
without a round trip while it is idle, and a connection that PostgreSQL
ended is still found out and replaced (procure_site/postgresql/base.py)."""

import psycopg
import pytest
from django.db import connection

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="PostgreSQL's connections"
    ),
    pytest.mark.django_db(transaction=True),
]


def other_connection() -> psycopg.Connection:
    settings = connection.settings_dict
    return psycopg.connect(
        host=settings["HOST"],
        port=settings["PORT"] or 5432,
        user=settings["USER"],
        dbname=settings["NAME"],
        autocommit=True,
    )


def last_statement_of(pid: int) -> str:
    with other_connection() as observer:
        row = observer.execute(
            "SELECT query FROM pg_stat_activity WHERE pid = %s", [pid]
        ).fetchone()
    assert row is not None
    return str(row[0])


def test_an_idle_connection_is_usable_without_a_query():
    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute("SELECT 'the last statement'")
    pid = connection.connection.info.backend_pid

    assert connection.is_usable()
    assert last_statement_of(pid) == "SELECT 'the last statement'"


def test_a_connection_the_server_ended_is_replaced(client):
    connection.ensure_connection()
    old_pid = connection.connection.info.backend_pid
    with other_connection() as admin:
        # With a timeout, it waits until the backend has gone, its last
        # message sent.
        admin.execute("SELECT pg_terminate_backend(%s, 5000)", [old_pid])
    # What the start of every request does under gunicorn (the test client
    # leaves it out): the persistent connection is to be checked again.
    connection.health_check_done = False  # type: ignore[attr-defined]

    try:
        assert not connection.is_usable()
        response = client.get("/readyz")

        assert response.status_code == 200
        assert connection.connection.info.backend_pid != old_pid
    finally:
        # Should the check fail, the tests that come next in this process
        # (any file's, under pytest-xdist) get a fresh connection rather
        # than the ended one.
        connection.close()
