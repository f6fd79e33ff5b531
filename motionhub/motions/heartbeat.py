"""The task heartbeat: one scheduled job that keeps live tasks moving.

django-q2 runs schedules at most about once a minute, which is too coarse for a poll interval
of a few seconds. So the scheduled job loops for up to HEARTBEAT_SECONDS while there is live
work — hand due queued tasks to free slots, read due tracked tasks, rescue stranded ones — and
a database lease makes sure only one such loop runs across all workers and hosts.
"""

from __future__ import annotations

import os
import socket
import time

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_q.tasks import async_task

from motionhub.core.models import Lease
from motionhub.motions import dispatch, track
from motionhub.motions.models import MotionTask, State

LEASE = "motionhub: task heartbeat"
HEARTBEAT_SECONDS = 55.0


def soon() -> None:
    """Start a heartbeat now (e.g. a task was just submitted) instead of at the next schedule.

    If one is already looping, the lease makes this one return at once.
    """
    transaction.on_commit(lambda: async_task("motionhub.motions.heartbeat.run"))


def run(budget: float = HEARTBEAT_SECONDS) -> None:
    holder = f"{socket.gethostname()}:{os.getpid()}:{time.monotonic_ns()}"
    if not Lease.acquire(LEASE, holder, budget + 30):
        return  # another heartbeat is running
    try:
        deadline = time.monotonic() + budget
        while True:
            track.sweep()
            dispatch.run()
            track.poll_due()
            wait = _seconds_until_next_due()
            if wait is None or time.monotonic() + wait > deadline:
                return
            time.sleep(max(wait, 0.5))
    finally:
        Lease.release(LEASE, holder)


def _seconds_until_next_due() -> float | None:
    """Until the next poll or back-off ends; None when nothing live needs this loop."""
    now = timezone.now()
    moments = [
        MotionTask.objects.filter(state__in=(State.SUBMITTED, State.PROCESSING))
        .order_by("next_poll_at")
        .values_list("next_poll_at", flat=True)
        .first(),
        MotionTask.objects.filter(state=State.QUEUED, not_before__isnull=False)
        .order_by("not_before")
        .values_list("not_before", flat=True)
        .first(),
    ]
    moments = [m for m in moments if m is not None]
    if not moments:
        return None
    return max((min(moments) - now).total_seconds(), 0.0) or settings.MOTIONHUB_POLL_SECONDS / 10
