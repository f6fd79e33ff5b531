from __future__ import annotations

from django.apps import AppConfig


class UsageConfig(AppConfig):
    name = "motionhub.usage"
    label = "usage"
    verbose_name = "Usage"

    def ready(self) -> None:
        from motionhub.tasks.track import task_succeeded
        from motionhub.usage import spend

        task_succeeded.connect(spend.on_task_succeeded, dispatch_uid="motionhub-usage-spend")
