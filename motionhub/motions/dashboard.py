"""The numbers on the home page: account load, outcome counts, a 30-day chart, recent failures.

Nothing here counts tasks: the outcome counts and the chart come from the per-day counts that
rollup.py keeps (at most a few hundred rows, read in one query), the account cards from the
live tasks only, and the recent failures from a few index range scans. So the page costs a
small, fixed number of queries whose work does not grow with the history. Every count links
into /tasks/ with the matching filters.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from django.db.models import Count, Q
from django.utils import timezone

from motionhub.accounts.models import KlingAccount
from motionhub.motions import explain
from motionhub.motions.history import FAILURE_STATES, IN_PROGRESS, IN_PROGRESS_STATES
from motionhub.motions.models import IN_FLIGHT, MotionTask, State, TaskDayCount

if TYPE_CHECKING:
    from datetime import datetime

# (key, label, states): the key is also the history's `state` filter value for the outcome.
OUTCOMES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    (State.SUCCEEDED.value, "Succeeded", (State.SUCCEEDED,)),
    (State.FAILED.value, "Failed", (State.FAILED,)),
    (State.REJECTED.value, "Rejected", (State.REJECTED,)),
    (State.CANCELED.value, "Canceled", (State.CANCELED,)),
    (State.NEEDS_ATTENTION.value, "Needs attention", (State.NEEDS_ATTENTION,)),
    (IN_PROGRESS, "In progress", IN_PROGRESS_STATES),
)
# What rollup.outcome_of must agree with (tests/history/test_home_rollup.py checks it does).
OUTCOME_OF = {state: key for key, _label, states in OUTCOMES for state in states}
SESSION_WARNING = timedelta(days=3)
CHART_DAYS = 30
RECENT_FAILURES = 10

# Chart geometry, in SVG user units (the SVG scales to its container).
BAR_WIDTH, BAR_GAP, PLOT_HEIGHT, TOP, AXIS = 18, 6, 160, 8, 22


def history_link(prefix: str, **filters: str) -> str:
    query = urlencode({name: value for name, value in filters.items() if value})
    return f"{prefix}?{query}" if query else prefix


# --- accounts ----------------------------------------------------------------------------------


@dataclass
class AccountCard:
    account: KlingAccount
    in_flight: int
    session_warning: str  # "" | "expired" | "soon"
    link: str


def account_cards(prefix: str, now: datetime) -> list[AccountCard]:
    """Active accounts with their local in-flight counts: two queries for any number of them."""
    accounts = list(KlingAccount.active.select_related("connection"))
    busy = dict(
        MotionTask.objects.filter(state__in=IN_FLIGHT)
        .values_list("account_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    cards = []
    for account in accounts:
        expires = account.session_expires_at
        warning = ""
        if expires is not None:
            warning = (
                "expired" if expires <= now else "soon" if expires - now <= SESSION_WARNING else ""
            )
        cards.append(
            AccountCard(
                account=account,
                in_flight=busy.get(account.pk, 0),
                session_warning=warning,
                link=history_link(prefix, account=str(account.pk)),
            )
        )
    return cards


# --- the per-day counts ------------------------------------------------------------------------

# {local day: {outcome key: tasks}}, as rollup.py keeps them.
PerDay = dict[date, dict[str, int]]


def per_day(today: date, days: int = CHART_DAYS) -> PerDay:
    """The per-day counts the page needs (the chart's days, and any after today): one query.

    A task dated after today (a clock running ahead) is counted today, as a count of tasks
    "created since" and a chart whose last bar holds "today and later" would count it.
    """
    first = today - timedelta(days=days - 1)
    counts: PerDay = {}
    rows = TaskDayCount.objects.filter(day__gte=first).values_list("day", "outcome", "n")
    for day, outcome, n in rows:
        if n:
            day_counts = counts.setdefault(min(day, today), {})
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
        day_counts = shown.get(day, {})
        y = float(bottom)
        segments = []
        for key, label, _states in OUTCOMES:
            n = day_counts.get(key, 0)
            if n:
                height = n * scale
                y -= height
                segments.append(Segment(key, label, n, round(y, 2), round(height, 2)))
        total = sum(day_counts.values())
        parts = ", ".join(f"{s.n} {s.label.lower()}" for s in segments)
        noun = "task" if total == 1 else "tasks"
        bars.append(
            Bar(
                day=day,
                total=total,
                x=i * (BAR_WIDTH + BAR_GAP),
                label_x=i * (BAR_WIDTH + BAR_GAP) + BAR_WIDTH / 2,
                segments=segments,
                counts=[day_counts.get(key, 0) for key, _label, _states in OUTCOMES],
                title=f"{day.isoformat()}: {total} {noun}" + (f" ({parts})" if parts else ""),
                link=history_link(prefix, **{"from": day.isoformat(), "to": day.isoformat()}),
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


def recent_failures(detail_prefix: str, limit: int = RECENT_FAILURES) -> list[dict]:
    """The newest failed, rejected or stuck tasks: one query.

    Asked as "the newest of the newest of each state", each part an index range scan on
    (state, created_at): `state IN (…)` with ORDER BY would make SQLite sort every failure
    ever recorded (200 ms in `make bench`).
    """
    newest_of_each = Q()
    for state in FAILURE_STATES:
        newest = MotionTask.objects.filter(state=state).order_by("-created_at", "-id")
        newest_of_each |= Q(pk__in=newest.values("pk")[:limit])
    rows = (
        MotionTask.objects.filter(newest_of_each)
        .order_by("-created_at", "-id")
        .values(
            "id", "name", "state", "error_category", "error_message", "created_at",
            "account_id", "account__label", "account__email",
        )[:limit]
    )  # fmt: skip
    failures = []
    for row in rows:
        row["url"] = f"{detail_prefix}{row['id']}/"
        row["account"] = row["account__label"] or row["account__email"] or ""
        row["error_label"] = explain.label(row["error_category"])
        row["state_label"] = State(row["state"]).label
        failures.append(row)
    return failures


def week_start(today: date) -> date:
    """The first day of "the last 7 days", today included."""
    return today - timedelta(days=6)


def now_and_today() -> tuple[datetime, date]:
    now = timezone.now()
    return now, timezone.localdate(now)
