"""The home page's repeated markup: the account cards, the tallies, the chart and its table,
the recent failures.

Formatted here rather than by the template language, as the history's rows are
(history.rows_html): the chart alone is 30 bars of up to six segments plus a 30-row table,
and at a few microseconds per template variable the markup cost several times what the page's
queries do once those stopped counting tasks. Everything that comes from people or from
upstream is HTML-escaped (`_e`, quotes included); numbers and dates are formatted by us, never
localized (an SVG coordinate must stay "80.0" in any language).
"""

from __future__ import annotations

import html
import zoneinfo
from functools import lru_cache
from typing import TYPE_CHECKING
from urllib.parse import quote

from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.timesince import timeuntil

from motionhub.tasks.models import TaskDayCount

if TYPE_CHECKING:
    from collections.abc import Iterable
    from datetime import datetime

    from motionhub.dashboard.cards import AccountCard
    from motionhub.dashboard.figures import Bar, Chart, Tally

_e = html.escape
MESSAGE_CHARS = 200  # an error message is cut to this many characters


def _safe(parts: Iterable[str]) -> SafeString:
    return mark_safe("".join(parts))  # noqa: S308 - callers escape every value they insert


def _minute(moment: datetime, tz=None) -> str:
    # "2026-05-01 14:03" in the site's zone; isoformat is several times cheaper than strftime.
    return moment.astimezone(tz or timezone.get_current_timezone()).isoformat(" ", "minutes")[:16]


# --- account cards -----------------------------------------------------------------------------


def cards_html(cards: Iterable[AccountCard]) -> SafeString:
    """One <article> per account card."""
    return _safe(_card(card) for card in cards)


def _card(card: AccountCard) -> str:
    link = _e(card.link)
    reported = (
        f' <span class="muted">(Kling reports {card.slots_in_use})</span>'
        if card.slots_in_use != card.in_flight
        else ""
    )
    credits = "unknown" if card.credits is None else _e(str(card.credits))
    error = (
        f'<dt>Last error</dt><dd class="error">{_e(card.last_error)}</dd>'
        if card.last_error
        else ""
    )
    # As templates/accounts/health_badge.html shows it on the other pages.
    reason = f' title="{_e(card.health_reason)}"' if card.health_reason else ""
    badge = (
        f'<span class="badge health health-{_e(card.health)}"{reason}>'
        f"{_e(card.health_label)}</span>"
    )
    return (
        f'<article class="card account-card{"" if card.enabled else " disabled"}"'
        f' id="account-{card.pk}">\n'
        f'<h2><a href="{link}" title="This account\'s tasks">{_e(card.name)}</a> {badge}</h2>\n'
        f'<p class="muted">{_e(card.email)} · {_e(card.connection)}</p>\n'
        f"<dl>\n"
        f'<dt>Slots in use</dt><dd class="slots"><a href="{link}&amp;state=in_progress"'
        f' title="Tasks in progress on this account">{card.in_flight} / {card.max_jobs}</a>'
        f"{reported}</dd>\n"
        f"<dt>Credits</dt><dd>{credits}</dd>\n"
        f"<dt>Session</dt><dd>{_session(card)}</dd>\n"
        f"{error}</dl>\n</article>\n"
    )


def _session(card: AccountCard) -> str:
    expires = card.session_expires_at
    if card.session_warning == "expired":
        return f'<span class="badge failed">expired</span> {_minute(expires)} — re-add the account'
    if card.session_warning == "soon":
        return (
            f'<span class="badge rejected">expires soon</span> {_minute(expires)}'
            f" ({_e(timeuntil(expires))})"
        )
    if expires:
        return f"expires {timezone.localtime(expires):%Y-%m-%d}"
    return '<span class="muted">unknown</span>'


# --- outcome tallies ---------------------------------------------------------------------------


def tallies_html(tallies: Iterable[Tally]) -> SafeString:
    """The <li> elements of a "Today" or "Last 7 days" list."""
    return _safe(
        f'<li><a href="{_e(t.link)}"><span class="n">{t.n}</span>'
        f' <span class="badge {_e(t.key)}">{_e(t.label)}</span></a></li>'
        for t in tallies
    )


# --- the chart ---------------------------------------------------------------------------------


