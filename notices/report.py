"""What a circular says about a period, computed from its verdicts: the rates behind 一、总体情况,
the groups of 二、存在问题, and the annex rows. Read in a fixed number of queries.

Wording follows the seeds (../shared/seeds/): seed 001 for rates per channel and units that did
not fix last period's problems, seed 004 for counted problem phrases, seed 003 for statistics.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from audits.glossary import Kind, Result, Severity
from audits.models import Finding, Observation, Period, Verdict, active_rule_set
from audits.scoring import pass_rate
from newmedia.models import Account, Platform

WEBSITES = "websites"
CARRY_NOT_FIXED = "未整改"
CARRY_PARTLY = "整改不彻底"


@dataclass(frozen=True)
class Rate:
    channel: str  # 政府网站, 政务微信 …
    passed: int
    counted: int
    rate: float
    listed: int  # also the vertically managed units, listed but not counted


@dataclass(frozen=True)
class SiteRow:
    unit: str
    counts_in_rates: bool
    name: str
    url: str
    result: str  # Result value
    problems: str
    last_update: dt.date | None
    deadline: dt.date | None
    carried: str  # "" | 未整改 | 整改不彻底
    repeated: bool  # carried in the previous period too (连续多月)
    overdue: int
    due_soon: int
    vetoed_for: str


@dataclass(frozen=True)
class AccountRow:
    unit: str
    platform: str  # label
    name: str
    result: str
    problems: str


@dataclass(frozen=True)
class UnitRow:
    unit: str
    running: int  # 运行总数: sites and accounts in operation
    checked: int  # 检查数
    failed: int  # 不合格数 (不合格 and 单否)
    rate: float


@dataclass(frozen=True)
class Report:
    period: Period
    sites: tuple[SiteRow, ...]
    accounts: tuple[AccountRow, ...]
    rates: tuple[Rate, ...]
    units: tuple[UnitRow, ...]
    published_items: tuple[tuple[str, int], ...]  # (unit, items dated within the period)
    accounts_inspected: int = 0
    notes: tuple[str, ...] = field(default=())

    @property
    def website_rate(self) -> Rate | None:
        return next((r for r in self.rates if r.channel == "政府网站"), None)


_CHANNEL = {
    Platform.WECHAT: "政务微信",
    Platform.WEIBO: "政务微博",
    Platform.DOUYIN: "政务抖音",
    Platform.TOUTIAO: "政务头条",
    Platform.KUAISHOU: "政务快手",
    Platform.CHANNELS: "微信视频号",
    Platform.APP: "政务APP",
    Platform.OTHER: "其他政务新媒体",
}


def build_report(period: Period) -> Report:
    verdicts = list(
        Verdict.objects.filter(period=period)
        .select_related("unit", "website", "account")
        .order_by("unit__sort_order", "unit__name", "website__name", "account__platform")
    )
    site_verdicts = [v for v in verdicts if v.website_id]
    account_verdicts = [v for v in verdicts if v.account_id]
    counted_ids = {pk for v in verdicts for pk in v.finding_ids}
    findings = list(
        Finding.objects.filter(period=period)
        .exclude(status=Finding.Status.DISMISSED)
        .select_related("column")
        .order_by("pk")
    )
    by_site: dict[int, list[Finding]] = defaultdict(list)
    by_account: dict[int, list[Finding]] = defaultdict(list)
    for f in findings:
        if f.website_id:
            by_site[f.website_id].append(f)
        elif f.account_id:
            by_account[f.account_id].append(f)
    days = (active_rule_set().rectification_days or {}) if site_verdicts else {}
    last_updates = _last_updates(site_verdicts)
    repeated = _repeated_carry(period, site_verdicts)

    sites = []
    for v in site_verdicts:
        rows = by_site.get(v.website_id, [])
        counted = [f for f in rows if f.pk in counted_ids]
        warnings = [
            f
            for f in rows
            if f.kind == Kind.COLUMN_DUE_SOON
            and (v.monitoring_run_id is None or f.run_id == v.monitoring_run_id)
        ]
        carried = _carried(v)
        sites.append(
            SiteRow(
                unit=v.unit.name,
                counts_in_rates=v.unit.counts_in_rates,
                name=v.website.name,
                url=v.website.home_url,
                result=v.final,
                problems=_describe(v, warnings),
                last_update=last_updates.get(v.website_id),
                deadline=_deadline(counted, days) if v.final != Result.CLEAN else None,
                carried=carried,
                repeated=bool(carried) and v.website_id in repeated,
                overdue=sum(f.count for f in counted if f.kind == Kind.COLUMN_OVERDUE),
                due_soon=len(warnings),
                vetoed_for="，".join(v.reasons) if v.final == Result.VETO else "",
            )
        )
    accounts = [
        AccountRow(
            unit=v.unit.name,
            platform=v.account.get_platform_display(),
            name=v.account.name,
            result=v.final,
            problems=_describe(v, []),
        )
        for v in account_verdicts
    ]
    return Report(
        period=period,
        sites=tuple(sites),
        accounts=tuple(accounts),
        rates=tuple(_rates(site_verdicts, account_verdicts)),
        units=tuple(_units(period, verdicts)),
        published_items=tuple(_published_items(period, site_verdicts)),
        accounts_inspected=len(account_verdicts),
    )


def _rates(site_verdicts, account_verdicts) -> list[Rate]:
    def rate(channel, rows):
        passed, counted, value = pass_rate([(v.final, v.unit.counts_in_rates) for v in rows])
        return Rate(channel, passed, counted, value, len(rows))

    out = [rate("政府网站", site_verdicts)] if site_verdicts else []
    by_platform: dict[str, list] = defaultdict(list)
    for v in account_verdicts:
        by_platform[v.account.platform].append(v)
    for platform in Platform.values:
        if by_platform.get(platform):
            out.append(rate(_CHANNEL[platform], by_platform[platform]))
    return out


def _describe(verdict: Verdict, warnings: list[Finding]) -> str:
    """问题描述 as in the seeds' annexes: the verdict's counted phrases, then columns due soon."""
    parts = list(verdict.reasons)
    parts += [w.title for w in warnings]
    if verdict.override_reason and verdict.result != verdict.proposed_result:
        parts.append(f"（改判：{verdict.override_reason}）")
    return "，".join(parts)


def _carried(verdict: Verdict) -> str:
    text = "".join(verdict.reasons)
    if "整改不彻底" in text:
        return CARRY_PARTLY
    if "问题未整改" in text:
        return CARRY_NOT_FIXED
    return ""


def _repeated_carry(period: Period, site_verdicts) -> set[int]:
    """Sites whose previous period's verdict also carried unfixed problems (连续多月)."""
    previous = period.previous()
    if previous is None:
        return set()
    ids = [v.website_id for v in site_verdicts if v.carried_keys]
    return set(
        Verdict.objects.filter(period=previous, website_id__in=ids)
        .exclude(carried_keys=[])
        .values_list("website_id", flat=True)
    )


