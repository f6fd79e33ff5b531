from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CoreConfig(AppConfig):
    name = "motionhub.core"
    label = "core"
    verbose_name = "MotionHub"

    def ready(self) -> None:
        from motionhub.core import checks  # noqa: F401  (registers the system checks)
        from motionhub.core.schedules import ensure_schedules

        post_migrate.connect(ensure_schedules, sender=self, dispatch_uid="motionhub-schedules")
