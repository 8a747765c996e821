"""Reading one site: fetch its pages and extract what the checks need.

Plain functions over a Fetcher; nothing here touches the database, so `inspect_site` can run
them on any site and the Celery tasks can store what they return.
"""

import datetime as dt
from dataclasses import dataclass, field

from audits.crawl.fetch import Fetcher, FetchResult
from audits.extract.discover import ProposedColumn, propose_columns
from audits.extract.listpage import ListResult, extract_list, extract_list_json
from audits.extract.meta import read_meta_tags


@dataclass(frozen=True)
class ColumnReading:
    url: str
    page: FetchResult
    result: ListResult | None  # None when the page could not be fetched
    followed: str | None = None  # the JSON endpoint read for a list filled by JavaScript

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


def read_column(fetcher: Fetcher, url: str, today: dt.date) -> ColumnReading:
    page = fetcher.fetch(url)
    if not page.ok:
        return ColumnReading(url, page, None)
    result = extract_list(page.text, page.final_url, today)
    if result.json_endpoint:
        data = fetcher.fetch(result.json_endpoint)
        if data.ok:
            from_json = extract_list_json(data.text, data.final_url, today)
            if from_json.status != "needs_manual":
                return ColumnReading(url, page, from_json, followed=result.json_endpoint)
    return ColumnReading(url, page, result)


def read_home(fetcher: Fetcher, url: str, today: dt.date) -> HomeReading:
    page = fetcher.fetch(url)
    if not page.ok:
        return HomeReading(url, page)
    return HomeReading(
        url,
        page,
        meta=read_meta_tags(page.text),
        columns=tuple(propose_columns(page.text, page.final_url)),
        recent=extract_list(page.text, page.final_url, today),
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


def read_links(
    fetcher: Fetcher, pages: list[tuple[str, str, bool]], limit: int = 300
) -> list[LinkReading]:
    """Check every link found on the given pages (url, html, is_home), each link once."""
    from audits.extract.links import extract_links

    seen: dict[str, tuple[str, bool]] = {}
    for page_url, html, on_home in pages:
        for link in extract_links(html, page_url):
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


def read_article(fetcher: Fetcher, url: str, today: dt.date) -> ArticleReading:
    from audits.extract.article import extract_article_date

    page = fetcher.fetch(url)
    if not page.ok:
        return ArticleReading(url, page, None)
    return ArticleReading(url, page, extract_article_date(page.text, page.final_url, today))
