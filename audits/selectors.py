"""Reads for the review pages, filtered by who is asking."""

from django.db.models import Count, Q

from audits.checks.base import Severity
from audits.models import Finding, Verdict
from audits.scoring import pass_rate
from units.access import visible_to


def periods() -> list[str]:
    found = set(Verdict.objects.order_by().values_list("period", flat=True).distinct())
    found |= set(Finding.objects.order_by().values_list("period", flat=True).distinct())
    return sorted(found, reverse=True)


def verdicts_for(user, period: str):
    return (
        visible_to(user, Verdict.objects.filter(period=period))
        .select_related("unit", "website", "rule_set")
        .order_by("unit__sort_order", "unit__name", "website__name")
    )


def verdict_summary(verdicts) -> dict:
    rows = [(v.final, v.unit.counts_in_rates) for v in verdicts]
    passed, counted, rate = pass_rate(rows)
    by_result = {r: sum(1 for v in verdicts if v.final == r) for r in Verdict.Result.values}
    # Where the period is heading if every pending finding were confirmed.
    projected = [
        (
            v.projected_result if v.pending_count and not v.result else v.final,
            v.unit.counts_in_rates,
        )
        for v in verdicts
    ]
    return {
        "passed": passed,
        "counted": counted,
        "rate": rate,
        "listed": len(rows),
        "pending": sum(v.pending_count for v in verdicts),
        "projected_rate": pass_rate(projected)[2],
        **by_result,
    }


def findings_for(user, website, period: str):
    qs = Finding.objects.filter(website=website, period=period).select_related(
        "column", "reviewed_by"
    )
    return visible_to(user, qs).order_by("severity", "kind", "title")


def open_counts(user, period: str):
    """Pending findings per website, for the staff's review queue."""
    return (
        visible_to(user, Finding.objects.filter(period=period, status=Finding.Status.PENDING))
        .exclude(severity=Severity.MANUAL)
        .values("website_id")
        .annotate(n=Count("id"), vetoes=Count("id", filter=Q(severity=Severity.VETO)))
    )
