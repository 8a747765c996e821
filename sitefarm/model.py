"""Frozen data model of a synthetic county: Farm -> Site -> Column -> Item.

Everything the server renders is derived from these objects, and the ground truth is read from
them too, so what is served and what is claimed can never drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from functools import cached_property
from typing import NamedTuple

CATEGORIES = (
    "news",
    "notice",
    "policy",
    "interpretation",
    "personnel",
    "plan",
    "static",
    "topic",
    "other",
)

# Look-back windows in days (indicators.md); None = no update window.
CATEGORY_WINDOWS: dict[str, int | None] = {
    "news": 14,
    "notice": 183,
    "policy": 183,
    "interpretation": 183,
    "personnel": 365,
    "plan": 365,
    "static": None,
    "topic": None,
    "other": 365,
}

# Chinese labels, used for the ColumnType meta tag.
CATEGORY_LABELS = {
    "news": "动态要闻",
    "notice": "通知公告",
    "policy": "政策文件",
    "interpretation": "政策解读",
    "personnel": "人事信息",
    "plan": "规划计划",
    "static": "概况信息",
    "topic": "专题专栏",
    "other": "其他",
}

# List styles (see render.py for the markup of each).
STYLES = (
    "ul_date",  # <ul><li><a>title</a><span class="date">2023-01-04</span></li>
    "table",  # <table> rows: title cell and date cell(s)
    "jcms_xml",  # 大汉 jcms: <script type="text/xml"><datastore>...<record><![CDATA[<li>..]]>
    "split_date",  # <div class="date"><span class="day">04</span><span class="ym">2023-01</span>
    "yearless",  # dates without a year: "01-04" or "[01-04]"
    "cards",  # <div class="item"><h3><a>..</a></h3><p>发布时间：2023年1月4日 ...</p>
    "json_api",  # list filled by fetch("/api/colN/list.json")
    "js_only",  # list decoded by JavaScript from an obfuscated array: undeterminable
)
HIDDEN_STYLES = frozenset({"js_only"})  # no date can be read without running JS
SINGLE_PAGE_STYLES = frozenset({"json_api", "js_only"})

# How the bytes of a page are encoded and labelled.
ENCODINGS = (
    "utf-8",  # UTF-8, declared in header and meta
    "gbk",  # GBK, declared in header and meta
    "gbk_undeclared",  # GBK, no charset anywhere
    "utf8_as_gb2312",  # UTF-8 bytes, meta says gb2312, header says nothing
    "gbk_as_utf8",  # GBK bytes, header says utf-8, meta says nothing
)

# Date formats for full dates: base + optional time suffix ("_hm", "_hms").
DATE_BASES = ("iso", "slash", "dot", "cn")  # 2023-01-04, 2023/1/4, 2023.01.04, 2023年1月4日

META_MODES = ("full", "partial", "missing", "wrong_code")
FAILURES = ("", "http500", "reset")


class Item(NamedTuple):
    """One article in a column list (a NamedTuple: immutable and cheap to build in bulk)."""

    title: str
    path: str  # absolute path of the article page on the site's host
    date: date  # the visible publication date (发布日期): the truth
    time: str = "09:00:00"  # HH:MM:SS shown with the date where the format has a time
    written: date | None = None  # 成文日期, on or before `date`
    meta_date: date | None = None  # PubDate meta when it disagrees with `date` (a trap)

    @property
    def pub_meta(self) -> str:
        """The PubDate meta value, "YYYY-MM-DD HH:MM"."""
        shown = self.meta_date or self.date
        return f"{shown.isoformat()} {self.time[:5]}"


@dataclass(frozen=True, eq=False)
class Column:
    """A list column. `items` is newest first; `path` is the first list page."""

    key: str  # "col123"
    number: int  # 123, the CMS column id
    path: str  # "/col/col123/index.html" (prefixed for shared-host sites)
    name: str
    category: str
    style: str
    date_format: str  # "iso", "slash_hm", "cn_hms", "md", "md_bracket", "split", ...
    encoding: str
    items: tuple[Item, ...]
    is_first_level: bool = True
    page_size: int = 15
    scenario: str = "fresh"  # how it was generated: fresh|due_soon|overdue|empty|hidden|closed
    empty_text: str = "暂无信息"

    @property
    def dir(self) -> str:
        return self.path.rsplit("/", 1)[0] + "/"

    @property
    def api_path(self) -> str:
        """JSON endpoint of a json_api column."""
        if "/col/col" in self.path:
            prefix = self.path.split("/col/col", 1)[0]
            return f"{prefix}/api/col{self.number}/list.json"
        return f"{self.dir}list.json"

    @property
    def item_count(self) -> int:
        return len(self.items)

    @property
    def window_days(self) -> int | None:
        return CATEGORY_WINDOWS[self.category]

    @property
    def truth_status(self) -> str:
        if self.style in HIDDEN_STYLES:
            return "undeterminable"
        return "dated" if self.items else "empty"

    @property
    def truth_newest(self) -> date | None:
        if self.truth_status != "dated":
            return None
        return max(item.date for item in self.items)

    @property
    def n_pages(self) -> int:
        if self.style in SINGLE_PAGE_STYLES or not self.items:
            return 1
        return -(-len(self.items) // self.page_size)

    def page_path(self, page: int) -> str:
        """index.html, index_1.html, index_2.html, ..."""
        return self.path if page == 0 else f"{self.dir}index_{page}.html"

    @property
    def page_paths(self) -> list[str]:
        return [self.page_path(k) for k in range(self.n_pages)]

    def page_items(self, page: int) -> tuple[Item, ...]:
        if self.style in SINGLE_PAGE_STYLES:
            return self.items
        return self.items[page * self.page_size : (page + 1) * self.page_size]


@dataclass(frozen=True)
class BadLink:
    """A link that does not lead to a working page. `expect`: 404|dead|403|429."""

    label: str
    path: str
    expect: str
    host: str | None = None  # another host (dead links); None = the site's own host


@dataclass(frozen=True, eq=False)
class Site:
    key: str  # "s001"
    index: int
    host: str  # "127.0.1.1"
    home_path: str  # "/" or "/bm/jtj/" for sites sharing the portal's host
    unit_name: str  # "县教体局"
    unit_kind: str  # township|subdistrict|department|devzone|other
    site_name: str  # "示范县教育体育局"
    site_code: str  # 10-digit 网站标识码
    counts_in_rates: bool
    columns: tuple[Column, ...]
    is_portal: bool = False
    shared_host: bool = False
    encoding: str = "utf-8"  # home and 信息公开 index pages
    date_format: str = "iso"  # home page list
    credit_code: str = "113418000000000000"  # 统一社会信用代码, used in 索引号
    profile: str = "normal"  # normal | stale_home | neglected (how its columns were drawn)
    # behaviour flags
    dead: bool = False  # nothing listens on the host
    delay_ms: int = 0  # extra delay on every response (slow host)
    failure: str = ""  # "" | "http500" | "reset"
    fail_every: int = 0  # with failure: fail every n-th request (1 = always)
    meta_tags: str = "full"  # full | partial | missing | wrong_code
    pubdate_mismatch: bool = False  # some article PubDate metas disagree with the visible date
    header_today: bool = True  # "今天是2026年11月23日 星期一" in the header
    tampered: bool = False  # gambling words and hidden links injected into the home page
    bad_links: tuple[BadLink, ...] = ()
    copyright_start: int = 2005
    phone: str = "0563-7021234"
    icp: str = "皖ICP备05001234号-1"

    @property
    def prefix(self) -> str:
        return self.home_path.rstrip("/")

    @property
    def slow(self) -> bool:
        return self.delay_ms > 0

    @property
    def xxgk_path(self) -> str | None:
        """The second-level 信息公开 index page, if any column lives there."""
        if all(c.is_first_level for c in self.columns):
            return None
        return f"{self.prefix}/xxgk/index.html"

    @property
    def meta_site_code(self) -> str:
        """SiteIDCode as printed in the meta tag (wrong on some sites)."""
        if self.meta_tags == "wrong_code":
            return self.site_code[:6] + self.site_code[6:][::-1].replace("0", "9")
        return self.site_code

    def column(self, key: str) -> Column:
        for column in self.columns:
            if column.key == key:
                return column
        raise KeyError(key)

    @cached_property
    def home_items(self) -> tuple[Item, ...]:
        """The "最新动态" list on the home page: newest items of first-level news/notice columns."""
        pool = [
            item
            for c in self.columns
            if c.is_first_level
            and c.category in ("news", "notice")
            and c.style not in HIDDEN_STYLES
            for item in c.items[:8]
        ]
        pool.sort(key=lambda item: (item.date, item.path), reverse=True)
        return tuple(pool[:8])

    @property
    def home_newest(self) -> date | None:
        return max((item.date for item in self.home_items), default=None)

    @cached_property
    def hot_items(self) -> tuple[Item, ...]:
        """Sidebar "热点推荐": the newest items of the whole site (newer than a stale column)."""
        pool = [item for c in self.columns if c.style not in HIDDEN_STYLES for item in c.items[:3]]
        pool.sort(key=lambda item: (item.date, item.path), reverse=True)
        return tuple(pool[:5])


@dataclass(frozen=True, eq=False)
class Farm:
    seed: int
    today: date
    county: str
    sites: tuple[Site, ...]

    def site(self, key: str) -> Site:
        for site in self.sites:
            if site.key == key:
                return site
        raise KeyError(key)

    @property
    def portal(self) -> Site:
        return next(site for site in self.sites if site.is_portal)

    def replace_site(self, key: str, **changes) -> Farm:
        """A copy of the farm with one site's fields changed (e.g. delay_ms=20000, dead=True)."""
        sites = tuple(replace(s, **changes) if s.key == key else s for s in self.sites)
        return replace(self, sites=sites)

    def replace_column(self, site_key: str, column_key: str, **changes) -> Farm:
        """A copy of the farm with one column's fields changed (e.g. style="js_only")."""
        site = self.site(site_key)
        columns = tuple(replace(c, **changes) if c.key == column_key else c for c in site.columns)
        return self.replace_site(site_key, columns=columns)

    def ground_truth(self, include_items: bool = False, port: int | None = None) -> dict:
        """JSON-serialisable truth about every site and column."""
        return {
            "seed": self.seed,
            "today": self.today.isoformat(),
            "county": self.county,
            "port": port,
            "sites": [_site_truth(site, include_items) for site in self.sites],
        }


