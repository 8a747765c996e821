"""Site-level checks: availability (W-V2), home page freshness (W-V3), broken links, 47号 meta
tags, TLS certificates, site search."""

import datetime as dt
from dataclasses import dataclass

from audits.checks.base import Draft, Indicator, Kind, Severity
from audits.rules import Rules


@dataclass(frozen=True)
class ProbeFact:
    at: dt.datetime  # aware
    ok: bool  # the home page loaded within 15 s


def check_availability(
    probes: list[ProbeFact], point: dt.date, rules: Rules, tz: dt.tzinfo
) -> list[Draft]:
    """W-V2 站点无法访问: over the week before the monitoring point, with at least 20 spaced
    probes a day, a probe fails if the home page has not loaded within 15 s (errors count as
    failures); failures >= 5 % of probes -> veto. With too few probes the machine does not
    veto; it asks a person to look."""
    end = dt.datetime.combine(point, dt.time.min, tzinfo=tz)
    start = end - dt.timedelta(days=rules.availability_days)
    window = [p for p in probes if start <= p.at < end]
    if not window:
        return []
    failed = sum(1 for p in window if not p.ok)
    share = failed / len(window)
    needed = rules.min_probes_per_day * rules.availability_days
    evidence = {
        "probes": len(window),
        "failed": failed,
        "share": round(share, 4),
        "from": start.date().isoformat(),
        "to": (end.date() - dt.timedelta(days=1)).isoformat(),
    }
    if share < rules.veto_unavailable_share:
        return []
    text = (
        f"{evidence['from']}至{evidence['to']}共探测首页{len(window)}次，"
        f"{failed}次在15秒内未能打开（{share:.1%}），"
    )
    if len(window) < needed:
        return [
            Draft(
                key="unavailable",
                kind=Kind.UNAVAILABLE,
                indicator=Indicator.W_V2,
                severity=Severity.MANUAL,
                title="站点访问失败较多（探测次数不足）",
                reason=text + f"探测次数少于规定的每天{rules.min_probes_per_day}次，请人工核实。",
                evidence=evidence,
            )
        ]
    return [
        Draft(
            key="unavailable",
            kind=Kind.UNAVAILABLE,
            indicator=Indicator.W_V2,
            severity=Severity.VETO,
            title="站点无法访问",
            reason=text + f"达到{rules.veto_unavailable_share:.0%}的单项否决标准。",
            evidence=evidence,
        )
    ]


@dataclass(frozen=True)
class HomeFact:
    url: str
    ok: bool
    outcome: str  # dated | empty | needs_manual (of the home page's own list)
    newest: dt.date | None
    item_count: int = 0


def check_home(home: HomeFact, point: dt.date, rules: Rules) -> list[Draft]:
    """W-V3 首页不更新: no new item on the home page for 2 weeks. An item with no visible date
    counts as not updated; but when no item list was recognised at all, a person decides."""
    if not home.ok:
        return []  # availability is judged by the probes, not by one fetch
    if home.outcome == "needs_manual" or (home.outcome == "empty" and home.item_count == 0):
        return [
            Draft(
                key="home_manual",
                kind=Kind.HOME_MANUAL,
                indicator=Indicator.W_V3,
                severity=Severity.MANUAL,
                title="首页更新情况需人工核查",
                reason="未能在首页识别出带日期的信息列表，请人工核查首页是否按时更新。",
                url=home.url,
            )
        ]
    if home.newest is None:
        reason = "首页信息均无可见发布日期，按规定视为未更新。"
    else:
        age = (point - home.newest).days
        if age <= rules.home_stale_days:
            return []
        reason = (
            f"首页最新信息发布于{home.newest:%Y年%m月%d日}，距监测时间点已{age}天，超过2周未更新。"
        )
    return [
        Draft(
            key="home_stale",
            kind=Kind.HOME_STALE,
            indicator=Indicator.W_V3,
            severity=Severity.VETO,
            title="首页超过2周未更新",
            reason=reason,
            url=home.url,
            evidence={"newest": home.newest.isoformat() if home.newest else None},
        )
    ]


@dataclass(frozen=True)
class LinkFact:
    url: str
    found_on: str
    on_home: bool
    state: str  # ok | dead | unknown, this run
    previous_state: str | None = None  # the same link in the site's previous run
    http_status: int | None = None
    error: str = ""


