from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from audits import selectors
from audits.models import Bonus, Finding, Observation, Period, Verdict
from audits.services import imports, review, verdicts
from core.models import Upload
from dashboard.forms import (
    BonusForm,
    DecideForm,
    FindingsUploadForm,
    ManualFindingForm,
    ReviewForm,
)
from dashboard.tables import VerdictTable
from dashboard.views._util import export_or_none
from newmedia.models import Account
from units.decorators import office_required
from units.models import Website


def _period(code: str, *, create: bool = False) -> Period:
    """The period with this code; staff recording a manual finding may open a new one."""
    period = Period.objects.filter(code=code).first()
    if period is None and create:
        try:
            return Period.for_code(code)
        except ValueError:
            pass
    if period is None:
        raise Http404("没有该检查周期。")
    return period


@office_required
def verdict_list(request):
    period = selectors.period_or_latest(request.GET.get("period"))
    if request.GET.get("_export") == "xlsx":
        table = VerdictTable(selectors.verdicts_for(request.user, period))
        return export_or_none(request, table, f"检查结果-{period.code if period else ''}")
    page = Paginator(selectors.verdicts_for(request.user, period), 100).get_page(
        request.GET.get("page")
    )
    summary = selectors.period_summary(request.user, period) if period else {}
    return render(
        request,
        "dashboard/verdict_list.html",
        {
            "period": period,
            "periods": selectors.periods(),
            "page": page,
            "verdicts": page.object_list,
            "summary": summary,
            "runs": selectors.period_runs(period) if period else [],
            "undecided": summary.get("undecided", 0),
        },
    )


@office_required
def website_period(request, website_id, period):
    website = get_object_or_404(Website.objects.select_related("unit"), pk=website_id)
    period = _period(period)
    findings = selectors.with_observations(
        list(selectors.findings_for(request.user, website, period)), website
    )
    verdict = Verdict.objects.filter(website=website, period=period).first()
    return render(
        request,
        "dashboard/website_period.html",
        {
            "subject": website,
            "website": website,
            "period": period,
            "findings": findings,
            "verdict": verdict,
            "decide_form": DecideForm(initial={"result": verdict.final if verdict else None}),
            "bonus": Bonus.objects.filter(website=website, period=period).first(),
            "bonus_form": BonusForm(),
        },
    )


@office_required
def account_period(request, account_id, period):
    account = get_object_or_404(Account.objects.select_related("unit"), pk=account_id)
    period = _period(period)
    findings = (
        Finding.objects.filter(account=account, period=period)
        .select_related("period", "reviewed_by")
        .order_by("severity", "kind", "title")
    )
    verdict = Verdict.objects.filter(account=account, period=period).first()
    return render(
        request,
        "dashboard/website_period.html",
        {
            "subject": account,
            "website": None,
            "period": period,
            "findings": findings,
            "verdict": verdict,
            "decide_form": DecideForm(initial={"result": verdict.final if verdict else None}),
        },
    )


@office_required
def observation_detail(request, pk):
    observation = get_object_or_404(
        Observation.objects.select_related("website__unit", "column", "run"), pk=pk
    )
    return render(request, "dashboard/observation_detail.html", {"o": observation})


def _back(finding):
    if finding.account_id:
        return redirect(
            "dashboard:account_period", account_id=finding.account_id, period=finding.period.code
        )
    return redirect(
        "dashboard:website_period", website_id=finding.website_id, period=finding.period.code
    )


@office_required
@require_POST
def finding_review(request, pk):
    finding = get_object_or_404(Finding.objects.select_related("period"), pk=pk)
    form = ReviewForm(request.POST)
    if form.is_valid():
        try:
            review.finding_review(
                finding,
                user=request.user,
                status=form.cleaned_data["status"],
                note=form.cleaned_data["note"],
            )
            messages.success(request, f"{finding.get_status_display()}：{finding.title}")
        except ValueError as exc:
            messages.error(request, str(exc))
    else:
        messages.error(request, "；".join(form.errors.get("__all__", ["请检查输入。"])))
    return _back(finding)


@office_required
@require_POST
def findings_confirm_all(request, website_id, period):
    """Confirm the machine's routine findings in one go; vetoes, W-V1 candidates and anything
    uncertain are left for one-by-one review."""
    website = get_object_or_404(Website, pk=website_id)
    period = _period(period)
    try:
        count = review.findings_review_bulk(
            Finding.objects.filter(website=website, period=period),
            user=request.user,
            status=Finding.Status.CONFIRMED,
            note="批量确认",
        )
        messages.success(request, f"已确认 {count} 条问题。")
    except ValueError as exc:
        messages.error(request, str(exc))
    return redirect("dashboard:website_period", website_id=website_id, period=period.code)


@office_required
@require_POST
def verdict_decide(request, pk):
    verdict = get_object_or_404(Verdict.objects.select_related("period"), pk=pk)
    form = DecideForm(request.POST)
    if form.is_valid():
        try:
            verdicts.verdict_decide(
                verdict,
                user=request.user,
                result=form.cleaned_data["result"],
                reason=form.cleaned_data["reason"],
            )
            messages.success(request, f"已认定：{verdict.get_final_display()}")
        except ValueError as exc:
            messages.error(request, str(exc))
    if verdict.account_id:
        return redirect(
            "dashboard:account_period", account_id=verdict.account_id, period=verdict.period.code
        )
    return redirect(
        "dashboard:website_period", website_id=verdict.website_id, period=verdict.period.code
    )


@office_required
def finding_add(request, website_id, period):
    website = get_object_or_404(Website.objects.select_related("unit"), pk=website_id)
    period = _period(period, create=request.method == "POST")
    form = ManualFindingForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            review.finding_add_manual(website, period, user=request.user, **form.cleaned_data)
            messages.success(request, "已添加人工检查问题。")
            return redirect("dashboard:website_period", website_id=website_id, period=period.code)
        except ValueError as exc:
            messages.error(request, str(exc))
    return render(
        request, "dashboard/finding_add.html", {"form": form, "website": website, "period": period}
    )


@office_required
def findings_upload(request):
    form = FindingsUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        stored = imports.findings_upload_store(
            user=request.user,
            filename=upload.name,
            data=upload.read(),
            period=Period.for_code(form.cleaned_data["period"]),
            point=form.cleaned_data["monitoring_point"],
        )
        return redirect("dashboard:findings_preview", pk=stored.pk)
    return render(request, "dashboard/findings_upload.html", {"form": form})


@office_required
def findings_preview(request, pk):
    stored = get_object_or_404(Upload, pk=pk, kind=Upload.Kind.FINDINGS, applied_at__isnull=True)
    if request.method == "POST":
        outcome = imports.findings_upload_apply(stored, user=request.user)
        if outcome.ok:
            messages.success(
                request, f"已导入：新增 {outcome.created} 条，更新 {outcome.updated} 条（待复核）。"
            )
            return redirect(
                f"{reverse('dashboard:verdict_list')}?period={stored.options['period']}"
            )
    else:
        outcome = imports.findings_upload_run(stored, dry_run=True)
    return render(
        request, "dashboard/findings_preview.html", {"stored": stored, "outcome": outcome}
    )
