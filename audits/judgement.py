"""From observations to findings, and from confirmed findings to verdicts (the database side).

The checks and the verdict rule are pure (audits/checks, audits/scoring.py); this module only
gathers their inputs from rows and stores their outputs, idempotently.
"""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from audits.auditlog import audit_record
from audits.checks.base import Draft, Severity
from audits.checks.columns import ColumnFact, check_columns
from audits.checks.content import PageContent, check_content
from audits.checks.site import (
    HomeFact,
    LinkFact,
    MetaProblem,
    ProbeFact,
    SearchFact,
    TlsFact,
    check_availability,
    check_home,
    check_links,
    check_meta,
    check_search,
    check_tls,
)
from audits.extract.meta import check_meta_tags
from audits.models import Finding, InspectionRun, Observation, RuleSet, Verdict
from audits.rules import Item, Overlays, Rules
from audits.scoring import Counted, propose_verdict
from units.models import Website

# Which finding kinds each kind of observation can produce: a run replaces only those. Content
# findings come from every page that is scanned.
_CONTENT = {"typo", "leader", "sensitive", "gambling", "porn", "hidden_link"}
_KINDS_BY_OBSERVATION = {
    "home": {"home_stale", "home_manual", "meta_tags", "tls", "unavailable"} | _CONTENT,
    "column": {"column_overdue", "column_empty", "column_due_soon", "column_manual"} | _CONTENT,
    "article": {"meta_tags"} | _CONTENT,
    "link": {"broken_link"},
    "search": {"search_miss"},
}


def active_rule_set() -> RuleSet:
    rule_set = RuleSet.objects.filter(is_active=True).order_by("-version").first()
    return rule_set or RuleSet.objects.order_by("-version").first()


def rules_for(rule_set: RuleSet) -> Rules:
    return Rules(
        code=rule_set.code,
        version=rule_set.version,
        pass_mark=rule_set.pass_mark,
        bonus_threshold=rule_set.bonus_threshold,
        veto_overdue_key=rule_set.veto_overdue_key,
        veto_overdue_any=rule_set.veto_overdue_any,
        veto_empty=rule_set.veto_empty,
        veto_unavailable_share=rule_set.veto_unavailable_share,
        home_stale_days=rule_set.home_stale_days,
        overlays=Overlays(
            unfixed_last_period_fails=rule_set.unfixed_last_period_fails,
            due_soon_days=rule_set.due_soon_days,
        ),
        items=tuple(
            Item(i.code, i.group, i.text, i.cap, i.per_occurrence, i.verified, i.window_days)
            for i in rule_set.items.all()
        ),
    )


# --- observations -> findings --------------------------------------------------------------------


def findings_for_run(run: InspectionRun, rules: Rules | None = None) -> int:
    """Generate the findings of every website the run looked at. Returns how many exist."""
    rules = rules or rules_for(active_rule_set())
    site_ids = run.observations.values_list("website_id", flat=True).distinct()
    total = 0
    for website in Website.objects.filter(pk__in=site_ids).select_related("unit"):
        total += len(findings_for_website(run, website, rules))
    return total


