from __future__ import annotations

from django.apps import AppConfig


class LibraryConfig(AppConfig):
    name = "motionhub.library"
    label = "library"
    verbose_name = "Motions library"

    def ready(self) -> None:
        from motionhub.library import receivers
        from motionhub.tasks.track import task_succeeded

        task_succeeded.connect(
            receivers.refresh_after_upload, dispatch_uid="motionhub-library-refresh-after-upload"
        )
