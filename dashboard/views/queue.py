import datetime as dt

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST
from django_tables2 import RequestConfig

from audits.models import Finding, Observation
from audits.selectors import latest_period
from audits.services import review
from dashboard.filters import FindingFilter
from dashboard.pagination import KeysFirstPaginator
from dashboard.tables import FindingQueueTable
from dashboard.views._util import export_or_none
from units.decorators import office_required

PER_PAGE = 50


def _attach_evidence(findings) -> None:
    """The observation behind each finding on the page and the items it saw: one query."""
    wanted = {(f.run_id, f.website_id, f.url) for f in findings if f.run_id and f.url}
    seen = {}
    if wanted:
        rows = Observation.objects.filter(
            run_id__in={r for r, _, _ in wanted},
            website_id__in={w for _, w, _ in wanted},
            url__in={u for _, _, u in wanted},
        ).values_list("run_id", "website_id", "url", "pk", "evidence__items")
        seen = {(run, site, url): (pk, items or []) for run, site, url, pk, items in rows}
    for f in findings:
        f.observation_id, f.seen_items = seen.get((f.run_id, f.website_id, f.url), (None, []))


@office_required
def review_queue(request):
    """Findings across all sites, filtered (django-filter), paginated, with their evidence;
    confirm or dismiss in bulk with one reason."""
    data = request.GET.copy()
    if not data:
        data["status"] = Finding.Status.PENDING
        period = latest_period()
        if period:
            data["period"] = period.code
    # Newest first by id (the model's default ordering would sort every matching row through a
    # join with units before paging).
    queryset = Finding.objects.select_related(
        "unit", "website", "account", "period", "column"
    ).order_by("-pk")
    found = FindingFilter(data, queryset=queryset)
    table = FindingQueueTable(found.qs)
    if response := export_or_none(request, table, "问题复核"):
        return response
    RequestConfig(
        request, paginate={"per_page": PER_PAGE, "paginator_class": KeysFirstPaginator}
    ).configure(table)
    _attach_evidence([row.record for row in table.page.object_list])
    return render(
        request,
        "dashboard/review_queue.html",
        {"filter": found, "table": table, "query": data.urlencode()},
    )


@office_required
@require_POST
def review_bulk(request):
    ids = [int(pk) for pk in request.POST.getlist("select") if pk.isdigit()]
    action = request.POST.get("action")
    note = request.POST.get("note", "").strip()
    until = request.POST.get("exempt_until") or None
    back = redirect(f"{request.path.rsplit('/bulk', 1)[0]}/?{request.POST.get('query', '')}")
    if not ids:
        messages.error(request, "请先勾选问题。")
        return back
    try:
        status = Finding.Status.CONFIRMED if action == "confirm" else Finding.Status.DISMISSED
        count = review.findings_review_bulk(
            Finding.objects.filter(pk__in=ids),
            user=request.user,
            status=status,
            note=note or ("批量确认" if action == "confirm" else ""),
            exempt_until=dt.date.fromisoformat(until) if until else None,
            exempt_site=request.POST.get("exempt_scope") == "site",
        )
        skipped = len(ids) - count
        text = f"已{'确认' if action == 'confirm' else '排除'} {count} 条问题"
        if skipped:
            text += f"；{skipped} 条未处理（单项否决和安全类候选问题须逐条确认，或已复核）"
        messages.success(request, text + "。")
    except ValueError as exc:
        messages.error(request, str(exc))
    return back
