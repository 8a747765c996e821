from django.shortcuts import render
from django_tables2 import RequestConfig

from core.models import AuditLogEntry
from dashboard.filters import AuditLogFilter
from dashboard.pagination import KeysFirstPaginator
from dashboard.tables import AuditLogTable
from dashboard.views._util import export_or_none
from units.decorators import office_required


@office_required
def audit_log(request):
    """Who, when, what, before and after; filtered by object, user and action."""
    found = AuditLogFilter(
        request.GET, queryset=AuditLogEntry.objects.select_related("actor", "object_type")
    )
    table = AuditLogTable(found.qs)
    if response := export_or_none(request, table, "操作日志"):
        return response
    RequestConfig(
        request, paginate={"per_page": 100, "paginator_class": KeysFirstPaginator}
    ).configure(table)
    return render(
        request,
        "dashboard/audit_log.html",
        {"filter": found, "table": table, "query": request.GET.urlencode()},
    )
