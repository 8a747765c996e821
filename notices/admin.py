from django.contrib import admin

from notices.models import Circular, DocNumber, Office


@admin.register(Office)
class OfficeAdmin(admin.ModelAdmin):
    list_display = ("name", "header", "doc_prefix")


@admin.register(DocNumber)
class DocNumberAdmin(admin.ModelAdmin):
    list_display = ("prefix", "year", "last")
    # Numbers are taken by publication only: editing them by hand would skip or reuse one.
    readonly_fields = ("prefix", "year", "last")

    def has_add_permission(self, request):
        return False


@admin.register(Circular)
class CircularAdmin(admin.ModelAdmin):
    list_display = ("title", "doc_number", "period", "status", "published_at")
    list_filter = ("status",)
    # Drafting, approval and publication go through the dashboard, which logs every act.
    readonly_fields = tuple(f.name for f in Circular._meta.fields)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
