from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from audits.models import InspectionRun
from audits.services import runs
from dashboard.forms import StartRunForm
from dashboard.pagination import KeysFirstPaginator
from units.decorators import office_required
from units.models import Unit, Website


@office_required
def run_list(request):
    form = StartRunForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        unit = website = None
        if data["scope"] == "unit":
            unit = get_object_or_404(Unit, pk=data["unit"])
        elif data["scope"] == "site":
            website = get_object_or_404(Website, pk=data["website"])
        run = runs.run_start(
            trigger=InspectionRun.Trigger.STAFF,
            monitoring_point=data["monitoring_point"],
            period=data.get("period") or None,
            unit=unit,
            website=website,
            check_links=data.get("check_links", False),
            user=request.user,
        )
        messages.success(request, f"监测任务 #{run.pk} 已开始。")
        return redirect("dashboard:run_detail", pk=run.pk)
    page = Paginator(
        InspectionRun.objects.select_related("unit", "website", "period"), 50
    ).get_page(request.GET.get("page"))
    return render(request, "dashboard/run_list.html", {"page": page, "form": form})


@office_required
def run_detail(request, pk):
    run = get_object_or_404(InspectionRun.objects.select_related("period"), pk=pk)
    # By site id, kind and URL: an index order (a province run has a million observations).
    observations = run.observations.select_related("website", "column").order_by(
        "website_id", "kind", "url"
    )
    page = KeysFirstPaginator(observations, 100).get_page(request.GET.get("page"))
    outcomes = run.observations.order_by().values("outcome").annotate(n=Count("id"))
    failed = run.sites.filter(status="failed").select_related("website")
    return render(
        request,
        "dashboard/run_detail.html",
        {"run": run, "page": page, "outcomes": outcomes, "failed": failed},
    )


@office_required
def run_progress(request, pk):
    run = get_object_or_404(InspectionRun, pk=pk)
    return JsonResponse(
        {
            "status": run.status,
            "status_display": run.get_status_display(),
            "pages_done": run.pages_done,
            "pages_total": run.pages_total,
            "sites_done": run.sites_done,
            "sites_total": run.sites_total,
            "errors": run.errors,
        }
    )


@office_required
@require_POST
def run_cancel(request, pk):
    run = get_object_or_404(InspectionRun, pk=pk)
    if runs.run_cancel(run.pk, user=request.user):
        messages.success(request, "已取消。")
    return redirect("dashboard:run_detail", pk=pk)


@office_required
@require_POST
def run_retry(request, pk):
    run = get_object_or_404(InspectionRun, pk=pk)
    count = runs.run_retry_failed(run.pk, user=request.user)
    messages.success(request, f"已重新排队 {count} 个失败的网站。")
    return redirect("dashboard:run_detail", pk=pk)
