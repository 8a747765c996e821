from django.contrib import admin

from audits.models import AuditLogEntry, InspectionRun, Observation


@admin.register(InspectionRun)
class InspectionRunAdmin(admin.ModelAdmin):
    list_display = ("id", "scope", "period", "monitoring_point", "trigger", "status", "created_at")
    list_filter = ("status", "trigger", "scope")
    readonly_fields = ("created_at", "started_at", "finished_at")


@admin.register(Observation)
class ObservationAdmin(admin.ModelAdmin):
    list_display = ("kind", "website", "column", "outcome", "newest_date", "observed_at")
    list_filter = ("kind", "outcome")
    search_fields = ("url", "website__name")
    list_select_related = ("website", "column")
    raw_id_fields = ("run", "website", "column")


@admin.register(AuditLogEntry)
class AuditLogEntryAdmin(admin.ModelAdmin):
    list_display = ("at", "actor", "action", "unit", "target")
    list_filter = ("action",)
    search_fields = ("target", "actor__username")

    # The audit log is append-only, also for superusers.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
