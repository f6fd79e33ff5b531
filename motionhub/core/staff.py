"""The admin role manages people in the Django admin: give it the access that needs.

Django admin access takes `is_staff` plus model permissions. Members of the admin group get
both (kept in step with membership), so "admin" means the same in MotionHub and in /admin/.
"""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission, User

from motionhub.core.roles import ADMIN

# Apps whose models admins fully manage in /admin/; everything else is view-only there. (The
# alerts' own records refuse changes in their ModelAdmins: only the rules are managed.)
MANAGED_APPS = ("auth", "django_q", "sandbox", "alerts")


def grant_admin_permissions(**kwargs) -> None:
    """post_migrate: the admin group holds every permission of MANAGED_APPS, and view on all."""
    group, _ = Group.objects.get_or_create(name=ADMIN)
    wanted = Permission.objects.filter(content_type__app_label__in=MANAGED_APPS) | (
        Permission.objects.filter(codename__startswith="view_")
    )
    group.permissions.add(*wanted)


def sync_staff_flag(sender, instance, action, pk_set, reverse, **kwargs) -> None:
    """m2m_changed on User.groups: admins are staff, others are not (superusers stay staff)."""
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    users = [instance] if not reverse else list(User.objects.filter(pk__in=pk_set or []))
    if reverse and action == "post_clear":
        users = []
    for user in users:
        is_admin = user.is_superuser or user.groups.filter(name=ADMIN).exists()
        if user.is_staff != is_admin:
            User.objects.filter(pk=user.pk).update(is_staff=is_admin)
            user.is_staff = is_admin
