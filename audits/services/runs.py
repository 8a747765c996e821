"""Inspection runs: create, fan out per website, gather observations, finish.

Every write is idempotent so that a task delivered twice, or re-run after a worker died, does
not duplicate anything: observations are keyed by (run, website, kind, url), the counters move
only when a row is created, a site is claimed with a conditional UPDATE, and a run is finished
once, under a lock on its row.
"""

import datetime as dt
import functools

from django.db import models, transaction
from django.db.models import F, TextField, Value
from django.db.models.functions import Concat
from django.utils import timezone

from audits import notify
from audits.content.io import load_matcher_from_db
from audits.crawl.config import CrawlConfig
from audits.crawl.fetch import Fetcher
from audits.crawl.politeness import host_key
from audits.extract.meta import read_meta_tags
from audits.inspection import (
    ColumnReading,
    find_services_url,
    page_evidence,
    page_links,
    read_article,
    read_column,
    read_home,
    read_links,
    read_search,
    read_services,
    reading_evidence,
    scan_content,
)
from audits.models import InspectionRun, Observation, Period, RunSite, active_rule_set, rules_for
from audits.periods import month_of
from audits.services.accounts import accounts_judge
from audits.services.findings import findings_for_website
from audits.services.messages import messages_read
from audits.services.observations import ObservationBatch, observation_for, observations_upsert
from audits.services.verdicts import verdicts_for_run
from core.auditlog import audit_record
from core.lanes import Stopped, map_in_lanes
from units.models import Website


def run_create(
    *,
    trigger: str,
    monitoring_point: dt.date | None = None,
    period: Period | str | None = None,
    unit=None,
    website=None,
    user=None,
    check_links: bool = False,
) -> InspectionRun:
    """A new run. Its period defaults to the month of its monitoring point; a self-check
    belongs to no period (its result is shown to the unit, never counted)."""
    point = monitoring_point or timezone.localdate()
    if trigger == InspectionRun.Trigger.SELF_CHECK:
        period = None
    elif isinstance(period, str) and period:
        period = Period.for_code(period)
    elif not period:
        period = Period.for_span(month_of(point))
    scope = (
        InspectionRun.Scope.SITE
        if website
        else InspectionRun.Scope.UNIT
        if unit
        else InspectionRun.Scope.ALL
    )
    return InspectionRun.objects.create(
        scope=scope,
        unit=unit,
        website=website,
        period=period,
        monitoring_point=point,
        trigger=trigger,
        check_links=check_links,
        created_by=user if getattr(user, "is_authenticated", False) else None,
    )


def run_websites(run: InspectionRun):
    sites = Website.objects.filter(status=Website.Status.RUNNING)
    if run.website_id:
        return sites.filter(pk=run.website_id)
    if run.unit_id:
        return sites.filter(unit_id=run.unit_id)
    return sites.filter(unit__is_active=True)


def run_plan(run_id: int) -> list[int]:
    """Create the run's work items once; return the ids of websites still to inspect."""
    with transaction.atomic():
        run = InspectionRun.objects.select_for_update().get(pk=run_id)
        if run.status in (InspectionRun.Status.CANCELLED, InspectionRun.Status.DONE):
            return []
        sites = list(run_websites(run).prefetch_related("columns"))
        existing = set(run.sites.values_list("website_id", flat=True))
        RunSite.objects.bulk_create(
            [RunSite(run=run, website=s) for s in sites if s.pk not in existing]
        )
        if run.status == InspectionRun.Status.QUEUED:
            run.status = InspectionRun.Status.RUNNING
            run.started_at = timezone.now()
            run.sites_total = len(sites)
            run.pages_total = sum(
                1 + sum(1 for c in s.columns.all() if not c.is_exempt) for s in sites
            )
            run.save(update_fields=["status", "started_at", "sites_total", "pages_total"])
            run_log(run.pk, f"开始：{len(sites)} 个网站，{run.pages_total} 个页面")
    pending = run.sites.exclude(status=RunSite.Status.DONE)
    return list(pending.values_list("website_id", flat=True))


