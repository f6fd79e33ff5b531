"""Keyset pages over (moment, id), newest first: the task history's and the audit log's.

An offset page costs as much as every row before it, and a page count needs COUNT(*) over the
whole table; a cursor ("older than this row") costs the same on page 1 and page 10 000 (an index
range scan from the cursor). Links carry the cursor in the query string, so a page can be
bookmarked and shared. Both tables only grow (tasks and audit entries are never deleted), so a
page reached through a cursor always has a page on the side it came from.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.db.models import Q

if TYPE_CHECKING:
    from django.db.models import QuerySet

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


@dataclass
class Page:
    rows: list[Any]
    older: str | None  # cursor of the next page back in time, when there is one
    newer: str | None  # cursor of the page before this one, when there is one


def _listed(_key: tuple, queryset: QuerySet) -> list:
    return list(queryset)


def cursor(moment: datetime, pk: int) -> str:
    # Microseconds since the epoch: exact, free of time-zone text, and URL-safe.
    return f"{(moment - _EPOCH) // _MICROSECOND}_{pk}"


def parse_cursor(text: str | None) -> tuple[datetime, int] | None:
    """(moment, id) from a cursor, or None for anything that is not one (a hand-edited URL)."""
    try:
        micros, pk = (int(part) for part in (text or "").split("_"))
        return _EPOCH + timedelta(microseconds=micros), pk
    except (ValueError, OverflowError):
        return None


@dataclass(frozen=True)
class Keyset:
    """How to page one table: its time column, and how to read (moment, id) from a row."""

    field: str
    key: Callable[[Any], tuple[datetime, int]]

    def older_than(self, moment: datetime, pk: int) -> Q:
        # The leading `moment <= …` bounds the index range scan; the OR alone would not.
        at = self.field
        return Q(**{f"{at}__lte": moment}) & (Q(**{f"{at}__lt": moment}) | Q(pk__lt=pk))

    def newer_than(self, moment: datetime, pk: int) -> Q:
        at = self.field
        return Q(**{f"{at}__gte": moment}) & (Q(**{f"{at}__gt": moment}) | Q(pk__gt=pk))

    def paginate(
        self,
        rows: QuerySet,
        *,
        before: str | None = None,
        after: str | None = None,
        size: int,
        fetch: Callable[[tuple, QuerySet], list] | None = None,
    ) -> Page:
        """One page of `rows`, newest first: the first page, the one just older than `before`,
        or the one just newer than `after`. One query per page, whatever the depth.

        `fetch(key, queryset)` runs the page's query (by default, `list(queryset)`); `key` says
        which page of `rows` it is (direction, cursor, size), for a caller that keeps queries
        compiled (history/views.py).
        """
        fetch = fetch or _listed
        newest_first, oldest_first = (f"-{self.field}", "-pk"), (self.field, "pk")
        if after_key := parse_cursor(after):
            found = fetch(
                ("after", *after_key, size),
                rows.filter(self.newer_than(*after_key)).order_by(*oldest_first)[: size + 1],
            )
            if found:
                return self._page(found[:size][::-1], older=True, newer=len(found) > size)
            # Nothing newer than the cursor: show the newest page.
        elif before_key := parse_cursor(before):
            found = fetch(
                ("before", *before_key, size),
                rows.filter(self.older_than(*before_key)).order_by(*newest_first)[: size + 1],
            )
            return self._page(found[:size], older=len(found) > size, newer=True)
        found = fetch(("first", size), rows.order_by(*newest_first)[: size + 1])
        return self._page(found[:size], older=len(found) > size, newer=False)

    def _page(self, rows: list[Any], *, older: bool, newer: bool) -> Page:
        return Page(
            rows=rows,
            older=cursor(*self.key(rows[-1])) if older and rows else None,
            newer=cursor(*self.key(rows[0])) if newer and rows else None,
        )
