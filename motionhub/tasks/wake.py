"""Waking the task heartbeat from anywhere in the pipeline, by the job's dotted name.

Submitting wakes tracking, and tracking (through the sweep) may resubmit: importing the
heartbeat module here would close that loop, so the job is named, not imported.
"""

from __future__ import annotations

from django.db import transaction
from django_q.conf import Conf
from django_q.tasks import async_task

HEARTBEAT_JOB = "motionhub.tasks.heartbeat.run"


def heartbeat_soon() -> None:
    """Start a heartbeat now (e.g. a task was just submitted) instead of at the next schedule.

    If one is already looping, its lease makes this one return at once. In django-q2's sync
    mode (no workers) the loop would run inside the caller for up to a minute, so there the
    schedule alone drives it.
    """
    if Conf.SYNC:
        return
    transaction.on_commit(lambda: async_task(HEARTBEAT_JOB))
