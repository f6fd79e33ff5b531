"""Keeping the library fresh when something elsewhere changes it."""

from __future__ import annotations

from typing import Any

from motionhub.library import jobs
from motionhub.tasks.models import Kind, MotionTask


def refresh_after_upload(sender: Any, task_id: int, **kwargs: Any) -> None:
    """A motion upload succeeded: its motion is now in the account's "mine" list upstream.

    Applying a motion to an image (motion-create) adds nothing to the library, so only uploads
    trigger a refresh. `request_refresh` enqueues on commit, after the success is stored.
    """
    account_id = (
        MotionTask.objects.filter(pk=task_id, kind=Kind.MOTION_UPLOAD)
        .values_list("account_id", flat=True)
        .first()
    )
    if account_id is not None:
        jobs.request_refresh([account_id])