def legend_html(chart: Chart) -> SafeString:
    """The legend's <li> elements and the table's header cells: the same on every page."""
    return _safe(
        f'<li><span class="swatch {key}" aria-hidden="true"></span>{_e(label)}</li>'
        for key, label, _states in chart.outcomes
    )


def header_cells_html(chart: Chart) -> SafeString:
    return _safe(f'<th scope="col">{_e(label)}</th>' for _key, label, _states in chart.outcomes)


# The start of a segment's <rect>, per outcome key (ours, so nothing to escape).
_SEGMENT = {
    key: f'<rect class="seg {key}" data-outcome="{key}" data-count="'
    for key in TaskDayCount.OUTCOMES
}


def bars_svg(chart: Chart) -> SafeString:
    """The chart's bars: one linked <g> per day, its segments stacked bottom up."""
    label_y = chart.height - 6
    return _safe(_bar(bar, chart, label_y) for bar in chart.bars)


def _bar(bar: Bar, chart: Chart, label_y: int) -> str:
    width = chart.bar_width
    segments = "".join(
        f'{_SEGMENT[s.key]}{s.n}" x="{bar.x}" y="{s.y}" width="{width}" height="{s.height}"/>'
        for s in bar.segments
    )
    label = (
        f'<text x="{bar.label_x}" y="{label_y}" text-anchor="middle">{bar.day:%m-%d}</text>'
        if bar.show_label
        else ""
    )
    return (
        f'<a href="{_e(bar.link)}"><g class="bar" data-day="{bar.day.isoformat()}"'
        f' data-total="{bar.total}"><title>{_e(bar.title)}</title>'
        f'<rect class="hit" x="{bar.x}" y="0" width="{width}" height="{chart.plot_bottom}"/>'
        f"{segments}{label}</g></a>\n"
    )


def chart_rows_html(chart: Chart) -> SafeString:
    """The <tr> elements of the table that says what the chart shows, one per day."""
    return _safe(
        f'<tr><th scope="row">{bar.day.isoformat()}</th>'
        + "".join(f"<td>{n}</td>" for n in bar.counts)
        + f"<td>{bar.total}</td></tr>"
        for bar in chart.bars
    )


# --- recent failures ---------------------------------------------------------------------------


def failures_html(failures: Iterable[dict], history_url: str) -> SafeString:
    """The recent failures table's <tr> elements (rows from dashboard.recent_failures)."""
    rows = tuple(tuple(row.items()) for row in failures)
    return _failures_html(rows, history_url, timezone.get_current_timezone_name())


@lru_cache(maxsize=16)
def _failures_html(rows: tuple, history_url: str, zone: str) -> SafeString:
    # Kept as the chart's markup is (dashboard/views.py): the newest failures change rarely
    # between two loads, and formatting them was a tenth of the page (`make bench`).
    prefix = _e(history_url)
    tz = zoneinfo.ZoneInfo(zone)
    return _safe(_failure(dict(row), prefix, tz) for row in rows)


def _failure(f: dict, prefix: str, tz) -> str:
    if f["account_id"]:
        account = f'<a href="{prefix}?account={f["account_id"]}">{_e(f["account"])}</a>'
    else:
        account = '<span class="muted">—</span>'
    state = _e(f["state"])
    error = ""
    if f["error_category"]:
        error = (
            f'<a href="{prefix}?error={_e(quote(f["error_category"]))}">'
            f'<span class="badge category">{_e(f["error_label"])}</span></a>'
        )
    message = f["error_message"]
    if message:
        if len(message) > MESSAGE_CHARS:  # Truncator is slow; most messages are short
            message = Truncator(message).chars(MESSAGE_CHARS)
        error += f'\n<div class="muted">{_e(message)}</div>'
    return (
        f'<tr id="failure-{f["id"]}">\n'
        f'<td><a href="{_e(f["url"])}">{_e(f["name"])}</a></td>\n'
        f"<td>{account}</td>\n"
        f'<td><a href="{prefix}?state={_e(quote(f["state"]))}">'
        f'<span class="badge {state}">{_e(f["state_label"])}</span></a></td>\n'
        f"<td>{error}</td>\n"
        f'<td class="nowrap">{_minute(f["created_at"], tz)}</td>\n'
        f"</tr>\n"
    )
