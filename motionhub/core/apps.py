from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CoreConfig(AppConfig):
    name = "motionhub.core"
    label = "core"
    verbose_name = "MotionHub"

    def ready(self) -> None:
        from django.contrib.auth.models import User
        from django.db.models.signals import m2m_changed

        from motionhub.core import (
            checks,  # noqa: F401  (registers the system checks)
            staff,
        )
        from motionhub.core.schedules import ensure_schedules

        post_migrate.connect(ensure_schedules, sender=self, dispatch_uid="motionhub-schedules")
        # Every app's permissions exist only after its own post_migrate: grant on each.
        post_migrate.connect(staff.grant_admin_permissions, dispatch_uid="motionhub-admin-perms")
        m2m_changed.connect(
            staff.sync_staff_flag, sender=User.groups.through, dispatch_uid="motionhub-staff"
        )