def site_drafts(run: InspectionRun, website: Website, rules: Rules) -> list[Draft]:
    obs = list(run.observations.filter(website=website).select_related("column"))
    point = run.monitoring_point
    drafts: list[Draft] = []

    columns = [
        ColumnFact(
            name=o.column.name,
            url=o.column.url,
            category=o.column.category,
            window_days=o.column.effective_window_days,
            is_first_level=o.column.is_first_level,
            is_exempt=o.column.is_exempt,
            outcome=o.outcome,
            newest=o.newest_date,
            http_status=o.http_status,
            reason=o.reason,
        )
        for o in obs
        if o.kind == Observation.Kind.COLUMN and o.column is not None
    ]
    drafts += check_columns(columns, point, rules)

    meta_problems: list[MetaProblem] = []
    for o in obs:
        if o.kind == Observation.Kind.HOME:
            drafts += check_home(
                HomeFact(
                    url=o.url,
                    ok=o.outcome == Observation.Outcome.OK,
                    outcome=o.evidence.get("list_status", "needs_manual"),
                    newest=o.newest_date,
                    item_count=o.item_count or 0,
                ),
                point,
                rules,
            )
            drafts += check_tls(_tls_fact(o), point, rules)
        page_kind = {"home": "home", "column": "list", "article": "article"}.get(o.kind)
        if page_kind and "meta" in o.evidence and o.outcome != Observation.Outcome.ERROR:
            tags = o.evidence["meta"]
            for problem in check_meta_tags(tags, page_kind, website.site_code or None):
                if problem.level == "error":
                    meta_problems.append(MetaProblem(problem.code, problem.message, o.url))
    drafts += check_meta(meta_problems)
    drafts += check_content(
        [
            PageContent(
                o.url,
                tuple(o.evidence["content"].get("hits", ())),
                tuple(o.evidence["content"].get("hidden_links", ())),
            )
            for o in obs
            if "content" in o.evidence
        ]
    )

    links = [o for o in obs if o.kind == Observation.Kind.LINK]
    if links:
        drafts += check_links([_link_fact(o) for o in links])

    searches = [o for o in obs if o.kind == Observation.Kind.SEARCH]
    drafts += check_search(
        [SearchFact(o.evidence.get("query", ""), o.url, o.evidence.get("found")) for o in searches]
    )

    probes = Observation.objects.filter(
        website=website,
        kind=Observation.Kind.PROBE,
        observed_at__date__gte=point - dt.timedelta(days=rules.availability_days + 1),
        observed_at__date__lte=point,
    ).values_list("observed_at", "outcome")
    drafts += check_availability(
        [ProbeFact(at, outcome == Observation.Outcome.OK) for at, outcome in probes],
        point,
        rules,
        timezone.get_current_timezone(),
    )
    return drafts


def _tls_fact(home: Observation) -> TlsFact:
    not_after = home.evidence.get("cert_not_after")
    return TlsFact(
        url=home.url,
        problem=home.evidence.get("tls_problem"),
        not_after=dt.datetime.fromisoformat(not_after) if not_after else None,
    )


def _link_fact(o: Observation) -> LinkFact:
    previous = (
        Observation.objects.filter(website_id=o.website_id, kind=o.kind, url=o.url)
        .exclude(run_id=o.run_id)
        .filter(observed_at__lt=o.observed_at)
        .order_by("-observed_at")
        .values_list("outcome", flat=True)
        .first()
    )
    return LinkFact(
        url=o.url,
        found_on=o.evidence.get("found_on", ""),
        on_home=bool(o.evidence.get("on_home")),
        state=o.outcome,
        previous_state=previous,
        http_status=o.http_status,
        error=o.evidence.get("error") or "",
    )


@transaction.atomic
def findings_for_website(run: InspectionRun, website: Website, rules: Rules) -> list[Finding]:
    drafts = site_drafts(run, website, rules)
    columns = {c.url: c for c in website.columns.all()}
    kept = []
    for d in drafts:
        finding, _ = Finding.objects.update_or_create(
            unit=website.unit,
            website=website,
            period=run.period,
            key=d.key,
            defaults={
                "run": run,
                "monitoring_point": run.monitoring_point,
                "kind": d.kind,
                "indicator": d.indicator,
                "severity": d.severity,
                "title": d.title,
                "reason": d.reason,
                "item": d.item,
                "count": d.count,
                "url": d.url[:1000],
                "column": columns.get(d.column_url),
                "evidence": d.evidence,
            },
        )
        kept.append(finding)
    # A machine finding this run no longer sees (the column was updated since) goes away,
    # unless a person has already reviewed it.
    covered = set().union(
        *(
            _KINDS_BY_OBSERVATION.get(kind, set())
            for kind in run.observations.filter(website=website).values_list("kind", flat=True)
        )
    )
    Finding.objects.filter(
        website=website,
        period=run.period,
        source=Finding.Source.MACHINE,
        status=Finding.Status.PENDING,
        kind__in=covered,
    ).exclude(pk__in=[f.pk for f in kept]).delete()
    return kept


