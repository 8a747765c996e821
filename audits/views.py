from django.http import JsonResponse
from django.shortcuts import get_object_or_404, render

from audits.models import InspectionRun
from units.decorators import office_required


@office_required
def run_list(request):
    runs = InspectionRun.objects.select_related("unit", "website")[:100]
    return render(request, "audits/run_list.html", {"runs": runs})


@office_required
def run_detail(request, pk):
    run = get_object_or_404(InspectionRun, pk=pk)
    observations = run.observations.select_related("website", "column").order_by(
        "website__name", "kind", "url"
    )
    return render(request, "audits/run_detail.html", {"run": run, "observations": observations})


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
