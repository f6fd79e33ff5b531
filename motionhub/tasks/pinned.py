"""Queued tasks pinned to an account that cannot take them: say why, and let a person move them.

A task submitted for one account waits for that account's free slot. If the account is
disabled, removed or unhealthy (needs re-login, out of credits, cooling down) meanwhile, no slot
comes: `note_unusable()` (a heartbeat step)
writes why on the task, once, and clears it again should the account come back; a person moves
the task to another account, or to "automatic", with `move()` (the task page's Move button).
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q

from motionhub.accounts.models import KlingAccount
from motionhub.tasks import dispatch
from motionhub.tasks.models import Kind, MotionTask, State, TaskEvent

UNUSABLE = "account_unusable"
_WHY = {
    "disabled": "The account {name} is disabled, so this task cannot start on it.",
    "removed": "The account {name} was removed, so this task cannot start on it.",
}
_TO_DO = " Move it to another account (or to automatic) on this page, or cancel it."
_UNHEALTHY = (
    "The account {name} cannot take work now: {state}{reason}. This task waits and starts by "
    "itself once the account recovers (the health check reads it every few minutes)."
)

_PINNED = MotionTask.objects.filter(state=State.QUEUED, auto_account=False, account__isnull=False)


def note_unusable() -> int:
    """Say why on every queued task pinned to a disabled or removed account. Returns how many.

    Written once: a task that says so already is not written again, so a beat that finds
    nothing new writes nothing (a plain read first, no write lock).
    """
    noted = 0
    for why, accounts in (
        ("removed", Q(account__removed_at__isnull=False)),
        ("disabled", Q(account__removed_at__isnull=True, account__enabled=False)),
    ):
        waiting = _PINNED.filter(accounts).exclude(error_category=UNUSABLE)
        rows = waiting.values_list("pk", "account__label", "account__email")[:500]
        for task_id, label, email in rows:
            message = _WHY[why].format(name=label or email) + _TO_DO
            noted += MotionTask.objects.filter(pk=task_id, state=State.QUEUED).update(
                error_category=UNUSABLE, error_message=message
            )
    # Enabled but unhealthy (health.py): the note follows the account's state as it changes.
    sick = (
        _PINNED.filter(account__removed_at__isnull=True, account__enabled=True)
        .exclude(account__in=KlingAccount.objects.usable())
        .values_list("account_id", flat=True)
    )
    for account in KlingAccount.objects.filter(pk__in=set(sick[:500])):
        message = unhealthy_message(account.display_name, account.health_label,
                                    account.health_reason)  # fmt: skip
        noted += (
            _PINNED.filter(account=account)
            .exclude(error_message=message)
            .update(error_category=UNUSABLE, error_message=message)
        )
    # The account is back (enabled again, re-added, healthy): the note no longer holds.
    back = _PINNED.filter(error_category=UNUSABLE, account__in=KlingAccount.objects.usable())
    if back.exists():
        MotionTask.objects.filter(pk__in=list(back.values_list("pk", flat=True))).update(
            error_category="", error_message=""
        )
        dispatch.soon()
    return noted


def unhealthy_message(name: str, state: str, reason: str = "") -> str:
    """Why a task pinned to an unhealthy account waits, and what to do."""
    reason = f" ({reason.rstrip('.')})" if reason else ""
    return _UNHEALTHY.format(name=name, state=state, reason=reason) + _TO_DO


def targets() -> list[KlingAccount]:
    """The accounts a person may move a queued task to."""
    return list(KlingAccount.active.filter(enabled=True).select_related("connection"))


def can_move(task: MotionTask) -> bool:
    # A motion-create task applies a motion of its own account: it cannot change account.
    return task.state == State.QUEUED and task.kind == Kind.MOTION_UPLOAD


def move(task: MotionTask, account: KlingAccount | None, *, by: str) -> bool:
    """Move a queued motion upload to `account` (None: automatic). False if it has started."""
    if task.kind != Kind.MOTION_UPLOAD:
        return False
    if account is not None and not (account.enabled and account.removed_at is None):
        return False
    where = "automatic" if account is None else account.display_name
    with transaction.atomic():
        moved = MotionTask.objects.filter(pk=task.pk, state=State.QUEUED).update(
            account=account,
            auto_account=account is None,
            not_before=None,
            error_category="",
            error_message="",
        )
        if not moved:
            return False
        TaskEvent.objects.create(
            task_id=task.pk, from_state=State.QUEUED, to_state=State.QUEUED,
            source=TaskEvent.Source.PERSON, detail=f"Moved to {where} by {by}.",
        )  # fmt: skip
        dispatch.soon()
    return True
