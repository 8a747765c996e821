from django.contrib import admin

from core.models import AuditLogEntry, Upload


@admin.register(AuditLogEntry)
class AuditLogEntryAdmin(admin.ModelAdmin):
    list_display = ("at", "actor", "action", "unit_id", "target")
    list_filter = ("action",)
    search_fields = ("target", "actor__username")

    # The audit log is append-only, also for superusers.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Upload)
class UploadAdmin(admin.ModelAdmin):
    list_display = ("filename", "kind", "uploaded_by", "uploaded_at", "applied_at")
    list_filter = ("kind",)
    exclude = ("data",)
    readonly_fields = ("filename", "kind", "sha256", "uploaded_by", "applied_at", "options")
