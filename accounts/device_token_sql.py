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
    quote = connections[database].ops.quote_name
    token, token_columns = _columns(DeviceToken, "t", 0, database)
    user, user_columns = _columns(User, "u", token.end, database)
    organization, organization_columns = _columns(Organization, "o", user.end, database)
    # Only column and table names from the models, quoted, are formatted in;
    # the token hash is a bound parameter.
    sql = (
        f"SELECT {', '.join(token_columns + user_columns + organization_columns)} "  # noqa: S608
        f"FROM {quote(DeviceToken._meta.db_table)} t "
        f"INNER JOIN {quote(User._meta.db_table)} u "
        f"ON u.{quote('id')} = t.{quote('user_id')} "
        f"LEFT OUTER JOIN {quote(Organization._meta.db_table)} o "
        f"ON o.{quote('id')} = u.{quote('organization_id')} "
        f"WHERE t.{quote('token_hash')} = %s AND t.{quote('revoked_at')} IS NULL "
        f"AND u.{quote('is_active')} = %s"
    )
    statement = _Statement(sql=sql, token=token, user=user, organization=organization)
    _statements[database] = statement
    return statement


def live_device_token_by_hash(*, token_hash: str) -> DeviceToken | None:
    """The live token with this hash whose user is active, with the user and
    the user's organization loaded; None when there is none."""
    # Read where the token is written, never a replica: a revocation must
    # be seen by the very next request.
    database = router.db_for_write(DeviceToken)
    statement = _statement(database)
    with prepared_cursor(database) as cursor:
        cursor.execute(statement.sql, [token_hash, True])
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
    return token


def device_token_touch(*, token_id: int, used_at: datetime) -> None:
    """Records when a token was last used."""
    database = router.db_for_write(DeviceToken)
    DeviceToken.objects.using(database).filter(pk=token_id).update(last_used_at=used_at)