def run_account_ids(run_id: int) -> list[int]:
    """The accounts whose feeds an office run reads before it judges them."""
    from audits.services.accounts import run_accounts

    run = InspectionRun.objects.get(pk=run_id)
    if run.trigger == InspectionRun.Trigger.SELF_CHECK:
        return []
    return list(run_accounts(run).values_list("pk", flat=True))


def run_log(run_id: int, line: str) -> None:
    stamp = timezone.localtime().strftime("%H:%M:%S")
    InspectionRun.objects.filter(pk=run_id).update(
        log=Concat(F("log"), Value(f"{stamp} {line}\n"), output_field=TextField())
    )


@functools.lru_cache(maxsize=4)
def run_inputs(run_id: int, created_at) -> tuple:
    """(rules, word matcher) a run's sites are judged and scanned with, read once per run in
    each worker process: the rule set and the dictionary as they stood when the process took
    its first site of the run, so that one run applies one set of rules and words (edits apply
    from the next run). Read for every site they cost four queries, and with a 50,000-word
    dictionary 50,000 rows a site (issue 12). ``created_at`` tells apart runs whose ids a
    reset database gave out again."""
    return rules_for(active_rule_set()), load_matcher_from_db()


def fetcher_for_runs() -> Fetcher:
    """One Fetcher per process and configuration: its connection pools and limiter are shared
    by every task the process runs (it is thread-safe)."""
    return _fetcher(CrawlConfig.from_settings())


@functools.lru_cache(maxsize=4)
def _fetcher(config: CrawlConfig) -> Fetcher:
    return Fetcher(config)


def inspect_run_site(run_id: int, website_id: int, fetcher: Fetcher | None = None) -> None:
    """Inspect one website for a run. Safe to call again for the same pair."""
    claimed = RunSite.objects.filter(
        run_id=run_id, website_id=website_id, run__status=InspectionRun.Status.RUNNING
    ).exclude(status=RunSite.Status.DONE)
    if not claimed.update(
        status=RunSite.Status.RUNNING, attempts=F("attempts") + 1, started_at=timezone.now()
    ):
        # Done already (a redelivery), or the run was cancelled. If this was the last site and
        # its first delivery died after marking it done, the run still has to be finished.
        run_finish_if_complete(run_id)
        return
    run = InspectionRun.objects.select_related("period").get(pk=run_id)
    website = Website.objects.select_related("unit").get(pk=website_id)
    fetcher = fetcher or fetcher_for_runs()
    today = run.monitoring_point
    rules, matcher = run_inputs(run.pk, run.created_at)

    host = host_key(website.home_url)
    waits_before = fetcher.host_waits(host)
    batch = ObservationBatch(run, website)
    home = read_home(fetcher, website.home_url, today)
    _store_home(run, website, home, matcher, batch)
    pages = [(home.page.final_url, page_links(home.page), True)] if home.page.ok else []
    newest_item = None
    items = []
    readings_seen = [home]
    columns = list(website.columns.filter(is_exempt=False).order_by("id"))
    if home.page.error_kind in _HOST_DOWN:
        # A host that does not answer its home page would make every column wait for its own
        # timeout: note the columns as not checked instead (availability is judged by probes).
        for column in columns:
            _store_column(run, website, column, _not_checked(column, home), batch=batch)
        columns = []
    # As many pages in flight as the per-host limit allows; the limiter holds the line across
    # every worker, these lanes only keep a site's own slots busy. A column page is read,
    # scanned and made an observation in the thread that fetched it, so that one parsed tree
    # serves its list, its content scan and its links (parse_html).
    width = max(1, min(fetcher.config.per_host_concurrency, len(columns)))

    def read(column):
        reading = read_column(fetcher, column.url, today)
        links = page_links(reading.page) if run.check_links else []
        return reading, _column_observation(run, website, column, reading, matcher), links

    try:
        readings = map_in_lanes(
            read, columns, width, stop=lambda: _cancelled(run_id), stop_every=10, name="site"
        )
    except Stopped:
        return
    for reading, obs, links in readings:
        batch.add(obs)
        if reading.page.ok:
            pages.append((reading.page.final_url, links, False))
        newest_item = _newer_item(newest_item, reading)
        readings_seen.append(reading)
        items += [i for i in (reading.result.items if reading.result else ()) if i.date]
    # The home and column pages in one write (and the run's counters with them); what follows
    # (articles, services, links, search) in a second one.
    batch.flush()
    known = {c.candidate.url: c.page for r in readings_seen for c in r.confirmations if c.page}
    _check_articles(run, website, fetcher, items, matcher, known, batch)
    if website.has_services:
        _check_services(run, website, fetcher, home, batch)
    if run.check_links:
        _check_links(run, website, fetcher, pages, batch)
    if website.search_url and newest_item is not None:
        _check_search(run, website, fetcher, newest_item, batch)
    batch.flush()
    if website.messages_url and run.trigger != InspectionRun.Trigger.SELF_CHECK:
        messages_read(website, fetcher)  # W-V5 reads the site's public message list
    fetcher.release_finished()  # the site's last slots go back now, not after the linger
    _log_waits(run_id, website, host, waits_before, fetcher.host_waits(host))
    # A site's findings depend only on its own observations: made here, in parallel across
    # workers, rather than all at the end of the run.
    findings_for_website(run, website, rules, batch.observations())

    RunSite.objects.filter(run_id=run_id, website_id=website_id).update(
        status=RunSite.Status.DONE, finished_at=timezone.now(), error=""
    )
    InspectionRun.objects.filter(pk=run_id).update(sites_done=F("sites_done") + 1)
    run_finish_if_complete(run_id)


