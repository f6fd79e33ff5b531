from __future__ import annotations

from django.contrib import admin

from motionhub.alerts.models import Alert, AlertRule, Delivery


@admin.register(AlertRule)
class AlertRuleAdmin(admin.ModelAdmin):
    list_display = ["kind", "enabled", "threshold"]


@admin.register(Alert)
class AlertAdmin(admin.ModelAdmin):
    list_display = ["opened_at", "kind", "text", "resolved_at"]
    list_filter = ["kind"]
    readonly_fields = ["key", "kind", "text", "account", "opened_at", "resolved_at"]

    # A record of what was told: never added, changed or deleted by hand.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["at", "alert", "event", "channel", "target", "ok", "attempts"]
    list_filter = ["channel", "ok", "event"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
