"""From confirmed findings to proposed verdicts, and people's decisions on them.

The verdict rule itself is pure (audits/scoring.py); this module gathers its inputs from rows
and stores its output. A decision already taken by a person (result, override) is kept when
the proposal moves; every decision is in the audit log.
"""

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone

from audits.glossary import Severity
from audits.models import (
    Bonus,
    Finding,
    InspectionRun,
    Period,
    RuleSet,
    RunSite,
    Verdict,
    active_rule_set,
    rules_for,
)
from audits.scoring import Counted, Previous, propose_verdict
from audits.services.findings import rules_key, site_drafts, stored_differs
from core.auditlog import audit_record
from units.access import is_lead
from units.models import Website

_PREVIOUS_LABEL = {"month": "上月", "quarter": "上季度", "year": "上年度", "custom": "上期"}


def previous_problems(website: Website, period: Period) -> Previous:
    """Last period's problems that counted in its verdict, with their rectification states."""
    return previous_problems_of([website.pk], period)[website.pk]


def previous_problems_of(website_ids, period: Period) -> dict[int, Previous]:
    """previous_problems for many sites of one period, in three queries."""
    earlier = period.previous()
    label = _PREVIOUS_LABEL.get(period.kind, "上期")
    if earlier is None:
        return {pk: Previous(label=label) for pk in website_ids}
    counted = dict(
        Verdict.objects.filter(website_id__in=website_ids, period=earlier).values_list(
            "website_id", "finding_ids"
        )
    )
    rows: dict[int, list] = {pk: [] for pk in website_ids}
    for website_id, pk, key, state in (
        Finding.objects.filter(
            website_id__in=website_ids, period=earlier, status=Finding.Status.CONFIRMED
        )
        .exclude(severity__in=(Severity.WARNING, Severity.MANUAL))
        .values_list("website_id", "pk", "key", "rectification")
    ):
        ids = counted.get(website_id)
        if ids is None or pk in ids:  # only what counted in last period's verdict, if it had one
            rows[website_id].append((key, state))
    closed = Finding.Rectification.CLOSED
    attempted = {Finding.Rectification.SUBMITTED, Finding.Rectification.REJECTED}
    return {
        website_id: Previous(
            open_keys=frozenset(k for k, state in found if state != closed),
            fixed=sum(1 for _, state in found if state == closed),
            attempted=frozenset(k for k, state in found if state in attempted),
            label=label,
        )
        for website_id, found in rows.items()
    }


def previous_period_keys(website: Website, period: Period) -> frozenset[str]:
    return previous_problems(website, period).open_keys


def monitoring_run_for(website: Website, period: Period) -> InspectionRun | None:
    """The run whose observations the period's counts come from (see monitoring_runs_for)."""
    return monitoring_runs_for([website.pk], period).get(website.pk)


def monitoring_runs_for(website_ids, period: Period) -> dict[int, InspectionRun]:
    """For each site, the run whose observations the period's counts come from: the one staff
    designated, if it covered this site, else the last complete office run of the period that
    did. Other runs give warnings, history and trends, never sums (daily runs would otherwise
    add up columns overdue on different days toward the veto thresholds). Sites no complete
    run covered are absent."""
    covered = (
        RunSite.objects.filter(
            website_id__in=website_ids,
            status=RunSite.Status.DONE,
            run__period=period,
            run__status=InspectionRun.Status.DONE,
        )
        .exclude(run__trigger=InspectionRun.Trigger.SELF_CHECK)
        .order_by("-run__monitoring_point", "-run__finished_at", "-run_id")
        .values_list("website_id", "run_id")
    )
    chosen: dict[int, int] = {}
    for website_id, run_id in covered:
        if website_id not in chosen or run_id == period.monitoring_run_id:
            chosen[website_id] = run_id
    runs = InspectionRun.objects.in_bulk(set(chosen.values()))
    return {website_id: runs[run_id] for website_id, run_id in chosen.items()}


def _counted(rows, seen: dict | None) -> list[Counted]:
    """Findings as the verdict counts them. A machine finding counts only when the monitoring
    run saw it, with the count that run saw (``seen``: key -> count); manual and imported
    findings always count."""
    out = []
    for f in rows:
        if f.source == Finding.Source.MACHINE:
            if seen is None or f.key not in seen:
                continue
            count = seen[f.key]
        else:
            count = f.count
        column = f.column.url if f.column_id else ""
        out.append(
            Counted(
                f.key, f.kind, f.indicator, f.severity, f.title, f.item, count, f.source, column
            )
        )
    return out


