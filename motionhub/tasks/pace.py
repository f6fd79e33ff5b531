"""When to read a tracked task next: as it is expected to end, within the account's poll rate.

A task is read at least every MOTIONHUB_POLL_SECONDS (P). One expected to end sooner is read
when it should have ended, so its slot is noticed free, and handed on, at once:

- the upstream's hint first: `etaTime` in the task answer (`TaskStatus.eta_at`);
- without one, the task's age against the typical run of that kind on that account (the median
  of its last few successful tasks, submitted → finished).

An early read must fit the account's rate: at most MOTIONHUB_POLLS_PER_ACCOUNT (N) reads of the
account's tasks in any P seconds. The plan it is checked against is the account's schedule: the
task's own read just made, and each other tracked task's next read with the regular reads P
before and after it. When no moment before the regular one fits, the task keeps the regular one.
"""

from __future__ import annotations

import statistics
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from motionhub.tasks.models import TRACKED, MotionTask, State
from motionhub.useapi import TaskStatus

# Read this long after the expected end: an upstream that says "ends at t" is final just after.
MARGIN = timedelta(seconds=0.1)
# The typical run is the median of this many recent successful tasks, once there are enough.
TYPICAL_OF, TYPICAL_MIN = 20, 3
# The heartbeat naps at most this long, so an earlier read planned meanwhile is not overslept.
NAP_SECONDS = 1.0


def period() -> timedelta:
    return timedelta(seconds=settings.MOTIONHUB_POLL_SECONDS)


def per_period() -> int:
    return max(int(settings.MOTIONHUB_POLLS_PER_ACCOUNT), 1)


def next_poll_at(
    task: MotionTask, status: TaskStatus | None = None, *, now: datetime | None = None,
    submitted_at: datetime | None = None,
) -> datetime:  # fmt: skip
    """The moment of the task's next read, right after reading it (`status`) at `now`."""
    now = now or timezone.now()
    regular = now + period()
    expected = expected_end(task, status, submitted_at=submitted_at)
    if expected is None or expected + MARGIN >= regular:
        return regular
    # Overdue or imminent: not sooner than an even share of the account's rate allows.
    wanted = max(expected + MARGIN, now + period() / per_period())
    if wanted >= regular:
        return regular
    return _fit(task, wanted, regular, now)


def expected_end(
    task: MotionTask, status: TaskStatus | None, *, submitted_at: datetime | None = None
) -> datetime | None:
    if status is not None and status.eta_at is not None:
        return status.eta_at
    started = submitted_at or task.submitted_at
    typical = typical_run(task.account_id, task.kind)
    if started is None or typical is None:
        return None
    return started + typical


def typical_run(account_id: int | None, kind: str) -> timedelta | None:
    """Median submitted → finished time of the account's last successful tasks of this kind."""
    if account_id is None:
        return None
    rows = (
        MotionTask.objects.filter(
            account_id=account_id,
            kind=kind,
            state=State.SUCCEEDED,
            submitted_at__isnull=False,
            finished_at__isnull=False,
        )
        .order_by("-finished_at")
        .values_list("submitted_at", "finished_at")[:TYPICAL_OF]
    )
    runs = [(done - sent).total_seconds() for sent, done in rows if done > sent]
    if len(runs) < TYPICAL_MIN:
        return None
    return timedelta(seconds=statistics.median(runs))


def _fit(task: MotionTask, wanted: datetime, regular: datetime, now: datetime) -> datetime:
    """The first moment from `wanted` on (before `regular`) that keeps the account in its rate."""
    p, n = period(), per_period()
    others = (
        MotionTask.objects.filter(account_id=task.account_id, state__in=TRACKED,
                                  next_poll_at__isnull=False)
        .exclude(pk=task.pk)
        .values_list("next_poll_at", flat=True)
    )  # fmt: skip
    plan = sorted([now, *(moment + k * p for moment in others for k in (-1, 0, 1))])
    step = p / n
    moment = wanted
    while moment < regular:
        if busiest_window(plan, moment, p) < n:
            return moment
        moment += step
    return regular


def busiest_window(plan: list[datetime], moment: datetime, p: timedelta) -> int:
    """Most reads in `plan` within any window [s, s + p) that contains `moment`.

    Such a window can always be slid to start at a read of the plan (or at `moment`) without
    losing any, so those starts are the only ones to try.
    """
    starts = [moment, *(x for x in plan if moment - p < x <= moment)]
    return max(sum(1 for x in plan if s <= x < s + p) for s in starts)