def inspect_run_site_failed(run_id: int, website_id: int, error: str) -> None:
    RunSite.objects.filter(run_id=run_id, website_id=website_id).update(
        status=RunSite.Status.FAILED, finished_at=timezone.now(), error=error[:2000]
    )
    InspectionRun.objects.filter(pk=run_id).update(errors=F("errors") + 1)
    run_log(run_id, f"网站 {website_id} 失败：{error[:200]}")
    run_finish_if_complete(run_id)


def run_finish_if_complete(run_id: int) -> bool:
    """When every site is done or failed: generate findings, refresh verdicts, mark done.

    The run row is locked so that two last tasks finishing together do it once. A site still
    pending or running is seen first without the lock (one query, not four, for every site but
    the last): each task marks its own site before it asks, so the last of them sees none.
    """
    if RunSite.objects.filter(
        run_id=run_id, status__in=(RunSite.Status.PENDING, RunSite.Status.RUNNING)
    ).exists():
        return False
    with transaction.atomic():
        run = InspectionRun.objects.select_for_update().get(pk=run_id)
        if run.status != InspectionRun.Status.RUNNING:
            return False
        if run.sites.filter(status__in=(RunSite.Status.PENDING, RunSite.Status.RUNNING)).exists():
            return False
        # Done first: the verdicts then take this run as the period's latest complete one.
        run.status = InspectionRun.Status.DONE
        run.finished_at = timezone.now()
        run.save(update_fields=["status", "finished_at"])
        verdicts = verdicts_for_run(run)
        if run.trigger != InspectionRun.Trigger.SELF_CHECK:
            verdicts += accounts_judge(run)
        findings = run.findings.count()
        if run.period_id:
            _remind_due_soon(run)
    run_log(run_id, f"完成：生成问题 {findings} 条，更新检查结果 {verdicts} 个")
    return True


def run_start(*, user=None, **fields) -> InspectionRun:
    """Create a run and queue it once the transaction commits; a person's start is logged."""
    from audits.tasks import start_run  # tasks import this module

    with transaction.atomic():
        run = run_create(user=user, **fields)
        if getattr(user, "is_authenticated", False):
            audit_record(
                actor=user,
                action="self_check"
                if run.trigger == InspectionRun.Trigger.SELF_CHECK
                else "run_start",
                unit=run.unit or (run.website.unit if run.website else None),
                target=run,
                scope=run.scope,
                monitoring_point=run.monitoring_point.isoformat(),
                check_links=run.check_links,
            )
        start_run(run)
    return run


