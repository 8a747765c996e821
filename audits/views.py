from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from audits import selectors, services
from audits.auditlog import audit_record
from audits.checks.base import Severity
from audits.findings_import import findings_import
from audits.forms import DecideForm, FindingsUploadForm, ManualFindingForm, ReviewForm, StartRunForm
from audits.judgement import finding_add_manual, finding_review, verdict_decide
from audits.models import Finding, InspectionRun, Observation, Verdict
from audits.tasks import start_run
from units.access import get_visible_or_404, is_office
from units.decorators import office_required
from units.models import RegistryUpload, Unit, Website

# --- runs -----------------------------------------------------------------------------------------


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
        with transaction.atomic():
            run = services.run_create(
                trigger=InspectionRun.Trigger.STAFF,
                monitoring_point=data["monitoring_point"],
                unit=unit,
                website=website,
                user=request.user,
            )
            start_run(run)
        messages.success(request, f"监测任务 #{run.pk} 已开始。")
        return redirect("run_detail", pk=run.pk)
    runs = InspectionRun.objects.select_related("unit", "website")[:100]
    return render(request, "audits/run_list.html", {"runs": runs, "form": form})


@office_required
def run_detail(request, pk):
    run = get_object_or_404(InspectionRun, pk=pk)
    observations = run.observations.select_related("website", "column").order_by(
        "website__name", "kind", "url"
    )
    failed = run.sites.filter(status="failed").select_related("website")
    return render(
        request,
        "audits/run_detail.html",
        {"run": run, "observations": observations[:2000], "failed": failed},
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
    if services.run_cancel(run.pk):
        audit_record(actor=request.user, action="run_cancel", target=run)
        messages.success(request, "已取消。")
    return redirect("run_detail", pk=pk)


@office_required
@require_POST
def run_retry(request, pk):
    run = get_object_or_404(InspectionRun, pk=pk)
    count = services.run_retry_failed(run.pk)
    messages.success(request, f"已重新排队 {count} 个失败的网站。")
    return redirect("run_detail", pk=pk)


# --- verdicts and findings ----------------------------------------------------------------------


@login_required
def verdict_list(request):
    periods = selectors.periods()
    period = request.GET.get("period") or (periods[0] if periods else "")
    verdicts = list(selectors.verdicts_for(request.user, period))
    return render(
        request,
        "audits/verdict_list.html",
        {
            "period": period,
            "periods": periods,
            "verdicts": verdicts,
            "summary": selectors.verdict_summary(verdicts),
        },
    )


@login_required
def website_period(request, website_id, period):
    website = get_visible_or_404(
        request.user, Website.objects.select_related("unit"), pk=website_id
    )
    findings = list(selectors.findings_for(request.user, website, period))
    verdict = Verdict.objects.filter(website=website, period=period).first()
    office = is_office(request.user)
    # The observation behind each finding: what was seen, for a unit that disputes it.
    runs = {f.run_id for f in findings if f.run_id}
    seen = Observation.objects.filter(run_id__in=runs, website=website).values_list("url", "pk")
    by_url = dict(seen)
    for f in findings:
        f.observation_id = by_url.get(f.url)
    if not office:
        # Unit operators see what people have confirmed, and what is still under review.
        findings = [f for f in findings if f.status != Finding.Status.DISMISSED]
    return render(
        request,
        "audits/website_period.html",
        {
            "website": website,
            "period": period,
            "findings": findings,
            "verdict": verdict,
            "office": office,
            "decide_form": DecideForm(initial={"result": verdict.final if verdict else None}),
            "manual_form": ManualFindingForm(),
            "Severity": Severity,
        },
    )


@login_required
def observation_detail(request, pk):
    observation = get_visible_or_404(
        request.user,
        Observation.objects.select_related("website__unit", "column", "run"),
        unit_path="website__unit",
        pk=pk,
    )
    return render(request, "audits/observation_detail.html", {"o": observation})


@office_required
@require_POST
def finding_review_view(request, pk):
    finding = get_object_or_404(Finding, pk=pk)
    form = ReviewForm(request.POST)
    if form.is_valid():
        finding_review(
            finding,
            user=request.user,
            status=form.cleaned_data["status"],
            note=form.cleaned_data["note"],
        )
        messages.success(request, f"{finding.get_status_display()}：{finding.title}")
    else:
        messages.error(request, "；".join(form.errors.get("__all__", ["请检查输入。"])))
    return redirect("website_period", website_id=finding.website_id, period=finding.period)


@office_required
@require_POST
def findings_confirm_all(request, website_id, period):
    """Confirm the machine's routine findings in one go. W-V1 candidates (typos in leaders'
    titles, gambling words, hidden links) and anything uncertain are left for one-by-one review."""
    website = get_object_or_404(Website, pk=website_id)
    pending = (
        Finding.objects.filter(website=website, period=period, status=Finding.Status.PENDING)
        .exclude(severity__in=(Severity.MANUAL,))
        .exclude(indicator="W-V1")
    )
    count = 0
    for finding in pending:
        finding_review(finding, user=request.user, status=Finding.Status.CONFIRMED, note="批量确认")
        count += 1
    messages.success(request, f"已确认 {count} 条问题。")
    return redirect("website_period", website_id=website_id, period=period)


@office_required
@require_POST
def verdict_decide_view(request, pk):
    verdict = get_object_or_404(Verdict, pk=pk)
    form = DecideForm(request.POST)
    if form.is_valid():
        try:
            verdict_decide(
                verdict,
                user=request.user,
                result=form.cleaned_data["result"],
                reason=form.cleaned_data["reason"],
            )
            messages.success(request, f"已认定：{verdict.get_final_display()}")
        except ValueError as exc:
            messages.error(request, str(exc))
    return redirect("website_period", website_id=verdict.website_id, period=verdict.period)


@office_required
def finding_add(request, website_id, period):
    website = get_object_or_404(Website.objects.select_related("unit"), pk=website_id)
    form = ManualFindingForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        finding_add_manual(website, period, user=request.user, **form.cleaned_data)
        messages.success(request, "已添加人工检查问题。")
        return redirect("website_period", website_id=website_id, period=period)
    return render(
        request, "audits/finding_add.html", {"form": form, "website": website, "period": period}
    )


@office_required
def findings_upload(request):
    form = FindingsUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        stored = RegistryUpload.objects.create(
            kind=RegistryUpload.Kind.FINDINGS,
            uploaded_by=request.user,
            filename=upload.name,
            sha256="",
            data=upload.read(),
            options={
                "period": form.cleaned_data["period"],
                "monitoring_point": form.cleaned_data["monitoring_point"].isoformat(),
            },
        )
        return redirect("findings_preview", pk=stored.pk)
    return render(request, "audits/findings_upload.html", {"form": form})


def _import_stored(stored: RegistryUpload, *, dry_run: bool):
    import datetime as dt

    return findings_import(
        bytes(stored.data),
        stored.filename,
        period=stored.options["period"],
        monitoring_point=dt.date.fromisoformat(stored.options["monitoring_point"]),
        dry_run=dry_run,
    )


@office_required
def findings_preview(request, pk):
    stored = get_object_or_404(
        RegistryUpload, pk=pk, kind=RegistryUpload.Kind.FINDINGS, applied_at__isnull=True
    )
    if request.method == "POST":
        outcome = _import_stored(stored, dry_run=False)
        if outcome.ok:
            stored.applied_at = timezone.now()
            stored.save(update_fields=["applied_at"])
            audit_record(
                actor=request.user,
                action="findings_import",
                target=stored,
                created=outcome.created,
                updated=outcome.updated,
                **stored.options,
            )
            messages.success(
                request, f"已导入：新增 {outcome.created} 条，更新 {outcome.updated} 条（待复核）。"
            )
            return redirect("verdict_list")
    else:
        outcome = _import_stored(stored, dry_run=True)
    return render(request, "audits/findings_preview.html", {"stored": stored, "outcome": outcome})


# --- unit self-check -----------------------------------------------------------------------------


@login_required
@require_POST
def self_check(request, website_id):
    website = get_visible_or_404(request.user, Website.objects.all(), pk=website_id)
    busy = InspectionRun.objects.filter(
        website=website, status__in=(InspectionRun.Status.QUEUED, InspectionRun.Status.RUNNING)
    ).exists()
    if busy:
        messages.info(request, "该网站已有正在进行的检查，请稍候。")
        return redirect("portal")
    if website.status != Website.Status.RUNNING:
        raise Http404
    with transaction.atomic():
        run = services.run_create(
            trigger=InspectionRun.Trigger.SELF_CHECK,
            website=website,
            user=request.user,
            period=f"自查-{timezone.localdate():%Y%m%d}",
        )
        start_run(run)
    audit_record(actor=request.user, action="self_check", unit=website.unit, target=run)
    messages.success(request, f"已开始自查（任务 #{run.pk}），完成后刷新本页查看结果。")
    return redirect("portal")