# --- findings -> verdicts ------------------------------------------------------------------------


def previous_period_keys(website: Website, period: str) -> frozenset[str]:
    """Confirmed problems of the website's latest earlier period (warnings excluded)."""
    earlier = (
        Finding.objects.filter(website=website, period__lt=period)
        .order_by("-period")
        .values_list("period", flat=True)
        .first()
    )
    if earlier is None:
        return frozenset()
    return frozenset(
        Finding.objects.filter(website=website, period=earlier, status=Finding.Status.CONFIRMED)
        .exclude(severity__in=(Severity.WARNING, Severity.MANUAL))
        .values_list("key", flat=True)
    )


def verdict_refresh(
    website: Website, period: str, monitoring_point: dt.date, rule_set: RuleSet | None = None
) -> Verdict:
    """Recompute the proposed verdict from confirmed findings. A decision already taken by a
    person (result, override) is kept; only the proposal moves."""
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
    site_ids = run.observations.values_list("website_id", flat=True).distinct()
    count = 0
    for website in Website.objects.filter(pk__in=site_ids).select_related("unit"):
        verdict_refresh(website, run.period, run.monitoring_point)
        count += 1
    return count


# --- people decide -------------------------------------------------------------------------------


@transaction.atomic
def finding_review(finding: Finding, *, user, status: str, note: str) -> Finding:
    if status not in (Finding.Status.CONFIRMED, Finding.Status.DISMISSED):
        raise ValueError(status)
    if status == Finding.Status.DISMISSED and not note.strip():
        raise ValueError("排除问题必须填写理由")
    before = finding.status
    finding.status = status
    finding.review_note = note.strip()
    finding.reviewed_by = user
    finding.reviewed_at = timezone.now()
    finding.save(update_fields=["status", "review_note", "reviewed_by", "reviewed_at"])
    audit_record(
        actor=user,
        action=f"finding_{status}",
        unit=finding.unit,
        target=finding,
        finding=finding.pk,
        before=before,
        note=finding.review_note,
    )
    if finding.website_id:
        verdict_refresh(finding.website, finding.period, finding.monitoring_point)
    return finding


@transaction.atomic
def finding_add_manual(website: Website, period: str, *, user, **fields) -> Finding:
    """A finding staff record by hand (办事指南要素, 答复质量 …): confirmed at once, logged."""
    verdict = Verdict.objects.filter(website=website, period=period).first()
    point = verdict.monitoring_point if verdict else timezone.localdate()
    finding = Finding.objects.create(
        unit=website.unit,
        website=website,
        period=period,
        monitoring_point=point,
        key=f"manual:{timezone.now().timestamp()}",
        kind="manual",
        source=Finding.Source.MANUAL,
        status=Finding.Status.CONFIRMED,
        reviewed_by=user,
        reviewed_at=timezone.now(),
        **fields,
    )
    audit_record(
        actor=user, action="finding_manual", unit=website.unit, target=finding, finding=finding.pk
    )
    verdict_refresh(website, period, point)
    return finding


@transaction.atomic
def verdict_decide(
    verdict: Verdict, *, user, result: str | None = None, reason: str = ""
) -> Verdict:
    """Adopt the proposal (result None) or override it, which needs a written reason."""
    final = result or verdict.proposed_result
    overriding = final != verdict.proposed_result
    if overriding and not reason.strip():
        raise ValueError("改判必须填写理由")
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
        verdict=verdict.pk,
        proposed=verdict.proposed_result,
        result=final,
        reason=verdict.override_reason,
        rule_set=f"{verdict.rule_set.code} v{verdict.rule_set_version}",
    )
    return verdict
