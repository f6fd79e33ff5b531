from django.contrib import admin

from motionhub.tokens.models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Read-only: an admin sees who holds which token (never its secret) and when it was used."""

    list_display = ("name", "owner", "prefix", "created_at", "last_used_at", "revoked_at")
    list_filter = ("revoked_at",)
    readonly_fields = ("owner", "name", "prefix", "created_at", "last_used_at", "revoked_at")
    exclude = ("secret_sha256",)

    def has_add_permission(self, request):
        return False