def verdict_refresh(
    website: Website,
    period: Period,
    monitoring_point: dt.date | None = None,
    rule_set: RuleSet | None = None,
    seen_by: tuple[int, dict] | None = None,
) -> Verdict | None:
    """Recompute the proposed verdict from confirmed findings. A decision already taken by a
    person (result, override) is kept; only the proposal moves. A locked period's verdicts no
    longer move: the refresh is skipped and the stored verdict returned.

    ``seen_by`` = (run id, RunSite.drafts): what that run's checks saw of the site, used instead
    of evaluating it again when that run is the monitoring run and the rules are the same."""
    seen = (seen_by[0], {website.pk: seen_by[1]}) if seen_by else None
    refreshed = verdicts_refresh([website], period, monitoring_point, rule_set, seen)
    return refreshed[0] if refreshed else None


_PROPOSAL_FIELDS = (
    "unit", "monitoring_point", "monitoring_run", "rule_set", "rule_set_version",
    "proposed_result", "proposed_score", "reasons", "finding_ids", "carried_keys",
    "pending_count", "projected_result", "projected_reasons", "computed_at",
)  # fmt: skip
# What a later run of the same proposal changes.
_PROPOSAL_MOVING = frozenset({"monitoring_point", "monitoring_run", "computed_at"})


def verdicts_refresh(
    websites,
    period: Period,
    monitoring_point: dt.date | None = None,
    rule_set: RuleSet | None = None,
    seen: tuple[int, dict] | None = None,
) -> list[Verdict]:
    """verdict_refresh for many sites of one period, in a fixed number of queries (plus the
    evaluation of sites whose drafts are not known). ``seen`` = (run id, {website id:
    RunSite.drafts}). Returns the sites' verdicts in their order."""
    websites = list(websites)
    ids = [w.pk for w in websites]
    if period.is_locked:
        stored = {
            v.website_id: v for v in Verdict.objects.filter(website_id__in=ids, period=period)
        }
        return [stored[pk] for pk in ids if pk in stored]
    rule_set = rule_set or active_rule_set()
    rules = rules_for(rule_set)
    key = rules_key(rules)
    runs = monitoring_runs_for(ids, period)
    findings: dict[int, list[Finding]] = {pk: [] for pk in ids}
    for f in (
        Finding.objects.filter(website_id__in=ids, period=period)
        .select_related("column")
        .order_by("pk")
    ):
        findings[f.website_id].append(f)
    previous = previous_problems_of(ids, period)
    bonuses = dict(
        Bonus.objects.filter(website_id__in=ids, period=period).values_list("website_id", "points")
    )
    now = timezone.now()
    proposals = []
    for website in websites:
        run = runs.get(website.pk)
        drafts = None
        if run is not None:
            known = seen[1].get(website.pk) if seen and seen[0] == run.pk else None
            if known and known.get("rules") == key:
                drafts = known["counts"]
            else:
                drafts = {d.key: d.count for d in site_drafts(run, website, rules)}
        rows = findings[website.pk]
        confirmed = [f for f in rows if f.status == Finding.Status.CONFIRMED]
        pending = [f for f in rows if f.status == Finding.Status.PENDING]
        extra = bonuses.get(website.pk, 0.0) if website.kind == Website.Kind.PORTAL else 0.0

        def propose(found, website=website, drafts=drafts, extra=extra):
            return propose_verdict(
                _counted(found, drafts),
                rules,
                has_services=website.has_services,
                previous=previous[website.pk],
                bonus=extra,
            )

        proposal = propose(confirmed)
        projection = propose(confirmed + pending)
        counted_ids = {c.key for c in _counted(confirmed, drafts)}
        counted_pending = _counted(pending, drafts)
        point = run.monitoring_point if run else (monitoring_point or min(period.end, _today()))
        values = {
            "unit": website.unit,
            "monitoring_point": point,
            "monitoring_run": run,
            "rule_set": rule_set,
            "rule_set_version": rule_set.version,
            "proposed_result": proposal.result,
            "proposed_score": proposal.score,
            "reasons": list(proposal.reasons),
            "finding_ids": [f.pk for f in confirmed if f.key in counted_ids],
            "carried_keys": list(proposal.carried),
            "pending_count": sum(1 for f in counted_pending if f.severity != Severity.MANUAL),
            "projected_result": projection.result,
            "projected_reasons": list(projection.reasons),
            "computed_at": now,
        }
        proposals.append((website, values))
    return proposals_store(period, "website", proposals)


