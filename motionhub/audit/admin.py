from __future__ import annotations

import json

from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin

from motionhub.audit.actions import Action, Outcome
from motionhub.audit.log import record
from motionhub.audit.models import AuditEntry
from motionhub.audit.signals import attach_request

User = get_user_model()


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only for everyone, superusers included: the log is append-only."""

    list_display = [
        "at", "actor_name", "action", "target_label", "target_id", "account_label", "outcome",
        "ip",
    ]  # fmt: skip
    list_filter = ["action", "outcome", "at"]
    search_fields = ["actor_name", "target_label", "=target_id", "account_label"]
    # No date_hierarchy and no full count: both scan the whole log. /audit/ is the fast way
    # to browse it; this list is for the admin's own habits.
    show_full_result_count = False

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class AuditedUserAdmin(UserAdmin):
    """Django's people admin, with each addition, change and deletion in the audit log.

    Role changes (groups) are recorded by the m2m_changed receiver; this admin attaches its
    request to the user being saved so those entries know who made the change and from where.
    """

    def save_model(self, request, obj, form, change) -> None:
        attach_request(obj, request)
        super().save_model(request, obj, form, change)
        # Superusers count as admins, so this flag is a role too.
        if change and "is_superuser" in form.changed_data:
            detail = "made superuser" if obj.is_superuser else "superuser status removed"
            record(request, Action.ROLE_CHANGE, target=obj, detail=detail)

    def log_addition(self, request, obj, message):
        record(request, Action.USER_CREATE, target=obj)
        return super().log_addition(request, obj, message)

    def log_change(self, request, obj, message):
        record(request, Action.USER_UPDATE, target=obj, detail=_readable(message))
        return super().log_change(request, obj, message)

    def log_deletions(self, request, queryset):
        # Called before the rows go, so each person's name and id are still there to copy.
        for user in queryset:
            record(request, Action.USER_DELETE, target=user, outcome=Outcome.OK)
        return super().log_deletions(request, queryset)


def _readable(change_message) -> str:
    """The admin's structured change message as text ("Changed Email address and Groups.").

    It names the fields that changed, never their values, so no password hash ends up here.
    """
    if not isinstance(change_message, str):
        change_message = json.dumps(change_message)
    return LogEntry(change_message=change_message).get_change_message()


if admin.site.is_registered(User):
    admin.site.unregister(User)
admin.site.register(User, AuditedUserAdmin)
