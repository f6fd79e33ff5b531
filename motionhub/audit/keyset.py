"""Keyset pagination over (at, id), newest first.

An offset page costs as much as every row before it, and a page count needs COUNT(*) over the
whole log; a cursor ("older than this entry") costs the same on page 1 and page 10 000. Links
carry the cursor in the query string, so a page can be bookmarked and shared.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from django.db.models import Q

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from motionhub.audit.models import AuditEntry

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


@dataclass
class Page:
    entries: list[AuditEntry]
    older: str | None  # cursor for the next page back in time, when there is one
    newer: str | None  # cursor for the page before this one, when there is one


def cursor_of(entry: AuditEntry) -> str:
    # Microseconds since the epoch: exact, free of time-zone text, and URL-safe.
    return f"{(entry.at - _EPOCH) // _MICROSECOND}_{entry.pk}"


def parse_cursor(text: str | None) -> tuple[datetime, int] | None:
    """(at, id) from a cursor, or None for anything that is not one (a hand-edited URL)."""
    try:
        micros, pk = (int(part) for part in (text or "").split("_"))
        return _EPOCH + timedelta(microseconds=micros), pk
    except (ValueError, OverflowError):
        return None


def _older_than(at: datetime, pk: int) -> Q:
    # The leading `at <= …` is what lets the database range-scan the (at, id) index; the OR
    # alone would not.
    return Q(at__lte=at) & (Q(at__lt=at) | Q(pk__lt=pk))


def _newer_than(at: datetime, pk: int) -> Q:
    return Q(at__gte=at) & (Q(at__gt=at) | Q(pk__gt=pk))


def paginate(
    entries: QuerySet, *, before: str | None = None, after: str | None = None, size: int = 50
) -> Page:
    """One page of `entries`, newest first: the first page, or the one just older than `before`,
    or the one just newer than `after`. At most two queries, whatever the depth.
    """
    if after_key := parse_cursor(after):
        # Walk forward in time from the cursor, then show the rows newest first as usual.
        rows = list(entries.filter(_newer_than(*after_key)).order_by("at", "pk")[: size + 1])
        if rows:
            has_newer = len(rows) > size
            rows = rows[:size][::-1]
            has_older = entries.filter(_older_than(rows[-1].at, rows[-1].pk)).exists()
            return _page(rows, has_older=has_older, has_newer=has_newer)
        # Nothing newer than the cursor: this is the newest page.
    if before_key := parse_cursor(before):
        rows = list(entries.filter(_older_than(*before_key)).order_by("-at", "-pk")[: size + 1])
        has_older = len(rows) > size
        rows = rows[:size]
        edge = (rows[0].at, rows[0].pk) if rows else before_key
        has_newer = entries.filter(_newer_than(*edge)).exists()
        return _page(rows, has_older=has_older, has_newer=has_newer)
    rows = list(entries.order_by("-at", "-pk")[: size + 1])
    return _page(rows[:size], has_older=len(rows) > size, has_newer=False)


def _page(rows: list[AuditEntry], *, has_older: bool, has_newer: bool) -> Page:
    return Page(
        entries=rows,
        older=cursor_of(rows[-1]) if has_older and rows else None,
        newer=cursor_of(rows[0]) if has_newer and rows else None,
    )