def _remind_due_soon(run: InspectionRun) -> None:
    from audits.glossary import Kind

    by_unit: dict = {}
    for finding in run.findings.filter(kind=Kind.COLUMN_DUE_SOON).select_related("unit"):
        by_unit.setdefault(finding.unit, []).append(finding)
    for unit, findings in by_unit.items():
        notify.columns_due_soon(unit, run, findings)


def run_retry_failed(run_id: int, *, user=None) -> int:
    """Re-run only the websites that failed; the run reopens until they are done."""
    from audits.tasks import inspect_site  # tasks import this module

    with transaction.atomic():
        failed = list(
            RunSite.objects.filter(run_id=run_id, status=RunSite.Status.FAILED).values_list(
                "website_id", flat=True
            )
        )
        if not failed:
            return 0
        RunSite.objects.filter(run_id=run_id, website_id__in=failed).update(
            status=RunSite.Status.PENDING, error=""
        )
        InspectionRun.objects.filter(pk=run_id).update(
            status=InspectionRun.Status.RUNNING, finished_at=None
        )
        run_log(run_id, f"重新检查失败的 {len(failed)} 个网站")
        if user is not None:
            run = InspectionRun.objects.get(pk=run_id)
            audit_record(actor=user, action="run_retry", target=run, websites=failed)
        for website_id in failed:
            transaction.on_commit(lambda w=website_id: inspect_site.delay(run_id, w))
    return len(failed)


def runs_unfinished(older_than: dt.timedelta) -> list[int]:
    """Running runs with no site left to do: their last task died before finishing them."""
    cutoff = timezone.now() - older_than
    open_sites = RunSite.objects.filter(
        run=models.OuterRef("pk"), status__in=(RunSite.Status.PENDING, RunSite.Status.RUNNING)
    )
    return list(
        InspectionRun.objects.filter(status=InspectionRun.Status.RUNNING, started_at__lt=cutoff)
        .exclude(models.Exists(open_sites))
        .values_list("pk", flat=True)
    )


def runs_stalled(older_than: dt.timedelta) -> dict[int, list[int]]:
    """Sites of running runs whose task has not finished in time: their worker died (with the
    filesystem broker nothing redelivers them) or their message was lost."""
    cutoff = timezone.now() - older_than
    stalled = RunSite.objects.filter(run__status=InspectionRun.Status.RUNNING).filter(
        models.Q(status=RunSite.Status.RUNNING, started_at__lt=cutoff)
        | models.Q(status=RunSite.Status.PENDING, run__started_at__lt=cutoff)
    )
    found: dict[int, list[int]] = {}
    for run_id, website_id in stalled.values_list("run_id", "website_id"):
        found.setdefault(run_id, []).append(website_id)
    return found


def run_cancel(run_id: int, *, user=None) -> bool:
    cancelled = InspectionRun.objects.filter(
        pk=run_id, status__in=(InspectionRun.Status.QUEUED, InspectionRun.Status.RUNNING)
    ).update(status=InspectionRun.Status.CANCELLED, finished_at=timezone.now())
    if cancelled:
        run_log(run_id, "已取消")
        if user is not None:
            audit_record(
                actor=user, action="run_cancel", target=InspectionRun.objects.get(pk=run_id)
            )
    return bool(cancelled)


def _cancelled(run_id: int) -> bool:
    return InspectionRun.objects.filter(pk=run_id, status=InspectionRun.Status.CANCELLED).exists()


_HOST_DOWN = {"timeout", "dns", "dns_temporary", "refused", "connect", "reset", "unsafe_url"}


def _not_checked(column, home):
    return ColumnReading(column.url, home.page, None)


