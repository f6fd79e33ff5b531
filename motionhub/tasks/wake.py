"""Waking the task heartbeat and the dispatcher from anywhere in the pipeline, by job name.

Submitting wakes tracking, and tracking (through the sweep) may resubmit: importing the
heartbeat module here would close that loop, so the job is named, not imported.
"""

from __future__ import annotations

import uuid

from django.db import transaction
from django_q.conf import Conf
from django_q.tasks import async_task

from motionhub.core.models import Lease

HEARTBEAT_JOB = "motionhub.tasks.heartbeat.run"
DISPATCH_JOB = "motionhub.tasks.slots.dispatch"
# Marks "a dispatcher job is queued and has not started yet"; expires in case it is lost.
DISPATCH_PENDING = "motionhub: dispatcher queued"
DISPATCH_PENDING_SECONDS = 10.0


def dispatch_soon() -> None:
    """Run the dispatcher in a worker once the current transaction commits — coalesced.

    Every accept, finish, back-off and release of a slot asks for a dispatcher; a burst of them
    (a dozen tasks ending in one poll round, a hundred uploads) starts one job, not one each. The
    mark is set after the commit and cleared by the job before it reads the queue, so a change
    committed while a job is queued is seen by that job, and one committed after the job began
    reading starts another: no wake-up is lost.
    """
    transaction.on_commit(_enqueue_dispatcher)


def _enqueue_dispatcher() -> None:
    if Lease.acquire(DISPATCH_PENDING, uuid.uuid4().hex, DISPATCH_PENDING_SECONDS):
        async_task(DISPATCH_JOB)


def dispatcher_started() -> None:
    """Called by the dispatcher job before it reads the queue: later changes start another."""
    Lease.objects.filter(name=DISPATCH_PENDING).delete()


def heartbeat_soon() -> None:
    """Start a heartbeat now (e.g. a task was just submitted) instead of at the next schedule.

    If one is already looping, its lease makes this one return at once. In django-q2's sync
    mode (no workers) the loop would run inside the caller for up to a minute, so there the
    schedule alone drives it.
    """
    if Conf.SYNC:
        return
    transaction.on_commit(lambda: async_task(HEARTBEAT_JOB))
