"""New media in the engine: reading accounts' feeds through the safe fetcher, judging accounts
at a run's monitoring point, and their verdicts in the same review flow as websites."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from audits.checks.accounts import (
    AccountFacts,
    EventFact,
    MessageFact,
    PostFact,
    RepostFact,
    evaluate_account,
)
from audits.checks.base import Draft
from audits.checks.content import PageContent
from audits.glossary import Severity
from audits.models import (
    Finding,
    InspectionRun,
    Observation,
    Period,
    RuleSet,
    Verdict,
    active_rule_set,
    rules_for,
)
from audits.rules import Rules
from audits.scoring import Counted, Previous, propose_verdict
from newmedia.feeds import FeedError, parse_feed, posts_store
from newmedia.models import Account, Post, RepostRequirement

FEED_SLOT = dt.timedelta(hours=6)


def feed_url(account: Account) -> str:
    """The account's own feed, else its route on the configured RSSHub-style bridge."""
    if account.feed_url:
        return account.feed_url
    bridge = getattr(settings, "GOVWATCH_FEED_BRIDGE_URL", "")
    if bridge and account.account_id:
        return f"{bridge.rstrip('/')}/{account.platform}/{account.account_id}"
    return ""


def feed_ingest(account: Account, fetcher=None, now: dt.datetime | None = None) -> Observation:
    """Read one account's feed and store its posts. Idempotent per 6-hour slot: delivered
    twice, it updates its observation and adds no post twice."""
    from audits.services.runs import fetcher_for_runs

    now = now or timezone.now()
    url = feed_url(account)
    slot = dt.datetime.fromtimestamp(
        int(now.timestamp()) // int(FEED_SLOT.total_seconds()) * int(FEED_SLOT.total_seconds()),
        tz=dt.UTC,
    )
    values = {"url": url or account.url or f"account:{account.pk}", "observed_at": now}
    if not url:
        values |= {"outcome": Observation.Outcome.UNKNOWN, "reason": "未登记订阅源地址"}
    else:
        page = (fetcher or fetcher_for_runs()).fetch(url)
        values |= {
            "http_status": page.status,
            "elapsed_ms": page.elapsed_ms,
            "bytes": page.bytes,
            "encoding": page.encoding or "",
        }
        if not page.ok:
            values |= {
                "outcome": Observation.Outcome.ERROR,
                "reason": f"订阅源无法读取：{page.error or page.status}",
            }
        else:
            try:
                reading = parse_feed(page.text)
            except FeedError as exc:
                values |= {"outcome": Observation.Outcome.ERROR, "reason": str(exc)}
            else:
                created, _ = posts_store(account, reading.posts)
                newest = max((p.published_at for p in reading.posts), default=None)
                values |= {
                    "outcome": Observation.Outcome.OK,
                    "item_count": len(reading.posts),
                    "newest_date": timezone.localtime(newest).date() if newest else None,
                    "reason": f"读取 {len(reading.posts)} 条，新增 {created} 条"
                    + "".join(f"；{w}" for w in reading.warnings),
                    "evidence": {"feed_title": reading.title, "encoding_how": page.encoding_how},
                }
    observation, _ = Observation.objects.update_or_create(
        account=account, kind=Observation.Kind.FEED, slot=slot, defaults=values
    )
    return observation


def account_facts(account: Account, point: dt.date, rules: Rules, period=None) -> AccountFacts:
    from audits.content.io import load_matcher_from_db
    from audits.inspection import scan_content

    tz = timezone.get_current_timezone()
    since = point - dt.timedelta(days=max(rules.interaction_lookback_days, 200))
    posts = list(
        Post.objects.filter(
            account=account, published_at__date__gte=since, published_at__date__lte=point
        ).values_list("published_at", "title", "url", "original")
    )
    last_feed = (
        Observation.objects.filter(account=account, kind=Observation.Kind.FEED)
        .order_by("-observed_at")
        .first()
    )
    matcher = load_matcher_from_db()
    titles = "<br>".join(title for _, title, _, _ in posts[:500])
    content = scan_content(f"<html><body>{titles}</body></html>", account.url or "", matcher)
    reposts = RepostRequirement.objects.filter(due__lte=point, due__gte=since)
    return AccountFacts(
        name=account.name,
        platform=account.platform,
        status=account.status,
        has_interaction=account.has_interaction,
        feed_title=(last_feed.evidence.get("feed_title", "") if last_feed else ""),
        feed_error=(
            last_feed.reason if last_feed and last_feed.outcome != Observation.Outcome.OK else ""
        ),
        posts=tuple(PostFact(at, title, url, original) for at, title, url, original in posts),
        messages=tuple(
            MessageFact(m.received_at, m.replied_at, m.auto_reply, m.valid, m.title)
            for m in account.messages.filter(received_at__date__gte=since)
        ),
        events=tuple(
            EventFact(e.kind, e.date, e.filed_on, e.new_name) for e in account.events.all()
        ),
        reposts=tuple(
            RepostFact(r.title, r.url, r.due)
            for r in reposts
            if not r.platforms or account.platform in r.platforms
        ),
        period_start=period.start if period else None,
        content=(PageContent(account.url or f"account:{account.pk}", tuple(content["hits"])),),
        tz=tz,
    )


def account_drafts(account: Account, point: dt.date, rules: Rules, period=None) -> list[Draft]:
    return evaluate_account(account_facts(account, point, rules, period), point, rules)


