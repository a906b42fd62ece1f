import logging

from django.db import DatabaseError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from health.models import PingProbe
from procure_site import clock

logger = logging.getLogger(__name__)

_migrations_known_applied = False


class _RollBack(Exception):
    pass


def _check(callable_) -> dict:
    try:
        callable_()
    except DatabaseError as exc:
        logger.warning("Database check failed: %s", type(exc).__name__)
        return {
            "status": "failed",
            "error": "The database could not be reached or refused the operation.",
        }
    return {"status": "success", "error": None}


def _read() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _write() -> None:
    """Writes a probe row and reads it back inside a transaction that is rolled back."""
    try:
        with transaction.atomic():
            probe = PingProbe.objects.create(written_at=clock.now())
            PingProbe.objects.get(pk=probe.pk)
            raise _RollBack
    except _RollBack:
        pass


def database_check() -> dict:
    """The read and write halves of /ping, each {"status", "error"}."""
    read = _check(_read)
    write = (
        _check(_write)
        if read["status"] == "success"
        else {
            "status": "failed",
            "error": "Skipped because the database could not be read.",
        }
    )
    return {"read": read, "write": write}


def readiness_problem() -> str | None:
    """Why the service is not ready to serve, or None when it is."""
    global _migrations_known_applied
    try:
        _read()
        if not _migrations_known_applied:
            executor = MigrationExecutor(connection)
            plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
            if plan:
                return f"{len(plan)} database migrations have not been applied."
            # Migrations are never unapplied under a running service, so once
            # they are all in, the check need not read the migration files again.
            _migrations_known_applied = True
    except DatabaseError:
        return "The database cannot be reached."
    return None
