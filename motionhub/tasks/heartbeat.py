"""The task heartbeat: one scheduled job that keeps live tasks moving.

django-q2 runs schedules at most about once a minute, which is too coarse for a poll interval
of a few seconds. So the scheduled job loops for up to HEARTBEAT_SECONDS (less when the job
timeout is shorter) while there is live work — rescue stranded tasks, hand due queued tasks to
free slots, read due tracked tasks (a reading that frees a slot hands it on right there, in the
same round), tell of tasks pinned to an unusable account — then hands over to a fresh job if
work is still due.

It only orchestrates. Each step runs isolated (a failure is logged and the next step and round
go on), and inside the steps each account and each task is a unit of its own that records its
own failure (track.poll_due), so one bad task never stops the others. A database lease makes
sure only one loop runs across all workers and hosts: short, renewed every round, and every
round ends before it runs out (reads start only while one fits before the round's deadline),
so a slow upstream can never let a second heartbeat in beside this one. A loop that cannot
renew its lease stops at once. The loop also ends before django-q2's job timeout, so SIGALRM
never lands inside a database call.
"""

from __future__ import annotations

import functools
import logging
import os
import socket
import time
from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django_q.conf import Conf
from django_q.tasks import async_task

from motionhub.accounts.models import Health, KlingAccount
from motionhub.core.models import Lease
from motionhub.tasks import dispatch, pace, pinned, track
from motionhub.tasks.models import TRACKED, MotionTask, State
from motionhub.tasks.wake import HEARTBEAT_JOB

log = logging.getLogger(__name__)

LEASE = "motionhub: task heartbeat"
HEARTBEAT_SECONDS = 55.0
# The lease lasts one upstream read (USEAPI_TIMEOUT) plus this, from each renewal; a round's
# work stops starting LEASE_SAFETY before it runs out. A heartbeat that died frees it that soon.
LEASE_MARGIN = 30.0
LEASE_SAFETY = 5.0


def run(budget: float = HEARTBEAT_SECONDS) -> None:
    started = time.monotonic()
    budget = _within_job_timeout(budget)
    read = settings.USEAPI_TIMEOUT
    # No round starts after `last_round`; every read ends by `finish` (inside the job timeout).
    last_round, finish = started + budget, started + min(_job_limit(), budget + read)
    lease_seconds = read + LEASE_MARGIN
    holder = f"{socket.gethostname()}:{os.getpid()}:{time.monotonic_ns()}"
    if not Lease.acquire(LEASE, holder, lease_seconds):
        return  # another heartbeat is running
    lease_until = time.monotonic() + lease_seconds
    hand_over = False
    try:
        while True:
            round_started = timezone.now()
            deadline = min(finish, lease_until - LEASE_SAFETY)
            _isolated(track.sweep)
            _isolated(dispatch.run, deadline=deadline)
            # A reading that frees a slot hands it on at once, in this round: no dispatcher job
            # to wait for, and no nap before the next round's dispatch.
            hand_on = functools.partial(_isolated, dispatch.run, deadline=deadline)
            _isolated(track.poll_due, deadline=deadline, on_freed=hand_on)
            _isolated(pinned.note_unusable)
            wait = _seconds_until_next_due(round_started)
            if wait is None:
                break
            now = time.monotonic()
            if now + wait > last_round or now + wait + read > finish:
                # Work falls due soon after this loop's budget: a fresh heartbeat takes over
                # at once, rather than the schedule a minute or more from now.
                hand_over = wait < HEARTBEAT_SECONDS and _job_limit() > read
                break
            sleep = min(max(wait, 0.05), pace.NAP_SECONDS)  # an earlier read may be planned
            # Renewed to cover the sleep and the next round; lost means another loop runs now.
            if not Lease.renew(LEASE, holder, sleep + lease_seconds):
                log.warning("task heartbeat: lease lost; this loop stops")
                break
            lease_until = time.monotonic() + sleep + lease_seconds
            time.sleep(sleep)
    finally:
        Lease.release(LEASE, holder)
    if hand_over and not Conf.SYNC:
        async_task(HEARTBEAT_JOB)


def _isolated(step, **kwargs) -> None:
    """Run one step of a round; a failure is logged (its trace) and the loop goes on."""
    try:
        step(**kwargs)
    except Exception:
        log.exception("task heartbeat: %s.%s failed; the next round tries again",
                      step.__module__, step.__name__)  # fmt: skip


def _job_limit() -> float:
    """Seconds the job may run, well before django-q2's job timeout (Q_TIMEOUT).

    A job past the timeout is interrupted by SIGALRM wherever it is. Landing inside a database
    call it can leave the worker's connection in a transaction Django no longer knows about: on
    SQLite that worker then holds the write lock and every other process stalls.
    """
    timeout = Conf.TIMEOUT
    if not timeout or timeout < 0:
        return float("inf")
    return max(timeout - max(5.0, timeout / 4), 1.0)


def _within_job_timeout(budget: float) -> float:
    """The loop's budget, ending well before django-q2's job timeout (see _job_limit)."""
    return min(budget, _job_limit())


def _seconds_until_next_due(round_started=None) -> float | None:
    """Until the next poll, back-off or look-up is due; None when nothing live needs this loop.

    What fell due during the round (after `round_started`) is due now: a slot may be waiting on
    it. A reading due before the round and still due was left by the per-account poll limit: it
    waits a tenth of the poll interval, not a busy loop. A back-off already over needs no loop:
    the dispatcher tried it, and a slot freeing up starts the next try (timeline.move). A create
    call waiting to be looked up again (reconcile.py) is due at its `not_before`. While tasks
    wait in the queue, an account's cool-down ending is due too: nothing else would wake the
    dispatcher when the accounts it skipped can take work again.
    """
    now = timezone.now()
    since = round_started or now
    polls = MotionTask.objects.filter(state__in=TRACKED, next_poll_at__isnull=False)
    waits = MotionTask.objects.filter(
        Q(state=State.QUEUED) | Q(state=State.SUBMITTING), not_before__gt=since
    )
    moments = [
        polls.filter(next_poll_at__gt=since)
        .order_by("next_poll_at")
        .values_list("next_poll_at", flat=True)
        .first(),
        waits.order_by("not_before").values_list("not_before", flat=True).first(),
    ]
    if MotionTask.objects.filter(state=State.QUEUED).exists():
        moments.append(
            KlingAccount.active.filter(health=Health.COOLING_DOWN, health_until__gt=since)
            .order_by("health_until")
            .values_list("health_until", flat=True)
            .first()
        )
    if polls.filter(next_poll_at__lte=since).exists():
        moments.append(now + timedelta(seconds=settings.MOTIONHUB_POLL_SECONDS / 10))
    moments = [m for m in moments if m is not None]
    if not moments:
        return None
    return max((min(moments) - now).total_seconds(), 0.0)