def _iso(d: date | None) -> str | None:
    return d.isoformat() if d else None


def _site_truth(site: Site, include_items: bool) -> dict:
    return {
        "key": site.key,
        "host": site.host,
        "home_path": site.home_path,
        "xxgk_path": site.xxgk_path,
        "unit_name": site.unit_name,
        "unit_kind": site.unit_kind,
        "site_name": site.site_name,
        "site_code": site.site_code,
        "meta_site_code": site.meta_site_code if site.meta_tags != "missing" else None,
        "counts_in_rates": site.counts_in_rates,
        "is_portal": site.is_portal,
        "shared_host": site.shared_host,
        "encoding": site.encoding,
        "profile": site.profile,
        "flags": {
            "dead": site.dead,
            "delay_ms": site.delay_ms,
            "failure": site.failure,
            "fail_every": site.fail_every,
            "meta_tags": site.meta_tags,
            "pubdate_mismatch": site.pubdate_mismatch,
            "header_today": site.header_today,
            "tampered": site.tampered,
        },
        "home_newest": _iso(site.home_newest),
        "bad_links": [
            {"label": b.label, "path": b.path, "host": b.host or site.host, "expect": b.expect}
            for b in site.bad_links
        ],
        "columns": [_column_truth(c, include_items) for c in site.columns],
    }


def _column_truth(column: Column, include_items: bool) -> dict:
    truth = {
        "key": column.key,
        "path": column.path,
        "pages": column.page_paths,
        "name": column.name,
        "category": column.category,
        "window_days": column.window_days,
        "is_first_level": column.is_first_level,
        "style": column.style,
        "date_format": column.date_format,
        "encoding": column.encoding,
        "scenario": column.scenario,
        "newest": _iso(column.truth_newest),
        "status": column.truth_status,
        "item_count": column.item_count,
    }
    if column.style == "json_api":
        truth["api_path"] = column.api_path
    if include_items:
        truth["items"] = [
            {
                "title": item.title,
                "path": item.path,
                "date": item.date.isoformat(),
                "time": item.time,
                "written": _iso(item.written),
                "meta_date": _iso(item.meta_date),
            }
            for item in column.items
        ]
    return truth
