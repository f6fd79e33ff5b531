"""django-q2 jobs of the sandbox: advancing tasks (scheduled) and delivering callbacks."""

from __future__ import annotations

import logging

import requests
from django.utils import timezone

from motionhub.sandbox import lifecycle, notify
from motionhub.sandbox.models import Callback, Task

logger = logging.getLogger(__name__)
CALLBACK_TIMEOUT = 10.0


def tick() -> int:
    """Advance every task not yet announced as final; the number of status changes recorded.

    Lets callbacks fire even when nobody polls GET /tasks/{id}. Safe to run anywhere, any number
    of times at once: `notify.record` is a compare-and-set.
    """
    now = timezone.now()
    # A list, not a streaming cursor: enqueueing a callback may close the connection (django-q2's
    # ORM broker calls close_old_connections), which would break a cursor still being read.
    pending = list(
        Task.objects.filter(last_notified_status__lt=lifecycle.FAILED).select_related("account")
    )
    return sum(notify.record(task, lifecycle.status_of(task, now)) for task in pending)


def deliver_callback(callback_id: int) -> int | None:
    """POST a recorded callback once; the receiver's HTTP status (None when unreachable)."""
    # Claim first: if django-q2 runs this job twice, the second run sends nothing.
    if not Callback.objects.filter(pk=callback_id, attempted_at__isnull=True).update(
        attempted_at=timezone.now()
    ):
        return None
    callback = Callback.objects.get(pk=callback_id)
    try:
        response = requests.post(callback.url, json=callback.payload, timeout=CALLBACK_TIMEOUT)
    except requests.RequestException as exc:
        logger.info(
            "Sandbox callback %s to task %s's replyUrl failed: %s",
            callback_id,
            callback.task_id,
            exc,
        )
        Callback.objects.filter(pk=callback_id).update(error=f"{type(exc).__name__}: {exc}"[:300])
        return None
    Callback.objects.filter(pk=callback_id).update(http_status=response.status_code)
    return response.status_code
