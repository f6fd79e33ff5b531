from __future__ import annotations

from django.contrib import admin

from motionhub.accounts.models import AccountChange, Connection, KlingAccount


@admin.register(Connection)
class ConnectionAdmin(admin.ModelAdmin):
    # The token is never shown; it is changed on the Accounts page.
    list_display = ["name", "base_url", "last_synced_at", "last_error"]
    fields = ["name", "base_url", "created_at", "created_by", "last_synced_at", "last_error"]
    readonly_fields = ["created_at", "created_by", "last_synced_at", "last_error"]

    def has_add_permission(self, request):
        return False  # added on the Accounts page, which encrypts the token


@admin.register(KlingAccount)
class KlingAccountAdmin(admin.ModelAdmin):
    list_display = ["email", "label", "connection", "max_jobs", "enabled", "credits", "removed_at"]
    list_filter = ["connection", "enabled"]
    readonly_fields = [
        "connection", "email", "max_jobs", "session_expires_at", "credits", "slots_in_use",
        "last_synced_at", "last_error", "created_at", "removed_at",
    ]  # fmt: skip

    def has_add_permission(self, request):
        return False  # accounts are added upstream first, from the Accounts page


@admin.register(AccountChange)
class AccountChangeAdmin(admin.ModelAdmin):
    list_display = ["created_at", "action", "email", "connection", "state", "requested_by"]
    list_filter = ["action", "state"]
    exclude = ["secret_encrypted"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
