"""The raw SQL of url_visits, one function per statement.

Raw where the ORM cannot say it: an INSERT that skips rows whose contract or
user is gone and returns only the rows that were new, an upsert that moves a
date only forward, INSERT ... SELECT. Only identifiers from the models'
metadata are interpolated into the SQL; every value is a query parameter.
"""

import datetime as dt
import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any
from uuid import UUID

from django.db import connections, router
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Model, QuerySet

from accounts.models import User
from contracts.models import Contract
from discovery.models import ApplicationUser
from procure_site.prepared import prepared_cursor
from url_visits.models import Activity, LatestActivity, MonthlyActivity

# (contract id, UTC day) of one activity row of one user.
ActivityKey = tuple[int, dt.date]
# The first moment and the browser of a user's visits, by activity row.
FirstSeen = Mapping[ActivityKey, tuple[dt.datetime, str]]


def _connection(model: type[Model]) -> BaseDatabaseWrapper:
    return connections[router.db_for_write(model)]


def _table(connection: BaseDatabaseWrapper, model: type[Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _column(connection: BaseDatabaseWrapper, model: type[Model], name: str) -> str:
    return connection.ops.quote_name(model._meta.get_field(name).column)


# The statements' text by (database alias, statement): built from the
# models' metadata the first time, then only executed.
_statements: dict[tuple[str, str], str] = {}


def _statement(
    connection: BaseDatabaseWrapper, name: str, build: Callable[[], str]
) -> str:
    key = (connection.alias, name)
    sql = _statements.get(key)
    if sql is None:
        sql = _statements[key] = build()
    return sql


def _activity_insert_new(
    connection: BaseDatabaseWrapper,
    *,
    user_id: UUID,
    organization_id: int,
    first_seen: FirstSeen,
) -> tuple[str, dict[str, Any]]:
    """`INSERT INTO activity ... ON CONFLICT DO NOTHING RETURNING contract,
    day` of the rows that do not exist yet, and its parameters.

    Django's bulk_create(ignore_conflicts=True) would not tell which rows were
    new. A row goes in only while its contract exists in `organization_id`
    and its user exists: the match table may name a contract deleted since
    it was read, and the user may be erased while the batch is on its way.
    The organization column has no foreign key constraint of its own
    (url_visits.models), so this check is what keeps it the contract's.

    On PostgreSQL both rows are locked FOR KEY SHARE as they are checked, so
    that a delete under way (contract_delete and user_erase lock the row
    first) finishes before the check, which then skips the row, and a delete
    that comes later waits for this transaction and removes its rows too;
    SQLite has no row locks, as a write transaction locks the whole database.
    Rows go in sorted by key so that concurrent batches of one user wait on
    each other's rows in the same order instead of deadlocking.
    """
    sql = _statement(
        connection, "activity_insert_new", lambda: _activity_insert_sql(connection)
    )
    return sql, _activity_insert_params(
        connection,
        user_id=user_id,
        organization_id=organization_id,
        first_seen=first_seen,
    )


def _activity_insert_sql(connection: BaseDatabaseWrapper) -> str:
    contracts, users = _table(connection, Contract), _table(connection, User)
    contract_pk = connection.ops.quote_name(Contract._meta.pk.column)
    contract_organization = _column(connection, Contract, "organization")
    user_pk = connection.ops.quote_name(User._meta.pk.column)
    user_id_column, contract_id, day = (
        _column(connection, Activity, name) for name in ("user", "contract", "day")
    )
    # The rows travel as one JSON array of objects (contract_id, day, browser,
    # first_seen_at), one text parameter whatever the batch size: the
    # statement's text never changes, and the driver quotes one string
    # instead of converting an array per column element by element.
    if connection.vendor == "postgresql":
        visit = (
            "json_to_recordset(%(visits)s::json) AS visit (contract_id bigint, "
            "day date, browser varchar, first_seen_at timestamptz)"
        )
        user, organization = "%(user)s::uuid", "%(organization)s::bigint"
        lock = "FOR KEY SHARE"
    else:
        # SQLite has no recordsets: the rows are read from the same JSON with
        # json_each, in the text Django stores dates and times as.
        visit = (
            "(SELECT json_extract(value, '$.contract_id') AS contract_id, "
            "json_extract(value, '$.day') AS day, "
            "json_extract(value, '$.browser') AS browser, "
            "json_extract(value, '$.first_seen_at') AS first_seen_at "
            "FROM json_each(%(visits)s)) AS visit"
        )
        user, organization, lock = "%(user)s", "%(organization)s", ""
    return f"""
        INSERT INTO {_table(connection, Activity)} (
            {user_id_column}, {contract_id},
            {_column(connection, Activity, "organization")}, {day},
            {_column(connection, Activity, "browser")},
            {_column(connection, Activity, "first_seen_at")}
        )
        SELECT {user}, visit.contract_id, {organization}, visit.day,
            visit.browser, visit.first_seen_at
        FROM {visit}
        WHERE EXISTS (
            SELECT 1 FROM {contracts}
            WHERE {contracts}.{contract_pk} = visit.contract_id
                AND {contracts}.{contract_organization} = {organization}
            {lock}
        ) AND EXISTS (
            SELECT 1 FROM {users} WHERE {users}.{user_pk} = {user}
            {lock}
        )
        ORDER BY visit.contract_id, visit.day
        ON CONFLICT ({user_id_column}, {contract_id}, {day}) DO NOTHING
        RETURNING {contract_id}, {day}
    """  # noqa: S608


def _activity_insert_params(
    connection: BaseDatabaseWrapper,
    *,
    user_id: UUID,
    organization_id: int,
    first_seen: FirstSeen,
) -> dict[str, Any]:
    rows = [(key, *first_seen[key]) for key in sorted(first_seen)]
    if connection.vendor == "postgresql":
        visits = [
            {
                "contract_id": contract,
                "day": visit_day.isoformat(),
                "browser": browser,
                "first_seen_at": seen_at.isoformat(),
            }
            for (contract, visit_day), seen_at, browser in rows
        ]
        user_value: Any = user_id
    else:
        day_field = Activity._meta.get_field("day")
        first_seen_field = Activity._meta.get_field("first_seen_at")
        visits = [
            {
                "contract_id": contract,
                "day": day_field.get_db_prep_save(visit_day, connection),
                "browser": browser,
                "first_seen_at": first_seen_field.get_db_prep_save(seen_at, connection),
            }
            for (contract, visit_day), seen_at, browser in rows
        ]
        user_value = User._meta.pk.get_db_prep_value(user_id, connection)
    return {
        "user": user_value,
        "organization": organization_id,
        "visits": json.dumps(visits, separators=(",", ":")),
    }


def activity_insert_new(
    *, user_id: UUID, organization_id: int, first_seen: FirstSeen
) -> list[ActivityKey]:
    """Inserts the activity rows of one user that do not exist yet, without
    their rollups; returns the keys of the rows that were new."""
    connection = _connection(Activity)
    sql, params = _activity_insert_new(
        connection,
        user_id=user_id,
        organization_id=organization_id,
        first_seen=first_seen,
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [(contract, _as_date(day)) for contract, day in cursor.fetchall()]


def activity_insert_new_with_rollups(
    *,
    user_id: UUID,
    organization_id: int,
    first_seen: FirstSeen,
    discovered_month: dt.date | None = None,
    discovered_applications: Sequence[int] = (),
) -> int:
    """activity_insert_new and the rollups of the rows that were new, in one
    PostgreSQL statement; returns how many rows were new.

    The rollups are written from the INSERT's RETURNING rows in
    data-modifying CTEs, so that a batch costs one round trip instead of five
    (BEGIN, three INSERTs, COMMIT) and is atomic on its own. The rollup rows
    are locked in contract order too.

    With `discovered_applications`, one more CTE counts the user among the
    users of these catalog applications in `discovered_month` (discovery's
    ApplicationUser rows), so that discovery costs no statement and no commit
    of its own. Like discovery_sql.application_users_insert, it writes only
    while the user exists, locked FOR KEY SHARE, and leaves existing rows
    alone.
    """
    connection = _connection(Activity)
    insert, params = _activity_insert_new(
        connection,
        user_id=user_id,
        organization_id=organization_id,
        first_seen=first_seen,
    )
    discovers = bool(discovered_applications)
    if discovers:
        params = {
            **params,
            "discovered_month": discovered_month,
            "discovered_applications": list(discovered_applications),
        }
    sql = _statement(
        connection,
        "activity_insert_new_with_rollups" + ("_discovered" if discovers else ""),
        lambda: _with_rollups_sql(connection, insert, discovers=discovers),
    )
    with prepared_cursor(connection.alias) as cursor:
        cursor.execute(sql, params)
        (recorded,) = cursor.fetchone()
    return recorded


def _with_rollups_sql(
    connection: BaseDatabaseWrapper, insert: str, *, discovers: bool
) -> str:
    """The statement of activity_insert_new_with_rollups around `insert`."""
    user, contract, organization = (
        _column(connection, Activity, name)
        for name in ("user", "contract", "organization")
    )
    day = _column(connection, Activity, "day")
    month = _column(connection, MonthlyActivity, "month")
    last_day = _column(connection, LatestActivity, "last_day")
    latest = _table(connection, LatestActivity)
    discovered = _application_users_insert(connection) if discovers else ""
    return f"""
        WITH new AS ({insert}
        ), monthly AS (
            INSERT INTO {_table(connection, MonthlyActivity)} (
                {user}, {contract}, {organization}, {month}
            )
            SELECT DISTINCT %(user)s::uuid, {contract}, %(organization)s::bigint,
                date_trunc('month', {day})::date
            FROM new
            ORDER BY 2, 4
            ON CONFLICT ({user}, {contract}, {month}) DO NOTHING
        ), latest AS (
            INSERT INTO {latest} ({user}, {contract}, {organization}, {last_day})
            SELECT %(user)s::uuid, {contract}, %(organization)s::bigint, max({day})
            FROM new
            GROUP BY {contract}
            ORDER BY {contract}
            ON CONFLICT ({user}, {contract}) DO UPDATE
            SET {last_day} = excluded.{last_day}
            WHERE {latest}.{last_day} < excluded.{last_day}
        ){discovered}
        SELECT count(*) FROM new
    """  # noqa: S608


def _application_users_insert(connection: BaseDatabaseWrapper) -> str:
    """The CTE of activity_insert_new_with_rollups that writes discovery's
    rows, after a comma."""
    users, user_pk = _table(connection, User), User._meta.pk.column
    columns = ", ".join(
        _column(connection, ApplicationUser, name)
        for name in ("organization", "month", "application", "user")
    )
    return f"""
        , discovered AS (
            INSERT INTO {_table(connection, ApplicationUser)} ({columns})
            SELECT %(organization)s::bigint, %(discovered_month)s::date,
                application.id, %(user)s::uuid
            FROM unnest(%(discovered_applications)s::bigint[]) AS application (id)
            WHERE EXISTS (
                SELECT 1 FROM {users}
                WHERE {users}.{connection.ops.quote_name(user_pk)} = %(user)s::uuid
                FOR KEY SHARE
            )
            ORDER BY application.id
            ON CONFLICT DO NOTHING
        )"""  # noqa: S608


def _as_date(value: dt.date | str) -> dt.date:
    # A raw cursor gives SQLite's dates back as the text they are stored as.
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(value)


def latest_activity_upsert(rows: Sequence[tuple[UUID, int, int, dt.date]]) -> None:
    """Inserts (user id, contract id, organization id, last day) rows, or
    moves an existing row's last day forward, never back.

    Raw because bulk_create(update_conflicts=True) cannot say "only when
    later".
    """
    connection = _connection(LatestActivity)
    table = _table(connection, LatestActivity)
    names = ("user", "contract", "organization", "last_day")
    fields = [LatestActivity._meta.get_field(name) for name in names]
    columns = ", ".join(_column(connection, LatestActivity, name) for name in names)
    user, contract, _, last_day = (
        _column(connection, LatestActivity, name) for name in names
    )
    placeholders = ", ".join(["(%s, %s, %s, %s)"] * len(rows))
    sql = (
        f"INSERT INTO {table} ({columns}) VALUES {placeholders} "  # noqa: S608
        f"ON CONFLICT ({user}, {contract}) "
        f"DO UPDATE SET {last_day} = excluded.{last_day} "
        f"WHERE {table}.{last_day} < excluded.{last_day}"
    )
    params = [
        field.get_db_prep_save(value, connection)
        for row in rows
        for field, value in zip(fields, row, strict=True)
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def insert_ignoring_conflicts(
    model: type[Model], queryset: QuerySet, names: Sequence[str]
) -> None:
    """INSERT INTO model (names) SELECT <queryset> ON CONFLICT DO NOTHING.

    Raw because the ORM has no INSERT ... SELECT. On SQLite the queryset
    needs a WHERE clause, for SQLite to tell the upsert's ON CONFLICT from a
    join's ON.
    """
    connection = _connection(model)
    columns = ", ".join(_column(connection, model, name) for name in names)
    select, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {_table(connection, model)} ({columns}) "
            f"{select} ON CONFLICT DO NOTHING",
            params,
        )
