"""Tracking submitted tasks until upstream says they are final.

`record()` turns one upstream reading (from a poll, or from a callback confirmed by a re-read)
into local state. `poll_due()` reads the tasks whose turn has come, at most
MOTIONHUB_POLLS_PER_ACCOUNT per account per round, each task a unit of its own: whatever goes
wrong reading one is recorded on it and moves its next reading out, and the others go on.
A task whose readings keep failing for good (401, 402, 596, an unreadable token, a bug) for
MOTIONHUB_TRACK_GIVE_UP_SECONDS gives its slot back and waits for a person (needs attention).
`sweep()` rescues tasks whose worker died and looks up again the create calls that are
waiting to be reconciled (reconcile.py).
"""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.db.models import F, Min, Q
from django.dispatch import Signal
from django.utils import timezone
from django_q.tasks import async_task

from motionhub.accounts import health
from motionhub.core.crypto import DecryptionError
from motionhub.tasks import pace, timeline
from motionhub.tasks.models import TRACKED, MotionTask, State, TaskEvent
from motionhub.useapi import TaskStatus, UseapiError
from motionhub.useapi.errors import NotFound

log = logging.getLogger(__name__)

GONE = (
    "The task is gone upstream: it was deleted, stopped by moderation, or the account ran out "
    "of credits."
)
LOOK_UP_JOB = "motionhub.tasks.reconcile.run"
# A look-up job reads a few listings; the sweep starts it again only if it has not settled the
# task after this many read timeouts (a worker that died with it).
LOOK_UP_GRACE_READS = 8
# Sent after a task succeeded (the library refreshes that account's motions).
task_succeeded = Signal()


def _next_poll(task: MotionTask, status: TaskStatus):
    return pace.next_poll_at(task, status)  # sooner when the task should end sooner


def record(task: MotionTask, status: TaskStatus, *, source: str) -> None:
    upstream = {**task.upstream, "task": status.raw}
    name = status.status_name or str(status.status or "")
    if status.status_final:
        if status.succeeded:
            if status.works:
                work = status.works[0]
                upstream["result"] = {
                    "work_id": work.work_id,
                    "video_url": work.video_url,
                    "cover_url": work.cover_url,
                    "duration_ms": work.duration_ms,
                }
            moved = timeline.move(task.pk, TRACKED, State.SUCCEEDED, source=source,
                                  detail="Upstream says succeed.", upstream_status=name,
                                  upstream=upstream, read_failing_since=None)  # fmt: skip
            if moved:
                _tell_succeeded(task.pk)
        else:
            message = status.error or status.message or f"Upstream ended the task as “{name}”."
            timeline.move(task.pk, TRACKED, State.FAILED, source=source,
                          detail=message, upstream_status=name, upstream=upstream,
                          error_category="upstream_failed", error_message=message,
                          read_failing_since=None)  # fmt: skip
        return
    target = State.PROCESSING if name == "processing" else State.SUBMITTED
    if target != task.state and timeline.move(
        task.pk, TRACKED, target, source=source, detail=f"Upstream says {name}.",
        upstream_status=name, upstream=upstream, next_poll_at=_next_poll(task, status),
        read_failing_since=None,
    ):  # fmt: skip
        return
    MotionTask.objects.filter(pk=task.pk, state__in=TRACKED).update(
        upstream_status=name,
        upstream=upstream,
        next_poll_at=_next_poll(task, status),
        read_failing_since=None,
    )


def _tell_succeeded(task_id: int) -> None:
    """Send task_succeeded; a failing receiver is logged, never allowed to stop tracking."""
    for receiver, result in task_succeeded.send_robust(sender=MotionTask, task_id=task_id):
        if isinstance(result, Exception):
            log.error("task %s: task_succeeded receiver %s failed (%s)", task_id,
                      getattr(receiver, "__qualname__", receiver), type(result).__name__,
                      exc_info=result)  # fmt: skip


def read(task_id: int, *, source: str = TaskEvent.Source.POLL) -> bool:
    """Read one tracked task upstream and record what it says (a job of its own for callbacks).

    False when the reading failed (recorded on the task), True otherwise.
    """
    task = (
        MotionTask.objects.select_related("account__connection")
        .filter(pk=task_id, state__in=TRACKED)
        .first()
    )
    if task is None or task.upstream_task_id is None:
        return True
    try:
        status = task.account.connection.client().get_task(
            task.upstream_task_id, email=task.account.email
        )
    except NotFound:
        timeline.move(task.pk, TRACKED, State.FAILED, source=source, detail=GONE,
                      error_category="gone", error_message=GONE)  # fmt: skip
        return True
    except UseapiError as exc:
        if health.classify(exc):  # a 596, a session or credit error: the account's health
            health.note_error(task.account_id, exc, where="Reading a task (GET /tasks/{id})")
        # Keep tracking; say why this reading failed, and wait longer before the next one.
        failed(task, exc.category, f"Reading the task upstream failed: {exc}",
               lasting=not exc.transient)  # fmt: skip
        return False
    except DecryptionError as exc:
        failed(task, "token_unreadable", str(exc), lasting=True)
        return False
    record(task, status, source=source)
    return True


