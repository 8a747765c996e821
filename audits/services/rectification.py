"""Rectification (整改): a unit says what it did for a confirmed finding, with evidence; staff
accept it (销号) or reject it (整改不彻底, with a reason); a re-inspection that sees the problem
gone closes the finding by itself. What is left open carries over to the next period's verdict
("上期问题未整改判不合格", audits/services/verdicts.py: previous_problems).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from audits import notify
from audits.glossary import Kind, Severity
from audits.models import Evidence, Finding, InspectionRun, Observation, Rectification
from core.auditlog import audit_record
from core.files import check_upload, generated_name

MAX_FILES = 5
_OPEN = (Finding.Rectification.OPEN, Finding.Rectification.REJECTED)


def deadline_for(finding: Finding, rule_set, confirmed_on: dt.date) -> dt.date:
    """整改时限: days after confirmation, per kind of finding, from the rule set."""
    days = rule_set.rectification_days or {}
    return confirmed_on + dt.timedelta(days=int(days.get(finding.kind, days.get("default", 15))))


def rectifiable(finding: Finding) -> bool:
    return (
        finding.status == Finding.Status.CONFIRMED
        and finding.severity not in (Severity.WARNING, Severity.MANUAL)
        and finding.rectification in _OPEN
    )


@transaction.atomic
def rectification_submit(finding: Finding, *, user, note: str, files) -> Rectification:
    """The unit's report, with up to MAX_FILES files (each checked by its content)."""
    if not rectifiable(finding):
        raise ValueError("该问题当前不需要报送整改情况")
    if not note.strip():
        raise ValueError("请填写整改情况")
    if len(files) > MAX_FILES:
        raise ValueError(f"每次最多上传 {MAX_FILES} 个文件")
    checked = []
    for upload in files:
        data = upload.read(settings.GOVWATCH_MAX_EVIDENCE_BYTES + 1)
        kind, name, sha256 = check_upload(data, upload.name)  # UploadRefused is a ValueError
        checked.append((kind, name, sha256, data))
    rectification = Rectification.objects.create(
        finding=finding, note=note.strip(), submitted_by=user
    )
    for kind, name, sha256, data in checked:
        evidence = Evidence(
            rectification=rectification,
            name=name,
            content_type=kind.content_type,
            size=len(data),
            sha256=sha256,
        )
        evidence.file.save(generated_name(kind), ContentFile(data), save=False)
        evidence.save()
    before = finding.rectification
    finding.rectification = Finding.Rectification.SUBMITTED
    finding.save(update_fields=["rectification"])
    audit_record(
        actor=user,
        action="rectification_submit",
        unit=finding.unit_id,
        target=finding,
        before={"rectification": before},
        after={"rectification": finding.rectification, "files": [c[1] for c in checked]},
        rectification=rectification.pk,
    )
    return rectification


@transaction.atomic
def rectification_review(
    rectification: Rectification, *, user, accept: bool, note: str = ""
) -> Rectification:
    """Staff accept (销号) or reject (整改不彻底, a reason is required)."""
    if rectification.status != Rectification.Status.SUBMITTED:
        raise ValueError("该整改报告已经审核")
    if not accept and not note.strip():
        raise ValueError("退回整改必须填写理由")
    finding = rectification.finding
    rectification.status = (
        Rectification.Status.ACCEPTED if accept else Rectification.Status.REJECTED
    )
    rectification.reviewed_by, rectification.reviewed_at = user, timezone.now()
    rectification.review_note = note.strip()
    rectification.save()
    before = finding.rectification
    finding.rectification = (
        Finding.Rectification.CLOSED if accept else Finding.Rectification.REJECTED
    )
    finding.closed_at = timezone.now() if accept else None
    finding.save(update_fields=["rectification", "closed_at"])
    audit_record(
        actor=user,
        action="rectification_accept" if accept else "rectification_reject",
        unit=finding.unit_id,
        target=finding,
        before={"rectification": before},
        after={"rectification": finding.rectification, "note": rectification.review_note},
        rectification=rectification.pk,
    )
    if not accept:
        notify.notify_unit(
            finding.unit,
            key=f"rejected:{rectification.pk}",
            subject=f"【整改退回】{finding.title}",
            body=f"{finding.unit.name}：问题“{finding.title}”的整改报告未通过审核（整改不彻底）："
            f"{rectification.review_note}。请继续整改后重新报送。",
        )
    return rectification


# Finding kinds a re-inspection can see fixed, and the observation that must be conclusive.
_AUTO_CLOSE = {
    Kind.COLUMN_OVERDUE: Observation.Kind.COLUMN,
    Kind.COLUMN_EMPTY: Observation.Kind.COLUMN,
    Kind.HOME_STALE: Observation.Kind.HOME,
    Kind.BROKEN_LINK: Observation.Kind.LINK,
}
_CONCLUSIVE = {Observation.Outcome.DATED, Observation.Outcome.OK}


def close_fixed(run: InspectionRun, website, draft_keys: set[str], observations=None) -> int:
    """Close the website's open, confirmed machine findings that this run looked at again and
    no longer sees: the machine saw the column updated (or the link working). Only conclusive
    observations close anything; the act is logged and shown to staff. ``observations``: the
    site's in this run, when the caller holds them."""
    if observations is None:
        rows = run.observations.filter(website=website).values_list("kind", "url", "outcome")
    else:
        rows = ((o.kind, o.url, o.outcome) for o in observations)
    conclusive = {(kind, url) for kind, url, outcome in rows if outcome in _CONCLUSIVE}
    home_ok = any(kind == Observation.Kind.HOME for kind, _ in conclusive)
    open_findings = Finding.objects.filter(
        website=website,
        source=Finding.Source.MACHINE,
        status=Finding.Status.CONFIRMED,
        rectification__in=(*_OPEN, Finding.Rectification.SUBMITTED),
        kind__in=list(_AUTO_CLOSE),
        period__end__lte=run.monitoring_point if run.period_id is None else run.period.end,
    ).select_related("column")
    closed = 0
    for finding in open_findings:
        if finding.key in draft_keys:
            continue
        seen_again = (
            home_ok
            if finding.kind == Kind.HOME_STALE
            else (_AUTO_CLOSE[finding.kind], finding.url) in conclusive
        )
        if not seen_again:
            continue
        before = finding.rectification
        finding.rectification = Finding.Rectification.CLOSED
        finding.closed_at = timezone.now()
        finding.evidence = {**finding.evidence, "closed_by_run": run.pk}
        finding.save(update_fields=["rectification", "closed_at", "evidence"])
        audit_record(
            actor=None,
            action="rectification_auto_close",
            unit=finding.unit_id,
            target=finding,
            before={"rectification": before},
            after={"rectification": finding.rectification},
            run=run.pk,
            note=f"监测任务 #{run.pk}（{run.monitoring_point:%Y-%m-%d}）复查时已整改",
        )
        closed += 1
    return closed


def deadlines_remind(today: dt.date) -> int:
    """The daily reminder N days before each open finding's 整改时限."""
    target = today + dt.timedelta(days=settings.GOVWATCH_REMIND_DAYS_BEFORE)
    sent = 0
    rows = Finding.objects.filter(
        status=Finding.Status.CONFIRMED,
        rectification__in=_OPEN,
        deadline__gte=today,
        deadline__lte=target,
    ).select_related("unit", "website", "account")
    for finding in rows:
        with transaction.atomic():
            sent += notify.deadline_near(finding, today)
    return sent
