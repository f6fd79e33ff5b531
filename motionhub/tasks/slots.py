"""Keeping slots full: the dispatcher job that a freed slot or a new task starts at once.

`wake.dispatch_soon()` (what `dispatch.soon()` and every slot-freeing `timeline.move` call)
enqueues this job at most once at a time; it clears that mark before reading the queue, then
hands free slots to the oldest queued tasks.
"""

from __future__ import annotations

from motionhub.tasks import dispatch as dispatcher
from motionhub.tasks import wake


def dispatch() -> int:
    wake.dispatcher_started()
    return dispatcher.run()