def proposals_store(period: Period, subject: str, proposals: list[tuple]) -> list[Verdict]:
    """Write the proposals ((website or account, verdict fields), ``subject`` naming which) as
    the period's verdicts in one update and one insert. Only the proposal's fields are written:
    a person's decision (result, override) is kept. Returns the verdicts in that order.

    A verdict whose proposal did not change but for the run it comes from (every verdict of a
    county, run after run) is moved with one UPDATE per run; only changed ones go through
    ``bulk_update``, whose CASE per field and row cost 0.3 s for 150 verdicts (issue 12)."""
    stored = {
        getattr(v, f"{subject}_id"): v
        for v in Verdict.objects.filter(
            **{f"{subject}_id__in": [s.pk for s, _ in proposals]}, period=period
        )
    }
    out, new, changed = [], [], []
    moved: dict[tuple, list[int]] = {}  # (point, run id, computed at) -> verdicts
    for owner, values in proposals:
        verdict = stored.get(owner.pk)
        if verdict is None:
            verdict = Verdict(**{subject: owner}, period=period, **values)
            new.append(verdict)
        else:
            if stored_differs(verdict, values, _PROPOSAL_MOVING):
                changed.append(verdict)
            else:
                run = values["monitoring_run"]
                key = (values["monitoring_point"], run.pk if run else None, values["computed_at"])
                moved.setdefault(key, []).append(verdict.pk)
            for name, value in values.items():
                setattr(verdict, name, value)
        out.append(verdict)
    for (point, run_id, at), pks in moved.items():
        Verdict.objects.filter(pk__in=pks).update(
            monitoring_point=point, monitoring_run_id=run_id, computed_at=at
        )
    Verdict.objects.bulk_update(changed, _PROPOSAL_FIELDS, batch_size=500)
    try:
        with transaction.atomic():
            Verdict.objects.bulk_create(new)
    except IntegrityError:
        # A refresh elsewhere inserted one of them meanwhile: update its row instead, one at a
        # time, as update_or_create would.
        for verdict in new:
            stored, _ = Verdict.objects.update_or_create(
                website=verdict.website, account=verdict.account, period=verdict.period,
                defaults={name: getattr(verdict, name) for name in _PROPOSAL_FIELDS},
            )  # fmt: skip
            verdict.__dict__.update(stored.__dict__)
    return out


def _today() -> dt.date:
    return timezone.localdate()


def verdicts_for_run(run: InspectionRun) -> int:
    if run.period_id is None:
        return 0
    site_ids = run.observations.values_list("website_id", flat=True).distinct()
    seen = dict(run.sites.filter(drafts__isnull=False).values_list("website_id", "drafts"))
    websites = list(Website.objects.filter(pk__in=site_ids).select_related("unit").order_by("pk"))
    verdicts_refresh(websites, run.period, run.monitoring_point, seen=(run.pk, seen))
    return len(websites)


def verdicts_refresh_for(findings) -> int:
    """Refresh once per website or account touched by these findings (bulk review, imports)."""
    from audits.services.accounts import account_verdict_refresh
    from newmedia.models import Account

    findings = list(findings)
    touched = {(f.website_id, f.period_id): f.monitoring_point for f in findings if f.website_id}
    accounts = {(f.account_id, f.period_id) for f in findings if f.account_id}
    websites = Website.objects.select_related("unit").in_bulk({w for w, _ in touched})
    periods = Period.objects.in_bulk({p for _, p in touched} | {p for _, p in accounts})
    for (website_id, period_id), point in touched.items():
        verdict_refresh(websites[website_id], periods[period_id], point)
    by_id = Account.objects.select_related("unit").in_bulk({a for a, _ in accounts})
    for account_id, period_id in accounts:
        account_verdict_refresh(by_id[account_id], periods[period_id])
    return len(touched) + len(accounts)


@transaction.atomic
def verdict_decide(
    verdict: Verdict, *, user, result: str | None = None, reason: str = ""
) -> Verdict:
    """Adopt the proposal (result None) or override it, which needs a written reason. In a
    locked period only the lead may correct a result, with a reason: a new, logged act."""
    final = result or verdict.proposed_result
    overriding = final != verdict.proposed_result
    correcting = verdict.period.is_locked
    if correcting and not is_lead(user):
        raise ValueError(f"{verdict.period.label}已锁定，只有政务公开办负责人可以更正检查结果")
    if (overriding or correcting) and not reason.strip():
        raise ValueError("锁定后更正检查结果必须填写理由" if correcting else "改判必须填写理由")
    before = {"result": verdict.result, "override_reason": verdict.override_reason}
    verdict.result = final
    verdict.override_reason = reason.strip() if overriding or correcting else ""
    verdict.decided_by = user
    verdict.decided_at = timezone.now()
    verdict.save(update_fields=["result", "override_reason", "decided_by", "decided_at"])
    audit_record(
        actor=user,
        action="verdict_correction"
        if correcting
        else "verdict_override"
        if overriding
        else "verdict_adopt",
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


@transaction.atomic
def verdicts_adopt_clear(period: Period, *, user) -> int:
    """Adopt the proposal of every verdict of the period that has no pending finding and no
    decision yet: one act per verdict in the audit log."""
    if period.is_locked:
        raise ValueError(f"{period.label}已锁定")
    rows = Verdict.objects.filter(period=period, result="", pending_count=0).select_related(
        "rule_set", "unit", "period"
    )
    count = 0
    for verdict in rows:
        verdict_decide(verdict, user=user)
        count += 1
    return count