def failed(task: MotionTask, category: str, message: str, *, lasting: bool) -> None:
    """Record a failed reading: keep tracking, read again later — or, when it has failed for
    good since MOTIONHUB_TRACK_GIVE_UP_SECONDS, give the slot back and ask for a person.
    """
    now = timezone.now()
    updates = {"error_category": category, "error_message": message}
    if lasting:
        since = task.read_failing_since or now
        given = settings.MOTIONHUB_TRACK_GIVE_UP_SECONDS
        if (now - since).total_seconds() >= given:
            why = (f"{message} Readings have failed for {round(given / 60)} min or more, so "
                   "MotionHub stopped tracking this task and gave its slot back. Check the task "
                   "on Kling; once the cause is fixed, retry it if it did not finish.")  # fmt: skip
            timeline.move(task.pk, TRACKED, State.NEEDS_ATTENTION, source=TaskEvent.Source.SYSTEM,
                          detail=why, error_category=category, error_message=why,
                          next_poll_at=None)  # fmt: skip
            return
        updates["read_failing_since"] = since
    delay = settings.MOTIONHUB_POLL_SECONDS * (6 if lasting else 1)
    MotionTask.objects.filter(pk=task.pk, state__in=TRACKED).update(
        next_poll_at=now + timedelta(seconds=delay), **updates
    )


def _read_alone(task_id: int) -> bool:
    """One task's reading as a unit of its own: whatever it raises is logged and recorded on the
    task (its next reading moves out, as for a lasting failure), so the other tasks go on.
    """
    try:
        return read(task_id)
    except Exception as exc:
        log.exception("tracking task %s failed (%s); it is read again later", task_id,
                      type(exc).__name__)  # fmt: skip
        try:
            task = MotionTask.objects.filter(pk=task_id, state__in=TRACKED).first()
            if task is not None:
                why = (f"Tracking this task failed inside MotionHub ({type(exc).__name__}); "
                       "it is tried again later.")  # fmt: skip
                failed(task, "tracking_error", why, lasting=True)
        except Exception:
            log.exception("recording the tracking failure of task %s failed", task_id)
        return False


def confirm_callback(task_id: int) -> None:
    """Job: a verified callback arrived; re-read the task upstream before recording anything."""
    read(task_id, source=TaskEvent.Source.CALLBACK)


def poll_due(deadline: float | None = None, on_freed: Callable[[], object] | None = None) -> int:
    """Read the tracked tasks whose turn has come, a bounded number per account.

    Accounts take turns, one reading each, the longest waiting first; an account whose reading
    fails has no more this round (a slow or broken account costs one timeout, not five). No
    reading starts unless it can end (USEAPI_TIMEOUT) before `deadline` (time.monotonic()).
    `on_freed` is called right after a reading that ended a task's tracking (its slot is free):
    the heartbeat hands that slot on there and then, before the round's other readings.
    """
    due = MotionTask.objects.filter(state__in=TRACKED).filter(
        Q(next_poll_at__lte=timezone.now()) | Q(next_poll_at__isnull=True)
    )
    accounts = (
        due.values("account_id")
        .annotate(first=Min("next_poll_at"))
        .order_by(F("first").asc(nulls_first=True))
        .values_list("account_id", flat=True)
    )
    turns = deque()
    for account_id in list(accounts):
        tasks = due.filter(account_id=account_id).order_by(
            F("next_poll_at").asc(nulls_first=True), "pk"
        )
        turns.append(
            deque(tasks.values_list("pk", flat=True)[: settings.MOTIONHUB_POLLS_PER_ACCOUNT])
        )
    polled = 0
    while turns:
        if deadline is not None and time.monotonic() + settings.USEAPI_TIMEOUT > deadline:
            break
        queue = turns.popleft()
        polled += 1
        task_id = queue.popleft()
        read_ok = _read_alone(task_id)
        if on_freed is not None and not _still_tracked(task_id):
            on_freed()
        if read_ok and queue:
            turns.append(queue)
    return polled


def _still_tracked(task_id: int) -> bool:
    return MotionTask.objects.filter(pk=task_id, state__in=TRACKED).exists()


def sweep() -> None:
    """Tasks whose worker died, and create calls whose look-up is due again.

    Uploads start over; a task in `submitting` is looked up upstream (reconcile.py), never
    sent again blindly: its worker died mid-call (nothing heard for Q_RETRY), or an earlier
    look-up could not read the upstream and set when to look again (`not_before`).
    """
    now = timezone.now()
    cutoff = now - timedelta(seconds=settings.Q_CLUSTER["retry"])
    for task_id in MotionTask.objects.filter(
        state=State.UPLOADING, claimed_at__lt=cutoff
    ).values_list("pk", flat=True):
        # Asset uploads spend nothing, so they may simply be done again.
        timeline.move(task_id, [State.UPLOADING], State.QUEUED, source=TaskEvent.Source.SYSTEM,
                      detail="The worker stopped while uploading; queued again.")  # fmt: skip
    due = Q(not_before__lte=now) | Q(not_before__isnull=True, updated_at__lt=cutoff)
    # Each look-up is a job of its own: it reads up to three listings, which must not hold
    # the heartbeat's lease. Its next look is pushed out first, so the sweep starts it once.
    grace = now + timedelta(seconds=LOOK_UP_GRACE_READS * settings.USEAPI_TIMEOUT)
    for task_id in MotionTask.objects.filter(due, state=State.SUBMITTING).values_list(
        "pk", flat=True
    ):
        taken = MotionTask.objects.filter(due, pk=task_id, state=State.SUBMITTING).update(
            not_before=grace
        )
        if taken:
            async_task(LOOK_UP_JOB, task_id, task_name=f"look-up-{task_id}")
