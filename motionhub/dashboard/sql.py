"""Plain SQL for the home page's few reads: for a one-table read of a handful of columns, the
ORM's query building was a large part of the page's time (`make bench`, home_vs_bare)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from functools import lru_cache

from django.db import connection


def q(name: str) -> str:
    return connection.ops.quote_name(name)


def columns(model, fields: tuple[str, ...], alias: str = "") -> str:
    return _columns(connection.vendor, model, tuple(fields), alias)


@lru_cache(maxsize=64)
def _columns(_vendor: str, model, fields: tuple[str, ...], alias: str) -> str:
    # Quoted once per database kind: the names are ours and fixed, and quoting them on every
    # load was a good part of these small reads.
    prefix = f"{alias}." if alias else ""
    return ", ".join(prefix + q(model._meta.get_field(name).column) for name in fields)


def fetch(sql: str, params: Iterable = ()) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, list(params))
        return cursor.fetchall()


def aware(value: datetime | str | None) -> datetime | None:
    # PostgreSQL answers an aware datetime; SQLite, UTC without a zone (as a naive datetime
    # through the converter Django's backend registers, as text without it).
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value is not None and value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value
