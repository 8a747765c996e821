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
    """W-V2 站点无法访问: monitor the week before the monitoring point with at least 20 spaced
    probes on each day; a probe fails if the home page has not loaded within 15 s, in one
    attempt (errors count as failures); failures >= 5 % of the week's probes -> veto.

    A day with fewer than 20 probes makes the week unjudgeable: with failures at the threshold
    the machine then asks a person instead of vetoing, and says which days fell short."""
    days = [point - dt.timedelta(days=n) for n in range(rules.availability_days, 0, -1)]
    per_day: dict[dt.date, list[bool]] = {d: [] for d in days}
    for p in probes:
        day = p.at.astimezone(tz).date()
        if day in per_day:
            per_day[day].append(p.ok)
    window = [ok for oks in per_day.values() for ok in oks]
    if not window:
        return []
    failed = sum(1 for ok in window if not ok)
    share = failed / len(window)
    short = [(d, len(per_day[d])) for d in days if len(per_day[d]) < rules.min_probes_per_day]
    evidence = {
        "probes": len(window),
        "failed": failed,
        "share": round(share, 4),
        "from": days[0].isoformat(),
        "to": days[-1].isoformat(),
        "per_day": {
            d.isoformat(): [len(v), sum(1 for ok in v if not ok)] for d, v in per_day.items()
        },
    }
    # With days short of probes, could the missing probes have decided the week? If all of
    # them had failed, would the share reach the threshold? Then a person decides.
    missing = sum(rules.min_probes_per_day - n for _, n in short)
    worst = (failed + missing) / (len(window) + missing)
    if share < rules.veto_unavailable_share and not (
        short and worst >= rules.veto_unavailable_share
    ):
        return []
    text = (
        f"{evidence['from']}至{evidence['to']}共探测首页{len(window)}次，"
        f"{failed}次在15秒内未能打开（{share:.1%}），"
    )
    if short:
        days_text = "、".join(f"{d:%m月%d日}仅{n}次" for d, n in short[:7])
        return [
            Draft(
                key="unavailable",
                kind=Kind.UNAVAILABLE,
                indicator=Indicator.W_V2,
                severity=Severity.MANUAL,
                title="站点可用性本周无法判定（探测次数不足）",
                reason=text + f"但{days_text}，少于规定的每天{rules.min_probes_per_day}次，"
                "本周可用性无法按规定判定，请人工核实。",
                evidence=evidence | {"short_days": [d.isoformat() for d, _ in short]},
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
    # The newest item over the second-level pages (the columns the home page links to): what
    # W-V3 judges when the home page is only a navigation entry.
    second_level_newest: dt.date | None = None


def check_home(home: HomeFact, point: dt.date, rules: Rules) -> list[Draft]:
    """W-V3 首页不更新: no new item on the home page for 2 weeks; if the home page is only a
    navigation entry, no new item on any second-level page. An item with no visible date
    counts as not updated; but when no item list was recognised at all and no second-level
    page has a date either, a person decides."""
    if not home.ok:
        return []  # availability is judged by the probes, not by one fetch
    nav_only = home.outcome == "needs_manual" or (home.outcome == "empty" and home.item_count == 0)
    if nav_only and home.second_level_newest is None:
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
    newest = home.second_level_newest if nav_only else home.newest
    where = "首页仅为导航入口，其二级页面" if nav_only else "首页"
    if newest is None:
        reason = "首页信息均无可见发布日期，按规定视为未更新。"
    else:
        age = (point - newest).days
        if age <= rules.home_stale_days:
            return []
        reason = (
            f"{where}最新信息发布于{newest:%Y年%m月%d日}，距监测时间点已{age}天，超过2周未更新。"
        )
    return [
        Draft(
            key="home_stale",
            kind=Kind.HOME_STALE,
            indicator=Indicator.W_V3,
            severity=Severity.VETO,
            title="首页超过2周未更新" if not nav_only else "首页及二级页面超过2周未更新",
            reason=reason,
            url=home.url,
            evidence={"newest": newest.isoformat() if newest else None, "nav_only": nav_only},
        )
    ]


@dataclass(frozen=True)
class DateFact:
    """Dates of one page that may not be what they say: an article whose meta tag or list entry
    contradicts its visible date, or a list with dates after the monitoring point."""

    url: str
    visible: dt.date | None = None
    meta: dt.date | None = None
    listed: dt.date | None = None
    future: tuple[str, ...] = ()  # dates after the monitoring point, as written


def check_dates(facts: list[DateFact]) -> list[Draft]:
    """Possible 更新不实 (W-V1 弄虚作假 such as faked publication dates): raised for review,
    never counted until staff confirm it. indicators.md: meta tags are evidence, not truth;
    when meta and visible date disagree, say so."""
    problems = []
    for f in facts:
        if f.visible and f.meta and abs((f.meta - f.visible).days) > 1:
            problems.append(
                (f.url, f"网页标签发布日期{f.meta:%Y-%m-%d}与页面显示的{f.visible:%Y-%m-%d}不一致")
            )
        # The same day and month in another year is the list's year-less date read with the
        # wrong year (an inference of ours), not a unit dating its items falsely.
        same_day = (
            f.listed
            and f.visible
            and (f.listed.month, f.listed.day)
            == (
                f.visible.month,
                f.visible.day,
            )
        )
        if f.visible and f.listed and not same_day and (f.listed - f.visible).days > 1:
            problems.append(
                (f.url, f"列表显示{f.listed:%Y-%m-%d}，正文发布日期却为{f.visible:%Y-%m-%d}")
            )
        if f.future:
            problems.append((f.url, f"页面中有晚于监测时间点的日期（{'、'.join(f.future[:3])}）"))
    if not problems:
        return []
    return [
        Draft(
            key="date_suspect",
            kind=Kind.DATE_SUSPECT,
            indicator=Indicator.W_V1,
            severity=Severity.VETO,
            title=f"疑似更新不实（{len(problems)}处日期不一致）",
            reason="；".join(f"{why}（{url}）" for url, why in problems[:5])
            + "。机器发现的候选问题，须人工核实是否弄虚作假。",
            count=len(problems),
            url=problems[0][0],
            evidence={"pages": [{"url": u, "why": w} for u, w in problems[:50]]},
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
