"""The clean (watermark-free) master of a made video: GET /assets/download, asked once.

The archive job is the one owner of that call: it asks when it starts keeping a motion-create
result and records the answer in the task's `upstream["download"]` (`{"cdnUrl": …}` or
`{"error": …}`), which the task page reads (MotionTask.result) without calling out itself.
"""

from __future__ import annotations

from django.db import transaction

from motionhub.tasks.models import MotionTask
from motionhub.useapi import UseapiError


def wants_asking(task: MotionTask) -> bool:
    """Not asked yet, or asked and refused (a later archive run may get it after all)."""
    download = task.upstream.get("download")
    return download is None or (isinstance(download, dict) and "error" in download)


def ask_clean_download(task: MotionTask, client) -> dict:
    """Ask upstream for the clean MP4 of `task`'s work and record the answer on the task."""
    work_id = (task.upstream.get("result") or {}).get("work_id")
    if not work_id:
        found: dict = {"error": "Upstream gave no work id for the video."}
    else:
        try:
            download = client.download_asset(
                [work_id], file_types=["MP4"], email=task.account.email
            )
            found = {"cdnUrl": download.cdn_url}
        except UseapiError as exc:
            found = {"error": exc.explained}
    # Merge into what is stored now (tracking may have written since we read the task).
    with transaction.atomic():
        current = MotionTask.objects.select_for_update().get(pk=task.pk)
        current.upstream = {**current.upstream, "download": found}
        current.save(update_fields=["upstream", "updated_at"])
    task.upstream = current.upstream
    return found
