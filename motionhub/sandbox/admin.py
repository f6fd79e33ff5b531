"""The sandbox in the Django admin: its settings are editable, everything else is read-mostly."""

from __future__ import annotations

from django.contrib import admin

from motionhub.sandbox.models import (
    TASK_COST,
    Account,
    Asset,
    Callback,
    CreateCall,
    SandboxConfig,
    Task,
)

LOW_CREDITS = 2 * TASK_COST


@admin.register(SandboxConfig)
class SandboxConfigAdmin(admin.ModelAdmin):
    list_display = (
        "__str__",
        "shape",
        "rate_429",
        "rate_500",
        "rate_503",
        "rate_502",
        "rate_504",
        "rate_slow",
    )

    def has_add_permission(self, request) -> bool:
        return not SandboxConfig.objects.exists()

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ReadMostlyAdmin(admin.ModelAdmin):
    """Rows the simulator writes: visible and deletable, never edited by hand."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Account)
class AccountAdmin(ReadMostlyAdmin):
    list_display = ("email", "max_jobs", "credits", "session_broken", "throttle_left",
                    "namespace_short", "created")  # fmt: skip
    search_fields = ("email",)
    actions = ["break_session", "repair_session", "set_credits_low", "throttle_five"]

    @admin.action(description="Break the session (every call → 596 until re-added)")
    def break_session(self, request, queryset) -> None:
        queryset.update(session_broken=True)

    @admin.action(description="Repair the session")
    def repair_session(self, request, queryset) -> None:
        queryset.update(session_broken=False)

    @admin.action(description=f"Set the balance low ({LOW_CREDITS} points: two tasks left)")
    def set_credits_low(self, request, queryset) -> None:
        queryset.update(credits=LOW_CREDITS)

    @admin.action(description="Answer the next 5 create calls 429")
    def throttle_five(self, request, queryset) -> None:
        queryset.update(throttle_left=5)

    @admin.display(description="token (SHA-256)")
    def namespace_short(self, obj: Account) -> str:
        return obj.namespace[:12] + "…"


@admin.register(Asset)
class AssetAdmin(ReadMostlyAdmin):
    list_display = ("file_name", "kind", "content_type", "size", "account", "created")
    list_filter = ("kind",)


@admin.register(Task)
class TaskAdmin(ReadMostlyAdmin):
    list_display = ("id", "type", "account", "created", "last_notified_status", "reply_url")
    list_filter = ("type",)


@admin.register(Callback)
class CallbackAdmin(ReadMostlyAdmin):
    list_display = ("task_id", "status", "url", "attempted_at", "http_status", "error")


@admin.register(CreateCall)
class CreateCallAdmin(ReadMostlyAdmin):
    list_display = ("task_id", "type", "email", "created_at")
