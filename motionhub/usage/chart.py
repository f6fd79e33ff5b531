"""The Usage page's chart: credits and tasks per week, as inline SVG drawn on the server.

The same approach as the home page's 30-day chart (dashboard/figures.py and markup.py): no
script (the CSP allows none inline, and a chart library would be one more thing to ship), bars
computed here in SVG user units so the SVG scales to its container, a <title> per bar for the
pointer, each bar a link to its week, and a visually hidden table with the same numbers for
screen readers. Two panels share the weeks: credits (the upstream's units) and tasks.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import date, timedelta

from django.utils.safestring import SafeString, mark_safe

# Geometry, in SVG user units, as the home chart's.
BAR_WIDTH, BAR_GAP, PLOT_HEIGHT, TOP, AXIS = 18, 6, 110, 14, 22
LEFT = 14  # room for the first bar's date, centred under it
MAX_WEEKS = 52  # a wider range shows its last 52 weeks (the tables still hold every row)
MIN_SLOTS = 16  # a range of a few weeks keeps bars of a sensible width, drawn from the left

_e = html.escape


@dataclass(frozen=True)
class Week:
    start: date
    tasks: int
    succeeded: int
    credits: int  # 0 where no task of the week reported its credits


@dataclass(frozen=True)
class Panel:
    key: str  # "credits" | "tasks": the CSS class of its bars
    title: str
    peak: int
    svg: SafeString


@dataclass(frozen=True)
class UsageChart:
    weeks: list[Week]
    panels: list[Panel]
    width: int
    height: int
    plot_bottom: int
    table_rows: SafeString


def weeks_of(rows: list[dict]) -> list[Week]:
    """The weeks of `rows` (figures.rows), summed, with the empty weeks between them filled in."""
    summed: dict[date, list[int]] = {}
    for row in rows:
        start = row["week"]
        totals = summed.setdefault(start, [0, 0, 0])
        totals[0] += row["tasks"]
        totals[1] += row["succeeded"]
        totals[2] += row["credits"] or 0
    if not summed:
        return []
    first, last = min(summed), max(summed)
    first = max(first, last - timedelta(weeks=MAX_WEEKS - 1))
    weeks, start = [], first
    while start <= last:
        tasks, succeeded, credits = summed.get(start, (0, 0, 0))
        weeks.append(Week(start, tasks, succeeded, credits))
        start += timedelta(weeks=1)
    return weeks


def build(rows: list[dict], page_url: str) -> UsageChart | None:
    """The chart of `rows`; None when there is nothing to draw. `page_url` is /usage/."""
    weeks = weeks_of(rows)
    if not weeks:
        return None
    bottom = TOP + PLOT_HEIGHT
    panels = [
        _panel("credits", "Credits per week", [w.credits for w in weeks], weeks, page_url),
        _panel("tasks", "Tasks per week", [w.tasks for w in weeks], weeks, page_url),
    ]
    table = mark_safe(  # noqa: S308 - dates and numbers we formatted
        "".join(
            f'<tr><th scope="row">{w.start.isoformat()}</th><td>{w.credits}</td>'
            f"<td>{w.tasks}</td><td>{w.succeeded}</td></tr>"
            for w in weeks
        )
    )
    return UsageChart(
        weeks=weeks,
        panels=panels,
        width=_width(len(weeks)),
        height=bottom + AXIS,
        plot_bottom=bottom,
        table_rows=table,
    )


def _width(weeks: int) -> int:
    return LEFT + max(weeks, MIN_SLOTS) * (BAR_WIDTH + BAR_GAP)


def _panel(key: str, title: str, values: list[int], weeks: list[Week], page_url: str) -> Panel:
    peak = max(values, default=0)
    scale = PLOT_HEIGHT / peak if peak else 0.0
    bottom = TOP + PLOT_HEIGHT
    label_every = max(1, len(weeks) // 8)  # about eight dates under the bars, never crowded
    parts = []
    for i, (week, value) in enumerate(zip(weeks, values, strict=True)):
        x = LEFT + i * (BAR_WIDTH + BAR_GAP)
        height = round(value * scale, 2)
        iso = week.start.isoformat()
        until = (week.start + timedelta(days=6)).isoformat()
        noun = key if value != 1 else key.rstrip("s")
        label = ""
        if (len(weeks) - 1 - i) % label_every == 0:
            label = (
                f'<text x="{x + BAR_WIDTH / 2}" y="{bottom + AXIS - 6}" text-anchor="middle">'
                f"{week.start:%m-%d}</text>"
            )
        parts.append(
            f'<a href="{_e(page_url)}?since={iso}&amp;until={until}"><g class="bar"'
            f' data-week="{iso}" data-value="{value}"><title>Week of {iso}: {value} {noun}'
            f"</title>"
            f'<rect class="hit" x="{x}" y="0" width="{BAR_WIDTH}" height="{bottom}"/>'
            f'<rect class="seg {key}" x="{x}" y="{round(bottom - height, 2)}"'
            f' width="{BAR_WIDTH}" height="{height}"/>{label}</g></a>\n'
        )
    # The scale, said once: the tallest bar's value at the top right.
    parts.append(
        f'<text class="peak" x="{_width(len(weeks))}" y="{TOP - 4}" text-anchor="end">'
        f"highest: {peak}</text>"
    )
    return Panel(key, title, peak, mark_safe("".join(parts)))  # noqa: S308 - escaped above
