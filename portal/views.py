"""The unit operator's screens: only the units of its memberships (units.access), another
unit's object answers 404."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from audits import selectors
from audits.glossary import Severity
from audits.models import (
    Evidence,
    Finding,
    InspectionRun,
    Observation,
    Period,
    Verdict,
    active_rule_set,
    rules_for,
)
from audits.services import rectification as rectifying
from audits.services import runs
from audits.services.findings import site_drafts
from core.files import UploadRefused
from core.http import private_file_response
from portal.forms import PostForm, RectificationForm
from units.access import get_visible_or_404, visible_units
from units.models import Website


@login_required
def home(request):
    """A unit operator's own page: its sites and accounts with their latest results, the
    problems to fix with their deadlines, columns about to fall due, past verdicts and the
    circulars that named the unit."""
    from notices.models import Circular

    units = list(visible_units(request.user).prefetch_related("websites", "accounts"))
    period = selectors.latest_period()
    site_ids = [w.pk for u in units for w in u.websites.all()]
    verdicts = {
        v.website_id: v
        for v in Verdict.objects.filter(website_id__in=site_ids, period=period).select_related(
            "period"
        )
    }
    findings = (
        Finding.objects.filter(website_id__in=site_ids, period=period)
        .exclude(status=Finding.Status.DISMISSED)
        .exclude(severity=Severity.MANUAL)
        .select_related("website", "period")
        .order_by("website_id", "severity", "title")
    )
    names = [u.name for u in units]
    circulars = [
        c
        for c in Circular.objects.filter(status=Circular.Status.PUBLISHED).select_related("period")[
            :24
        ]
        if any(name in (c.problems + c.overall) for name in names)
    ]
    return render(
        request,
        "portal/home.html",
        {
            "units": units,
            "period": period,
            "verdicts": verdicts,
            "findings": findings,
            "to_fix": selectors.open_findings(request.user, units),
            "due_soon": selectors.due_soon(request.user, units, period=period),
            "circulars": circulars,
            "self_checks": selectors.last_self_checks(site_ids),
        },
    )


@login_required
def website_period(request, website_id, period):
    website = get_visible_or_404(
        request.user, Website.objects.select_related("unit"), pk=website_id
    )
    period = Period.objects.filter(code=period).first()
    if period is None:
        raise Http404("没有该检查周期。")
    # Unit operators see what people have confirmed, and what is still under review.
    findings = [
        f
        for f in selectors.findings_for(request.user, website, period)
        if f.status != Finding.Status.DISMISSED
    ]
    return render(
        request,
        "portal/website_period.html",
        {
            "website": website,
            "period": period,
            "findings": selectors.with_observations(findings, website),
            "verdict": Verdict.objects.filter(website=website, period=period).first(),
        },
    )


@login_required
def website_detail(request, website_id):
    """One of the unit's sites: its last self-check beside the office's last run, its
    columns and the results of past periods."""
    website = get_visible_or_404(
        request.user, Website.objects.select_related("unit"), pk=website_id
    )
    history = (
        Verdict.objects.filter(website=website)
        .select_related("period")
        .order_by("-period__end")[:12]
    )
    check = selectors.last_self_check(website)
    check_drafts = []
    if check and check.status == InspectionRun.Status.DONE:
        rules = rules_for(active_rule_set())
        check_drafts = [
            d for d in site_drafts(check, website, rules) if d.severity != Severity.MANUAL
        ]
    office = selectors.last_office_run(website)
    office_verdict = (
        Verdict.objects.filter(website=website, period_id=office.period_id).first()
        if office
        else None
    )
    return render(
        request,
        "portal/website_detail.html",
        {
            "website": website,
            "columns": website.columns.order_by("id"),
            "history": history,
            "last_self_check": check,
            "check_drafts": check_drafts,
            "office_run": office,
            "office_verdict": office_verdict,
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
    return render(request, "portal/observation_detail.html", {"o": observation})


@login_required
@require_POST
def self_check(request, website_id):
    website = get_visible_or_404(request.user, Website.objects.all(), pk=website_id)
    try:
        run = runs.self_check_start(website, user=request.user)
        messages.success(request, f"已开始自查（任务 #{run.pk}），进度见下方。")
    except ValueError as exc:
        messages.info(request, str(exc))
    return redirect("portal:home")


@login_required
def run_progress(request, pk):
    """Progress of one of the unit's own runs (self-checks), for the page to poll."""
    run = get_visible_or_404(request.user, InspectionRun.objects.all(), "website__unit", pk=pk)
    return JsonResponse(
        {
            "status": run.status,
            "status_display": run.get_status_display(),
            "pages_done": run.pages_done,
            "pages_total": run.pages_total,
        }
    )


@login_required
def finding_detail(request, pk):
    """A problem to fix: what was found, the deadline, what the unit reported and how staff
    answered, and the form to report (again)."""
    finding = get_visible_or_404(
        request.user,
        Finding.objects.select_related("website", "account", "period", "unit"),
        pk=pk,
    )
    if finding.status == Finding.Status.DISMISSED:
        raise Http404
    form = RectificationForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            rectifying.rectification_submit(
                finding,
                user=request.user,
                note=form.cleaned_data["note"],
                files=form.cleaned_data["files"],
            )
            messages.success(request, "已报送整改情况，等待政务公开办审核。")
            return redirect("portal:finding_detail", pk=pk)
        except UploadRefused as exc:
            form.add_error("files", str(exc))
        except ValueError as exc:
            messages.error(request, str(exc))
    return render(
        request,
        "portal/finding_detail.html",
        {
            "finding": finding,
            "form": form,
            "can_submit": rectifying.rectifiable(finding),
            "max_mb": f"{settings.GOVWATCH_MAX_EVIDENCE_BYTES / 1024 / 1024:g}",
            "history": finding.rectifications.prefetch_related("evidence").select_related(
                "submitted_by", "reviewed_by"
            ),
        },
    )


@login_required
def evidence_file(request, pk):
    evidence = get_visible_or_404(
        request.user,
        Evidence.objects.select_related("rectification__finding"),
        unit_path="rectification__finding__unit",
        pk=pk,
    )
    return private_file_response(evidence.file, evidence.name, evidence.content_type)


@login_required
def account_detail(request, pk):
    """One of the unit's accounts: its recent posts and results, and the form to report a post
    the platform's feed does not show (with a screenshot)."""
    from newmedia.feeds import post_enter
    from newmedia.models import Account

    account = get_visible_or_404(request.user, Account.objects.select_related("unit"), pk=pk)
    form = PostForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            post_enter(
                account,
                user=request.user,
                published_at=data["published_at"],
                title=data["title"],
                url=data["url"],
                original=data["original"],
                screenshot=data["screenshot"],
            )
            messages.success(request, "已报送发布记录。")
            return redirect("portal:account_detail", pk=pk)
        except UploadRefused as exc:
            form.add_error("screenshot", str(exc))
    return render(
        request,
        "portal/account_detail.html",
        {
            "account": account,
            "form": form,
            "posts": account.posts.order_by("-published_at")[:30],
            "history": Verdict.objects.filter(account=account)
            .select_related("period")
            .order_by("-period__end")[:12],
        },
    )
