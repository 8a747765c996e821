from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from audits.models import Period
from audits.selectors import periods
from dashboard.forms import CircularForm, NewCircularForm
from notices import services
from notices.models import Circular
from units.decorators import office_required


@office_required
def circular_list(request):
    form = NewCircularForm(request.POST or None, periods=periods())
    if request.method == "POST" and form.is_valid():
        try:
            circular = services.circular_draft(
                get_object_or_404(Period, code=form.cleaned_data["period"]),
                user=request.user,
                annex_kinds=form.cleaned_data["annexes"],
            )
            messages.success(request, "已根据检查结果生成通报草稿，请核对并修改文字。")
            return redirect("dashboard:circular_edit", pk=circular.pk)
        except (ValueError, PermissionError) as exc:
            messages.error(request, str(exc))
    page = Paginator(Circular.objects.select_related("period", "corrects"), 30).get_page(
        request.GET.get("page")
    )
    return render(request, "dashboard/circular_list.html", {"page": page, "form": form})


@office_required
def circular_edit(request, pk):
    circular = get_object_or_404(Circular.objects.select_related("period", "office"), pk=pk)
    form = CircularForm(request.POST or None, circular=circular)
    if request.method == "POST" and form.is_valid():
        try:
            data = dict(form.cleaned_data)
            services.circular_update(
                circular, user=request.user, annex_kinds=data.pop("annexes"), **data
            )
            messages.success(request, "已保存。")
            return redirect("dashboard:circular_edit", pk=pk)
        except ValueError as exc:
            messages.error(request, str(exc))
    return render(
        request,
        "dashboard/circular_edit.html",
        {
            "circular": circular,
            "form": form,
            "next_number": services.next_doc_number(circular.office, circular.issued_on.year),
        },
    )


@office_required
def circular_preview(request, pk):
    """The browser preview: the same HTML and stylesheet the PDF is printed from."""
    from notices.render import render_html

    circular = get_object_or_404(Circular, pk=pk)
    return HttpResponse(render_html(services.document_for(circular)))


@office_required
def circular_draft_pdf(request, pk):
    from notices.render import render_pdf

    circular = get_object_or_404(Circular, pk=pk)
    response = HttpResponse(render_pdf(services.document_for(circular)), "application/pdf")
    response["Content-Disposition"] = 'inline; filename="draft.pdf"'
    return response


@office_required
@require_POST
def circular_approve(request, pk):
    circular = get_object_or_404(Circular, pk=pk)
    try:
        services.circular_approve(circular, user=request.user)
        messages.success(request, "已审核通过。")
    except (ValueError, PermissionError) as exc:
        messages.error(request, str(exc))
    return redirect("dashboard:circular_edit", pk=pk)


@office_required
@require_POST
def circular_publish(request, pk):
    circular = get_object_or_404(Circular.objects.select_related("period", "office"), pk=pk)
    try:
        services.circular_publish(circular, user=request.user)
        messages.success(request, f"已发布：{circular.doc_number}，PDF 已签名。")
    except (ValueError, PermissionError) as exc:
        messages.error(request, str(exc))
    return redirect("dashboard:circular_edit", pk=pk)


@office_required
@require_POST
def circular_correct(request, pk):
    original = get_object_or_404(Circular, pk=pk)
    try:
        circular = services.circular_draft(
            original.period, user=request.user, annex_kinds=original.annexes, corrects=original
        )
        return redirect("dashboard:circular_edit", pk=circular.pk)
    except (ValueError, PermissionError) as exc:
        messages.error(request, str(exc))
        return redirect("dashboard:circular_edit", pk=pk)
