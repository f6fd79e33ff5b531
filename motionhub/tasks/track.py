"""Tracking submitted tasks until upstream says they are final.

`record()` turns one upstream reading (from a poll, or from a callback confirmed by a re-read)
into local state. `poll_due()` reads the tasks whose turn has come, at most
MOTIONHUB_POLLS_PER_ACCOUNT per account per round. `sweep()` rescues tasks whose worker died.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import timedelta

from django.conf import settings
from django.dispatch import Signal
from django.utils import timezone

from motionhub.tasks import pace, timeline
from motionhub.tasks.models import TRACKED, MotionTask, State, TaskEvent
from motionhub.useapi import TaskStatus, UseapiError
from motionhub.useapi.errors import NotFound

log = logging.getLogger(__name__)

GONE = (
    "The task is gone upstream: it was deleted, stopped by moderation, or the account ran out "
    "of credits."
)
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
                                  upstream=upstream)  # fmt: skip
            if moved:
                task_succeeded.send(sender=MotionTask, task_id=task.pk)
        else:
            message = status.error or status.message or f"Upstream ended the task as “{name}”."
            timeline.move(task.pk, TRACKED, State.FAILED, source=source,
                          detail=message, upstream_status=name, upstream=upstream,
                          error_category="upstream_failed", error_message=message)  # fmt: skip
        return
    target = State.PROCESSING if name == "processing" else State.SUBMITTED
    if target != task.state and timeline.move(
        task.pk, TRACKED, target, source=source, detail=f"Upstream says {name}.",
        upstream_status=name, upstream=upstream, next_poll_at=_next_poll(task, status),
    ):  # fmt: skip
        return
    MotionTask.objects.filter(pk=task.pk, state__in=TRACKED).update(
        upstream_status=name, upstream=upstream, next_poll_at=_next_poll(task, status)
    )


def read(task_id: int, *, source: str = TaskEvent.Source.POLL) -> None:
    """Read one tracked task upstream and record what it says (a job of its own for callbacks)."""
    task = (
        MotionTask.objects.select_related("account__connection")
        .filter(pk=task_id, state__in=TRACKED)
        .first()
    )
    if task is None or task.upstream_task_id is None:
        return
    try:
        status = task.account.connection.client().get_task(
            task.upstream_task_id, email=task.account.email
        )
    except NotFound:
        timeline.move(task.pk, TRACKED, State.FAILED, source=source, detail=GONE,
                      error_category="gone", error_message=GONE)  # fmt: skip
        return
    except UseapiError as exc:
        # Keep tracking; say why this reading failed, and wait longer before the next one.
        delay = settings.MOTIONHUB_POLL_SECONDS * (1 if exc.transient else 6)
        MotionTask.objects.filter(pk=task.pk, state__in=TRACKED).update(
            next_poll_at=timezone.now() + timedelta(seconds=delay),
            error_category=exc.category,
            error_message=f"Reading the task upstream failed: {exc}",
        )
        return
    record(task, status, source=source)


def confirm_callback(task_id: int) -> None:
    """Job: a verified callback arrived; re-read the task upstream before recording anything."""
    read(task_id, source=TaskEvent.Source.CALLBACK)


def poll_due() -> int:
    """Read the tracked tasks whose turn has come, a bounded number per account."""
    due = (
        MotionTask.objects.filter(state__in=TRACKED, next_poll_at__lte=timezone.now())
        .order_by("next_poll_at")
        .values_list("pk", "account_id")[:500]
    )
    per_account: dict[int, int] = defaultdict(int)
    polled = 0
    for task_id, account_id in due:
        if per_account[account_id] >= settings.MOTIONHUB_POLLS_PER_ACCOUNT:
            continue
        per_account[account_id] += 1
        read(task_id)
        polled += 1
    return polled


def sweep() -> None:
    """Tasks whose worker died: uploads start over, interrupted create calls need a person."""
    cutoff = timezone.now() - timedelta(seconds=settings.Q_CLUSTER["retry"])
    for task_id in MotionTask.objects.filter(
        state=State.UPLOADING, claimed_at__lt=cutoff
    ).values_list("pk", flat=True):
        # Asset uploads spend nothing, so they may simply be done again.
        timeline.move(task_id, [State.UPLOADING], State.QUEUED, source=TaskEvent.Source.SYSTEM,
                      detail="The worker stopped while uploading; queued again.")  # fmt: skip
    for task_id in MotionTask.objects.filter(
        state=State.SUBMITTING, updated_at__lt=cutoff
    ).values_list("pk", flat=True):
        from motionhub.tasks.submit import run as submit

        submit(task_id)  # finds it `submitting`, so it goes to needs_attention