def _deadline(counted: list[Finding], days: dict) -> dt.date | None:
    """整改时限: the latest deadline among the counted problems (set when they were confirmed,
    else from the rule set's days per kind)."""
    dates = []
    for f in counted:
        if f.severity in (Severity.WARNING, Severity.MANUAL):
            continue
        if f.deadline:
            dates.append(f.deadline)
        elif f.reviewed_at:
            n = days.get(f.kind, days.get("default", 15))
            dates.append(f.reviewed_at.date() + dt.timedelta(days=n))
    return max(dates) if dates else None


def _last_updates(site_verdicts) -> dict[int, dt.date]:
    """检查时最后更新日期: the newest item the monitoring run saw on the site."""
    runs = {v.monitoring_run_id for v in site_verdicts if v.monitoring_run_id}
    newest: dict[int, dt.date] = {}
    rows = Observation.objects.filter(
        run_id__in=runs,
        kind__in=(Observation.Kind.HOME, Observation.Kind.COLUMN),
        newest_date__isnull=False,
    ).values_list("run_id", "website_id", "newest_date")
    wanted = {(v.monitoring_run_id, v.website_id) for v in site_verdicts}
    for run_id, website_id, date in rows:
        if (run_id, website_id) in wanted and date > newest.get(website_id, dt.date.min):
            newest[website_id] = date
    return newest


def _units(period: Period, verdicts) -> list[UnitRow]:
    """Roll-up per unit: 运行总数, 检查数, 不合格数, 合格率."""
    by_unit: dict[str, list] = defaultdict(list)
    order = []
    for v in verdicts:
        if v.unit.name not in by_unit:
            order.append(v.unit)
        by_unit[v.unit.name].append(v)
    running = _running_counts([u.pk for u in order])
    out = []
    for unit in order:
        rows = by_unit[unit.name]
        failed = sum(1 for v in rows if v.final in (Result.FAIL, Result.VETO))
        checked = len(rows)
        rate = round(100 * (checked - failed) / checked, 1) if checked else 0.0
        out.append(UnitRow(unit.name, running.get(unit.pk, checked), checked, failed, rate))
    return out


def _running_counts(unit_ids: list[int]) -> dict[int, int]:
    from django.db.models import Count

    from units.models import Website

    counts: dict[int, int] = defaultdict(int)
    for unit_id, n in (
        Website.objects.filter(unit_id__in=unit_ids, status=Website.Status.RUNNING)
        .values_list("unit_id")
        .annotate(n=Count("id"))
    ):
        counts[unit_id] += n
    for unit_id, n in (
        Account.objects.filter(unit_id__in=unit_ids, status=Account.Status.ACTIVE)
        .values_list("unit_id")
        .annotate(n=Count("id"))
    ):
        counts[unit_id] += n
    return counts


def _published_items(period: Period, site_verdicts) -> list[tuple[str, int]]:
    """Items published per unit within the period (seed 003's 主动公开信息条数), counted from
    the column lists the monitoring runs read: each item once, by its URL."""
    runs = {v.monitoring_run_id for v in site_verdicts if v.monitoring_run_id}
    unit_of = {v.website_id: v.unit.name for v in site_verdicts}
    seen: dict[str, set[str]] = defaultdict(set)
    rows = Observation.objects.filter(run_id__in=runs, kind=Observation.Kind.COLUMN).values_list(
        "website_id", "evidence"
    )
    start, end = period.start.isoformat(), period.end.isoformat()
    for website_id, evidence in rows:
        unit = unit_of.get(website_id)
        if unit is None:
            continue
        for item in evidence.get("items", ()):
            if item.get("date") and start <= item["date"] <= end:
                seen[unit].add(item.get("url") or item.get("title", ""))
    totals = [(unit, len(urls)) for unit, urls in seen.items()]
    return sorted(totals, key=lambda row: (-row[1], row[0]))
