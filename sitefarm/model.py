"""Frozen data model of a synthetic county: Farm -> Site -> Column -> Item.

Everything the server renders is derived from these objects, and the ground truth is read from
them too, so what is served and what is claimed can never drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from functools import cached_property
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from .feeds import AccountSet

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
# Opt-in list styles (never drawn at random; pass them in `styles=`), see lists.py.
EXTRA_STYLES = (
    "yearless_old",  # year-less dates, the newest item over a year old (naive year inference fails)
    "pinned",  # full dates, the first item pinned (置顶, marked or not) out of date order
    "yearless_pinned",  # year-less dates with an old pinned item on top
)
ALL_STYLES = STYLES + EXTRA_STYLES
YEARLESS_STYLES = frozenset({"yearless", "yearless_old", "yearless_pinned"})
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
    page_dated: bool = True  # False: neither the article page nor its URL shows any date

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
    pinned: int = -1  # index in `items` of the item shown first (置顶); -1 = none
    pin_mark: str = ""  # how the pinned item is marked: "" (not at all) | span | img | text

    @property
    def pinned_item(self) -> Item | None:
        return self.items[self.pinned] if self.pinned >= 0 else None

    @cached_property
    def display_items(self) -> tuple[Item, ...]:
        """The items in the order the list shows them (the pinned item first)."""
        if self.pinned < 0:
            return self.items
        pinned = self.items[self.pinned]
        return (pinned,) + self.items[: self.pinned] + self.items[self.pinned + 1 :]

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
        items = self.display_items
        if self.style in SINGLE_PAGE_STYLES:
            return items
        return items[page * self.page_size : (page + 1) * self.page_size]


@dataclass(frozen=True)
class BadLink:
    """A link that does not lead to a working page. `expect`: 404|dead|403|429."""

    label: str
    path: str
    expect: str
    host: str | None = None  # another host (dead links); None = the site's own host


# ----- opt-in parts of a site: search, 办事服务, 互动交流, navigation-only home -----

SEARCH_MODES = ("ok", "misses_recent", "echo_only", "dead")
SEARCH_PAGE_SIZE = 10
# CMS shapes of a search URL: (path, query parameter, page parameter, extra parameters).
SEARCH_KINDS = (
    ("/search", "q", "page", ""),
    ("/jrobot/search.do", "q", "p", "webid={webid}&pg=10&tpl=&category=&"),
    ("/was5/web/search", "searchword", "page", "channelid=2{webid:04d}&"),
)

# The key elements of a 办事指南 (indicators.md, W-V6), in the order guides print them.
SERVICE_ELEMENTS = (
    "事项名称",
    "设定依据",
    "申请条件",
    "办理材料",
    "办理地点",
    "办理机构",
    "收费标准",
    "办理时间",
    "联系电话",
    "办理流程",
)
VAGUE_VALUES = frozenset({"另行通知", "工作日", "详见公告"})
SERVICE_MODES = ("good", "poor", "none")
INTERACTION_MODES = ("ok", "late_replies", "unanswered", "none")


@dataclass(frozen=True)
class ServiceItem:
    """One 事项 of a 办事服务 list and its 办事指南 page.

    guide: ok (the link works) | none (no link at all) | dead (the link answers 404).
    fields: (label, value) as the guide prints them; an absent label or an empty value is missing.
    """

    number: int
    name: str
    guide: str
    guide_path: str  # "" when guide == "none"
    fields: tuple[tuple[str, str], ...]
    layout: str = "table"  # table | para

    @property
    def missing(self) -> tuple[str, ...]:
        present = {label for label, value in self.fields if value.strip()}
        return tuple(e for e in SERVICE_ELEMENTS if e not in present)

    @property
    def vague(self) -> tuple[str, ...]:
        """Elements present but with no real content (办理时间 "另行通知")."""
        return tuple(label for label, value in self.fields if value.strip() in VAGUE_VALUES)


@dataclass(frozen=True)
class Message:
    """A public message (留言) and its reply; replied_at None = not answered."""

    number: int
    path: str  # detail page
    title: str
    kind: str  # 咨询 | 投诉 | 建议
    received_at: datetime
    replied_at: datetime | None
    reply_unit: str  # "" when unanswered
    content: str
    reply: str

    @property
    def reply_hours(self) -> float | None:
        if self.replied_at is None:
            return None
        return (self.replied_at - self.received_at).total_seconds() / 3600


@dataclass(frozen=True)
class Channel:
    """A second-level channel page of a navigation-only home page."""

    name: str
    path: str
    column_keys: tuple[str, ...]


CHANNEL_ITEMS = 6  # items per column block on a channel page


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
    # opt-in parts (the defaults change nothing on any page)
    home_mode: str = "list"  # list | nav_only (home page only links to channel pages)
    search: str = ""  # "" (no search page) | ok | misses_recent | echo_only | dead
    search_kind: int = 0  # index in SEARCH_KINDS
    search_sort: str = "relevance"  # relevance | date
    search_lag_days: int = 60  # misses_recent: items this much newer than the cut-off are missing
    services_mode: str = ""  # "" (not generated) | good | poor | none (no 办事服务 at all)
    services: tuple[ServiceItem, ...] = ()
    interaction: str = ""  # "" (not generated) | ok | late_replies | unanswered | none
    mailbox: str = ""  # 县长信箱, 局长信箱, 镇长信箱, 咨询投诉
    messages: tuple[Message, ...] = ()
    message_page_size: int = 15

    @property
    def prefix(self) -> str:
        return self.home_path.rstrip("/")

    # ----- search -----

    @property
    def search_path(self) -> str:
        return self.prefix + SEARCH_KINDS[self.search_kind][0]

    @property
    def search_param(self) -> str:
        return SEARCH_KINDS[self.search_kind][1]

    @property
    def search_page_param(self) -> str:
        return SEARCH_KINDS[self.search_kind][2]

    @property
    def search_url(self) -> str:
        """Path and query of the search page with "{q}" for the (URL-quoted) query; "" if none."""
        if not self.search:
            return ""
        _, param, _, extra = SEARCH_KINDS[self.search_kind]
        return f"{self.search_path}?{extra.format(webid=self.index + 1)}{param}={{q}}"

    # ----- 办事服务 and 互动交流 -----

    @property
    def services_path(self) -> str | None:
        return f"{self.prefix}/bsfw/index.html" if self.services else None

    @property
    def mailbox_path(self) -> str | None:
        return f"{self.prefix}/hdjl/xx/index.html" if self.messages else None

    @property
    def message_pages(self) -> int:
        return max(1, -(-len(self.messages) // self.message_page_size))

    def message_page_path(self, page: int) -> str:
        base = f"{self.prefix}/hdjl/xx/"
        return base + ("index.html" if page == 0 else f"index_{page}.html")

    # ----- navigation-only home page -----

    @cached_property
    def channels(self) -> tuple[Channel, ...]:
        """Channel pages (nav_only sites): first-level readable columns grouped by category."""
        if self.home_mode != "nav_only":
            return ()
        groups = {"新闻中心": [], "通知公告": [], "政策文件": [], "专题专栏": [], "其他栏目": []}
        for column in self.columns:
            if not column.is_first_level or column.style in HIDDEN_STYLES:
                continue
            if column.category == "news":
                groups["新闻中心"].append(column.key)
            elif column.category == "notice":
                groups["通知公告"].append(column.key)
            elif column.category in ("policy", "interpretation"):
                groups["政策文件"].append(column.key)
            elif column.category == "topic":
                groups["专题专栏"].append(column.key)
            else:
                groups["其他栏目"].append(column.key)
        slugs = {"新闻中心": "xwzx", "通知公告": "tzgg", "政策文件": "zcwj", "专题专栏": "ztzl"}
        return tuple(
            Channel(
                name, f"{self.prefix}/channel/{slugs.get(name, 'qtlm')}/index.html", tuple(keys)
            )
            for name, keys in groups.items()
            if keys
        )

    def channel_items(self, channel: Channel) -> list[tuple[Column, tuple[Item, ...]]]:
        """What a channel page lists: each column's newest items, in list order."""
        return [(c, c.display_items[:CHANNEL_ITEMS]) for c in map(self.column, channel.column_keys)]

    @property
    def nav_newest(self) -> date | None:
        """Newest date shown on the channel pages (nav_only sites; the W-V3 home rule)."""
        return max(
            (i.date for ch in self.channels for _, items in self.channel_items(ch) for i in items),
            default=None,
        )

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
        if self.home_mode == "nav_only":
            return ()
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


