"""Acts on a period: designating its monitoring point, entering a portal's bonus, locking it.
Each is in the audit log; each refreshes the verdicts it changes."""

from django.db import transaction
from django.utils import timezone

from audits.models import Bonus, InspectionRun, Period, Verdict
from audits.services.verdicts import verdict_refresh
from core.auditlog import audit_record
from units.access import is_lead
from units.models import Website


def _check_open(period: Period) -> None:
    if period.is_locked:
        raise ValueError(f"{period.label}已锁定，不能再修改")


@transaction.atomic
def period_designate_run(period: Period, run: InspectionRun | None, *, user) -> Period:
    """Make `run` the period's monitoring point (None: the last complete office run)."""
    _check_open(period)
    if run is not None:
        if run.period_id != period.pk or run.trigger == InspectionRun.Trigger.SELF_CHECK:
            raise ValueError("只能指定本周期内由政务公开办发起的监测任务")
        if run.status != InspectionRun.Status.DONE:
            raise ValueError("只能指定已完成的监测任务")
    before = period.monitoring_run_id
    period.monitoring_run = run
    period.save(update_fields=["monitoring_run"])
    audit_record(
        actor=user,
        action="period_monitoring_run",
        target=period,
        before={"monitoring_run": before},
        after={"monitoring_run": run.pk if run else None},
    )
    for website in Website.objects.filter(verdicts__period=period).select_related("unit"):
        verdict_refresh(website, period)
    return period


@transaction.atomic
def bonus_enter(website: Website, period: Period, *, points: float, reason: str, user) -> Bonus:
    """The 30-point bonus part, for portals only, with a written reason."""
    _check_open(period)
    if website.kind != Website.Kind.PORTAL:
        raise ValueError("加分项只适用于门户网站")
    if not 0 <= points <= Bonus.MAX_POINTS:
        raise ValueError(f"加分应在0至{Bonus.MAX_POINTS}分之间")
    if not reason.strip():
        raise ValueError("加分必须填写理由")
    existing = Bonus.objects.filter(website=website, period=period).first()
    bonus, _ = Bonus.objects.update_or_create(
        website=website,
        period=period,
        defaults={"points": points, "reason": reason.strip(), "entered_by": user},
    )
    audit_record(
        actor=user,
        action="bonus_enter",
        unit=website.unit,
        target=bonus,
        before={"points": existing.points, "reason": existing.reason} if existing else {},
        after={"points": points, "reason": bonus.reason},
    )
    verdict_refresh(website, period)
    return bonus


@transaction.atomic
def period_lock(period: Period, *, user) -> Period:
    """The lead locks an adjudicated period: its verdicts no longer change; a later correction
    is a new adjudication, logged. Refused while a verdict is still undecided."""
    if not is_lead(user):
        raise PermissionError("只有政务公开办负责人可以锁定检查周期")
    if period.is_locked:
        return period
    undecided = Verdict.objects.filter(period=period, result="").count()
    if undecided:
        raise ValueError(f"还有 {undecided} 个检查结果尚未认定，不能锁定")
    period.locked_at = timezone.now()
    period.locked_by = user
    period.save(update_fields=["locked_at", "locked_by"])
    audit_record(
        actor=user,
        action="period_lock",
        target=period,
        after={"locked_at": period.locked_at.isoformat()},
        verdicts=Verdict.objects.filter(period=period).count(),
    )
    return period
