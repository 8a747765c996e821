"""New media in the engine: reading accounts' feeds through the safe fetcher, judging accounts
at a run's monitoring point, and their verdicts in the same review flow as websites."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.db.models import OuterRef, Q, Subquery
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
from audits.services.findings import findings_insert, findings_update
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
    return accounts_facts([account], point, rules, period)[account.pk]


def accounts_facts(accounts, point: dt.date, rules: Rules, period=None) -> dict[int, AccountFacts]:
    """The facts of many accounts at ``point``, in a fixed number of queries (one per kind of
    row, for all of them): a run's finish judges every account of the county (issue 12)."""
    from audits.content.io import load_matcher_from_db
    from audits.inspection import scan_content
    from newmedia.models import AccountEvent, Message

    accounts = list(accounts)
    ids = [a.pk for a in accounts]
    tz = timezone.get_current_timezone()
    since = point - dt.timedelta(days=max(rules.interaction_lookback_days, 200))
    posts: dict[int, list] = {pk: [] for pk in ids}
    for account_id, *post in Post.objects.filter(
        account_id__in=ids, published_at__date__gte=since, published_at__date__lte=point
    ).values_list("account_id", "published_at", "title", "url", "original"):
        posts[account_id].append(post)
    latest_feed = Subquery(
        Observation.objects.filter(account=OuterRef("pk"), kind=Observation.Kind.FEED)
        .order_by("-observed_at")
        .values("pk")[:1]
    )
    last_feed = {
        o.account_id: o
        for o in Observation.objects.filter(
            pk__in=Account.objects.filter(pk__in=ids).values(feed=latest_feed)
        )
    }
    messages: dict[int, list] = {pk: [] for pk in ids}
    for m in Message.objects.filter(account_id__in=ids, received_at__date__gte=since):
        messages[m.account_id].append(
            MessageFact(m.received_at, m.replied_at, m.auto_reply, m.valid, m.title)
        )
    events: dict[int, list] = {pk: [] for pk in ids}
    for e in AccountEvent.objects.filter(account_id__in=ids):
        events[e.account_id].append(EventFact(e.kind, e.date, e.filed_on, e.new_name))
    reposts = list(RepostRequirement.objects.filter(due__lte=point, due__gte=since))
    matcher = load_matcher_from_db() if accounts else None
    out = {}
    for account in accounts:
        rows = posts[account.pk]
        feed = last_feed.get(account.pk)
        titles = "<br>".join(title for _, title, _, _ in rows[:500])
        content = scan_content(f"<html><body>{titles}</body></html>", account.url or "", matcher)
        out[account.pk] = AccountFacts(
            name=account.name,
            platform=account.platform,
            status=account.status,
            has_interaction=account.has_interaction,
            feed_title=(feed.evidence.get("feed_title", "") if feed else ""),
            feed_error=(feed.reason if feed and feed.outcome != Observation.Outcome.OK else ""),
            posts=tuple(PostFact(at, title, url, original) for at, title, url, original in rows),
            messages=tuple(messages[account.pk]),
            events=tuple(events[account.pk]),
            reposts=tuple(
                RepostFact(r.title, r.url, r.due)
                for r in reposts
                if not r.platforms or account.platform in r.platforms
            ),
            period_start=period.start if period else None,
            content=(PageContent(account.url or f"account:{account.pk}", tuple(content["hits"])),),
            tz=tz,
        )
    return out


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
    return findings_for_accounts(run, {account: drafts})[account.pk]


@transaction.atomic
def findings_for_accounts(run: InspectionRun, drafts_by: dict) -> dict[int, list[Finding]]:
    """Store the drafts of many accounts ({account: drafts}) in a fixed number of queries: a
    finding seen again keeps its row and review, a pending machine finding not seen is gone."""
    accounts = {a.pk: a for a in drafts_by}
    existing = {
        (f.account_id, f.key): f
        for f in Finding.objects.select_for_update().filter(
            account_id__in=accounts, period_id=run.period_id
        )
    }
    kept: dict[int, list[Finding]] = {pk: [] for pk in accounts}
    new, seen = [], []
    for account, drafts in drafts_by.items():
        for d in drafts:
            values = {
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
            }
            finding = existing.get((account.pk, d.key))
            if finding is None:
                finding = Finding(account=account, period_id=run.period_id, key=d.key, **values)
                new.append(finding)
            else:
                seen.append((finding, values))
            kept[account.pk].append(finding)
    findings_update(seen, timezone.now())
    findings_insert(new)
    kept_ids = {f.pk for found in kept.values() for f in found}
    gone = [
        f.pk
        for (account_id, _), f in existing.items()
        if f.pk not in kept_ids
        and f.source == Finding.Source.MACHINE
        and f.status == Finding.Status.PENDING
    ]
    Finding.objects.filter(pk__in=gone).delete()
    return kept


def accounts_judge(run: InspectionRun) -> int:
    """At the end of an office run: the accounts of its scope judged at its monitoring point,
    evaluated once for their findings and their verdicts."""
    if run.period_id is None:
        return 0
    rule_set = active_rule_set()
    rules = rules_for(rule_set)
    accounts = list(run_accounts(run).select_related("unit").order_by("pk"))
    facts = accounts_facts(accounts, run.monitoring_point, rules, run.period)
    drafts_by = {
        account: evaluate_account(facts[account.pk], run.monitoring_point, rules)
        for account in accounts
    }
    findings_for_accounts(run, drafts_by)
    account_verdicts_refresh(
        list(drafts_by),
        run.period,
        rule_set,
        seen=(run.pk, rules, {a.pk: d for a, d in drafts_by.items()}),
    )
    return len(drafts_by)