def check_links(links: list[LinkFact]) -> list[Draft]:
    """Broken links (deduction; 2015-style rule, unverified: -1 each on the home page, -0.1
    elsewhere). 403, 429 and timeouts are "unknown": they count only when the link failed
    again in a later run."""
    drafts = []
    for link in links:
        if link.state == "ok":
            continue
        if link.state == "unknown" and link.previous_state not in ("unknown", "dead"):
            continue
        where = "首页" if link.on_home else "页面"
        status = f"HTTP {link.http_status}" if link.http_status else link.error or "无法连接"
        again = "（连续两次检查均失败）" if link.state == "unknown" else ""
        drafts.append(
            Draft(
                key=f"broken_link:{link.url}",
                kind=Kind.BROKEN_LINK,
                indicator=Indicator.DEDUCTION,
                severity=Severity.DEDUCTION,
                title="链接无法访问",
                reason=f"{where} {link.found_on} 中的链接 {link.url} 无法访问（{status}）{again}。",
                item="broken_link_home" if link.on_home else "broken_link_other",
                url=link.url,
                evidence={"found_on": link.found_on, "status": link.http_status},
            )
        )
    return drafts


@dataclass(frozen=True)
class MetaProblem:
    code: str
    message: str
    page_url: str


def check_meta(problems: list[MetaProblem]) -> list[Draft]:
    """47号 annex page tags. A wrong 网站标识码 is its own finding; missing or malformed tags are
    gathered into one, listing each tag and how many pages lack it."""
    drafts = []
    wrong_code = [p for p in problems if p.code.startswith("mismatch:SiteIDCode")]
    if wrong_code:
        drafts.append(
            Draft(
                key="meta:site_code",
                kind=Kind.META_TAGS,
                indicator=Indicator.DEDUCTION,
                severity=Severity.DEDUCTION,
                title="网页标签中的网站标识码与登记不符",
                reason=f"{wrong_code[0].message}（{len(wrong_code)}个页面，例如 {wrong_code[0].page_url}）。",
                item="meta_tags",
                evidence={"pages": [p.page_url for p in wrong_code[:20]]},
            )
        )
    others: dict[str, list[MetaProblem]] = {}
    for p in problems:
        if p not in wrong_code:
            others.setdefault(p.message, []).append(p)
    if others:
        parts = [f"{message}（{len(pages)}个页面）" for message, pages in sorted(others.items())]
        drafts.append(
            Draft(
                key="meta:tags",
                kind=Kind.META_TAGS,
                indicator=Indicator.DEDUCTION,
                severity=Severity.DEDUCTION,
                title="网页标签不符合《政府网站发展指引》",
                reason="；".join(parts) + "。",
                item="meta_tags",
                count=len(others),
                evidence={
                    "problems": {m: [p.page_url for p in pages[:10]] for m, pages in others.items()}
                },
            )
        )
    return drafts


@dataclass(frozen=True)
class TlsFact:
    url: str
    problem: str | None  # certificate invalid: why
    not_after: dt.datetime | None = None


def check_tls(fact: TlsFact, point: dt.date, rules: Rules) -> list[Draft]:
    if fact.problem:
        reason = f"HTTPS证书无效：{fact.problem}。"
        title = "HTTPS证书无效"
    elif fact.not_after is not None:
        days = (fact.not_after.date() - point).days
        if days > rules.cert_expiry_warning_days:
            return []
        title = "HTTPS证书即将过期" if days >= 0 else "HTTPS证书已过期"
        reason = f"HTTPS证书有效期至{fact.not_after:%Y年%m月%d日}，{title}。"
    else:
        return []
    return [
        Draft(
            key="tls",
            kind=Kind.TLS,
            indicator=Indicator.DEDUCTION,
            severity=Severity.DEDUCTION,
            title=title,
            reason=reason,
            item="tls",
            url=fact.url,
        )
    ]


@dataclass(frozen=True)
class SearchFact:
    query: str
    search_url: str
    found: bool | None  # None: the search page could not be read


def check_search(facts: list[SearchFact]) -> list[Draft]:
    """Seed 004: "1条未在搜索结果第一页找到该内容"."""
    misses = [f for f in facts if f.found is False]
    if not misses:
        return []
    return [
        Draft(
            key="search_miss",
            kind=Kind.SEARCH_MISS,
            indicator=Indicator.DEDUCTION,
            severity=Severity.DEDUCTION,
            title=f"{len(misses)}条未在搜索结果第一页找到该内容",
            reason="；".join(f"搜索“{m.query}”，结果第一页中没有该信息" for m in misses) + "。",
            item="search_miss",
            count=len(misses),
            evidence={"queries": [m.query for m in misses], "urls": [m.search_url for m in misses]},
        )
    ]
