"""Bulk actions over a set of tasks (a batch, or the history's filtered view).

Both go through the single-task paths, so the rules hold task by task: a retry is
`accept.retry` (a new task linked to the old one, one per task however often it is asked, never
a resend of an unanswered create call), a cancel is the conditional queued → canceled move that
a worker's claim races safely against.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from motionhub.tasks import accept, timeline
from motionhub.tasks.models import MotionTask, State, TaskEvent

if TYPE_CHECKING:
    from django.db.models import QuerySet

# Failed and rejected tasks are retried; one needing attention only once a person has checked
# that it is not running upstream after all (its create call's answer may have been lost).
RETRIED = (State.FAILED, State.REJECTED)


def to_retry(tasks: QuerySet, *, needs_attention: bool = False) -> QuerySet:
    """The tasks "Retry failed" would retry: not retried yet, in a retryable state, and with
    their inputs still kept (retention removes them: archive/retention.py)."""
    states = [*RETRIED, State.NEEDS_ATTENTION] if needs_attention else list(RETRIED)
    return tasks.filter(state__in=states, retried=False).exclude(inputs__has_key="removed_at")


def needing_attention(tasks: QuerySet) -> QuerySet:
    return tasks.filter(state=State.NEEDS_ATTENTION, retried=False)


def to_cancel(tasks: QuerySet) -> QuerySet:
    return tasks.filter(state=State.QUEUED)


def retry_all(tasks: QuerySet, user, *, needs_attention: bool = False) -> list[MotionTask]:
    """Retry each task of the set once; the new tasks made by this call, oldest first."""
    made = []
    for task in to_retry(tasks, needs_attention=needs_attention).order_by("created_at", "id"):
        new, now = accept.retry(task, user)
        if now:
            made.append(new)
    return made


def cancel_all(tasks: QuerySet, user, *, why: str = "") -> int:
    """Cancel every task of the set still queued; how many this call canceled."""
    detail = f"Canceled by {user.get_username()}{f' ({why})' if why else ''}."
    canceled = 0
    for pk in list(to_cancel(tasks).values_list("pk", flat=True)):
        if timeline.move(pk, [State.QUEUED], State.CANCELED, source=TaskEvent.Source.PERSON,
                         detail=detail):  # fmt: skip
            canceled += 1
    return canceled


def describe_retry(made: list[MotionTask], needs_attention: bool) -> str:
    """The audit entry's detail for one bulk retry: how many, and which became which."""
    if not made:
        return "Nothing to retry"
    ids = ", ".join(f"#{t.retry_of_id}→#{t.pk}" for t in made[:20])
    more = f" and {len(made) - 20} more" if len(made) > 20 else ""
    which = "failed, rejected or needing attention" if needs_attention else "failed or rejected"
    return f"{len(made)} {which} task(s) retried as new tasks: {ids}{more}"
