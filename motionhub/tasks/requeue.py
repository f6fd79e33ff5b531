"""A task whose account turns out unhealthy while it is being sent goes back to the queue.

A 596 (or a Kling session error, or a credit error) on `POST /assets` or on a create call that
clearly created nothing (reconcile.created_nothing) is the account's trouble, not the task's:
the account's health changes (accounts/health.py), and the task is queued again without an
attempt counted. An "automatic" task is then sent on a healthy account (submit uploads its
assets again there); a pinned one waits, saying why (pinned.py), until its account recovers.
"""

from __future__ import annotations

from motionhub.accounts import health
from motionhub.accounts.models import Health
from motionhub.tasks import pinned, reconcile, timeline
from motionhub.tasks.models import MotionTask, State, TaskEvent
from motionhub.useapi import UseapiError

WORKER = TaskEvent.Source.WORKER
_WHERE = {
    State.UPLOADING: "Uploading the inputs (POST /assets)",
    State.SUBMITTING: "The create call",
}


def on_account_trouble(task: MotionTask, exc: UseapiError, from_state: str) -> bool:
    """Record what the error says of the account; True when the task went back to the queue."""
    turned = health.note_error(task.account_id, exc, where=_WHERE.get(from_state, "A call"))
    if turned is None:
        return False
    if from_state == State.SUBMITTING and not reconcile.created_nothing(exc):
        return False  # it may exist upstream: the look-up decides, never a resend
    name = task.account.display_name if task.account else "the account"
    state = Health(turned).label
    claim = {"claimed_at": task.claimed_at, "account_id": task.account_id}
    if task.auto_account:
        detail = (f"{name} {state}: {exc} Nothing was made upstream; queued again for a "
                  "healthy account.")  # fmt: skip
        fields = {"error_category": "", "error_message": ""}
    else:
        detail = f"{name} {state}: {exc} Nothing was made upstream; waiting for the account."
        message = pinned.unhealthy_message(name, state, str(exc))
        fields = {"error_category": pinned.UNUSABLE, "error_message": message}
    return timeline.move(task.pk, [from_state], State.QUEUED, source=WORKER, detail=detail,
                         not_before=None, only_if=claim, **fields)  # fmt: skip
