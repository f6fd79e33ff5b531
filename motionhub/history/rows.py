"""What a row of the task history shows: its cells, built once per page.

The rows of a page are one row pattern (`_ROW`) filled with values escaped here, not a template
loop nor a format_html per row: a page has 50 rows of eight cells, and either of those made the
rows most of the page's time (`make bench`: history_vs_bare 3.5 against 2.4 this way). Every
value that comes from people or from upstream goes through `escape`; the badges of known
kinds, states and error categories are built once.
"""

from __future__ import annotations

import zoneinfo
from datetime import datetime
from functools import lru_cache
from html import escape
from typing import TYPE_CHECKING

from django.utils import timezone
from django.utils.safestring import mark_safe

from motionhub.archive.links import kept_url_pattern, result_links
from motionhub.core.kept import Kept
from motionhub.tasks import explain
from motionhub.tasks.models import SETTLED, Kind, State

if TYPE_CHECKING:
    from collections.abc import Iterable

    from django.utils.safestring import SafeString

    from motionhub.history.filters import Choices

_SETTLED = frozenset(SETTLED)
_ROW = (
    '<tr id="task-{}"><td>{}</td><td><a href="{}{}/">{}</a></td><td>{}</td><td>{}</td>'
    '<td>{}{}</td><td class="nowrap">{}</td><td class="nowrap">{}</td>'
    '<td class="nowrap">{}</td><td class="nowrap">{}</td></tr>\n'
)
_KIND = {value: escape(label) for value, label in Kind.choices}
_STATE_BADGES = {
    value: f'<span class="badge {value}">{escape(label)}</span>' for value, label in State.choices
}
_CATEGORY_BADGES = {
    category: f' <span class="badge category">{escape(explain.label(category))}</span>'
    for category in explain.CATEGORIES
}
_AUTOMATIC = '<span class="muted">automatic</span>'


def duration(created_at: datetime, finished_at: datetime | None, state: str) -> str:
    if finished_at is None:
        return "—" if state in _SETTLED else "running"
    seconds = max(int((finished_at - created_at).total_seconds()), 0)
    if seconds < 60:
        return f"{seconds} s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} m {seconds:02d} s"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} h {minutes:02d} m"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h"


def _state_badge(state: str) -> str:
    return _STATE_BADGES.get(state) or f'<span class="badge">{escape(state)}</span>'


def _category_badge(category: str) -> str:
    if not category:
        return ""
    return _CATEGORY_BADGES.get(category) or (
        f' <span class="badge category">{escape(explain.label(category))}</span>'
    )


def _local(moment: datetime, tz) -> str:
    # isoformat is several times cheaper than strftime, and this runs 100 times a page.
    return moment.astimezone(tz).isoformat(" ", "seconds")[:19]


def rows_html(rows: Iterable[tuple], choices: Choices, *, prefix: str) -> SafeString:
    """The <tr> elements of a page of ROW_FIELDS tuples. `prefix` is the address of /tasks/,
    computed once per request: links are built by formatting, not a reverse() per row.

    Each row's markup is kept by everything it shows (its values, its account's and person's
    names, the time zone): most loads show rows already shown, and a hit costs a fraction of
    formatting the row again (`make bench`, history_vs_bare).
    """
    zone = timezone.get_current_timezone_name()
    accounts, people = _names(escape(prefix), tuple(choices.account_names.items()),
                              tuple(choices.usernames.items()))  # fmt: skip
    # One reverse() for the page: each kept file's address is this with its id.
    kept_url = kept_url_pattern()
    out = []
    for row in rows:
        account_id, who_id = row[7], row[8]
        account = _AUTOMATIC if account_id is None else accounts.get(account_id, f"#{account_id}")
        person = people.get(who_id, "—")
        key = (row, account, person, zone, prefix, kept_url)
        markup = _KEPT_ROWS.get(key)
        if markup is None:
            markup = _KEPT_ROWS.keep(key, _row(row, account, person, prefix, kept_url, zone))
        out.append(markup)
    return mark_safe("".join(out))  # noqa: S308 - every value in a row is escaped or ours


# Row markup by key (see rows_html): some eighty pages of rows, a few megabytes at most.
_KEPT_ROWS = Kept(4096)


@lru_cache(maxsize=8)
def _names(prefix: str, account_names: tuple, usernames: tuple) -> tuple[dict, dict]:
    """Each account's link and each person's name, escaped once for the same names."""
    accounts = {
        pk: f'<a href="{prefix}?account={pk}">{escape(name)}</a>' for pk, name in account_names
    }
    return accounts, {pk: escape(name) for pk, name in usernames}


def _row(row: tuple, account: str, person: str, prefix: str, kept_url: str, zone: str) -> str:
    created, pk, kind, name, state, category, finished, _account, _who, *result = row
    tz = zoneinfo.ZoneInfo(zone)
    prefix = escape(prefix)
    return _ROW.format(
        pk, _KIND.get(kind) or escape(kind), prefix, pk, escape(name), account, person,
        _state_badge(state), _category_badge(category),
        _local(created, tz), _local(finished, tz) if finished else "—",
        duration(created, finished, state),
        result_links(kept_url, *result) if state == State.SUCCEEDED else "",
    )  # fmt: skip
