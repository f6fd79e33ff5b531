"""Seed the bench database: accounts, people, tasks spread over ~400 days, five events each.

Tasks go in with bulk_create and their events with one executemany per batch (half a million
rows: the ORM's per-field preparation would be most of the seeding time), one transaction per
batch, oldest first (so ids grow with time as they do in real life). bulk_create skips the
per-day counts a saved task adds (motions/rollup.py), so the seed recounts them at the end, as
the upgrade's backfill does. A second run finds the rows and reuses them.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from django.contrib.auth.models import Group, User
from django.db import connection, transaction
from django.db.models import Sum
from django.utils import timezone

from motionhub.accounts.models import Connection, KlingAccount
from motionhub.core.roles import VIEWER
from motionhub.tasks import rollup
from motionhub.tasks.models import Kind, MotionTask, State, TaskDayCount, TaskEvent

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import datetime

# The seed's version is in its connection's name: a database seeded differently is reseeded.
CONNECTION = "bench-2"
VIEWER_NAME = "bench-viewer"
ROOT_NAME = "bench-root"
SUBMITTERS = tuple(f"bench-operator-{i}" for i in range(8))
SPAN = timedelta(days=400)

# How settled tasks ended, weighted roughly like a busy team's history.
_OUTCOMES = (
    (State.SUCCEEDED, 78),
    (State.FAILED, 8),
    (State.REJECTED, 6),
    (State.CANCELED, 5),
    (State.NEEDS_ATTENTION, 3),
)
_ERRORS = {
    State.FAILED: ("upstream_failed", "gone", "moderation"),
    State.REJECTED: ("invalid_input", "asset_missing", "no_free_slot", "moderation"),
    State.NEEDS_ATTENTION: ("interrupted",),
}
_WORDS = ("wave", "jump", "spin", "walk", "dance", "kick", "bow", "clap", "run", "salute")
# Names people (and upstream) may send: the pages escape them, the export neutralises them.
_HOSTILE = (
    '=HYPERLINK("http://evil.test","click")',
    "<script>alert('name')</script>",
    "+SUM(1,2)",
    "@import",
    "-2+3",
)


@dataclass
class Seeded:
    tasks: int
    events: int
    seconds: float
    reused: bool


def people() -> tuple[User, User]:
    """The viewer who reads the pages and the superuser who reads the admin."""
    viewer, _ = User.objects.get_or_create(username=VIEWER_NAME)
    viewer.groups.add(Group.objects.get(name=VIEWER))
    root, created = User.objects.get_or_create(
        username=ROOT_NAME, defaults={"is_staff": True, "is_superuser": True}
    )
    if not created and not root.is_superuser:
        root.is_staff = root.is_superuser = True
        root.save()
    for name in SUBMITTERS:
        User.objects.get_or_create(username=name)
    return viewer, root


def seed(
    tasks: int = 100_000,
    accounts: int = 20,
    events_per_task: int = 5,
    batch: int = 5_000,
    log: Callable[[str], None] = lambda _text: None,
) -> Seeded:
    started = time.perf_counter()
    people()
    if (
        Connection.objects.filter(name=CONNECTION).exists()
        and MotionTask.objects.count() == tasks
        and KlingAccount.objects.count() == accounts
        and TaskEvent.objects.count() == tasks * events_per_task
    ):
        if _counted() != tasks:  # seeded before the per-day counts existed, or interrupted
            rollup.rebuild()
        _statistics()
        return Seeded(tasks, tasks * events_per_task, time.perf_counter() - started, True)

    _wipe()
    conn = Connection(name=CONNECTION, base_url="https://api.useapi.test/v1/kling")
    conn.set_token("user:1-benchTokenNeverUsed")
    conn.save()
    now = timezone.now()
    kling = KlingAccount.objects.bulk_create(
        KlingAccount(
            connection=conn,
            email=f"bench{i:02d}@example.com",
            label=f"Bench {i:02d}" if i % 4 else "",
            max_jobs=1 + i % 5,
            enabled=i % 7 != 6,
            credits=1000 * i,
            session_expires_at=now + timedelta(days=i - 2),
            last_error="Session expired (596)." if i == 3 else "",
        )
        for i in range(accounts)
    )
    submitters = list(User.objects.filter(username__in=SUBMITTERS).order_by("username"))
    rng = random.Random(20250501)  # the same data on every machine
    step = SPAN / tasks
    start = now - SPAN
    live = min(10, tasks // 20)  # the newest few are still in progress
    made_events = 0
    for first in range(0, tasks, batch):
        count = min(batch, tasks - first)
        rows = [
            _task(rng, first + i, start + step * (first + i), kling, submitters, tasks - live)
            for i in range(count)
        ]
        with transaction.atomic():
            rows = MotionTask.objects.bulk_create(rows)
            events = [e for task in rows for e in _events(task, events_per_task)]
            _insert_events(events)
        made_events += len(events)
        log(f"seeded {first + count}/{tasks} tasks")
    rollup.rebuild()
    log("counted the tasks per day")
    _statistics()
    return Seeded(tasks, made_events, time.perf_counter() - started, False)


def _statistics() -> None:
    # PostgreSQL's autovacuum analyzes a freshly loaded table within a minute or so; without
    # its statistics the planner takes 100 000 rows for a few hundred and sorts instead of
    # walking an index. SQLite, the product's default, never analyzes, so neither does this.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def _counted() -> int:
    """The tasks the per-day counts hold."""
    sums = TaskDayCount.objects.aggregate(*(Sum(outcome) for outcome in TaskDayCount.OUTCOMES))
    return sum(n or 0 for n in sums.values())


def _wipe() -> None:
    # A partial seed from an interrupted run: start over. Plain DELETEs, because the ORM's
    # cascade collector would read 100 000 rows one relation at a time.
    with transaction.atomic(), connection.cursor() as cursor:
        for model in (TaskDayCount, TaskEvent, MotionTask, KlingAccount, Connection):
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")  # noqa: S608


def _task(
    rng: random.Random,
    n: int,
    created: datetime,
    accounts: list[KlingAccount],
    submitters: list[User],
    settled_before: int,
) -> MotionTask:
    created += timedelta(seconds=rng.uniform(0, 60))
    if n >= settled_before:
        state = rng.choice((State.QUEUED, State.UPLOADING, State.SUBMITTED, State.PROCESSING))
    else:
        state = rng.choices([s for s, _ in _OUTCOMES], weights=[w for _, w in _OUTCOMES])[0]
    automatic = state == State.QUEUED and n % 2 == 0
    category = rng.choice(_ERRORS[state]) if state in _ERRORS else ""
    submitted = state not in (State.QUEUED, State.UPLOADING, State.CANCELED, State.REJECTED)
    upstream_id = rng.getrandbits(62) if submitted else None
    name = _HOSTILE[n // 1000 % len(_HOSTILE)] if n % 1000 == 7 else (
        f"{rng.choice(_WORDS)} {rng.choice(_WORDS)} {n}"
    )  # fmt: skip
    finished = None
    if state in (State.SUCCEEDED, State.FAILED, State.REJECTED, State.CANCELED):
        finished = created + timedelta(seconds=rng.uniform(20, 900))
    return MotionTask(
        kind=Kind.MOTION_CREATE if n % 5 == 0 else Kind.MOTION_UPLOAD,
        name=name,
        account=None if automatic else rng.choice(accounts),
        auto_account=automatic,
        submitted_by=rng.choice(submitters),
        inputs={"duration_s": round(rng.uniform(2, 10), 2), "width": 720, "height": 1280},
        state=state,
        upstream_task_id=upstream_id,
        upstream_status={State.SUCCEEDED: "succeed", State.FAILED: "failed"}.get(state, ""),
        upstream={"create": {"task": {"id": upstream_id, "status": 5}}} if upstream_id else {},
        error_category=category,
        error_message=f"Kling said no ({category})." if category else "",
        attempts=1,
        created_at=created,
        claimed_at=created + timedelta(seconds=1) if state != State.QUEUED else None,
        submitted_at=created + timedelta(seconds=5) if submitted else None,
        finished_at=finished,
    )


_EVENT_COLUMNS = ("task_id", "at", "from_state", "to_state", "source", "detail")


def _events(task: MotionTask, count: int) -> list[tuple]:
    """The task's timeline as rows of _EVENT_COLUMNS, database-ready."""
    path = [State.QUEUED, State.UPLOADING, State.SUBMITTING, State.SUBMITTED, State.PROCESSING]
    sources = [TaskEvent.Source.PERSON, *[TaskEvent.Source.WORKER] * 3, TaskEvent.Source.POLL]
    adapt = connection.ops.adapt_datetimefield_value
    events = []
    for i in range(count):
        from_state = path[i - 1] if 0 < i <= len(path) else ""
        to_state = task.state if i == count - 1 else path[min(i, len(path) - 1)]
        events.append(
            (
                task.pk,
                adapt(task.created_at + timedelta(seconds=3 * i)),
                str(from_state),
                str(to_state),
                str(sources[min(i, len(sources) - 1)]),
                f"Step {i + 1} of task #{task.pk}.",
            )
        )
    return events


def _insert_events(rows: list[tuple]) -> None:
    quote = connection.ops.quote_name
    columns = ", ".join(quote(name) for name in _EVENT_COLUMNS)
    values = ", ".join(["%s"] * len(_EVENT_COLUMNS))
    sql = f"INSERT INTO {quote(TaskEvent._meta.db_table)} ({columns}) VALUES ({values})"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)
