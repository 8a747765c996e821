from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from audits.models import Evidence, Rectification
from audits.services.rectification import rectification_review
from core.http import private_file_response
from units.decorators import office_required


@office_required
def rectification_list(request):
    """Rectifications waiting for review (or, with ?status=, the others)."""
    status = request.GET.get("status") or Rectification.Status.SUBMITTED
    rows = (
        Rectification.objects.filter(status=status)
        .select_related(
            "finding__unit",
            "finding__website",
            "finding__account",
            "finding__period",
            "submitted_by",
            "reviewed_by",
        )
        .prefetch_related("evidence")
        .order_by("submitted_at")
    )
    page = Paginator(rows, 30).get_page(request.GET.get("page"))
    return render(
        request,
        "dashboard/rectification_list.html",
        {"page": page, "status": status, "statuses": Rectification.Status.choices},
    )


@office_required
@require_POST
def rectification_decide(request, pk):
    rectification = get_object_or_404(Rectification.objects.select_related("finding"), pk=pk)
    accept = request.POST.get("decision") == "accept"
    try:
        rectification_review(
            rectification, user=request.user, accept=accept, note=request.POST.get("note", "")
        )
        messages.success(request, "已销号。" if accept else "已退回：整改不彻底。")
    except ValueError as exc:
        messages.error(request, str(exc))
    return redirect("dashboard:rectification_list")


@office_required
def evidence_file(request, pk):
    evidence = get_object_or_404(Evidence, pk=pk)
    return private_file_response(evidence.file, evidence.name, evidence.content_type)
