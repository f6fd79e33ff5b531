"""Keeping slots full: the dispatcher job that a freed slot or a new task starts at once.

`wake.dispatch_soon()` (what `dispatch.soon()` and every slot-freeing `timeline.move` call)
enqueues this job at most once at a time; it clears that mark before reading the queue, then
hands free slots to the oldest queued tasks.

The first task it claims it submits itself, here, instead of through one more job: a freed slot
is one broker hop (this job) from the next create call, not two. The others it claimed are
enqueued as before, each a submission job of its own, so a slow upload of that first task
holds up no other; and the mark was cleared before the queue was read, so a slot freed while
this job uploads starts another dispatcher. A worker dying mid-way leaves that task where any
submission job would (uploading or submitting), for the sweep to rescue by the same rules.

A verified callback is confirmed by `confirm_callback` here, for the same reason: when its
reading ends the task, this job hands the slot on itself rather than through a dispatcher job.
"""

from __future__ import annotations

from motionhub.tasks import dispatch as dispatcher
from motionhub.tasks import submit, track, wake
from motionhub.tasks.models import TRACKED, MotionTask


def dispatch() -> int:
    wake.dispatcher_started()
    first: list[int] = []
    started = dispatcher.run(keep_first=first)
    for task_id in first:
        submit.run(task_id)
    return started


def confirm_callback(task_id: int) -> None:
    """Job: a verified callback arrived; re-read the task, and hand on a slot that freed."""
    track.confirm_callback(task_id)
    if not MotionTask.objects.filter(pk=task_id, state__in=TRACKED).exists():
        dispatch()
