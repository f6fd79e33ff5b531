"""Recorded when a task succeeds (tasks.track.task_succeeded): its balance before and after.

The create call's answer and every task reading carry the account's `userPoints.total`; the
first is the balance as the task was accepted, the final reading's the balance once it was made.
The difference is the task's credits (where both are known and it did not grow: a top-up, or
other tasks of the account finishing meanwhile, make it a bound rather than an exact figure).
"""

from __future__ import annotations

from motionhub.tasks.models import MotionTask
from motionhub.usage.models import TaskSpend


def balance(raw: dict | None) -> int | None:
    points = (raw or {}).get("userPoints")
    total = points.get("total") if isinstance(points, dict) else None
    return int(total) if isinstance(total, int | float) and not isinstance(total, bool) else None


def record(task_id: int) -> TaskSpend | None:
    upstream = MotionTask.objects.filter(pk=task_id).values_list("upstream", flat=True).first()
    if upstream is None:
        return None
    before, after = balance(upstream.get("create")), balance(upstream.get("task"))
    used = before - after if before is not None and after is not None else None
    spend, _ = TaskSpend.objects.update_or_create(
        task_id=task_id,
        defaults={
            "balance_before": before,
            "balance_after": after,
            "credits": used if used is None or used >= 0 else None,
        },
    )
    return spend


def on_task_succeeded(sender, task_id: int, **kwargs) -> None:
    record(task_id)
