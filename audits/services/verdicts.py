"""From confirmed findings to proposed verdicts, and people's decisions on them.

The verdict rule itself is pure (audits/scoring.py); this module gathers its inputs from rows
and stores its output. A decision already taken by a person (result, override) is kept when
the proposal moves; every decision is in the audit log.
"""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from audits.glossary import Severity
from audits.models import (
    Finding,
    InspectionRun,
    Period,
    RuleSet,
    Verdict,
    active_rule_set,
    rules_for,
)
from audits.scoring import Counted, propose_verdict
from core.auditlog import audit_record
from units.models import Website


def previous_period_keys(website: Website, period: Period) -> frozenset[str]:
    """Confirmed problems of the website's previous period (warnings excluded)."""
    earlier = period.previous()
    if earlier is None:
        return frozenset()
    return frozenset(
        Finding.objects.filter(website=website, period=earlier, status=Finding.Status.CONFIRMED)
        .exclude(severity__in=(Severity.WARNING, Severity.MANUAL))
        .values_list("key", flat=True)
    )


def verdict_refresh(
    website: Website,
    period: Period,
    monitoring_point: dt.date,
    rule_set: RuleSet | None = None,
) -> Verdict | None:
    """Recompute the proposed verdict from confirmed findings. A locked period's verdicts no
    longer move: the refresh is skipped and the stored verdict returned."""
    if period.is_locked:
        return Verdict.objects.filter(website=website, period=period).first()
    rule_set = rule_set or active_rule_set()
    rules = rules_for(rule_set)
    findings = Finding.objects.filter(website=website, period=period)
    confirmed = list(findings.filter(status=Finding.Status.CONFIRMED).order_by("pk"))
    pending = list(findings.filter(status=Finding.Status.PENDING).order_by("pk"))
    previous = previous_period_keys(website, period)

    def propose(rows):
        counted = [
            Counted(f.key, f.kind, f.indicator, f.severity, f.title, f.item, f.count) for f in rows
        ]
        return propose_verdict(
            counted, rules, has_services=website.has_services, previous_keys=previous
        )

    proposal = propose(confirmed)
    projection = propose(confirmed + pending)
    verdict, _ = Verdict.objects.update_or_create(
        website=website,
        period=period,
        defaults={
            "unit": website.unit,
            "monitoring_point": monitoring_point,
            "rule_set": rule_set,
            "rule_set_version": rule_set.version,
            "proposed_result": proposal.result,
            "proposed_score": proposal.score,
            "reasons": list(proposal.reasons),
            "finding_ids": [f.pk for f in confirmed],
            "carried_keys": list(proposal.carried),
            "pending_count": sum(1 for f in pending if f.severity != Severity.MANUAL),
            "projected_result": projection.result,
            "projected_reasons": list(projection.reasons),
            "computed_at": timezone.now(),
        },
    )
    return verdict


def verdicts_for_run(run: InspectionRun) -> int:
    if run.period_id is None:
        return 0
    site_ids = run.observations.values_list("website_id", flat=True).distinct()
    count = 0
    for website in Website.objects.filter(pk__in=site_ids).select_related("unit"):
        verdict_refresh(website, run.period, run.monitoring_point)
        count += 1
    return count


def verdicts_refresh_for(findings) -> int:
    """Refresh once per website touched by these findings (bulk review, imports)."""
    touched = {(f.website_id, f.period_id): f.monitoring_point for f in findings if f.website_id}
    websites = Website.objects.in_bulk({w for w, _ in touched})
    periods = Period.objects.in_bulk({p for _, p in touched})
    for (website_id, period_id), point in touched.items():
        verdict_refresh(websites[website_id], periods[period_id], point)
    return len(touched)


@transaction.atomic
def verdict_decide(
    verdict: Verdict, *, user, result: str | None = None, reason: str = ""
) -> Verdict:
    """Adopt the proposal (result None) or override it, which needs a written reason."""
    final = result or verdict.proposed_result
    overriding = final != verdict.proposed_result
    if overriding and not reason.strip():
        raise ValueError("改判必须填写理由")
    before = {"result": verdict.result, "override_reason": verdict.override_reason}
    verdict.result = final
    verdict.override_reason = reason.strip() if overriding else ""
    verdict.decided_by = user
    verdict.decided_at = timezone.now()
    verdict.save(update_fields=["result", "override_reason", "decided_by", "decided_at"])
    audit_record(
        actor=user,
        action="verdict_override" if overriding else "verdict_adopt",
        unit=verdict.unit,
        target=verdict,
        before=before,
        after={"result": final, "override_reason": verdict.override_reason},
        verdict=verdict.pk,
        proposed=verdict.proposed_result,
        result=final,
        reason=verdict.override_reason,
        rule_set=f"{verdict.rule_set.code} v{verdict.rule_set_version}",
    )
    return verdict
