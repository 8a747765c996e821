"""Site search (opt-in): a results page per site, shaped like the search pages of real CMSs.

URL shapes (Site.search_url, "{q}" for the URL-quoted query, UTF-8; GBK bytes are accepted too):
    /search?q={q}                                                   (page parameter: page)
    /jrobot/search.do?webid=N&pg=10&tpl=&category=&q={q}            (大汉 jcms, page parameter: p)
    /was5/web/search?channelid=2NNNN&searchword={q}                 (TRS WAS, page parameter: page)

A results page echoes the query (搜索“…”的结果，共找到N条) and lists up to SEARCH_PAGE_SIZE items whose
titles contain the query (title with the query highlighted, URL, date, snippet), sorted by
relevance (exact title first, then more occurrences, then newer) or by date. No match:
没有找到与“…”相关的结果. Modes (Site.search):
    ok             as above
    misses_recent  items published after the index stopped (newest site item - search_lag_days)
                   are not indexed: their titles find older items or nothing
    echo_only      never any result: the echoed query and links to the site's columns
    dead           HTTP 500
"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import timedelta
from functools import lru_cache
from html import escape
from typing import NamedTuple
from urllib.parse import quote

from . import names
from .generate import Dice, _weighted
from .model import SEARCH_MODES, SEARCH_PAGE_SIZE, Column, Farm, Item, Site

MODE_WEIGHTS = {"ok": 75, "misses_recent": 12, "echo_only": 8, "dead": 5}
NO_MATCH = "查无此项"  # no title ever contains this


class SearchResult(NamedTuple):
    query: str
    total: int
    page: int  # 1-based
    pages: int
    items: tuple[Item, ...]  # this page's results

    @property
    def paths(self) -> list[str]:
        return [item.path for item in self.items]


@lru_cache(maxsize=1024)
def _index(site: Site) -> tuple[tuple[Item, ...], dict[str, Column]]:
    """The indexed items of a site (newest first) and the column of every item."""
    column_of = {item.path: column for column in site.columns for item in column.items}
    items = sorted(
        (item for column in site.columns for item in column.items),
        key=lambda i: (i.date, i.path),
        reverse=True,
    )
    if site.search == "misses_recent" and items:
        cutoff = items[0].date - timedelta(days=site.search_lag_days)
        items = [item for item in items if item.date <= cutoff]
    return tuple(items), column_of


def search_results(site: Site, query: str, page: int = 1) -> SearchResult:
    """What the site's search page shows for `query` (page 1 = the first page)."""
    query = query.strip()
    if site.search not in ("ok", "misses_recent") or not query:
        return SearchResult(query, 0, 1, 1, ())
    items, _ = _index(site)
    matches = [item for item in items if query in item.title]
    if site.search_sort == "relevance":
        matches.sort(
            key=lambda i: (i.title != query, -i.title.count(query), -i.date.toordinal(), i.path)
        )
    pages = max(1, -(-len(matches) // SEARCH_PAGE_SIZE))
    page = min(max(page, 1), pages)
    shown = matches[(page - 1) * SEARCH_PAGE_SIZE : page * SEARCH_PAGE_SIZE]
    return SearchResult(query, len(matches), page, pages, tuple(shown))


# ----- pages -----


def _highlight(title: str, query: str, kind: int) -> str:
    if not query:
        return escape(title)
    tag = ('<font color="red">', "</font>") if kind == 1 else ("<em>", "</em>")
    return (tag[0] + escape(query) + tag[1]).join(escape(part) for part in title.split(query))


def _result_date(item: Item, kind: int) -> str:
    if kind == 1:
        return f"发布时间：{item.date.isoformat()}"
    if kind == 2:
        return f"{item.date.year}.{item.date.month:02d}.{item.date.day:02d}"
    return item.date.isoformat()


def snippet(site: Site, item: Item) -> str:
    """The start of the article's first paragraph (the same text the article page shows)."""
    text = names.paragraph(random.Random(item.path), site.unit_name, item.title)
    return text[:60] + "……"


def search_form(site: Site, query: str) -> str:
    param = site.search_param
    pairs = (pair.partition("=") for pair in site.search_url.split("?", 1)[1].split("&"))
    hidden = "".join(
        f'<input type="hidden" name="{escape(k)}" value="{escape(v)}">'
        for k, _, v in pairs
        if k != param
    )
    return (
        f'<div class="search-box"><form action="{site.search_path}" method="get">{hidden}'
        f'<input type="text" name="{param}" value="{escape(query)}"><button>搜索</button>'
        "</form></div>\n"
    )


def render_search(page, query: str | None, page_no: int) -> str:
    """The HTML of a search page (`page` is a render.Page of the site)."""
    site: Site = page.site
    title = f"搜索结果_{site.site_name}"
    crumbs = page.crumbs(("站内搜索", None))
    if query is None or not query.strip():
        main = crumbs + search_form(site, "") + '<div class="search-tip">请输入搜索关键词</div>\n'
        return page.document(title, site.encoding, page.meta(), main)
    q = escape(query.strip())
    main = crumbs + search_form(site, query.strip()) + '<div class="search-result">\n'
    if site.search == "echo_only":
        links = "".join(f'<li><a href="{c.path}">{escape(c.name)}</a></li>' for c in site.columns)
        main += (
            f'<div class="search-info">搜索“{q}”的结果</div>\n'
            f'<div class="search-nav"><h3>栏目导航</h3><ul>{links}</ul></div>\n'
        )
        return page.document(title, site.encoding, page.meta(), main + "</div>\n")
    result = search_results(site, query, page_no)
    if not result.total:
        main += (
            f'<div class="search-info">搜索“{q}”的结果</div>\n'
            f'<div class="no-result">没有找到与“{q}”相关的结果，请更换关键词重试。</div>\n'
        )
        return page.document(title, site.encoding, page.meta(), main + "</div>\n")
    _, column_of = _index(site)
    kind = site.search_kind
    rows = "".join(
        f'<li class="result-item"><h3><a href="{i.path}" target="_blank">'
        f"{_highlight(i.title, result.query, kind)}</a></h3>\n"
        f'<p class="snippet">{escape(snippet(site, i))}</p>\n'
        f'<p class="result-meta"><span class="result-url">'
        f"http://{site.host}:{page.port}{i.path}</span> "
        f'<span class="result-date">{_result_date(i, kind)}</span> '
        f'<span class="result-column">{escape(column_of[i.path].name)}</span></p></li>\n'
        for i in result.items
    )
    main += (
        f'<div class="search-info">搜索“{q}”的结果，共找到{result.total}条，'
        f"当前第{result.page}/{result.pages}页</div>\n"
        f'<ul class="result-list">\n{rows}</ul>\n{_pagination(site, result)}'
    )
    return page.document(title, site.encoding, page.meta(), main + "</div>\n")


def _pagination(site: Site, result: SearchResult) -> str:
    if result.pages <= 1:
        return ""
    base = site.search_url.replace("{q}", quote(result.query)) + f"&{site.search_page_param}="
    links = []
    if result.page > 1:
        links.append(f'<a href="{escape(base)}{result.page - 1}">上一页</a>')
    if result.page < result.pages:
        links.append(f'<a href="{escape(base)}{result.page + 1}">下一页</a>')
    return '<div class="pagination">' + " ".join(links) + "</div>\n"


# ----- generation -----


def assign(seed: int, sites: list[Site]) -> list[Site]:
    """Give every site a search page: mode, URL shape, sort order, index lag."""
    rng = Dice(f"{seed}:search:{len(sites)}")
    modes = ["ok" if s.is_portal else _weighted(rng, MODE_WEIGHTS) for s in sites]
    healthy = [k for k, s in enumerate(sites) if _healthy(s) and not s.is_portal]
    if len(healthy) >= 2 * len(SEARCH_MODES):
        for n, mode in enumerate(SEARCH_MODES):
            if not any(modes[k] == mode for k in healthy):
                modes[healthy[-1 - n]] = mode
    out = []
    for site, mode in zip(sites, modes, strict=True):
        site_rng = Dice(f"{seed}:site:{site.index}:search")
        out.append(
            replace(
                site,
                search=mode,
                search_kind=site_rng.randint(0, 2),
                search_sort="relevance" if site_rng.random() < 0.6 else "date",
                search_lag_days=site_rng.randint(20, 60),
            )
        )
    return out


def _healthy(site: Site) -> bool:
    return not (site.dead or site.failure or site.delay_ms)


# ----- truth -----


def search_case(site: Site, item: Item | None, query: str | None = None) -> dict:
    """Whether the item's URL is on the first results page of a search for its title."""
    query = item.title if query is None else query
    result = search_results(site, query)
    return {
        "query": query,
        "item_path": item.path if item else None,
        "item_date": item.date.isoformat() if item else None,
        "found": bool(item) and item.path in result.paths,
        "total": result.total,
        "first_page": result.paths,
    }


def sample_items(site: Site) -> list[Item]:
    """The items the truth asks about: the newest two, one a third down, the oldest."""
    items = sorted(
        (i for c in site.columns for i in c.items), key=lambda i: (i.date, i.path), reverse=True
    )
    picks = []
    for k in (0, 1, len(items) // 3, len(items) - 1):
        if 0 <= k < len(items) and items[k] not in picks:
            picks.append(items[k])
    return picks


def search_truth(farm: Farm, port: int | None = None) -> dict:
    sites = []
    for site in farm.sites:
        if not site.search:
            continue
        cases = [search_case(site, item) for item in sample_items(site)]
        cases.append(search_case(site, None, f"{NO_MATCH}{site.index + 1}"))
        sites.append(
            {
                "key": site.key,
                "host": site.host,
                "mode": site.search,
                "url": site.search_url,
                "path": site.search_path,
                "param": site.search_param,
                "sort": site.search_sort,
                "status": 500 if site.search == "dead" else 200,
                "site_reachable": _healthy(site),
                "cases": cases,
            }
        )
    return {"today": farm.today.isoformat(), "port": port, "sites": sites}
