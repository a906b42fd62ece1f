"""The device-token lookup of every extension request, as one statement
written once per process.

Through the ORM, `DeviceToken.objects.live().select_related(...)` rebuilds and
recompiles the same three-table query on every request, which the benchmark's
profile showed to be most of the cost of authenticating. The statement below
says the same thing (the live token with this hash, its user active, the
user's organization), is built from the models' own field lists the first time
it is needed on a connection's database, and then only executed. Its rows
become model instances through the same database converters the ORM applies,
so it behaves alike on PostgreSQL and SQLite.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from django.db import connections, router
from django.db.models import Field, Model

from accounts.models import DeviceToken, Organization, User
from procure_site.prepared import prepared_cursor

Converter = Callable[[Any, Any, Any], Any]


@dataclass(frozen=True)
class _Columns:
    """One model's columns in the statement: their attribute names and the
    converters each value goes through."""

    model: type[Model]
    attnames: list[str]
    # (position, column expression, its converters), for the columns that have
    # any: the ORM calls each with the value, the expression and the connection.
    converters: list[tuple[int, Any, list[Converter]]]
    start: int

    @property
    def end(self) -> int:
        return self.start + len(self.attnames)

    def instance(self, database: str, row: Sequence[Any]) -> Model:
        connection = connections[database]
        values = list(row[self.start : self.end])
        for position, column, converters in self.converters:
            for converter in converters:
                values[position] = converter(values[position], column, connection)
        return self.model.from_db(database, self.attnames, values)


@dataclass(frozen=True)
class _Statement:
    sql: str
    # PostgreSQL: the same lookup that also records the time of use, in a
    # data-modifying CTE: (inside a transaction, committed with it; outside
    # one, committed without waiting for the disk).
    touching: tuple[str, str] | None
    token: _Columns
    user: _Columns
    organization: _Columns


_statements: dict[str, _Statement] = {}


def _columns(
    model: type[Model], alias: str, start: int, database: str
) -> tuple[_Columns, list[str]]:
    connection = connections[database]
    quote = connection.ops.quote_name
    fields: list[Field[Any, Any]] = list(model._meta.concrete_fields)
    selected = [f"{alias}.{quote(str(field.column))}" for field in fields]
    converters = []
    for position, field in enumerate(fields):
        column = field.get_col(alias)
        found = [
            *connection.ops.get_db_converters(column),
            *column.get_db_converters(connection),
        ]
        if found:
            converters.append((position, column, found))
    return (
        _Columns(
            model=model,
            attnames=[field.attname for field in fields],
            converters=converters,
            start=start,
        ),
        selected,
    )


def _statement(database: str) -> _Statement:
    statement = _statements.get(database)
    if statement is not None:
        return statement
    connection = connections[database]
    quote = connection.ops.quote_name
    token, token_columns = _columns(DeviceToken, "t", 0, database)
    user, user_columns = _columns(User, "u", token.end, database)
    organization, organization_columns = _columns(Organization, "o", user.end, database)
    tokens, users = quote(DeviceToken._meta.db_table), quote(User._meta.db_table)
    token_hash, revoked_at = quote("token_hash"), quote("revoked_at")
    last_used_at, is_active = quote("last_used_at"), quote("is_active")
    user_id, pk = quote("user_id"), quote("id")
    # Only column and table names from the models, quoted, are formatted in;
    # every value is a bound parameter.
    select = f"SELECT {', '.join(token_columns + user_columns + organization_columns)}"
    lookup = (
        f"FROM {tokens} t "
        f"INNER JOIN {users} u ON u.{pk} = t.{user_id} "
        f"LEFT OUTER JOIN {quote(Organization._meta.db_table)} o "
        f"ON o.{pk} = u.{quote('organization_id')} "
        f"WHERE t.{token_hash} = %(token_hash)s AND t.{revoked_at} IS NULL "
        f"AND u.{is_active} = %(active)s"
    )
    touching = None
    if connection.vendor == "postgresql":
        # The UPDATE sees the same rows as the lookup: a live token of an
        # active user, last used before %(touch_before)s or never. The lookup
        # reads the statement's snapshot, so it returns the time of use as it
        # was; the last column says whether it was just recorded.
        touched = (
            f"WITH touched AS (UPDATE {tokens} SET {last_used_at} = %(used_at)s "  # noqa: S608
            f"WHERE {token_hash} = %(token_hash)s AND {revoked_at} IS NULL "
            f"AND ({last_used_at} IS NULL OR {last_used_at} < %(touch_before)s) "
            f"AND EXISTS (SELECT 1 FROM {users} WHERE {users}.{pk} = "
            f"{tokens}.{user_id} AND {users}.{is_active} = %(active)s) "
            f"RETURNING 1) "
        )
        was_touched = "(SELECT count(*) FROM touched) > 0"
        # The time of last use is coarse and only informative: outside a
        # transaction, where the statement is a transaction of its own, its
        # commit need not wait for the disk (a crash may forget the last
        # moments of it, nothing else).
        touching = (
            f"{touched}{select}, {was_touched} {lookup}",
            f"{touched}{select}, {was_touched}, "
            f"set_config('synchronous_commit', 'off', true) {lookup}",
        )
    statement = _Statement(
        sql=f"{select} {lookup}",
        touching=touching,
        token=token,
        user=user,
        organization=organization,
    )
    _statements[database] = statement
    return statement


def live_device_token_by_hash(
    *,
    token_hash: str,
    used_at: datetime | None = None,
    touch_before: datetime | None = None,
) -> DeviceToken | None:
    """The live token with this hash whose user is active, with the user and
    the user's organization loaded; None when there is none.

    With `used_at` and `touch_before`, a token last used before
    `touch_before` (or never) is marked as used at `used_at`: on PostgreSQL
    in the same statement, elsewhere in a second one.
    """
    # Read where the token is written, never a replica: a revocation must
    # be seen by the very next request.
    database = router.db_for_write(DeviceToken)
    statement = _statement(database)
    touch = used_at is not None and touch_before is not None
    touching = statement.touching if touch else None
    params: dict[str, Any] = {"token_hash": token_hash, "active": True}
    sql = statement.sql
    if touching is not None:
        params.update(used_at=used_at, touch_before=touch_before)
        in_transaction, outside = touching
        sql = in_transaction if connections[database].in_atomic_block else outside
    with prepared_cursor(database) as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return None
    token = cast(DeviceToken, statement.token.instance(database, row))
    user = cast(User, statement.user.instance(database, row))
    if user.organization_id is not None:
        user.organization = cast(
            Organization, statement.organization.instance(database, row)
        )
    else:
        user.organization = None
    token.user = user
    if used_at is None or touch_before is None:
        return token
    if touching is not None:
        touched = bool(row[statement.organization.end])
    else:
        touched = token.last_used_at is None or token.last_used_at < touch_before
        if touched:
            DeviceToken.objects.using(database).filter(pk=token.pk).update(
                last_used_at=used_at
            )
    if touched:
        token.last_used_at = used_at
    return token
