"""Statements PostgreSQL parses and plans once per connection.

Django sends every query as text with its values quoted in (client-side
binding), so PostgreSQL parses, analyses and plans each one afresh. For the
two statements of every extension request (the device-token lookup and the
activity INSERT) that was nearly half of PostgreSQL's CPU time per request
in the benchmark's profile. `prepared_cursor` gives a cursor whose
statements are bound on the server and prepared on first use on each
connection, so that later executions only bind their values and run.

It is still Django's cursor wrapper around it: errors become Django's,
queries are logged and counted as usual, and the connection's health check
and transaction state apply.

A pooler in transaction mode that does not track prepared statements
(PgBouncer before 1.21) cannot carry them from one transaction to the next,
so `DATABASE_TRANSACTION_POOLER=true` turns them off by default
(`DB_PREPARED_STATEMENTS`, procure_site/settings.py), and the cursor is then
Django's own. SQLite always gets Django's own.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.db import connections
from django.db.backends.utils import CursorDebugWrapper, CursorWrapper


def _preparing_cursor_class() -> type[Any]:
    from django.db.backends.postgresql.base import ServerBindingCursor

    class PreparingCursor(ServerBindingCursor):
        """Django's server-binding cursor, preparing every statement it runs."""

        def execute(self, query: Any, params: Any = None, **kwargs: Any) -> Any:
            kwargs.setdefault("prepare", True)
            # psycopg's Cursor.execute, which the stubs do not describe.
            return super().execute(query, params, **kwargs)  # type: ignore[misc]

    return PreparingCursor


class _LoggedCursor(CursorDebugWrapper):
    """Django's logging wrapper, logging the statement as written.

    Django's own reads the executed text back from the driver, which keeps
    none for a prepared execution; its parameters are logged beside it.
    """

    def execute(self, sql: Any, params: Any = None) -> Any:
        with self.debug_sql(sql, params, use_last_executed_query=False):
            return CursorWrapper.execute(self, sql, params)


_cursor_class: type[Any] | None = None


@contextmanager
def prepared_cursor(alias: str) -> Iterator[CursorWrapper]:
    """A cursor on database `alias` whose statements are prepared on the
    server (PostgreSQL with DB_PREPARED_STATEMENTS on), else Django's own.

    Meant for a few fixed statements run on every request: each distinct
    statement text stays prepared for the life of the connection.
    """
    global _cursor_class
    connection = connections[alias]
    if connection.vendor != "postgresql" or not settings.DB_PREPARED_STATEMENTS:
        with connection.cursor() as cursor:
            yield cursor
        return
    if _cursor_class is None:
        _cursor_class = _preparing_cursor_class()
    # What connection.cursor() does, with this cursor class instead of the
    # connection's client-side binding one.
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    connection.validate_thread_sharing()
    with connection.wrap_database_errors:
        raw = _cursor_class(connection.connection)
    cursor = (
        _LoggedCursor(raw, connection)
        if connection.queries_logged
        else connection.make_cursor(raw)
    )
    with cursor:
        yield cursor
