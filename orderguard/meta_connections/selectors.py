"""Reads of a shop's Meta connection."""

from __future__ import annotations

from functools import cache

from orderguard.core import sql
from orderguard.meta_connections.models import MetaConnection


def meta_connection_of(*, shop_id: int) -> MetaConnection | None:
    """The shop's connection (at most one per shop), or None. Every poll starts with this read, so it is
    plain SQL (orderguard.core.sql says why)."""
    found = sql.fetch(MetaConnection, _connection_sql(), sql.adapted(MetaConnection, {"shop": shop_id}))
    return found[0] if found else None


@cache
def _connection_sql() -> str:
    return f"SELECT {sql.columns(MetaConnection)} FROM {sql.table(MetaConnection)} WHERE shop_id = %s"