# ----- new-media accounts behind an RSSHub-style bridge (feeds.py builds them lazily) -----

PLATFORMS = ("wechat", "weibo", "douyin", "toutiao", "app")
PLATFORM_LABELS = {
    "wechat": "微信",
    "weibo": "微博",
    "douyin": "抖音",
    "toutiao": "头条",
    "app": "APP",
}
FEED_FORMATS = ("rss", "atom", "json")  # RSS 2.0, Atom 1.0, JSON Feed 1.1
# fault -> details: how a feed fails (ok has none; encoding "gbk" declared in the prolog is ok).
FEED_FAULTS = {
    "ok": ("",),
    "dead": ("refused", "http500"),
    "slow": ("",),
    "malformed": ("truncated", "unescaped_amp"),
    "wrong_encoding": ("gbk_as_utf8",),
    "stale": ("",),  # newest post 15-60 days old (M-V2: no post within 2 weeks)
    "zombie": ("",),  # newest post over 180 days old
    "low_original": ("",),  # at least 70 % reposts
    "renamed": ("",),  # the feed's title differs from the registered name
}


class Post(NamedTuple):
    guid: str
    published_at: datetime  # aware, +08:00
    title: str
    url: str
    original: bool  # False: a repost (转载)
    author: str
    summary: str


