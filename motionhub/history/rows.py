"""What a row of the task history shows: its cells, built once per page.

The rows of a page go out through one `format_html_join` over a row template rather than the
template language's loop: a page has 50 rows of eight cells, and a variable in a Django template
costs a few microseconds, which made the rows most of the page's time (`make bench`,
history_vs_bare). Every value that comes from people or from upstream is escaped by
format_html; the badges of known kinds, states and error categories are built once.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from django.utils import timezone
from django.utils.html import format_html, format_html_join

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
    '<td class="nowrap">{}</td></tr>\n'
)
_KIND = dict(Kind.choices)
_STATE_BADGES = {
    value: format_html('<span class="badge {}">{}</span>', value, label)
    for value, label in State.choices
}
_CATEGORY_BADGES = {
    category: format_html(' <span class="badge category">{}</span>', explain.label(category))
    for category in explain.CATEGORIES
}
_AUTOMATIC = format_html('<span class="muted">{}</span>', "automatic")


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


def _state_badge(state: str) -> SafeString:
    return _STATE_BADGES.get(state) or format_html('<span class="badge">{}</span>', state)


def _category_badge(category: str) -> SafeString | str:
    if not category:
        return ""
    return _CATEGORY_BADGES.get(category) or format_html(
        ' <span class="badge category">{}</span>', explain.label(category)
    )


def _local(moment: datetime, tz) -> str:
    # isoformat is several times cheaper than strftime, and this runs 100 times a page.
    return moment.astimezone(tz).isoformat(" ", "seconds")[:19]


def rows_html(rows: Iterable[tuple], choices: Choices, *, prefix: str) -> SafeString:
    """The <tr> elements of a page of ROW_FIELDS tuples. `prefix` is the address of /tasks/,
    computed once per request: links are built by formatting, not a reverse() per row.
    """
    tz = timezone.get_current_timezone()
    accounts = {
        pk: format_html('<a href="{}?account={}">{}</a>', prefix, pk, name)
        for pk, name in choices.account_names.items()
    }

    def cells(row: tuple) -> tuple:
        created, pk, kind, name, state, category, finished, account_id, who_id = row
        account = _AUTOMATIC if account_id is None else accounts.get(account_id, f"#{account_id}")
        return (
            pk,
            _KIND.get(kind) or kind,
            prefix,
            pk,
            name,
            account,
            choices.usernames.get(who_id, "—"),
            _state_badge(state),
            _category_badge(category),
            _local(created, tz),
            _local(finished, tz) if finished else "—",
            duration(created, finished, state),
        )

    return format_html_join("", _ROW, (cells(row) for row in rows))
