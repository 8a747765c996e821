"""Reading one site: fetch its pages and extract what the checks need.

Plain functions over a Fetcher; nothing here touches the database, so `inspect_site` can run
them on any site and the Celery tasks can store what they return.
"""

import datetime as dt
from dataclasses import dataclass, field, replace

from audits.crawl.fetch import Fetcher, FetchResult
from audits.extract.discover import ProposedColumn, propose_columns
from audits.extract.listpage import (
    Candidate,
    Confirmation,
    ListResult,
    extract_list,
    extract_list_json,
    needed,
    settle,
)
from audits.extract.meta import read_meta_tags


@dataclass(frozen=True)
class ConfirmReading:
    """One entry's own page, read to confirm the date a list shows for it (year-less, pinned or
    out of order): what was asked, what was fetched, what the page said."""

    candidate: Candidate
    confirmation: Confirmation
    page: FetchResult | None  # None when the entry has no link to open
    article: object = None  # audits.extract.article.ArticleDate, when the page was read

    def evidence(self) -> dict:
        c, conf = self.candidate, self.confirmation
        return {
            "url": c.url,
            "role": c.role,
            "title": c.title,
            "listed": c.listed.isoformat() if c.has_year else c.listed.strftime("%m-%d"),
            "listed_has_year": c.has_year,
            "pinned": c.pinned,
            "out_of_order": c.out_of_order,
            "position": c.position,
            "page_date": conf.date.isoformat() if conf.date else None,
            "source": conf.source,
            "said": conf.how,
            "http_status": self.page.status if self.page else None,
            "final_url": self.page.final_url if self.page else None,
            "fetched_at": self.page.fetched_at.isoformat()
            if self.page and self.page.fetched_at
            else None,
        }


@dataclass(frozen=True)
class ColumnReading:
    url: str
    page: FetchResult
    result: ListResult | None  # None when the page could not be fetched
    followed: str | None = None  # the JSON endpoint read for a list filled by JavaScript
    confirmations: tuple[ConfirmReading, ...] = ()  # entries' pages read to settle the date
    rendered: object = None  # audits.crawl.browser.Rendered when the page was rendered

    @property
    def outcome(self) -> str:
        """dated | empty | needs_manual | error (the Observation.Outcome values)."""
        return "error" if self.result is None else self.result.status

    @property
    def reason(self) -> str:
        if self.result is None:
            if self.page.url != self.url:
                return f"站点首页无法访问（{self.page.error}），本次未检查该栏目"
            return f"栏目页面无法读取：{self.page.error or self.page.status}"
        return self.result.reason


@dataclass(frozen=True)
class HomeReading:
    url: str
    page: FetchResult
    meta: dict = field(default_factory=dict)
    columns: tuple[ProposedColumn, ...] = ()
    recent: ListResult | None = None  # the home page's own newest items (W-V3)
    confirmations: tuple[ConfirmReading, ...] = ()


def read_column(fetcher: Fetcher, url: str, today: dt.date) -> ColumnReading:
    """Read a column page: its list, the JSON endpoint a script names, the page rendered in a
    browser when the HTML has no list (CrawlConfig.render_js), and the entries' own pages when
    the list's dates cannot decide alone (year-less, pinned, out of order; see
    :func:`audits.extract.listpage.settle`)."""
    page = fetcher.fetch(url)
    if not page.ok:
        return ColumnReading(url, page, None)
    result = extract_list(page.text, page.final_url, today)
    followed = None
    if result.json_endpoint:
        data = fetcher.fetch(result.json_endpoint)
        if data.ok:
            from_json = extract_list_json(data.text, data.final_url, today)
            if from_json.status != "needs_manual":
                result, followed = from_json, result.json_endpoint
    rendered = None
    if followed is None and result.wants_render:
        result, rendered = _render(fetcher, page, result, today)
    result, confirmations = confirm_list(fetcher, result, today)
    return ColumnReading(url, page, result, followed, confirmations, rendered)


def _render(fetcher: Fetcher, page: FetchResult, result: ListResult, today: dt.date):
    """The page rendered in headless Chromium, read by the same list extractor; the static
    result when rendering is off, unavailable or gives nothing better."""
    if not fetcher.config.render_js:
        return result, None
    from audits.crawl.browser import render_page

    rendered = render_page(fetcher, page.final_url, known={page.final_url: page})
    if not rendered.ok:
        note = f"；已尝试在浏览器中渲染页面，但失败：{rendered.error}"
        return replace(result, reason=result.reason + note), rendered
    after = extract_list(rendered.html, rendered.final_url, today)
    if after.status == "needs_manual":
        note = f"；浏览器渲染后仍未找到列表（{after.reason}）"
        return replace(result, reason=result.reason + note), rendered
    prefix = f"页面列表由 JavaScript 生成，经浏览器渲染后读取（{rendered.summary()}）："
    return replace(after, reason=prefix + after.reason, wants_render=False), rendered