def _newer_item(best, reading):
    """The newest dated item seen so far: the one the site search is asked for."""
    if reading.result is None:
        return best
    for item in reading.result.items:
        if item.date and item.title and (best is None or item.date > best.date):
            best = item
    return best


ARTICLES_PER_SITE = 3


def _check_articles(run, website, fetcher, items, matcher, known=None, batch=None) -> None:
    """The newest few articles of a site: their content is scanned like the list pages, and
    their 47号 tags and publication date (meta against the visible date) are kept. Pages read
    already to confirm a list's date (``known``: url -> FetchResult) are not fetched again."""
    known = known or {}
    newest = sorted({i.url: i for i in items}.values(), key=lambda i: i.date, reverse=True)
    for item in newest[:ARTICLES_PER_SITE]:
        reading = read_article(fetcher, item.url, run.monitoring_point, known.get(item.url))
        evidence = page_evidence(reading.page)
        found = reading.date
        if reading.page.ok:
            evidence["meta"] = read_meta_tags(reading.page.text)
            evidence["content"] = scan_content(reading.page.text, reading.page.final_url, matcher)
            evidence["listed_date"] = item.date.isoformat()
            evidence["date_source"] = found.source
            evidence["meta_date"] = found.meta_date.isoformat() if found.meta_date else None
            evidence["date_conflict"] = found.conflict
        _store(
            run,
            website,
            kind=Observation.Kind.ARTICLE,
            url=item.url,
            page=reading.page,
            outcome=Observation.Outcome.OK if reading.page.ok else Observation.Outcome.ERROR,
            newest_date=found.date if found else None,
            confidence=found.confidence if found else None,
            reason=found.reason if found else (reading.page.error or ""),
            evidence=evidence,
            batch=batch,
        )


def _check_services(run, website, fetcher, home, batch=None) -> None:
    reading = read_services(fetcher, website.services_url or find_services_url(home))
    items = [
        {
            "title": item.title,
            "guide_url": item.guide_url,
            "state": state,
            "missing": list(guide.missing) if guide else [],
            "vague_time": guide.vague_time if guide else False,
        }
        for item, state, guide in reading.items
    ]
    if reading.url is None:
        outcome, reason = Observation.Outcome.UNKNOWN, "未找到办事服务入口"
    elif reading.page is None or not reading.page.ok:
        outcome = Observation.Outcome.ERROR
        reason = f"办事服务页面无法读取：{reading.page.error if reading.page else ''}"
    else:
        outcome = Observation.Outcome.OK
        reason = f"读取办事事项 {len(items)} 个"
    _store(
        run,
        website,
        kind=Observation.Kind.SERVICES,
        url=reading.url or website.home_url,
        page=reading.page or home.page,
        outcome=outcome,
        item_count=len(items),
        reason=reason,
        evidence={"items": items, "found_from_home": not website.services_url},
        batch=batch,
    )


def _check_links(run, website, fetcher, pages, batch=None) -> None:
    for link in read_links(fetcher, pages):
        _store(
            run,
            website,
            kind=Observation.Kind.LINK,
            url=link.url,
            page=link.result,
            outcome=link.state,
            reason=link.result.error or "",
            evidence={
                "found_on": link.found_on,
                "on_home": link.on_home,
                "error": link.result.error,
                "error_kind": link.result.error_kind,
            },
            batch=batch,
        )


def _check_search(run, website, fetcher, item, batch=None) -> None:
    reading = read_search(fetcher, website.search_url, item.title, item.url)
    outcome = {True: "ok", False: "dead", None: "unknown"}[reading.found]
    _store(
        run,
        website,
        kind=Observation.Kind.SEARCH,
        url=reading.search_url,
        page=reading.page,
        outcome=outcome,
        reason=f"搜索“{reading.query}”，{reading.how}",
        evidence={"query": reading.query, "item_url": item.url, "found": reading.found},
        batch=batch,
    )


def _store(run, website, *, batch=None, **values) -> None:
    _keep(run, observation_for(run, website, **values), batch)


