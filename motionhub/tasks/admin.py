"""Motion tasks in the Django admin: read-only, for an admin's habits.

Django's default changelist is kept on purpose (its counts, its offset pages): /tasks/ is the
fast way to browse the history, and `make bench` measures it against this page.
"""

from __future__ import annotations

from django.contrib import admin

from motionhub.tasks.models import MotionTask, TaskEvent


class TaskEventInline(admin.TabularInline):
    model = TaskEvent
    fields = ("at", "from_state", "to_state", "source", "detail")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(MotionTask)
class MotionTaskAdmin(admin.ModelAdmin):
    """Tasks change only through their state machine (timeline.move), never by hand."""

    list_display = (
        "id", "kind", "name", "account", "submitted_by", "state", "error_category",
        "created_at", "finished_at",
    )  # fmt: skip
    list_filter = ("state", "kind")
    # Both foreign keys are nullable, which Django's automatic select_related skips: without
    # this the page would run two queries per row.
    list_select_related = ("account", "submitted_by")
    search_fields = ("name", "=upstream_task_id")
    inlines = [TaskEventInline]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
