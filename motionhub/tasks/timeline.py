"""State changes of a motion task, always by conditional update and always with a timeline row.

`move(task_id, from_states, to_state, ...)` is the one way a task changes state: it updates the
row only if it is still in one of `from_states` (so two workers, a poll and a callback can race
safely: exactly one wins) and records the TaskEvent, and the home page's per-day count
(rollup.py), in the same transaction.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from motionhub.tasks import daycount
from motionhub.tasks.models import FINAL, MotionTask, State, TaskEvent


def move(
    task_id: int,
    from_states: Iterable[str],
    to_state: str,
    *,
    source: str,
    detail: str = "",
    only_if: dict | None = None,
    **fields,
) -> bool:
    """Move the task to `to_state` if it is in `from_states`; True when this call did it.

    `only_if` adds conditions on other columns (e.g. the claim a job was started for).
    """
    from_states = list(from_states)
    only_if = only_if or {}
    if to_state in FINAL:
        fields.setdefault("finished_at", timezone.now())
        fields.setdefault("next_poll_at", None)
    with transaction.atomic():
        found = (
            MotionTask.objects.filter(pk=task_id, state__in=from_states, **only_if)
            .values_list("state", "created_at")
            .first()
        )
        if found is None:
            return False
        current, created_at = found
        changed = MotionTask.objects.filter(pk=task_id, state=current, **only_if).update(
            state=to_state, updated_at=timezone.now(), **fields
        )
        if not changed:
            return False
        TaskEvent.objects.create(
            task_id=task_id, from_state=current, to_state=to_state, source=source, detail=detail
        )
        # Last, so the home page's shared count rows stay locked only until the commit.
        daycount.moved(created_at, current, to_state)
    if to_state in FINAL or to_state in (State.QUEUED, State.NEEDS_ATTENTION):
        # A slot may have freed up: let the dispatcher hand it to the next queued task.
        from motionhub.tasks import dispatch

        dispatch.soon()
    return True


def note(task_id: int, *, source: str, detail: str, state: str = "") -> None:
    """A timeline row that is not a state change (e.g. "video uploaded")."""
    TaskEvent.objects.create(
        task_id=task_id, from_state=state, to_state=state, source=source, detail=detail
    )