def _keep(run, obs: Observation, batch=None) -> None:
    """One observation: added to ``batch`` (written with the site's others), or written now."""
    if batch is not None:
        batch.add(obs)
    else:
        observations_upsert(run, [obs])


def _log_waits(run_id: int, website, host: str, before, after) -> None:
    """The run log notes a site whose host made it wait: for per-host slots (its own pages and
    those of sites sharing the host) and for Retry-After."""
    waited = after.slot_seconds - before.slot_seconds
    backoffs = after.retry_after - before.retry_after
    if waited < 1.0 and not backoffs:
        return
    line = f"网站 {website.pk}（{host}）：等待每站点访问名额共 {waited:.1f} 秒"
    if backoffs:
        line += (
            f"，服务器要求稍后再访问（Retry-After）{backoffs} 次，"
            f"退避 {after.retry_after_seconds - before.retry_after_seconds:.1f} 秒"
        )
    run_log(run_id, line)


def _store_home(run, website, home, matcher=None, batch=None) -> None:
    evidence = page_evidence(home.page)
    if matcher is not None and home.page.ok:
        evidence["content"] = scan_content(home.page.text, home.page.final_url, matcher)
    evidence["meta"] = home.meta
    evidence["list_status"] = home.recent.status if home.recent else None
    if home.confirmations:
        evidence["confirmed_by"] = [c.evidence() for c in home.confirmations]
    evidence["proposed_columns"] = [
        {"name": c.name, "url": c.url, "category": c.category} for c in home.columns
    ]
    recent = home.recent
    _store(
        run,
        website,
        kind=Observation.Kind.HOME,
        url=website.home_url,
        page=home.page,
        outcome=Observation.Outcome.OK if home.page.ok else Observation.Outcome.ERROR,
        newest_date=recent.newest if recent else None,
        item_count=recent.item_count if recent else None,
        confidence=recent.confidence if recent else None,
        reason=(recent.reason if recent else f"首页无法访问：{home.page.error}"),
        evidence=evidence,
        batch=batch,
    )


def _store_column(run, website, column, reading, matcher=None, batch=None) -> None:
    _keep(run, _column_observation(run, website, column, reading, matcher), batch)


def _column_observation(run, website, column, reading, matcher=None) -> Observation:
    result = reading.result
    evidence = reading_evidence(reading)
    if matcher is not None and reading.page.ok:
        evidence["content"] = scan_content(reading.page.text, reading.page.final_url, matcher)
    return observation_for(
        run,
        website,
        kind=Observation.Kind.COLUMN,
        url=column.url,
        column=column,
        page=reading.page,
        outcome=reading.outcome,
        newest_date=result.newest if result else None,
        item_count=result.item_count if result else None,
        confidence=result.confidence if result else None,
        reason=reading.reason,
        evidence=evidence,
    )


def self_check_start(website: Website, *, user) -> InspectionRun:
    """A unit's self-check of its own site: at most GOVWATCH_SELF_CHECKS_PER_DAY a day per
    unit, one at a time per site. It belongs to no period and is never counted."""
    from django.conf import settings

    if website.status != Website.Status.RUNNING:
        raise ValueError("该网站未在运行，无法自查")
    busy = InspectionRun.objects.filter(
        website=website, status__in=(InspectionRun.Status.QUEUED, InspectionRun.Status.RUNNING)
    ).exists()
    if busy:
        raise ValueError("该网站已有正在进行的检查，请稍候。")
    today = timezone.localdate()
    start = timezone.make_aware(dt.datetime.combine(today, dt.time.min))
    used = InspectionRun.objects.filter(
        trigger=InspectionRun.Trigger.SELF_CHECK,
        website__unit_id=website.unit_id,
        created_at__gte=start,
    ).count()
    limit = settings.GOVWATCH_SELF_CHECKS_PER_DAY
    if used >= limit:
        raise ValueError(f"本单位今天已自查 {used} 次，每天最多 {limit} 次，请明天再试。")
    return run_start(trigger=InspectionRun.Trigger.SELF_CHECK, website=website, user=user)
