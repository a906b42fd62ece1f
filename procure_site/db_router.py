"""Analytics reads on the read replica, everything else on the primary.

With DATABASE_REPLICA_URL set, settings add a `replica` database alias and
install `ReplicaRouter`. Reads go to the replica only inside a function
decorated with `reads_from_replica` (the analytics selectors); the same
models are written by ingestion and read back by the API, so routing whole
models would let a request miss its own writes. Without the setting neither
the alias nor the router exists and the decorator only calls its function.

A replica that is down is not an outage: the decorated function runs on the
primary instead, one warning is logged, and the replica is not tried again
for `RETRY_SECONDS`.
"""

import functools
import logging
import time
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any, ParamSpec, TypeVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, OperationalError, connections

logger = logging.getLogger(__name__)

REPLICA = "replica"
RETRY_SECONDS = 5.0

_reading_from_replica: ContextVar[bool] = ContextVar(
    "reading_from_replica", default=False
)
# Monotonic time before which the replica is not tried again, and whether the
# outage has been logged: one warning per outage, not one per request.
_replica_down_until = 0.0
_replica_down_logged = False

P = ParamSpec("P")
R = TypeVar("R")


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


def _mark_replica_down(error: Exception) -> None:
    global _replica_down_until, _replica_down_logged
    _replica_down_until = time.monotonic() + RETRY_SECONDS
    connections[REPLICA].close()
    if not _replica_down_logged:
        _replica_down_logged = True
        logger.warning(
            "The read replica is unavailable; analytics read from the primary "
            "until it answers again: %s",
            error,
        )


def _replica_available() -> bool:
    """Whether the replica can take reads now, connecting if need be.

    An open connection is taken as it is (no query is spent on checking it);
    a replica found down is not tried again for RETRY_SECONDS.
    """
    global _replica_down_logged
    if time.monotonic() < _replica_down_until:
        return False
    try:
        connections[REPLICA].ensure_connection()
    except OperationalError as error:
        _mark_replica_down(error)
        return False
    if _replica_down_logged:
        _replica_down_logged = False
        logger.info("The read replica answers again; analytics read from it.")
    return True


def reset_replica_state() -> None:
    """Forget a recorded outage (for tests)."""
    global _replica_down_until, _replica_down_logged
    _replica_down_until = 0.0
    _replica_down_logged = False


def reads_from_replica(func: Callable[P, R]) -> Callable[P, R]:
    """Run `func`'s reads on the replica when there is one that answers.

    Only for reads that may be behind the primary by the replication lag. If
    the replica fails during the call, the call runs again on the primary.
    """

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        if (
            not replica_configured()
            or _reading_from_replica.get()
            or not _replica_available()
        ):
            return func(*args, **kwargs)
        token = _reading_from_replica.set(True)
        try:
            return func(*args, **kwargs)
        except OperationalError as error:
            # A standby can also cancel a query that conflicts with the WAL
            # it replays; the primary answers either way.
            _mark_replica_down(error)
        finally:
            _reading_from_replica.reset(token)
        return func(*args, **kwargs)

    return wrapper


class ReplicaRouter:
    """Reads inside `reads_from_replica` go to the replica; all else to the primary."""

    def db_for_read(self, model: type, **hints: Any) -> str:
        return REPLICA if _reading_from_replica.get() else DEFAULT_DB_ALIAS

    def db_for_write(self, model: type, **hints: Any) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        # Both aliases hold the same data.
        return True

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        # The replica follows the primary's schema through replication.
        return db == DEFAULT_DB_ALIAS
