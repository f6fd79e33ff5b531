"""After a video is made: ask upstream for the clean (watermark-free) file.

The result's watermarked URL comes with the task; GET /assets/download gives the clean master.
A job asks for it once the task succeeded, so the task page can offer it without calling out.
"""

from __future__ import annotations

from django.db import transaction
from django_q.tasks import async_task

from motionhub.tasks.models import Kind, MotionTask
from motionhub.useapi import UseapiError


def on_task_succeeded(sender, task_id: int, **kwargs) -> None:
    if MotionTask.objects.filter(pk=task_id, kind=Kind.MOTION_CREATE).exists():
        transaction.on_commit(
            lambda: async_task("motionhub.tasks.results.fetch_clean_download", task_id)
        )


def fetch_clean_download(task_id: int) -> None:
    task = MotionTask.objects.select_related("account__connection").filter(pk=task_id).first()
    if task is None or task.account is None:
        return
    work_id = (task.upstream.get("result") or {}).get("work_id")
    if not work_id:
        return
    try:
        download = task.account.connection.client().download_asset(
            [work_id], file_types=["MP4"], email=task.account.email
        )
        found = {"cdnUrl": download.cdn_url}
    except UseapiError as exc:
        found = {"error": exc.explained}
    # Merge into what is stored now (tracking may have written since we read the task).
    with transaction.atomic():
        current = MotionTask.objects.select_for_update().get(pk=task_id)
        current.upstream = {**current.upstream, "download": found}
        current.save(update_fields=["upstream", "updated_at"])
