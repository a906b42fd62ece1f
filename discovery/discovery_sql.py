"""The discovery app's raw SQL: what the ORM cannot say in one statement.

One function per statement, each tested on SQLite and PostgreSQL
(discovery/tests/test_discovery_sql.py).
"""

import datetime as dt
import json
from typing import Any
from uuid import UUID

from django.db import connections, router
from django.db.backends.base.base import BaseDatabaseWrapper

from accounts.models import User
from discovery.models import ApplicationUser


def _name(connection: BaseDatabaseWrapper, name: str) -> str:
    return connection.ops.quote_name(name)


def application_users_insert(
    *,
    organization_id: int,
    month: dt.date,
    user_id: UUID,
    application_ids: list[int],
) -> None:
    """Records that the user used these applications in `month`, in one
    statement that commits alone; rows that exist already are left alone.

    bulk_create would need a transaction of its own to survive the user's
    erasure under way. Here the user row is checked (on PostgreSQL locked
    FOR KEY SHARE, as url_visits.activity_sql does) in the statement, so
    that an erasure under way finishes first and the check then finds no
    user and writes nothing, and an erasure that comes later deletes these
    rows with the user.

    On PostgreSQL, when the statement is its own transaction, it commits
    asynchronously (synchronous_commit off for this transaction only): it
    then does not wait for its WAL to reach the disk, which would double the
    fsyncs of an ingestion batch. A crash of PostgreSQL can lose at most the
    last fraction of a second of these rows, which the person's next sync
    writes again; it never loses activity or corrupts anything.
    """
    connection = connections[router.db_for_write(ApplicationUser)]
    meta, users = ApplicationUser._meta, User._meta
    table = _name(connection, meta.db_table)
    columns = ", ".join(
        _name(connection, meta.get_field(field).column)
        for field in ("organization", "month", "application", "user")
    )
    user_table, user_pk = (
        _name(connection, users.db_table),
        _name(connection, users.pk.column),
    )
    params: dict[str, Any] = {"organization": organization_id}
    prefix = ""
    if connection.vendor == "postgresql":
        applications = "unnest(%(applications)s::bigint[]) AS application (id)"
        if not connection.in_atomic_block:
            # A CTE of the statement, so that it costs no round trip; it runs
            # because the FROM below joins it.
            prefix = (
                "WITH asynchronous_commit AS MATERIALIZED "
                "(SELECT set_config('synchronous_commit', 'off', true))"
            )
            applications += ", asynchronous_commit"
        user, month_value, lock = "%(user)s::uuid", "%(month)s::date", "FOR KEY SHARE"
        params.update(user=user_id, month=month, applications=application_ids)
    else:
        applications = (
            "(SELECT value AS id FROM json_each(%(applications)s)) AS application"
        )
        user, month_value, lock = "%(user)s", "%(month)s", ""
        params.update(
            user=users.pk.get_db_prep_value(user_id, connection),
            month=meta.get_field("month").get_db_prep_save(month, connection),
            applications=json.dumps(application_ids),
        )
    sql = f"""
        {prefix}
        INSERT INTO {table} ({columns})
        SELECT %(organization)s, {month_value}, application.id, {user}
        FROM {applications}
        WHERE EXISTS (
            SELECT 1 FROM {user_table} WHERE {user_table}.{user_pk} = {user} {lock}
        )
        ORDER BY application.id
        ON CONFLICT DO NOTHING
    """  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
