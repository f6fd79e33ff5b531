"""The sandbox's clock: a task with a replyUrl has its final callback sent when it ends.

useapi calls a task's replyUrl once the job has completed or failed
(shared/reference/useapi-kling-api.md §9), whether or not anybody reads the task. The sandbox's
status is a function of the clock (lifecycle.py), and without this a change was noticed only
when someone read the task or the minute's `tick` ran, so a callback could never come before
the poll that would have seen the same thing.

The clock's callbacks are POSTed from a small pool of this process's threads, not through a
django-q2 job: useapi calls back when the job ends, and a broker hop here would be a delay the
real upstream does not have (bench/slots.py measures the dashboard's, not the sandbox's).

Each web process keeps the end times of the tasks it created (a heap) and one daemon thread
that wakes at the next one and records the final status (`notify.record`, a compare-and-set:
whoever notices first — this clock, a read, the tick — sends the one callback). The thread
starts with the first task that needs it. It is memory only: a process that stops forgets its
timers, and the scheduled `tick` still announces those tasks within a minute.
"""

from __future__ import annotations

import heapq
import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

from django.conf import settings
from django.db import connections

from motionhub.sandbox import jobs, lifecycle, notify
from motionhub.sandbox.models import Task

log = logging.getLogger(__name__)

_due: list[tuple[float, int]] = []  # (end as time.time(), task id)
_changed = threading.Condition()
_thread: threading.Thread | None = None


def enabled() -> bool:
    return bool(getattr(settings, "MOTIONHUB_SANDBOX_CALLBACK_AT_END", True))


def announce_at_end(task_id: int, created: datetime) -> None:
    """Have the task's final callback sent at its end (created + the task time)."""
    global _thread
    at = (created + lifecycle.duration()).timestamp()
    with _changed:
        heapq.heappush(_due, (at, task_id))
        if _thread is None or not _thread.is_alive():
            _thread = threading.Thread(target=_run, name="sandbox-clock", daemon=True)
            _thread.start()
        _changed.notify()


def announce(task_id: int, deliver=None) -> bool:
    """Record the task's status now; True when that announced its end (a callback is sent,
    by `deliver(callback_id)` if given, else by a django-q2 job)."""
    task = Task.objects.select_related("account").filter(pk=task_id).first()
    if task is None:
        return False
    status = lifecycle.status_of(task)
    return status.final and notify.record(task, status, deliver)


_senders = ThreadPoolExecutor(max_workers=4, thread_name_prefix="sandbox-callback")


def _send_now(callback_id: int) -> None:
    _senders.submit(_send, callback_id)


def _send(callback_id: int) -> None:
    try:
        jobs.deliver_callback(callback_id)  # records the answer, or the error, on the Callback
    except Exception:  # the pool goes on; the Callback row shows it was attempted
        log.exception("sandbox clock: sending callback %s failed", callback_id)
    finally:
        connections.close_all()


def _run() -> None:
    while True:
        with _changed:
            while not _due or _due[0][0] > time.time():
                _changed.wait(timeout=(_due[0][0] - time.time()) if _due else None)
            _, task_id = heapq.heappop(_due)
        try:
            announce(task_id, deliver=_send_now)
        except Exception:  # the clock goes on; the tick announces this task later
            log.exception("sandbox clock: announcing task %s failed", task_id)
        finally:
            # This thread's own connection is not kept open between timers: an idle one would
            # hold the database (PostgreSQL refuses to drop a test database still connected).
            connections.close_all()
