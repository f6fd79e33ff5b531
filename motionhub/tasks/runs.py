"""Accepting a run: several clips of one upload become one batch of motion-upload tasks.

Every clip's files are stored first (outside any transaction: a cover frame per clip takes a
while, and a write transaction that long would hold up every worker), then the batch and all its
tasks are saved in one transaction: either the whole run is queued, or nothing of it is (and
the files already stored are deleted). The dispatcher starts once, after the commit.
"""

from __future__ import annotations

from django.db import transaction

from motionhub.tasks import accept
from motionhub.tasks.forms import MotionUploadForm
from motionhub.tasks.models import Batch, Kind, MotionTask


def accept_run(form: MotionUploadForm, user) -> Batch:
    tasks: list[MotionTask] = []
    try:
        for clip in form.clips:
            tasks.append(accept.prepare_upload(form, clip, user))
        with transaction.atomic():
            batch = Batch.objects.create(
                kind=Kind.MOTION_UPLOAD,
                name=form.cleaned_data.get("name", ""),
                created_by=user,
                refused=[{"name": name, "reason": reason} for name, reason in form.refused],
            )
            detail = f"Submitted by {user.get_username()} in batch #{batch.pk}."
            for task in tasks:
                task.batch = batch
                accept._queue(task, detail)
    except BaseException:
        for task in tasks:
            accept.discard_files(task)
        raise
    return batch
