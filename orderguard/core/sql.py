"""Plain SQL for the few statements that run thousands of times a minute (the unchanged poll).

Django compiling a query costs more CPU than the database spends running it (about 0.5 ms against
0.1 ms for a one-row read on PostgreSQL, measured with bench/poll_bench.py), and at 10,000 shops the
unchanged poll is nearly all the polling workers do. So its statements are written out: SQL that SQLite
(3.35+, for RETURNING) and PostgreSQL both run, table and column names taken from the models, values
adapted by their own fields, and rows turned into model instances through the fields' own converters
(decryption and JSON included), exactly as the ORM would. Everything else stays ORM.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from functools import cache
from typing import Any

from django.db import connections
from django.db.models import Model


def table(model: type[Model], *, using: str = "default") -> str:
    return connections[using].ops.quote_name(model._meta.db_table)


def columns(model: type[Model], names: Sequence[str] | None = None, *, using: str = "default", qualified: bool = False) -> str:
    """The quoted column list of `names` (field names or attnames; every concrete field when None), each
    prefixed with the model's table when `qualified` (for a join)."""
    quote = connections[using].ops.quote_name
    prefix = f"{table(model, using=using)}." if qualified else ""
    return ", ".join(prefix + quote(field.column) for field in _fields(model, tuple(names) if names else None))


def width(model: type[Model]) -> int:
    """How many columns `columns(model)` has: where a joined row's next model starts."""
    return len(model._meta.concrete_fields)


def assignments(model: type[Model], names: Iterable[str], *, using: str = "default") -> str:
    """`"col" = %s, ...` for an UPDATE of `names`."""
    quote = connections[using].ops.quote_name
    return ", ".join(f"{quote(model._meta.get_field(name).column)} = %s" for name in names)


def adapted(model: type[Model], values: Mapping[str, Any], *, using: str = "default") -> list:
    """`values` as the database takes them, each adapted by its field (aware datetimes, JSON, encryption)."""
    connection = connections[using]
    return [model._meta.get_field(name).get_db_prep_save(value, connection=connection) for name, value in values.items()]


def fetch(model: type[Model], sql: str, params: Sequence, *, names: Sequence[str] | None = None, using: str = "default") -> list:
    """Run `sql` (whose result columns are `columns(model, names)`, in that order) and return instances
    of `model`, the columns not read deferred as with QuerySet.only()."""
    rows = fetch_rows(sql, params, using=using)
    return instances(model, rows, names=names, using=using) if rows else []


def fetch_rows(sql: str, params: Sequence, *, using: str = "default") -> list[tuple]:
    """Run `sql` and return its rows as the driver gives them (see `instances`)."""
    with connections[using].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def execute(sql: str, params: Sequence, *, using: str = "default") -> int:
    """Run a write; the number of rows it touched."""
    with connections[using].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def instances(model: type[Model], rows: Iterable[Sequence], *, names: Sequence[str] | None = None, using: str = "default") -> list:
    """Model instances from rows of `columns(model, names)`."""
    fields = _fields(model, tuple(names) if names else None)
    connection = connections[using]
    converters = _converters(model, fields, connection)
    attnames = [field.attname for field in fields]
    built = []
    for row in rows:
        values = list(row)
        for index, expression, functions in converters:
            value = values[index]
            for function in functions:
                value = function(value, expression, connection)
            values[index] = value
        built.append(model.from_db(using, attnames, values))
    return built


@cache
def _fields(model: type[Model], names: tuple[str, ...] | None) -> tuple:
    concrete = model._meta.concrete_fields
    if names is None:
        return tuple(concrete)
    wanted = {model._meta.get_field(name).attname for name in names}
    # In the model's order, as Model.from_db expects for a partial row.
    return tuple(field for field in concrete if field.attname in wanted)


def _converters(model: type[Model], fields: tuple, connection) -> tuple:
    """Per column, the converters the ORM would apply (the backend's, then the field's). Kept on the
    connection they were made for (connections are per thread; a backend's converters are its methods)."""
    kept = connection.__dict__.setdefault("_orderguard_sql_converters", {})
    if (model, fields) not in kept:
        found = []
        for index, field in enumerate(fields):
            expression = field.get_col(model._meta.db_table)
            functions = [*connection.ops.get_db_converters(expression), *expression.get_db_converters(connection)]
            if functions:
                found.append((index, expression, tuple(functions)))
        kept[(model, fields)] = tuple(found)
    return kept[(model, fields)]
