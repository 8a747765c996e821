"""From a run's observations to findings, idempotently: a re-run in the same period updates a
finding (and keeps its review) instead of adding another."""

import hashlib

from django.db import IntegrityError, transaction
from django.utils import timezone

from audits.checks import evaluate_site
from audits.checks.base import Draft
from audits.facts import site_facts
from audits.glossary import CONTENT_KINDS, Kind
from audits.models import (
    Exemption,
    Finding,
    InspectionRun,
    RunSite,
    active_rule_set,
    rules_for,
)
from audits.rules import Rules
from audits.services.rectification import close_fixed
from core.db import copy_insert
from units.models import Website

# Which finding kinds each kind of observation can produce: a run replaces only those. Content
# findings come from every page that is scanned.
_KINDS_BY_OBSERVATION = {
    "home": {Kind.HOME_STALE, Kind.HOME_MANUAL, Kind.META_TAGS, Kind.TLS, Kind.UNAVAILABLE}
    | CONTENT_KINDS,
    "column": {Kind.COLUMN_OVERDUE, Kind.COLUMN_EMPTY, Kind.COLUMN_DUE_SOON, Kind.COLUMN_MANUAL}
    | CONTENT_KINDS,
    "article": {Kind.META_TAGS} | CONTENT_KINDS,
    "link": {Kind.BROKEN_LINK},
    "search": {Kind.SEARCH_MISS},
}


FINDING_FIELDS = (
    "unit", "run", "monitoring_point", "kind", "indicator", "severity", "title", "reason", "item",
    "count", "url", "column", "evidence",
)  # fmt: skip


def findings_insert(findings: list[Finding]) -> None:
    """Insert new findings (of websites or of accounts) at once; if another run of the period
    inserted one of them meanwhile, take its row instead (one at a time, as update_or_create
    would)."""
    try:
        with transaction.atomic():
            copy_insert(Finding, findings, with_ids=True)
    except IntegrityError:
        for finding in findings:
            subject = (
                {"website": finding.website} if finding.website_id else {"account": finding.account}
            )
            stored, _ = Finding.objects.update_or_create(
                **subject, period_id=finding.period_id, key=finding.key,
                defaults={name: getattr(finding, name) for name in FINDING_FIELDS},
            )  # fmt: skip
            if finding.status == Finding.Status.EXEMPT and stored.status == Finding.Status.PENDING:
                stored.status, stored.review_note = finding.status, finding.review_note
                stored.save(update_fields=["status", "review_note"])
            finding.__dict__.update(stored.__dict__)  # the caller's object is the stored row


# What a finding seen again always moves to the run that saw it; the rest changes only when the
# check says something new about it.
_MOVING = frozenset({"run", "monitoring_point"})


def findings_update(seen: list[tuple[Finding, dict]], now) -> None:
    """Store findings seen again, each with its new ``values`` (FINDING_FIELDS, and a status and
    review note an exemption sets): the usual case, the same problem seen by a later run, is one
    UPDATE for all of them; only those whose content changed go through ``bulk_update``, whose
    CASE per field and row cost a re-inspected site about 25 ms of CPU (issue 12)."""
    same, changed = [], []
    for finding, values in seen:
        differs = stored_differs(finding, values, _MOVING)
        for name, value in values.items():
            setattr(finding, name, value)
        finding.last_seen = now
        (changed if differs else same).append(finding)
    if same:
        run = same[0].run
        Finding.objects.filter(pk__in=[f.pk for f in same]).update(
            run=run, monitoring_point=same[0].monitoring_point, last_seen=now
        )
    Finding.objects.bulk_update(
        changed, [*FINDING_FIELDS, "last_seen", "status", "review_note"], batch_size=500
    )


def stored_differs(row, values: dict, moving) -> bool:
    """Whether ``values`` change any field of the stored ``row`` but those in ``moving``."""
    return any(
        _stored(row, name) != _value(value) for name, value in values.items() if name not in moving
    )


def _stored(row, name: str):
    field = type(row)._meta.get_field(name)
    return getattr(row, field.attname)  # a relation by its id: no query


def _value(value):
    return value.pk if hasattr(value, "_meta") else value