def run_accounts(run: InspectionRun):
    accounts = Account.objects.filter(status=Account.Status.ACTIVE, unit__is_active=True)
    if run.website_id:
        return accounts.none()
    if run.unit_id:
        return accounts.filter(unit_id=run.unit_id)
    return accounts


@transaction.atomic
def findings_for_account(
    run: InspectionRun, account: Account, rules: Rules, drafts: list[Draft] | None = None
) -> list[Finding]:
    if drafts is None:
        drafts = account_drafts(account, run.monitoring_point, rules, run.period)
    kept = []
    for d in drafts:
        finding, _ = Finding.objects.update_or_create(
            account=account,
            period_id=run.period_id,
            key=d.key,
            defaults={
                "unit": account.unit,
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
                "evidence": d.evidence,
            },
        )
        kept.append(finding)
    Finding.objects.filter(
        account=account,
        period_id=run.period_id,
        source=Finding.Source.MACHINE,
        status=Finding.Status.PENDING,
    ).exclude(pk__in=[f.pk for f in kept]).delete()
    return kept


def accounts_judge(run: InspectionRun) -> int:
    """At the end of an office run: the accounts of its scope judged at its monitoring point."""
    if run.period_id is None:
        return 0
    rule_set = active_rule_set()
    rules = rules_for(rule_set)
    count = 0
    for account in run_accounts(run).select_related("unit"):
        drafts = account_drafts(account, run.monitoring_point, rules, run.period)
        findings_for_account(run, account, rules, drafts)
        account_verdict_refresh(account, run.period, rule_set, seen_by=(run.pk, rules, drafts))
        count += 1
    return count


def monitoring_run_for_account(account: Account, period: Period) -> InspectionRun | None:
    runs = (
        InspectionRun.objects.filter(period=period, status=InspectionRun.Status.DONE)
        .exclude(trigger=InspectionRun.Trigger.SELF_CHECK)
        .filter(website__isnull=True)
        .filter(models_q_unit(account))
        .order_by("-monitoring_point", "-finished_at", "-pk")
    )
    if period.monitoring_run_id:
        designated = runs.filter(pk=period.monitoring_run_id).first()
        if designated:
            return designated
    return runs.first()


def models_q_unit(account: Account):
    from django.db.models import Q

    return Q(unit__isnull=True) | Q(unit_id=account.unit_id)


def account_verdict_refresh(
    account: Account, period: Period, rule_set: RuleSet | None = None, seen_by=None
) -> Verdict | None:
    """New media: single vetoes only, nationally; local problems make 合格 with problems, and
    last period's unfixed problems fail the account under the carry-over overlay.

    ``seen_by`` = (run id, rules, drafts) just evaluated at that run's monitoring point: used
    instead of evaluating again when that run is the monitoring run under the same rules."""
    if period.is_locked:
        return Verdict.objects.filter(account=account, period=period).first()
    rule_set = rule_set or active_rule_set()
    rules = rules_for(rule_set)
    run = monitoring_run_for_account(account, period)
    point = run.monitoring_point if run else min(period.end, timezone.localdate())
    if seen_by and run is not None and seen_by[0] == run.pk and seen_by[1] == rules:
        drafts = {d.key: d for d in seen_by[2]}
    else:
        drafts = {d.key: d for d in account_drafts(account, point, rules, period)}
    rows = list(Finding.objects.filter(account=account, period=period).order_by("pk"))

    def counted(status):
        out = []
        for f in rows:
            if f.status != status:
                continue
            if f.source == Finding.Source.MACHINE and f.key not in drafts:
                continue
            out.append(
                Counted(f.key, f.kind, f.indicator, f.severity, f.title, f.item, f.count, f.source)
            )
        return out

    previous = _previous(account, period)
    confirmed, pending = counted(Finding.Status.CONFIRMED), counted(Finding.Status.PENDING)
    # No score for new media: the deduction table is the websites'.
    proposal = propose_verdict(confirmed, rules, previous=previous)
    projection = propose_verdict(confirmed + pending, rules, previous=previous)
    confirmed_keys = {c.key for c in confirmed}
    verdict, _ = Verdict.objects.update_or_create(
        account=account,
        period=period,
        defaults={
            "unit": account.unit,
            "monitoring_point": point,
            "monitoring_run": run,
            "rule_set": rule_set,
            "rule_set_version": rule_set.version,
            "proposed_result": proposal.result,
            "proposed_score": None,
            "reasons": list(proposal.reasons),
            "finding_ids": [
                f.pk for f in rows if f.status == "confirmed" and f.key in confirmed_keys
            ],
            "carried_keys": list(proposal.carried),
            "pending_count": sum(1 for c in pending if c.severity != Severity.MANUAL),
            "projected_result": projection.result,
            "projected_reasons": list(projection.reasons),
            "computed_at": timezone.now(),
        },
    )
    return verdict


def _previous(account: Account, period: Period) -> Previous:
    from audits.services.verdicts import _PREVIOUS_LABEL

    earlier = period.previous()
    label = _PREVIOUS_LABEL.get(period.kind, "上期")
    if earlier is None:
        return Previous(label=label)
    rows = list(
        Finding.objects.filter(account=account, period=earlier, status=Finding.Status.CONFIRMED)
        .exclude(severity__in=(Severity.WARNING, Severity.MANUAL))
        .values_list("key", "rectification")
    )
    return Previous(
        open_keys=frozenset(k for k, s in rows if s != Finding.Rectification.CLOSED),
        fixed=sum(1 for _, s in rows if s == Finding.Rectification.CLOSED),
        label=label,
    )
