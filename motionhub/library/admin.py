from __future__ import annotations

from django.contrib import admin

from motionhub.library.models import LibrarySync, MotionDeletion


@admin.register(LibrarySync)
class LibrarySyncAdmin(admin.ModelAdmin):
    list_display = ("account", "last_synced_at", "last_attempt_at", "running_since", "last_error")
    list_select_related = ("account",)

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(MotionDeletion)
class MotionDeletionAdmin(admin.ModelAdmin):
    """Read-only: deletions are history; their outcome is set by the job."""

    list_display = ("requested_at", "motion_name", "upstream_task_id", "account", "state")
    list_filter = ("state",)
    list_select_related = ("account",)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
