"""Back to the queue for a later attempt, a bounded number of times: for a submission that
upstream clearly refused for now (429, a 503 that says so), or a create call proved never to
have arrived (reconcile.py's checked resend).
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from motionhub.tasks import timeline
from motionhub.tasks.models import MotionTask, State, TaskEvent
from motionhub.useapi import UseapiError
from motionhub.useapi.errors import NoFreeSlot

WORKER = TaskEvent.Source.WORKER


def back_off(
    task: MotionTask, exc: UseapiError, from_state: str, *, checked: str = "",
    only_if: dict | None = None,
) -> None:  # fmt: skip
    """Back to the queue for a later attempt (bounded), or failed once the attempts are spent.

    `checked` says what proved a create call never arrived, when it did not answer clearly;
    `only_if` holds the move to the claim the caller acted on (see timeline.move).
    """
    attempts = task.attempts + (0 if isinstance(exc, NoFreeSlot) else 1)
    said = f"{exc} {checked}".strip()
    if attempts >= settings.MOTIONHUB_MAX_ATTEMPTS:
        timeline.move(task.pk, [from_state], State.FAILED, source=WORKER,
                      detail=f"Gave up after {attempts} attempts: {said}",
                      error_category=exc.category, error_message=str(exc),
                      attempts=attempts, only_if=only_if)  # fmt: skip
        return
    delay = backoff_seconds(attempts, exc.retry_after)
    timeline.move(task.pk, [from_state], State.QUEUED, source=WORKER,
                  detail=f"{said} Trying again in {delay:.0f} s.",
                  attempts=attempts, not_before=timezone.now() + timedelta(seconds=delay),
                  only_if=only_if,
                  error_category=exc.category, error_message=str(exc))  # fmt: skip


def backoff_seconds(attempts: int, retry_after: float | None) -> float:
    if retry_after is not None:
        return min(max(retry_after, 1.0), 600.0)
    return min(settings.MOTIONHUB_BACKOFF_SECONDS * (2 ** max(attempts - 1, 0)), 600.0)
