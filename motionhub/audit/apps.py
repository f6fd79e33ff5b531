from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "motionhub.audit"
    label = "audit"
    verbose_name = "Audit log"

    def ready(self) -> None:
        from motionhub.audit import signals  # noqa: F401  (connects the sign-in and role receivers)
