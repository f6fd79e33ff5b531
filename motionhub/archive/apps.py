from __future__ import annotations

from django.apps import AppConfig


class ArchiveConfig(AppConfig):
    name = "motionhub.archive"
    label = "archive"
    verbose_name = "Archive"

    def ready(self) -> None:
        from motionhub.archive import jobs
        from motionhub.tasks.track import task_succeeded

        task_succeeded.connect(jobs.on_task_succeeded, dispatch_uid="motionhub-archive-results")
