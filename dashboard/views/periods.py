from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from audits.models import InspectionRun, Period
from audits.services import periods, verdicts
from dashboard.forms import BonusForm
from units.decorators import lead_required, office_required
from units.models import Website


def _to_verdicts(period: Period):
    return redirect(f"{reverse('dashboard:verdict_list')}?period={period.code}")


@office_required
@require_POST
def period_designate(request, code):
    period = get_object_or_404(Period, code=code)
    run_id = request.POST.get("run")
    run = get_object_or_404(InspectionRun, pk=run_id) if run_id else None
    try:
        periods.period_designate_run(period, run, user=request.user)
        label = f"监测任务 #{run.pk}" if run else "本周期最后一次完成的监测任务"
        messages.success(
            request, f"已指定{label}为{period.label}的监测时间点，检查结果已重新计算。"
        )
    except ValueError as exc:
        messages.error(request, str(exc))
    return _to_verdicts(period)


@lead_required
@require_POST
def period_lock(request, code):
    period = get_object_or_404(Period, code=code)
    try:
        periods.period_lock(period, user=request.user)
        messages.success(request, f"{period.label}已锁定：检查结果不再变动。")
    except (ValueError, PermissionError) as exc:
        messages.error(request, str(exc))
    return _to_verdicts(period)


@office_required
@require_POST
def bonus_enter(request, website_id, period):
    website = get_object_or_404(Website, pk=website_id)
    period = get_object_or_404(Period, code=period)
    form = BonusForm(request.POST)
    if form.is_valid():
        try:
            periods.bonus_enter(website, period, user=request.user, **form.cleaned_data)
            messages.success(request, "已录入加分项，检查结果已重新计算。")
        except ValueError as exc:
            messages.error(request, str(exc))
    else:
        messages.error(request, "；".join(e for errors in form.errors.values() for e in errors))
    return redirect("dashboard:website_period", website_id=website.pk, period=period.code)


@office_required
@require_POST
def verdicts_adopt(request, code):
    period = get_object_or_404(Period, code=code)
    try:
        count = verdicts.verdicts_adopt_clear(period, user=request.user)
        messages.success(request, f"已采纳 {count} 个没有待复核问题的建议结果。")
    except ValueError as exc:
        messages.error(request, str(exc))
    return _to_verdicts(period)
