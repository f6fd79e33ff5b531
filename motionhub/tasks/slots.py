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
"""

from __future__ import annotations

from motionhub.tasks import dispatch as dispatcher
from motionhub.tasks import submit, wake


def dispatch() -> int:
    wake.dispatcher_started()
    first: list[int] = []
    started = dispatcher.run(keep_first=first)
    for task_id in first:
        submit.run(task_id)
    return started
