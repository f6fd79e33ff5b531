"""Where the clean (watermark-free) file of a made video used to be asked for.

The archive job (motionhub/archive/) now owns GET /assets/download: it asks once when it keeps
the result and records the answer in `upstream["download"]`. This name stays only for jobs a
worker queued before that change: it hands them to the archive job, named, not imported (the
archive sits above the task pipeline).
"""

from __future__ import annotations

from django_q.tasks import async_task


def fetch_clean_download(task_id: int) -> None:
    async_task("motionhub.archive.jobs.archive_task", task_id, task_name=f"archive-{task_id}")
