"""The numbers on the home page: account load, outcome counts, a 30-day chart, recent failures.

Nothing here counts tasks: the outcome counts and the chart come from the per-day counts that
rollup.py keeps (about 30 rows, read in one query), the account cards from the accounts and
the live tasks only, and the recent failures from one index range scan bounded by those
counts. So the page costs four queries of its own, whose work does not grow with the history.
Every count links into /tasks/ with the matching filters; the markup is made in markup.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING

from django.db import connection
from django.utils import timezone

from motionhub.core.days import start_of
from motionhub.dashboard.links import history_link
from motionhub.dashboard.sql import aware, columns, fetch, q
from motionhub.tasks import explain, rollup
from motionhub.tasks.models import (
    FAILURES,
    IN_PROGRESS,
    STATE_GROUPS,
    MotionTask,
    State,
    TaskDayCount,
)

if TYPE_CHECKING:
    pass

# (key, label, states): the key is also the history's `state` filter value for the outcome.
OUTCOMES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    (State.SUCCEEDED.value, "Succeeded", (State.SUCCEEDED,)),
    (State.FAILED.value, "Failed", (State.FAILED,)),
    (State.REJECTED.value, "Rejected", (State.REJECTED,)),
    (State.CANCELED.value, "Canceled", (State.CANCELED,)),
    (State.NEEDS_ATTENTION.value, "Needs attention", (State.NEEDS_ATTENTION,)),
    (IN_PROGRESS, "In progress", STATE_GROUPS[IN_PROGRESS].states),
)
# What daycount.outcome_of must agree with (tests/history/test_home_rollup.py checks it does).
OUTCOME_OF = {state: key for key, _label, states in OUTCOMES for state in states}
CHART_DAYS = 30
RECENT_FAILURES = 10

# Chart geometry, in SVG user units (the SVG scales to its container).
BAR_WIDTH, BAR_GAP, PLOT_HEIGHT, TOP, AXIS = 18, 6, 160, 8, 22


# --- the per-day counts ------------------------------------------------------------------------

# {local day: {outcome key: tasks}}, as rollup.py keeps them.
PerDay = dict[date, dict[str, int]]


def per_day(today: date, days: int = CHART_DAYS) -> PerDay:
    """The per-day counts the page needs (the chart's days, and any after today): one query
    of about `days` rows.

    A task dated after today (a clock running ahead) is counted today, as a count of tasks
    "created since" and a chart whose last bar holds "today and later" would count it.
    """
    return _per_day(today, tuple(rollup.read_since(today - timedelta(days=days - 1))))


def forget() -> None:
    """Drop the kept figures (with dashboard.views.forget_markup)."""
    _per_day.cache_clear()
    _failures.cache_clear()


@lru_cache(maxsize=16)
def _per_day(today: date, rows: tuple) -> PerDay:
    # Kept for the same rows, as the markup made from them is (dashboard/views.py). Callers
    # only read the counts.
    counts: PerDay = {}
    for day, *numbers in rows:
        day_counts = counts.setdefault(min(day, today), {})
        for outcome, n in zip(TaskDayCount.OUTCOMES, numbers, strict=True):
            if n:
                day_counts[outcome] = day_counts.get(outcome, 0) + n
    return counts


# --- outcome counts ----------------------------------------------------------------------------


@dataclass
class Tally:
    key: str
    label: str
    n: int
    link: str


def outcome_counts(prefix: str, since: date, counts: PerDay) -> list[Tally]:
    """Tasks created since the start of `since` (local time), by outcome, from `per_day`."""
    totals = {key: 0 for key, _label, _states in OUTCOMES}
    for day, day_counts in counts.items():
        if day >= since:
            for key, n in day_counts.items():
                totals[key] = totals.get(key, 0) + n
    return [
        Tally(
            key, label, totals[key], history_link(prefix, state=key, **{"from": since.isoformat()})
        )
        for key, label, _states in OUTCOMES
    ]


# --- the 30-day chart --------------------------------------------------------------------------


@dataclass
class Segment:
    key: str
    label: str
    n: int
    y: float
    height: float


@dataclass
class Bar:
    day: date
    total: int
    x: int
    label_x: float  # the middle of the bar, where its date goes
    segments: list[Segment]
    counts: list[int]  # per outcome, in OUTCOMES order (the table alternative)
    title: str
    link: str
    show_label: bool


@dataclass
class Chart:
    bars: list[Bar]
    peak: int
    width: int
    height: int
    plot_bottom: int
    bar_width: int = BAR_WIDTH
    outcomes: tuple[tuple[str, str, tuple[str, ...]], ...] = OUTCOMES


_LOWER_LABELS = {key: label.lower() for key, label, _states in OUTCOMES}


def chart(prefix: str, today: date, counts: PerDay, days: int = CHART_DAYS) -> Chart:
    """Tasks per local day by outcome over the last `days` days, from `per_day`."""
    first = today - timedelta(days=days - 1)
    shown = {day: day_counts for day, day_counts in counts.items() if day >= first}
    peak = max((sum(c.values()) for c in shown.values()), default=0)
    scale = PLOT_HEIGHT / peak if peak else 0.0
    bottom = TOP + PLOT_HEIGHT
    bars = []
    for i in range(days):
        day = first + timedelta(days=i)
        iso = day.isoformat()
        day_counts = shown.get(day, {})
        numbers = [day_counts.get(key, 0) for key, _label, _states in OUTCOMES]
        y = float(bottom)
        segments, parts = [], []
        for (key, label, _states), n in zip(OUTCOMES, numbers, strict=True):
            if n:
                height = n * scale
                y -= height
                segments.append(Segment(key, label, n, round(y, 2), round(height, 2)))
                parts.append(f"{n} {_LOWER_LABELS[key]}")
        total = sum(numbers)
        noun = "task" if total == 1 else "tasks"
        bars.append(
            Bar(
                day=day,
                total=total,
                x=i * (BAR_WIDTH + BAR_GAP),
                label_x=i * (BAR_WIDTH + BAR_GAP) + BAR_WIDTH / 2,
                segments=segments,
                counts=numbers,
                title=f"{iso}: {total} {noun}" + (f" ({', '.join(parts)})" if parts else ""),
                link=f"{prefix}?from={iso}&to={iso}",
                # A date under every fifth bar, counted back from today, keeps labels apart.
                show_label=(days - 1 - i) % 5 == 0,
            )
        )
    return Chart(
        bars=bars,
        peak=peak,
        width=days * (BAR_WIDTH + BAR_GAP) - BAR_GAP,
        height=bottom + AXIS,
        plot_bottom=bottom,
    )


# --- recent failures ---------------------------------------------------------------------------


_FAILURE_FIELDS = (
    "created_at", "id", "name", "state", "error_category", "error_message", "account_id",
)  # fmt: skip
_NEWEST = MotionTask.objects.order_by("-created_at", "-id").values_list(*_FAILURE_FIELDS)
_STATE_LABELS = dict(State.choices)


def recent_failures(
    detail_prefix: str,
    names: dict[int, str],
    counts: PerDay | None = None,
    limit: int = RECENT_FAILURES,
) -> list[dict]:
    """The newest failed, rejected or stuck tasks, usually in one short query.

    `state IN (…)` with ORDER BY would make SQLite sort every failure ever recorded (200 ms in
    `make bench`), so the query is bounded by the day from which the per-day counts (`counts`,
    from `per_day`) already hold `limit` failures: it reads and sorts about that many rows.
    When the counts' days hold fewer (a quiet month), or the bounded read finds fewer than
    they promised, each failure state is asked for its newest `limit` instead: three short
    index range scans on (state, created_at, id). Account names come from `names`
    (dashboard.accounts), so nothing joins.
    """
    since = _failures_since(counts or {}, limit)
    rows = []
    if since is not None:
        rows = _newest_failures_since(start_of(since), limit)
    if len(rows) < limit:
        rows = []
        for state in STATE_GROUPS[FAILURES].states:
            rows += _NEWEST.filter(state=state)[:limit]
        rows.sort(key=lambda row: (row[0], row[1]), reverse=True)
    return _failures(detail_prefix, tuple(names.items()), tuple(rows[:limit]))


@lru_cache(maxsize=16)
def _failures(detail_prefix: str, names: tuple, rows: tuple) -> list[dict]:
    # Kept for the same rows and names, as their markup is (markup.failures_html).
    names = dict(names)
    failures = []
    for created_at, pk, name, state, category, message, account_id in rows:
        failures.append(
            {
                "id": pk,
                "name": name,
                "state": state,
                "error_category": category,
                "error_message": message,
                "created_at": created_at,
                "account_id": account_id,
                "url": f"{detail_prefix}{pk}/",
                "account": names.get(account_id, "") if account_id else "",
                "error_label": explain.label(category),
                "state_label": _STATE_LABELS.get(state, state),
            }
        )
    return failures


def _newest_failures_since(moment: datetime, limit: int) -> list[tuple]:
    """_FAILURE_FIELDS rows of the newest failures created since `moment`, newest first."""
    states = ", ".join(["%s"] * len(STATE_GROUPS[FAILURES].states))
    sql = (
        f"SELECT {columns(MotionTask, _FAILURE_FIELDS)} "  # noqa: S608 - our names
        f"FROM {q(MotionTask._meta.db_table)} "
        f"WHERE {q('state')} IN ({states}) AND {q('created_at')} >= %s "
        f"ORDER BY {q('created_at')} DESC, {q('id')} DESC LIMIT %s"
    )
    params = [state.value for state in STATE_GROUPS[FAILURES].states]
    params += [connection.ops.adapt_datetimefield_value(moment), limit]
    return [(aware(created_at), *rest) for created_at, *rest in fetch(sql, params)]


def _failures_since(counts: PerDay, limit: int) -> date | None:
    """The latest day from which `counts` hold at least `limit` failures, if any does."""
    found = 0
    for day in sorted(counts, reverse=True):
        found += sum(counts[day].get(state, 0) for state in STATE_GROUPS[FAILURES].states)
        if found >= limit:
            return day
    return None


def week_start(today: date) -> date:
    """The first day of "the last 7 days", today included."""
    return today - timedelta(days=6)


def now_and_today() -> tuple[datetime, date]:
    now = timezone.now()
    return now, timezone.localdate(now)
