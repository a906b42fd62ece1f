from django.contrib import admin
from django.http import HttpRequest

from audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """The audit trail, read-only: events are written by the services only."""

    list_display = ["created_at", "action", "organization", "actor_email", "target"]
    list_filter = ["organization", "action"]
    list_select_related = ["organization"]
    search_fields = ["actor_email", "target"]
    date_hierarchy = "created_at"
    fields = [
        "created_at",
        "action",
        "organization",
        "actor",
        "actor_email",
        "target",
        "details",
    ]
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False
