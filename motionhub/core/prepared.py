"""Queries built once and run again with other ids: for the fragments polled every 2 s.

Building a small ORM query (filter → lookups → joins → SQL) costs several times running it:
on SQLite about 0.25 ms against 0.04 ms for the task fragment's query (`make bench`,
poll_vs_bare), and the polled fragments are requested by everyone watching a task or a run.
A `Prepared` query is built from a queryset once per database connection, with placeholder
ids; afterwards it only executes that SQL with the real ids and converts the rows with the
ORM's own converters, so its rows equal the queryset's `values_list()` rows.

Only integer parameters (ids) can be placeholders; everything else is fixed when built.
`PreparedByKey` covers the other case: queries whose values come from a few request values (a
page of the task history for one set of filters and one cursor), compiled once per key.
"""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING

from django.core.exceptions import EmptyResultSet
from django.db import connections

from motionhub.core.kept import Kept

if TYPE_CHECKING:
    from collections.abc import Callable, Hashable

    from django.db.models import QuerySet

# Ids no row has, found by value among the compiled query's parameters; within a 32-bit
# column's range, or PostgreSQL's compiler drops the lookup as matching nothing.
_PLACEHOLDERS = tuple(-2_147_000_000 - n for n in range(8))


class Prepared:
    def __init__(self, build: Callable[..., QuerySet], *, using: str = "default") -> None:
        """`build(*ids)` returns the values_list() queryset for those ids."""
        self._build = build
        self._using = using
        self._compiled: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    def rows(self, *ids: int) -> list[tuple]:
        connection = connections[self._using]
        compiled = self._compiled.get(connection)
        if compiled is None:
            compiled = self._compiled[connection] = self._compile(connection, len(ids))
        return _run(connection, compiled, ids)

    def _compile(self, connection, count: int) -> tuple:
        return _compiled(self._build(*_PLACEHOLDERS[:count]), connection, _PLACEHOLDERS[:count])


class PreparedByKey:
    """values_list() querysets compiled once per key and connection, then only executed.

    The key must hold everything the queryset is built from: the first queryset given for a
    key is the one compiled, later ones for the same key are not looked at. Building a queryset
    is cheap; compiling it is what costs (the history's page query: about 0.8 ms of the page's
    3.4, `make bench`, history_vs_bare). At most `size` keys are kept per connection.
    """

    def __init__(self, *, size: int = 256, using: str = "default") -> None:
        self._size = size
        self._using = using
        self._compiled: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    def rows(self, key: Hashable, queryset: QuerySet) -> list[tuple]:
        connection = connections[self._using]
        kept = self._compiled.get(connection)
        if kept is None:
            kept = self._compiled[connection] = Kept(self._size)
        if key in kept:
            return _run(connection, kept[key], ())
        return _run(connection, kept.keep(key, _compiled(queryset, connection, ())), ())


def _compiled(queryset: QuerySet, connection, placeholders: tuple[int, ...]) -> tuple | None:
    """(sql, params, the placeholders' positions among params, the columns' converters)."""
    compiler = queryset.query.get_compiler(connection=connection)
    try:
        sql, params = compiler.as_sql()
    except EmptyResultSet:  # e.g. `pk__in=[]`: no SQL to run, no row (as the ORM answers)
        return None
    slots = []
    for placeholder in placeholders:
        where = [i for i, value in enumerate(params) if value == placeholder]
        if len(where) != 1:
            raise ValueError("each id must appear exactly once in the prepared query")
        slots.append(where[0])
    columns = [selected[0] for selected in compiler.select[: compiler.col_count]]
    return sql, tuple(params), tuple(slots), compiler.get_converters(columns)


def _run(connection, compiled: tuple | None, ids: tuple[int, ...]) -> list[tuple]:
    if compiled is None:
        return []
    sql, params, slots, converters = compiled
    params = list(params)
    for slot, value in zip(slots, ids, strict=True):
        params[slot] = int(value)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = cursor.fetchall()
    if not converters:
        return [tuple(row) for row in found]
    return [_converted(row, converters, connection) for row in found]


def _converted(row, converters: dict, connection) -> tuple:
    values = list(row)
    for position, (functions, expression) in converters.items():
        value = values[position]
        for convert in functions:
            value = convert(value, expression, connection)
        values[position] = value
    return tuple(values)