@dataclass(frozen=True)
class Account:
    """A registered new-media account. `feed_url` has "{port}" for the bridge's port."""

    index: int
    account_id: str
    platform: str  # PLATFORMS
    name: str  # registered name (备案名称)
    unit_name: str
    unit_kind: str
    site_key: str  # the unit's site in a county farm ("s001")
    feed_format: str  # rss | atom | json
    encoding: str  # utf-8 | gbk (declared in the XML prolog) | gbk_as_utf8 (GBK bytes, says UTF-8)
    fault: str  # a key of FEED_FAULTS
    fault_detail: str
    feed_title: str  # the title the feed shows (differs from `name` when renamed)
    feed_host: str  # the bridge, or a dead address (fault dead/refused)
    delay_ms: int
    n_posts: int
    pub_zone: str = "+0800"  # RSS pubDate zone: "+0800" or "GMT"

    @property
    def feed_path(self) -> str:
        return f"/{self.platform}/{self.account_id}"

    @property
    def feed_url(self) -> str:
        return f"http://{self.feed_host}:{{port}}{self.feed_path}"


@dataclass(frozen=True, eq=False)
class Farm:
    seed: int
    today: date
    county: str
    sites: tuple[Site, ...]
    accounts: AccountSet | None = None  # new-media accounts (generate_county(accounts_per_unit=))

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

    # ----- truth about the opt-in parts (sibling methods; ground_truth() is unchanged) -----

    def search_truth(self, port: int | None = None) -> dict:
        """Per site with a search page: sample queries (item titles) and whether each item's URL
        is on the first results page (search.py)."""
        from .search import search_truth

        return search_truth(self, port)

    def search_results(self, site_key: str, query: str, page: int = 1):
        """The results the search page of a site shows for a query (search.SearchResult)."""
        from .search import search_results

        return search_results(self.site(site_key), query, page)

    def list_truth(self) -> dict:
        """Columns with year-less-old or pinned lists: true newest date, whether the article pages
        confirm it, what naive readings give (lists.py)."""
        from .lists import list_truth

        return list_truth(self)

    def service_truth(self) -> dict:
        """办事服务 per site: each 事项's missing and vague elements, guide link state."""
        from .services import service_truth

        return service_truth(self)

    def interaction_truth(self) -> dict:
        """互动交流 per site: messages with received_at and replied_at, and the faults."""
        from .interaction import interaction_truth

        return interaction_truth(self)

    def home_truth(self) -> dict:
        """Every site's home mode; for navigation-only homes the newest date of the channels."""
        return {
            "today": self.today.isoformat(),
            "sites": [
                {
                    "key": s.key,
                    "home_mode": s.home_mode,
                    "home_newest": _iso(s.home_newest),
                    "channels": [c.path for c in s.channels],
                    "nav_newest": _iso(s.nav_newest),
                    "newest": _iso(s.nav_newest if s.home_mode == "nav_only" else s.home_newest),
                }
                for s in self.sites
            ],
        }

    def feed_truth(self, include_posts: bool = True, port: int | None = None) -> dict:
        """The accounts and their posts (feeds.py); empty when the farm has none."""
        if self.accounts is None:
            return {"today": self.today.isoformat(), "accounts": []}
        return self.accounts.truth(include_posts=include_posts, port=port)

    def extra_truth(self, port: int | None = None) -> dict:
        """search, lists, services, interaction and home truth in one JSON-serialisable dict."""
        return {
            "seed": self.seed,
            "today": self.today.isoformat(),
            "port": port,
            "search": self.search_truth(port),
            "lists": self.list_truth(),
            "services": self.service_truth(),
            "interaction": self.interaction_truth(),
            "home": self.home_truth(),
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
        **_nav_truth(site),
        "bad_links": [
            {"label": b.label, "path": b.path, "host": b.host or site.host, "expect": b.expect}
            for b in site.bad_links
        ],
        "columns": [_column_truth(c, include_items) for c in site.columns],
    }


def _nav_truth(site: Site) -> dict:
    """Extra keys for navigation-only home pages (absent for every other site)."""
    if site.home_mode != "nav_only":
        return {}
    return {"home_mode": site.home_mode, "nav_newest": _iso(site.nav_newest)}


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
    if column.style in EXTRA_STYLES:
        pinned = column.pinned_item
        newest = max(column.items, key=lambda i: i.date) if column.items else None
        truth["pinned_path"] = pinned.path if pinned else None
        truth["pin_mark"] = column.pin_mark
        truth["newest_page_dated"] = newest.page_dated if newest else None
    if include_items:
        truth["items"] = [
            {
                "title": item.title,
                "path": item.path,
                "date": item.date.isoformat(),
                "time": item.time,
                "written": _iso(item.written),
                "meta_date": _iso(item.meta_date),
                **({} if item.page_dated else {"page_dated": False}),
            }
            for item in column.items
        ]
    return truth
