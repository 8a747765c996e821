"""Is an item among a site search's first page of results? (seed 004: "1条未在搜索结果第一页找到该
内容")

Results pages echo the query ("搜索“…”的结果", "共找到0条"), so the title appearing somewhere on
the page proves nothing. Found means the item's link is one of the page's links: its URL (the
same path and query on the same site, http or https), or a link whose text is exactly its title.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from .links import extract_links

_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class SearchHit:
    found: bool
    how: str  # Chinese: why the machine says so
    results: int  # links on the page that look like results (not navigation)


def _same_target(a: str, b: str) -> bool:
    pa, pb = urlsplit(a), urlsplit(b)
    host = (pa.hostname or "").removeprefix("www.") == (pb.hostname or "").removeprefix("www.")
    return host and pa.path.rstrip("/") == pb.path.rstrip("/") and pa.query == pb.query


def _plain(text: str) -> str:
    return _SPACE.sub("", text or "")


def find_in_results(html: str, page_url: str, *, item_url: str, title: str) -> SearchHit:
    # A link back to the search itself ("相关搜索", another page of results) is not a result.
    search_path = urlsplit(page_url).path.rstrip("/")
    links = [
        link
        for link in extract_links(html, page_url)
        if not (
            urlsplit(link.url).path.rstrip("/") == search_path
            and urlsplit(link.url).netloc == urlsplit(page_url).netloc
        )
    ]
    wanted = _plain(title)
    results = sum(1 for link in links if len(_plain(link.text)) >= 8)
    for link in links:
        if _same_target(link.url, item_url):
            return SearchHit(True, f"结果第一页中有该信息的链接 {link.url}", results)
    for link in links:
        if wanted and _plain(link.text) == wanted:
            return SearchHit(True, f"结果第一页中有标题为“{title}”的链接", results)
    if wanted and wanted in _plain(html):
        how = "结果第一页中没有该信息的链接（页面只回显了搜索词）"
    else:
        how = "结果第一页中没有该信息"
    return SearchHit(False, how, results)