def monitoring_run_for_account(account: Account, period: Period) -> InspectionRun | None:
    return monitoring_runs_for_accounts([account], period).get(account.pk)


def monitoring_runs_for_accounts(accounts, period: Period) -> dict[int, InspectionRun]:
    """For each account, the run whose monitoring point its counts come from: the designated
    run if it covered the account's unit, else the last complete office run of the period over
    the whole county or the account's unit (the accounts a run judges: run_accounts)."""
    units = {a.unit_id for a in accounts}
    runs = list(
        InspectionRun.objects.filter(period=period, status=InspectionRun.Status.DONE)
        .exclude(trigger=InspectionRun.Trigger.SELF_CHECK)
        .filter(website__isnull=True)
        .filter(Q(unit__isnull=True) | Q(unit_id__in=units))
        .order_by("-monitoring_point", "-finished_at", "-pk")
    )
    out = {}
    for account in accounts:
        covering = [r for r in runs if r.unit_id in (None, account.unit_id)]
        designated = [r for r in covering if r.pk == period.monitoring_run_id]
        if designated or covering:
            out[account.pk] = (designated or covering)[0]
    return out


def account_verdict_refresh(
    account: Account, period: Period, rule_set: RuleSet | None = None, seen_by=None
) -> Verdict | None:
    """New media: single vetoes only, nationally; local problems make 合格 with problems, and
    last period's unfixed problems fail the account under the carry-over overlay.

    ``seen_by`` = (run id, rules, drafts) just evaluated at that run's monitoring point: used
    instead of evaluating again when that run is the monitoring run under the same rules."""
    seen = (seen_by[0], seen_by[1], {account.pk: seen_by[2]}) if seen_by else None
    refreshed = account_verdicts_refresh([account], period, rule_set, seen)
    return refreshed[0] if refreshed else None


def account_verdicts_refresh(
    accounts, period: Period, rule_set: RuleSet | None = None, seen=None
) -> list[Verdict]:
    """account_verdict_refresh for many accounts of one period, in a fixed number of queries
    (plus the evaluation of accounts whose drafts are not known). ``seen`` = (run id, rules,
    {account id: drafts})."""
    from audits.services.verdicts import proposals_store

    accounts = list(accounts)
    ids = [a.pk for a in accounts]
    if period.is_locked:
        stored = {
            v.account_id: v for v in Verdict.objects.filter(account_id__in=ids, period=period)
        }
        return [stored[pk] for pk in ids if pk in stored]
    rule_set = rule_set or active_rule_set()
    rules = rules_for(rule_set)
    runs = monitoring_runs_for_accounts(accounts, period)
    findings: dict[int, list[Finding]] = {pk: [] for pk in ids}
    for f in Finding.objects.filter(account_id__in=ids, period=period).order_by("pk"):
        findings[f.account_id].append(f)
    previous = _previous_of(ids, period)
    now = timezone.now()
    proposals = []
    for account in accounts:
        run = runs.get(account.pk)
        point = run.monitoring_point if run else min(period.end, timezone.localdate())
        if seen and run is not None and seen[0] == run.pk and seen[1] == rules:
            drafts = {d.key: d for d in seen[2].get(account.pk, ())}
        else:
            drafts = {d.key: d for d in account_drafts(account, point, rules, period)}
        rows = findings[account.pk]

        def counted(status, rows=rows, drafts=drafts):
            found = []
            for f in rows:
                if f.status != status:
                    continue
                if f.source == Finding.Source.MACHINE and f.key not in drafts:
                    continue
                found.append(
                    Counted(
                        f.key, f.kind, f.indicator, f.severity, f.title, f.item, f.count, f.source
                    )
                )
            return found

        confirmed, pending = counted(Finding.Status.CONFIRMED), counted(Finding.Status.PENDING)
        # No score for new media: the deduction table is the websites'.
        proposal = propose_verdict(confirmed, rules, previous=previous[account.pk])
        projection = propose_verdict(confirmed + pending, rules, previous=previous[account.pk])
        confirmed_keys = {c.key for c in confirmed}
        values = {
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
            "computed_at": now,
        }
        proposals.append((account, values))
    return proposals_store(period, "account", proposals)


def _previous_of(account_ids, period: Period) -> dict[int, Previous]:
    from audits.services.verdicts import _PREVIOUS_LABEL

    earlier = period.previous()
    label = _PREVIOUS_LABEL.get(period.kind, "上期")
    rows: dict[int, list] = {pk: [] for pk in account_ids}
    if earlier is not None:
        for account_id, key, state in (
            Finding.objects.filter(
                account_id__in=account_ids, period=earlier, status=Finding.Status.CONFIRMED
            )
            .exclude(severity__in=(Severity.WARNING, Severity.MANUAL))
            .values_list("account_id", "key", "rectification")
        ):
            rows[account_id].append((key, state))
    closed = Finding.Rectification.CLOSED
    return {
        account_id: Previous(
            open_keys=frozenset(k for k, s in found if s != closed),
            fixed=sum(1 for _, s in found if s == closed),
            label=label,
        )
        for account_id, found in rows.items()
    }