# At most this many entries' pages are read to settle one list (the decider and the next).
CONFIRM_PAGES = 2


def confirm_list(
    fetcher: Fetcher, result: ListResult, today: dt.date
) -> tuple[ListResult, tuple[ConfirmReading, ...]]:
    """Read the pages of the entries ``result.to_confirm`` names, one at a time, until
    :func:`settle` gives the answer; ``needs_manual`` if it cannot."""
    if result.settled:
        return result, ()
    confirmations: dict[str, Confirmation] = {}
    readings: list[ConfirmReading] = []
    for _ in range(CONFIRM_PAGES + 1):
        final = settle(result, confirmations, today)
        if final is not None:
            return final, tuple(readings)
        todo = needed(result, confirmations)
        if not todo or len(readings) >= CONFIRM_PAGES:
            break
        reading = _confirm(fetcher, todo[0], today)
        confirmations[todo[0].url] = reading.confirmation
        readings.append(reading)
    manual = replace(
        result,
        status="needs_manual",
        newest=None,
        confidence=0.2,
        reason=result.reason + "；条目页面未能确认最新日期，需人工核对",
        to_confirm=(),
    )
    return manual, tuple(readings)


def _confirm(fetcher: Fetcher, candidate: Candidate, today: dt.date) -> ConfirmReading:
    from audits.extract.article import extract_article_date

    if not candidate.url:
        conf = Confirmation("", None, "none", "条目没有可打开的网址")
        return ConfirmReading(candidate, conf, None)
    page = fetcher.fetch(candidate.url)
    if not page.ok:
        why = f"页面无法读取：{page.error or page.status}"
        return ConfirmReading(candidate, Confirmation(candidate.url, None, "error", why), page)
    found = extract_article_date(page.text, page.final_url, today)
    if found.date is None:
        conf = Confirmation(candidate.url, None, "none", found.reason)
    elif found.source == "near-title":
        # an unlabelled date somewhere after the title is not evidence enough for a finding
        conf = Confirmation(
            candidate.url, None, "none", f"只有标题附近的无标签日期（{found.reason}）"
        )
    else:
        conf = Confirmation(candidate.url, found.date, found.source, found.reason)
    return ConfirmReading(candidate, conf, page, found)


def read_home(fetcher: Fetcher, url: str, today: dt.date) -> HomeReading:
    page = fetcher.fetch(url)
    if not page.ok:
        return HomeReading(url, page)
    recent, confirmations = confirm_list(
        fetcher, extract_list(page.text, page.final_url, today), today
    )
    return HomeReading(
        url,
        page,
        meta=read_meta_tags(page.text),
        columns=tuple(propose_columns(page.text, page.final_url)),
        recent=recent,
        confirmations=confirmations,
    )


def page_evidence(page: FetchResult) -> dict:
    """What is kept of a fetch so that a person can later see exactly what was seen."""
    return {
        "final_url": page.final_url,
        "redirects": list(page.redirects),
        "content_type": page.content_type,
        "encoding_how": page.encoding_how,
        "error_kind": page.error_kind,
        "error": page.error,
        "tls_problem": page.tls_problem,
        "cert_not_after": page.cert_not_after.isoformat() if page.cert_not_after else None,
        "fetched_at": page.fetched_at.isoformat() if page.fetched_at else None,
    }


def reading_evidence(reading: ColumnReading, max_items: int = 50) -> dict:
    evidence = page_evidence(reading.page)
    if reading.page.ok:
        evidence["meta"] = read_meta_tags(reading.page.text)
    if reading.result is not None:
        evidence["items"] = [
            {"title": i.title, "url": i.url, "date": i.date.isoformat() if i.date else None}
            for i in reading.result.items[:max_items]
        ]
        evidence["followed_json"] = reading.followed
        if reading.result.future_dates:
            evidence["future_dates"] = list(reading.result.future_dates)
    if reading.confirmations:
        evidence["confirmed_by"] = [c.evidence() for c in reading.confirmations]
    if reading.rendered is not None:
        evidence["rendered"] = reading.rendered.evidence()
    return evidence


@dataclass(frozen=True)
class LinkReading:
    url: str
    found_on: str
    on_home: bool
    result: FetchResult

    @property
    def state(self) -> str:
        from audits.crawl.fetch import link_state

        return link_state(self.result)


