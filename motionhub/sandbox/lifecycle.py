"""Where a task stands, computed from its creation time and the clock: no background thread.

Over MOTIONHUB_SANDBOX_TASK_SECONDS a task is `submitted` (5) for the first quarter, then
`processing` (10), then final: `succeed` (99), or `failed` (50) for a `+fail` account. Only 99 is
confirmed by useapi's documentation; 5, 10 and 50 are the sandbox's choice (clients must go by
`status_final` and `status_name`). Because status is a pure function of time, "non-final" is a
plain database filter on `created`, which is what the slot count and the scheduler use.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from motionhub.sandbox import triggers
from motionhub.sandbox.models import Account, Task

SUBMITTED, PROCESSING, FAILED, SUCCEED = 5, 10, 50, 99
NAMES = {SUBMITTED: "submitted", PROCESSING: "processing", FAILED: "failed", SUCCEED: "succeed"}
SUBMITTED_SHARE = 0.25


@dataclass(frozen=True)
class Status:
    code: int
    error: str = ""
    gone: bool = False  # `+gone`: the task vanished when it would have finished

    @property
    def name(self) -> str:
        return NAMES[self.code]

    @property
    def final(self) -> bool:
        return self.code >= FAILED


def duration() -> timedelta:
    return timedelta(seconds=max(float(settings.MOTIONHUB_SANDBOX_TASK_SECONDS), 0.0))


def status_of(task: Task, now: datetime | None = None) -> Status:
    elapsed = (now or timezone.now()) - task.created
    if elapsed < duration() * SUBMITTED_SHARE:
        return Status(SUBMITTED)
    if elapsed < duration():
        return Status(PROCESSING)
    found = triggers.markers(task.account.email)
    if "gone" in found:
        return Status(FAILED, gone=True)
    if "fail" in found:
        return Status(FAILED, error=triggers.FAILURE_TEXT)
    return Status(SUCCEED)


def changed_at(task: Task, status: Status) -> datetime:
    """When the task reached `status` (its updateTime)."""
    if status.code == SUBMITTED:
        return task.created
    if status.code == PROCESSING:
        return task.created + duration() * SUBMITTED_SHARE
    return task.created + duration()


def running(tasks: QuerySet[Task]) -> QuerySet[Task]:
    """The non-final tasks among `tasks`."""
    return tasks.filter(created__gt=timezone.now() - duration())


def succeeded(account: Account) -> QuerySet[Task]:
    """The account's tasks that ended in `succeed`: each has one work."""
    if triggers.markers(account.email) & {"fail", "gone"}:
        return Task.objects.none()
    return account.tasks.filter(created__lte=timezone.now() - duration())


def user_motions(account: Account) -> QuerySet[Task]:
    """The account's own motions: its succeeded motion-upload tasks, newest first."""
    return succeeded(account).filter(type=Task.MOTION_PROCESS).order_by("-created", "-id")
