from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "motionhub.core"
    label = "core"
    verbose_name = "MotionHub"

    def ready(self) -> None:
        from motionhub.core import checks  # noqa: F401  (registers the system checks)
