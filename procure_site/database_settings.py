"""The databases and caches of procure_site/settings.py, read from the
environment: DATABASE_URL (SQLite beside the code by default), a pooler in
transaction mode, prepared statements, a read replica, CACHE_URL."""

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.exceptions import ImproperlyConfigured

from procure_site.environment import env, flag, positive_int

POSTGRESQL_ENGINE = "procure_site.postgresql"


@dataclass(frozen=True)
class DatabaseSettings:
    databases: dict[str, dict[str, Any]]
    transaction_pooler: bool
    prepared_statements: bool
    replica_url: str
    routers: list[str]


def databases_read(*, base_dir: Path) -> DatabaseSettings:
    routers: list[str] = []
    # SQLite beside the code when DATABASE_URL is unset; PostgreSQL (psycopg 3)
    # in production, with persistent connections that are health-checked before
    # reuse so that a restarted database does not leave workers with dead ones.
    databases = {
        "default": env.db_url(
            "DATABASE_URL", default=f"sqlite:///{base_dir / 'db.sqlite3'}"
        )
    }
    if databases["default"]["ENGINE"] == "django.db.backends.postgresql":
        # Django's backend with a health check that needs no round trip while
        # the connection is idle (procure_site/postgresql/base.py).
        databases["default"]["ENGINE"] = POSTGRESQL_ENGINE
        databases["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=60)
        databases["default"]["CONN_HEALTH_CHECKS"] = True
        databases["default"].setdefault("OPTIONS", {})["connect_timeout"] = env.int(
            "DB_CONNECT_TIMEOUT", default=5
        )
    if databases["default"]["ENGINE"] == "django.db.backends.sqlite3":
        # SQLite (`make run`) serves gunicorn's workers and the email worker
        # (db_worker) from one file, and lets one connection write at a time.
        # WAL lets readers carry on while someone writes; a writer waits up to
        # DB_SQLITE_BUSY_TIMEOUT seconds for its turn; and BEGIN IMMEDIATE takes
        # the write lock when a transaction starts, so that the wait can work: a
        # deferred transaction that has read and then wants to write is told
        # "database is locked" at once, without waiting
        # (procure_site/tests/test_sqlite_concurrency.py). With WAL,
        # synchronous=NORMAL loses no committed data when the process dies, only
        # the last transactions when the machine does.
        databases["default"].setdefault("OPTIONS", {}).update(
            {
                "timeout": positive_int("DB_SQLITE_BUSY_TIMEOUT", 10),
                "transaction_mode": "IMMEDIATE",
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
            }
        )
    # DATABASE_URL reaches PostgreSQL through a pooler in transaction mode
    # (PgBouncer's pool_mode = transaction), where each transaction may run on a
    # different server connection: nothing may outlive a transaction on the
    # server. In Django that is only the WITH HOLD cursor of QuerySet.iterator()
    # outside a transaction, so server-side cursors are turned off. Its cursors
    # bind parameters on the client and prepare nothing, and its one session
    # setting, the time zone, is one PgBouncer sets again on each server
    # connection it lends (docs/scaling.md; health/tests/test_pgbouncer.py). The
    # prepared statements below are off by default behind such a pooler.
    pooler = flag("DATABASE_TRANSACTION_POOLER", default=False)
    if pooler:
        if databases["default"]["ENGINE"] != POSTGRESQL_ENGINE:
            raise ImproperlyConfigured(
                "DATABASE_TRANSACTION_POOLER is for PostgreSQL; DATABASE_URL names "
                "another database."
            )
        databases["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True

    # The few statements every extension request runs are prepared on the server
    # (procure_site/prepared.py). Off by default behind a pooler in transaction
    # mode, which may not carry them from one transaction to the next (PgBouncer
    # before 1.21); on again there with DB_PREPARED_STATEMENTS=true for a pooler
    # that does.
    prepared = flag("DB_PREPARED_STATEMENTS", default=not pooler)
    if prepared and databases["default"]["ENGINE"] == POSTGRESQL_ENGINE:
        # Django turns psycopg's prepared statements off (threshold None). With
        # a threshold no statement reaches, only those run with prepare=True are
        # prepared: Django's own cursors bind on the client and never prepare.
        databases["default"]["OPTIONS"]["prepare_threshold"] = 2**31 - 1

    # An optional read replica (a streaming standby of the primary) for the
    # analytics reads; see procure_site/db_router.py and docs/scaling.md. The
    # test runner does not create a database on a read-only standby: the replica
    # alias mirrors the primary's test database, and the replica tests point it
    # at the standby themselves.
    replica_url = env.str("DATABASE_REPLICA_URL", default="")
    if replica_url:
        replica = env.db_url_config(replica_url)
        if replica["ENGINE"] == "django.db.backends.postgresql":
            replica["ENGINE"] = POSTGRESQL_ENGINE
        if replica["ENGINE"] != databases["default"]["ENGINE"]:
            raise ImproperlyConfigured(
                "DATABASE_REPLICA_URL must name the same kind of database as "
                "DATABASE_URL (a replica of it)."
            )
        replica["CONN_MAX_AGE"] = databases["default"].get("CONN_MAX_AGE", 0)
        replica["CONN_HEALTH_CHECKS"] = True
        # A replica that does not answer quickly is skipped for the primary.
        replica.setdefault("OPTIONS", {})["connect_timeout"] = positive_int(
            "DB_REPLICA_CONNECT_TIMEOUT", 2
        )
        # Off here too: a pooled replica needs it, and no code needs the cursors.
        replica["DISABLE_SERVER_SIDE_CURSORS"] = pooler
        replica["TEST"] = {"MIRROR": "default"}
        databases["replica"] = replica
        routers.append("procure_site.db_router.ReplicaRouter")
    return DatabaseSettings(
        databases=databases,
        transaction_pooler=pooler,
        prepared_statements=prepared,
        replica_url=replica_url,
        routers=routers,
    )


def caches_read() -> dict[str, dict[str, Any]]:
    # The default cache holds the limits (throttles, the sign-in lockout) and must
    # be one that every worker shares, or each worker would keep its own counts:
    # by default a table in the database (created by health's migration 0002),
    # Redis when CACHE_URL names it (redis://host:6379/0), which production
    # should. A per-process cache (locmemcache://) is refused for it. "local" is
    # this process's own memory, for what is safe to hold per worker: the host
    # matching tables, keyed by the version of what they were built from.
    configured = {
        "default": env.cache_url("CACHE_URL", default="dbcache://procure_cache"),
        "local": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "procure-local",
        },
    }
    default_backend = configured["default"]["BACKEND"]
    if default_backend in (
        "django.core.cache.backends.locmem.LocMemCache",
        "django.core.cache.backends.dummy.DummyCache",
    ):
        raise ImproperlyConfigured(
            "CACHE_URL must name a cache every worker shares (dbcache://procure_cache "
            "or redis://...): limits kept per process are multiplied by the number "
            "of workers."
        )
    if default_backend == "django.core.cache.backends.redis.RedisCache":
        # Fails open while Redis is down (procure_site/cache_backends.py), and
        # gives up on an unreachable Redis in half a second rather than
        # holding the request.
        configured["default"]["BACKEND"] = (
            "procure_site.cache_backends.FailOpenRedisCache"
        )
        options = configured["default"].setdefault("OPTIONS", {})
        options.setdefault("socket_connect_timeout", 0.5)
        options.setdefault("socket_timeout", 0.5)
    if default_backend == "django.core.cache.backends.db.DatabaseCache":
        # Django's default of 300 entries would drop sign-in counts as soon as
        # a few hundred addresses had been throttled. Past this many, expired
        # entries are deleted first, then a third of the rest.
        configured["default"].setdefault("OPTIONS", {}).setdefault(
            "MAX_ENTRIES", 100_000
        )
    return configured