def site_drafts(
    run: InspectionRun, website: Website, rules: Rules, observations: list | None = None
) -> list[Draft]:
    facts = site_facts(run, website, rules, observations)
    return evaluate_site(facts, run.monitoring_point, rules)


def rules_key(rules: Rules) -> str:
    """Which rules exactly: a rule set edited in place keeps its code and version."""
    return hashlib.sha256(repr(rules).encode()).hexdigest()[:32]


def drafts_seen(drafts: list[Draft], rules: Rules) -> dict:
    """What RunSite.drafts keeps of a site's drafts: the counts by key, and under which rules."""
    return {"rules": rules_key(rules), "counts": {d.key: d.count for d in drafts}}


def findings_for_run(run: InspectionRun, rules: Rules | None = None) -> int:
    """Generate the findings of every website the run looked at. Returns how many exist."""
    rules = rules or rules_for(active_rule_set())
    site_ids = run.observations.values_list("website_id", flat=True).distinct()
    total = 0
    for website in Website.objects.filter(pk__in=site_ids).select_related("unit"):
        total += len(findings_for_website(run, website, rules))
    return total


@transaction.atomic
def findings_for_website(
    run: InspectionRun, website: Website, rules: Rules, observations: list | None = None
) -> list[Finding]:
    """Store what the checks say about one website. A self-check (no period) stores nothing:
    its result is shown from its observations, never counted. ``observations``: all of the
    site's in this run when the caller holds them (not read back, issue 12)."""
    if observations is None:
        observations = list(run.observations.filter(website=website).select_related("column"))
    drafts = site_drafts(run, website, rules, observations)
    RunSite.objects.filter(run=run, website=website).update(drafts=drafts_seen(drafts, rules))
    # Any re-inspection, a unit's self-check included, may see an open problem fixed.
    close_fixed(run, website, {d.key for d in drafts}, observations)
    if run.period_id is None or run.period.is_locked:
        return []  # a self-check is never counted; a locked period's findings no longer move
    columns = {c.url: c for c in website.columns.all()}
    exemptions = list(Exemption.objects.filter(website=website, until__gte=run.monitoring_point))
    existing = {
        f.key: f
        for f in Finding.objects.select_for_update().filter(
            website=website, period_id=run.period_id, key__in=[d.key for d in drafts]
        )
    }
    now = timezone.now()
    kept, new, seen = [], [], []
    for d in drafts:
        column = columns.get(d.column_url)
        exemption = next(
            (
                e
                for e in exemptions
                if e.kind == d.kind and (e.column_id is None or column and e.column_id == column.pk)
            ),
            None,
        )
        values = {
            "unit": website.unit,
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
            "column": column,
            "evidence": d.evidence,
        }
        finding = existing.get(d.key)
        status = finding.status if finding else Finding.Status.PENDING
        if exemption and status == Finding.Status.PENDING:
            values["status"] = Finding.Status.EXEMPT
            values["review_note"] = f"豁免至{exemption.until:%Y-%m-%d}：{exemption.reason}"
        if finding is None:
            finding = Finding(website=website, period_id=run.period_id, key=d.key, **values)
            new.append(finding)
        else:
            seen.append((finding, values))
        kept.append(finding)
    # Two writes for the site instead of an upsert per finding (the run path's CPU, issue 12);
    # the rows seen before are locked above, so a review meanwhile waits and is kept.
    findings_insert(new)
    findings_update(seen, now)
    # A machine finding this run made and, evaluated again, no longer sees goes away unless a
    # person has reviewed it. Findings of the period's other runs stay: any of them may be the
    # period's monitoring point (staff may designate it later); the verdict counts only the
    # monitoring run's, so the others are history, never sums.
    covered = set().union(*(_KINDS_BY_OBSERVATION.get(o.kind, set()) for o in observations))
    Finding.objects.filter(
        website=website,
        period_id=run.period_id,
        run=run,
        source=Finding.Source.MACHINE,
        status=Finding.Status.PENDING,
        kind__in=covered,
    ).exclude(pk__in=[f.pk for f in kept]).delete()
    return kept
