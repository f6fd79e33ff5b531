"""Status changes, noticed whenever a task is looked at, and the replyUrl callbacks they cause."""

from __future__ import annotations

import functools
from datetime import datetime
from typing import TYPE_CHECKING

from django.db import transaction
from django_q.tasks import async_task

from motionhub.sandbox import lifecycle, payloads
from motionhub.sandbox.lifecycle import Status
from motionhub.sandbox.models import Callback, Task

if TYPE_CHECKING:
    from collections.abc import Callable


def observe(task: Task, now: datetime | None = None) -> Status:
    """The task's status now; a change since the last one announced is announced once."""
    status = lifecycle.status_of(task, now)
    record(task, status)
    return status


def record(task: Task, status: Status, deliver: Callable[[int], object] | None = None) -> bool:
    """Announce `status` unless it (or a later one) already was; True when this call did.

    The callback is POSTed by a django-q2 job, or by `deliver(callback_id)` once the record is
    committed (the clock's own thread, which no request waits on)."""
    # Statuses only grow (5 → 10 → 50/99), so "raise the column" is a compare-and-set: of several
    # processes seeing the same change, exactly one wins and sends the callback.
    with transaction.atomic():  # the status and its callback record commit together
        won = Task.objects.filter(pk=task.pk, last_notified_status__lt=status.code).update(
            last_notified_status=status.code
        )
        if won and task.reply_url and not status.gone:
            _announce(task, status, deliver or _enqueue)
    return bool(won)


def _enqueue(callback_id: int) -> None:
    async_task("motionhub.sandbox.jobs.deliver_callback", callback_id)


def _announce(task: Task, status: Status, deliver: Callable[[int], object]) -> None:
    payload = payloads.task_body(task, status)
    if task.reply_ref:
        payload["replyRef"] = task.reply_ref
    callback = Callback.objects.create(
        task_id=task.pk, status=status.code, url=task.reply_url, payload=payload
    )
    # The POST never runs inside the request that noticed: a worker or the clock sends it.
    transaction.on_commit(functools.partial(deliver, callback.pk), robust=True)