def page_links(page: FetchResult) -> list:
    """The links of a page that was read (audits.extract.links.Link), for :func:`read_links`."""
    from audits.extract.links import extract_links

    return extract_links(page.text, page.final_url) if page.ok else []


def read_links(
    fetcher: Fetcher, pages: list[tuple[str, list, bool]], limit: int = 300
) -> list[LinkReading]:
    """Check every link found on the given pages (url, its :func:`page_links`, is_home), each
    link once. The links are taken rather than the pages' HTML so that a page's links can be read
    where the page was (its parsed tree is reused there)."""
    seen: dict[str, tuple[str, bool]] = {}
    for page_url, links, on_home in pages:
        for link in links:
            if link.url not in seen or (on_home and not seen[link.url][1]):
                seen[link.url] = (page_url, on_home)
    readings = []
    for url, (found_on, on_home) in list(seen.items())[:limit]:
        readings.append(LinkReading(url, found_on, on_home, fetcher.head_or_get(url)))
    return readings


@dataclass(frozen=True)
class SearchReading:
    query: str
    search_url: str
    found: bool | None  # None: the search page could not be read
    page: FetchResult
    how: str = ""


def read_search(fetcher: Fetcher, template: str, title: str, item_url: str) -> SearchReading:
    """Seed 004: search the site for a recent item's title; is its link on the first page?"""
    from urllib.parse import quote

    from audits.extract.search import find_in_results

    url = template.replace("{q}", quote(title))
    page = fetcher.fetch(url)
    if not page.ok:
        return SearchReading(title, url, None, page, f"搜索页无法读取：{page.error or page.status}")
    hit = find_in_results(page.text, page.final_url, item_url=item_url, title=title)
    return SearchReading(title, url, hit.found, page, hit.how)


@dataclass(frozen=True)
class ServicesReading:
    url: str | None  # None: no 办事服务 page is known or found
    page: FetchResult | None
    items: tuple = ()  # ((ServiceItem, state, GuideReading | None), …)


GUIDES_PER_SITE = 10


def read_services(fetcher: Fetcher, url: str | None, limit: int = GUIDES_PER_SITE):
    """W-V6: the 办事服务 list and the first `limit` guides it links to."""
    from audits.extract.services import extract_service_items, read_guide

    if not url:
        return ServicesReading(None, None)
    page = fetcher.fetch(url)
    if not page.ok:
        return ServicesReading(url, page)
    out = []
    for item in extract_service_items(page.text, page.final_url)[:limit]:
        if item.guide_url is None:
            out.append((item, "none", None))
            continue
        guide = fetcher.fetch(item.guide_url)
        if not guide.ok:
            out.append((item, "dead", None))
        else:
            out.append((item, "ok", read_guide(guide.text)))
    return ServicesReading(url, page, tuple(out))


_SERVICE_NAV = ("办事服务", "办事指南", "政务服务", "网上办事", "在线办事", "便民服务")


def find_services_url(home: HomeReading) -> str | None:
    """The home page's link to its 办事服务 section, when the registry does not name one."""
    from audits.extract.links import extract_links

    if not home.page.ok:
        return None
    for link in extract_links(home.page.text, home.page.final_url):
        if any(word in link.text for word in _SERVICE_NAV) and len(link.text) <= 8:
            return link.url
    return None


def scan_content(html: str, url: str, matcher) -> dict:
    """Typos, W-V1 words and hidden links on one page, ready to keep as evidence."""
    from audits.content import find_hidden_links, page_text, scan_text

    hits = [
        {"kind": h.kind, "word": h.word, "correction": h.correction, "context": h.context}
        for h in scan_text(page_text(html), matcher)
    ]
    hidden = [
        {"text": link.text, "href": link.href, "why": link.why}
        for link in find_hidden_links(html, url)
    ]
    return {"hits": hits[:200], "hidden_links": hidden[:50]}


@dataclass(frozen=True)
class ArticleReading:
    url: str
    page: FetchResult
    date: object  # audits.extract.article.ArticleDate, or None when not fetched


def read_article(
    fetcher: Fetcher, url: str, today: dt.date, page: FetchResult | None = None
) -> ArticleReading:
    """The article's date; ``page`` when it was fetched already (to confirm a list's date)."""
    from audits.extract.article import extract_article_date

    page = page if page is not None else fetcher.fetch(url)
    if not page.ok:
        return ArticleReading(url, page, None)
    return ArticleReading(url, page, extract_article_date(page.text, page.final_url, today))
