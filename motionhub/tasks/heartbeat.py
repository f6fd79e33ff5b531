"""The task heartbeat: one scheduled job that keeps live tasks moving.

django-q2 runs schedules at most about once a minute, which is too coarse for a poll interval
of a few seconds. So the scheduled job loops for up to HEARTBEAT_SECONDS (less when the job
timeout is shorter) while there is live work — hand due queued tasks to free slots, read due
tracked tasks, rescue stranded ones — then hands over to a fresh job if work is still due, and
a database lease makes sure only one such loop runs across all workers and hosts.
"""

from __future__ import annotations

import os
import socket
import time
from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django_q.conf import Conf
from django_q.tasks import async_task

from motionhub.core.models import Lease
from motionhub.tasks import dispatch, pace, track
from motionhub.tasks.models import MotionTask, State
from motionhub.tasks.wake import HEARTBEAT_JOB

LEASE = "motionhub: task heartbeat"
HEARTBEAT_SECONDS = 55.0


def run(budget: float = HEARTBEAT_SECONDS) -> None:
    budget = _within_job_timeout(budget)
    holder = f"{socket.gethostname()}:{os.getpid()}:{time.monotonic_ns()}"
    if not Lease.acquire(LEASE, holder, budget + 30):
        return  # another heartbeat is running
    hand_over = False
    try:
        deadline = time.monotonic() + budget
        while True:
            round_started = timezone.now()
            track.sweep()
            dispatch.run()
            track.poll_due()
            wait = _seconds_until_next_due(round_started)
            if wait is None:
                break
            if time.monotonic() + wait > deadline:
                # Work falls due soon after this loop's budget: a fresh heartbeat takes over
                # at once, rather than the schedule a minute or more from now.
                hand_over = wait < HEARTBEAT_SECONDS
                break
            time.sleep(min(max(wait, 0.05), pace.NAP_SECONDS))  # an earlier read may be planned
    finally:
        Lease.release(LEASE, holder)
    if hand_over and not Conf.SYNC:
        async_task(HEARTBEAT_JOB)


def _within_job_timeout(budget: float) -> float:
    """The loop's budget, ending well before django-q2's job timeout (Q_TIMEOUT).

    A job past the timeout is interrupted by SIGALRM wherever it is. For this loop that was
    every run when Q_TIMEOUT < HEARTBEAT_SECONDS, and landing inside a database call it can
    leave the worker's connection in a transaction Django no longer knows about: on SQLite that
    worker then holds the write lock and every other process stalls.
    """
    timeout = Conf.TIMEOUT
    if not timeout or timeout < 0:
        return budget
    return min(budget, max(timeout - max(5.0, timeout / 4), 1.0))


def _seconds_until_next_due(round_started=None) -> float | None:
    """Until the next poll or back-off ends; None when nothing live needs this loop.

    What fell due during the round (after `round_started`) is due now: a slot may be waiting on
    it. What was due before the round and is still due was left by the per-account poll limit
    (or finds every account full): it waits a tenth of the poll interval, not a busy loop.
    """
    now = timezone.now()
    since = round_started or now
    polls = MotionTask.objects.filter(state__in=(State.SUBMITTED, State.PROCESSING))
    backoffs = MotionTask.objects.filter(state=State.QUEUED, not_before__isnull=False)
    moments = [
        polls.filter(next_poll_at__gt=since)
        .order_by("next_poll_at")
        .values_list("next_poll_at", flat=True)
        .first(),
        backoffs.filter(not_before__gt=since)
        .order_by("not_before")
        .values_list("not_before", flat=True)
        .first(),
    ]
    if (
        polls.filter(next_poll_at__lte=since).exists()
        or backoffs.filter(not_before__lte=since).exists()
    ):
        moments.append(now + timedelta(seconds=settings.MOTIONHUB_POLL_SECONDS / 10))
    moments = [m for m in moments if m is not None]
    if not moments:
        return None
    return max((min(moments) - now).total_seconds(), 0.0)
