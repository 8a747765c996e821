"""The unit operator's screens: only the units of its memberships (units.access), another
unit's object answers 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from audits import selectors
from audits.glossary import Severity
from audits.models import Finding, InspectionRun, Observation, Period, Verdict
from audits.services import runs
from units.access import get_visible_or_404, visible_units
from units.models import Website


@login_required
def home(request):
    """A unit operator's own page: only the units it belongs to, with their latest results."""
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
        .select_related("website")
        .order_by("website_id", "severity", "title")
    )
    return render(
        request,
        "portal/home.html",
        {"units": units, "period": period, "verdicts": verdicts, "findings": findings},
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
    busy = InspectionRun.objects.filter(
        website=website, status__in=(InspectionRun.Status.QUEUED, InspectionRun.Status.RUNNING)
    ).exists()
    if busy:
        messages.info(request, "该网站已有正在进行的检查，请稍候。")
        return redirect("portal:home")
    if website.status != Website.Status.RUNNING:
        raise Http404
    run = runs.run_start(
        trigger=InspectionRun.Trigger.SELF_CHECK, website=website, user=request.user
    )
    messages.success(request, f"已开始自查（任务 #{run.pk}），完成后刷新本页查看结果。")
    return redirect("portal:home")


@login_required
def website_detail(request, website_id):
    """One of the unit's sites: its columns and the results of past periods."""
    website = get_visible_or_404(
        request.user, Website.objects.select_related("unit"), pk=website_id
    )
    history = (
        Verdict.objects.filter(website=website)
        .select_related("period")
        .order_by("-period__end")[:12]
    )
    return render(
        request,
        "portal/website_detail.html",
        {
            "website": website,
            "columns": website.columns.order_by("id"),
            "history": history,
            "last_self_check": selectors.last_self_check(website),
        },
    )
