"""People decide: confirming or dismissing findings, one at a time or in bulk, and findings
staff record by hand. Each act is in the audit log; the verdicts touched are recomputed once."""

from django.db import transaction
from django.utils import timezone

from audits import notify
from audits.glossary import Indicator, Kind, Severity
from audits.models import Finding, Period, Verdict, active_rule_set
from audits.services.rectification import deadline_for, rectifiable
from audits.services.verdicts import verdict_refresh, verdicts_refresh_for
from core.auditlog import audit_record
from units.models import Website

# Vetoes and W-V1 candidates are confirmed one by one, with their evidence open.
_SINGLE_ONLY = {Indicator.W_V1, Indicator.M_V1}


def _check_open(period: Period) -> None:
    if period.is_locked:
        raise ValueError(f"{period.label}已锁定，不能再修改复核结果")


def _apply_review(finding: Finding, *, user, status: str, note: str) -> None:
    if status not in (Finding.Status.CONFIRMED, Finding.Status.DISMISSED):
        raise ValueError(status)
    if status == Finding.Status.DISMISSED and not note.strip():
        raise ValueError("排除问题必须填写理由")
    before = finding.status
    finding.status = status
    finding.review_note = note.strip()
    finding.reviewed_by = user
    finding.reviewed_at = timezone.now()
    fields = ["status", "review_note", "reviewed_by", "reviewed_at"]
    confirmed = status == Finding.Status.CONFIRMED and before != status
    if confirmed and finding.deadline is None and rectifiable(finding):
        finding.deadline = deadline_for(finding, active_rule_set(), timezone.localdate())
        fields.append("deadline")
    finding.save(update_fields=fields)
    audit_record(
        actor=user,
        action=f"finding_{status}",
        unit=finding.unit_id,
        target=finding,
        before={"status": before},
        after={"status": status, "note": finding.review_note},
        finding=finding.pk,
        note=finding.review_note,
    )
    if confirmed and rectifiable(finding):
        # In this transaction: the reminder exists exactly when the confirmation does.
        notify.finding_confirmed(finding)


@transaction.atomic
def finding_review(finding: Finding, *, user, status: str, note: str) -> Finding:
    _check_open(finding.period)
    _apply_review(finding, user=user, status=status, note=note)
    verdicts_refresh_for([finding])
    return finding


def bulk_reviewable(findings):
    """What may be confirmed in bulk: routine problems. W-V1 candidates, vetoes and anything the
    machine is unsure of are left for one-by-one review."""
    return (
        findings.filter(status=Finding.Status.PENDING)
        .exclude(severity__in=(Severity.MANUAL, Severity.VETO))
        .exclude(indicator__in=_SINGLE_ONLY)
    )


@transaction.atomic
def findings_review_bulk(
    findings, *, user, status: str, note: str, exempt_until=None, exempt_site: bool = False
) -> int:
    """Review many findings with one reason; each verdict touched is recomputed once.

    Confirming in bulk leaves out vetoes and W-V1 candidates (one by one, evidence open). A
    dismissal may become an exemption for later periods until `exempt_until`: for the finding's
    column (or, with `exempt_site`, its whole site) and its kind."""
    if status == Finding.Status.CONFIRMED:
        rows = list(bulk_reviewable(findings).select_related("period"))
    else:
        rows = list(
            findings.filter(status=Finding.Status.PENDING)
            .exclude(severity=Severity.MANUAL)
            .select_related("period", "column", "website")
        )
    for period in {f.period for f in rows}:
        _check_open(period)
    for finding in rows:
        _apply_review(finding, user=user, status=status, note=note)
        if exempt_until and status == Finding.Status.DISMISSED and finding.website_id:
            exemption_grant(finding, until=exempt_until, reason=note, user=user, site=exempt_site)
    verdicts_refresh_for(rows)
    return len(rows)


def exemption_grant(finding: Finding, *, until, reason: str, user, site: bool = False):
    """Later periods' findings of this kind on this column (or site) are shown as 已豁免."""
    from audits.models import Exemption

    if not reason.strip():
        raise ValueError("豁免必须填写理由")
    exemption, _ = Exemption.objects.update_or_create(
        website=finding.website,
        column=None if site or not finding.column_id else finding.column,
        kind=finding.kind,
        defaults={"reason": reason.strip(), "until": until, "created_by": user, "source": finding},
    )
    audit_record(
        actor=user,
        action="exemption_grant",
        unit=finding.unit_id,
        target=exemption,
        after={"until": until.isoformat(), "reason": exemption.reason, "kind": finding.kind},
        finding=finding.pk,
    )
    return exemption


@transaction.atomic
def finding_add_manual(website: Website, period: Period, *, user, **fields) -> Finding:
    """A finding staff record by hand (办事指南要素, 答复质量 …): confirmed at once, logged."""
    _check_open(period)
    verdict = Verdict.objects.filter(website=website, period=period).first()
    point = verdict.monitoring_point if verdict else min(timezone.localdate(), period.end)
    finding = Finding.objects.create(
        unit=website.unit,
        website=website,
        period=period,
        monitoring_point=point,
        key=f"manual:{timezone.now().timestamp()}",
        kind=Kind.MANUAL,
        source=Finding.Source.MANUAL,
        status=Finding.Status.CONFIRMED,
        reviewed_by=user,
        reviewed_at=timezone.now(),
        **fields,
    )
    audit_record(
        actor=user,
        action="finding_manual",
        unit=website.unit,
        target=finding,
        after={"title": finding.title, "severity": finding.severity},
        finding=finding.pk,
    )
    verdict_refresh(website, period, point)
    return finding
