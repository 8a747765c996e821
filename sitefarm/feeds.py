"""New-media accounts (微信, 微博, 抖音, 头条, APP) and their feeds, served by an RSSHub-style bridge.

    accounts = generate_accounts(seed=1, n_accounts=2000, posts_per_account=50, today=day)
    accounts.account(17)             # Account, built on demand from (seed, 17)
    accounts.posts(17)               # its Posts, newest first, built on demand (small LRU cache)
    accounts.find("/wechat/gh_...")  # Account for a bridge path, or None
    accounts.truth(include_posts=True, port=8800)

Nothing is generated eagerly: every account and its posts are a pure function of the seed and the
account's index (the index is encoded in the account id, so a request finds its account without
a table). Routes: /wechat/<id>, /weibo/<id>, /douyin/<id>, /toutiao/<id>, /app/<id>; the format
(RSS 2.0, Atom 1.0, JSON Feed 1.1) is chosen per account (Account.feed_format).

Faults (Account.fault / fault_detail): dead/refused (the feed URL's host does not listen),
dead/http500, slow (Account.delay_ms before the answer), malformed/truncated (the body is cut),
malformed/unescaped_amp (a title with a raw "&"), wrong_encoding/gbk_as_utf8 (GBK bytes, the prolog
and header say UTF-8), stale (newest post 15-60 days old), zombie (over 180 days), low_original
(at least 70 % reposts), renamed (the feed's title is not the registered name). Fault-free XML
feeds may be GBK declared in the prolog (encoding "gbk"), and RSS dates may be GMT (the truth's
newest_date is the date in China, +08:00).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone
from email.utils import format_datetime
from functools import cached_property, lru_cache
from html import escape
from math import ceil

from . import names
from .generate import DEAD_LINK_NET, Dice, _weighted
from .model import FEED_FAULTS, PLATFORM_LABELS, PLATFORMS, Account, Post

CHINA = timezone(timedelta(hours=8))
DEFAULT_BRIDGE_HOST = "127.0.3.1"
# Drawn faults (the rest are ok); every (fault, detail) below also occurs at fixed positions in
# sets of 2 * len(FORCED) accounts or more.
FAULT_WEIGHTS = {
    "ok": 72,
    "dead": 4,
    "slow": 3,
    "malformed": 4,
    "wrong_encoding": 3,
    "stale": 5,
    "zombie": 3,
    "low_original": 4,
    "renamed": 2,
}
FORCED = [
    (fault, detail) for fault, details in FEED_FAULTS.items() if fault != "ok" for detail in details
] + [("ok", "gbk")]
GAP_DAYS = {  # (min, max) days between posts
    "wechat": (0.3, 3.0),
    "weibo": (0.1, 2.0),
    "douyin": (0.5, 5.0),
    "toutiao": (0.3, 3.0),
    "app": (0.2, 2.0),
}
_UPSTREAM = ["新华社", "人民日报", "中国政府网", "安徽发布", "宣城发布", "央视新闻"]
_UPSTREAM_TITLES = [
    "国务院常务会议部署{topic}工作",
    "省政府召开{topic}工作电视电话会议",
    "权威发布｜{topic}新政策解读",
    "市委常委会研究{topic}工作",
    "一图读懂{topic}最新政策",
]
_SUFFIXES = ("局", "委员会", "委", "中心", "管委会", "大队", "联合会", "分局")
_ALNUM = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def generate_accounts(
    seed: int = 1,
    n_accounts: int = 100,
    posts_per_account: int = 30,
    today: date | None = None,
    *,
    per_unit: int = 5,
    county: str = names.COUNTY,
    bridge_host: str = DEFAULT_BRIDGE_HOST,
    slow_ms: int = 3000,
) -> AccountSet:
    """A lazily built set of accounts: `per_unit` accounts per unit (platforms in PLATFORMS order),
    units as generate_county lists them (unit k is site s{k+1:03d} of a county with the seed)."""
    if n_accounts < 0 or per_unit < 1 or posts_per_account < 1:
        raise ValueError("n_accounts >= 0, per_unit >= 1 and posts_per_account >= 1")
    units = tuple(names.county_units(max(1, ceil(n_accounts / per_unit)), county))
    return AccountSet(
        seed=seed,
        today=today or date.today(),
        n_accounts=n_accounts,
        posts_per_account=posts_per_account,
        county=county,
        per_unit=per_unit,
        bridge_host=bridge_host,
        slow_ms=slow_ms,
        units=units,
    )


@dataclass(frozen=True, eq=False)
class AccountSet:
    seed: int
    today: date
    n_accounts: int
    posts_per_account: int
    county: str
    per_unit: int
    bridge_host: str
    slow_ms: int
    units: tuple[names.Unit, ...]

    def __len__(self) -> int:
        return self.n_accounts

    def __iter__(self):
        return (self.account(k) for k in range(self.n_accounts))

    def account(self, index: int) -> Account:
        if not 0 <= index < self.n_accounts:
            raise IndexError(index)
        return _account(self, index)

    def posts(self, index: int) -> tuple[Post, ...]:
        return _posts(self, index)

    @cached_property
    def forced(self) -> dict[int, tuple[str, str]]:
        n, k = self.n_accounts, len(FORCED)
        if n < 2 * k:
            return {}
        return {((2 * j + 1) * n) // (2 * k): FORCED[j] for j in range(k)}

    def index_of(self, platform: str, account_id: str) -> int | None:
        """The account index encoded in an id (None if it cannot be one of ours)."""
        try:
            if platform == "wechat":
                index = int(account_id[3:9], 16)
            elif platform == "weibo":
                index = (int(account_id) - 5_000_000_000) // 1000
            elif platform == "douyin":
                index = int(account_id[12:19])
            elif platform == "toutiao":
                index = (int(account_id) - 1_600_000_000_000_000) // 10_000
            elif platform == "app":
                index = int(account_id[3:])
            else:
                return None
        except ValueError:
            return None
        return index if 0 <= index < self.n_accounts else None

    def find(self, path: str) -> Account | None:
        """The account whose feed is at this bridge path."""
        parts = path.strip("/").split("/")
        if len(parts) != 2:
            return None
        index = self.index_of(*parts)
        if index is None:
            return None
        account = self.account(index)
        return account if account.feed_path == "/" + "/".join(parts) else None

    def truth(self, include_posts: bool = True, port: int | None = None) -> dict:
        return {
            "seed": self.seed,
            "today": self.today.isoformat(),
            "bridge_host": self.bridge_host,
            "port": port,
            "n_accounts": self.n_accounts,
            "posts_per_account": self.posts_per_account,
            "accounts": [self.account_truth(k, include_posts, port) for k in range(len(self))],
        }

    def account_truth(self, index: int, include_posts: bool = True, port: int | None = None):
        account = self.account(index)
        posts = self.posts(index)
        newest = max(p.published_at for p in posts)
        newest_date = newest.astimezone(CHINA).date()
        truth = {
            "index": index,
            "id": account.account_id,
            "platform": account.platform,
            "platform_label": PLATFORM_LABELS[account.platform],
            "name": account.name,
            "feed_title": account.feed_title,
            "unit_name": account.unit_name,
            "unit_kind": account.unit_kind,
            "site_key": account.site_key,
            "feed_path": account.feed_path,
            "feed_host": account.feed_host,
            "feed_url": account.feed_url.format(port=port) if port else account.feed_url,
            "format": account.feed_format,
            "encoding": account.encoding,
            "fault": account.fault,
            "fault_detail": account.fault_detail,
            "delay_ms": account.delay_ms,
            "newest": newest.isoformat(),
            "newest_date": newest_date.isoformat(),
            "days_since_newest": (self.today - newest_date).days,
            "original_share": round(sum(p.original for p in posts) / len(posts), 3),
        }
        if include_posts:
            truth["posts"] = [
                {
                    "guid": p.guid,
                    "published_at": p.published_at.isoformat(),
                    "title": p.title,
                    "url": p.url,
                    "original": p.original,
                    "author": p.author,
                }
                for p in posts
            ]
        return truth


# ----- accounts and posts, built on demand -----


def _tail(rng, n: int) -> str:
    return "".join(rng.choice(_ALNUM) for _ in range(n))


def _core(unit: names.Unit) -> str:
    core = unit.name.removeprefix("县").removeprefix("示范")
    for suffix in _SUFFIXES:
        if core.endswith(suffix) and len(core) > len(suffix) + 1:
            return core[: -len(suffix)]
    return core


def _name(rng, unit: names.Unit, platform: str, county: str) -> str:
    stem = county.removesuffix("县")
    if unit.is_portal:
        if platform == "app":
            return rng.choice([f"i{stem}", f"掌上{stem}"])
        return f"{stem}发布" if platform != "douyin" else rng.choice([f"{stem}发布", f"{stem}融媒"])
    if unit.kind in ("township", "subdistrict"):
        return f"{unit.name}发布" if rng.random() < 0.8 else f"{unit.name}微讯"
    roll = rng.random()
    if roll < 0.4:
        return f"{stem}{_core(unit)}发布"
    if roll < 0.7:
        return f"{stem}{_core(unit)}在线"
    return f"{unit.name}在线"


def _renamed(name: str) -> str:
    for old, new in (("发布", "微讯"), ("在线", "发布"), ("微讯", "发布"), ("融媒", "发布")):
        if name.endswith(old):
            return name[: -len(old)] + new
    return name + "发布"


def _account_id(rng, platform: str, index: int) -> str:
    if platform == "wechat":
        return f"gh_{index:06x}{rng.randint(0, 0xFFFFFF):06x}"
    if platform == "weibo":
        return str(5_000_000_000 + index * 1000 + rng.randint(0, 999))
    if platform == "douyin":
        return f"MS4wLjABAAAA{index:07d}{_tail(rng, 12)}"
    if platform == "toutiao":
        return str(1_600_000_000_000_000 + index * 10_000 + rng.randint(0, 9999))
    return f"app{index:06d}"


@lru_cache(maxsize=8192)
def _account(accounts: AccountSet, index: int) -> Account:
    rng = Dice(f"{accounts.seed}:account:{index}")
    unit_index = index // accounts.per_unit
    unit = accounts.units[unit_index]
    platform = PLATFORMS[(index % accounts.per_unit) % len(PLATFORMS)]
    name = _name(rng, unit, platform, accounts.county)
    fmt = _weighted(rng, {"rss": 50, "atom": 25, "json": 25})
    fault = _weighted(rng, FAULT_WEIGHTS)
    detail = rng.choice(FEED_FAULTS[fault])
    if index in accounts.forced:
        fault, detail = accounts.forced[index]
    elif index == 0:
        fault, detail = "ok", ""
    gbk = rng.random() < 0.12
    if fault == "ok" and detail == "gbk":
        detail, gbk = "", True
    xml_only = fault == "wrong_encoding" or detail == "unescaped_amp" or gbk
    if fmt == "json" and xml_only:
        fmt = "rss" if rng.random() < 0.6 else "atom"
    encoding = "gbk_as_utf8" if fault == "wrong_encoding" else "gbk" if gbk else "utf-8"
    if fmt == "json":
        encoding = "utf-8"
    feed_host = accounts.bridge_host
    if fault == "dead" and detail == "refused":
        feed_host = f"{DEAD_LINK_NET}.{1 + index % 254}"
    return Account(
        index=index,
        account_id=_account_id(rng, platform, index),
        platform=platform,
        name=name,
        unit_name=unit.name,
        unit_kind=unit.kind,
        site_key=f"s{unit_index + 1:03d}",
        feed_format=fmt,
        encoding=encoding,
        fault=fault,
        fault_detail=detail,
        feed_title=_renamed(name) if fault == "renamed" else name,
        feed_host=feed_host,
        delay_ms=accounts.slow_ms if fault == "slow" else 0,
        n_posts=accounts.posts_per_account,
        pub_zone="GMT" if rng.random() < 0.4 else "+0800",
    )


@lru_cache(maxsize=512)
def _posts(accounts: AccountSet, index: int) -> tuple[Post, ...]:
    account = accounts.account(index)
    unit = accounts.units[index // accounts.per_unit]
    rng = Dice(f"{accounts.seed}:account:{index}:posts")
    if account.fault == "stale":
        age = rng.uniform(15.5, 60)
    elif account.fault == "zombie":
        age = rng.uniform(181, 700)
    else:
        age = rng.uniform(0, 9)
    n = account.n_posts
    if account.fault == "low_original":  # at most 30 % original posts
        originals = set(rng.sample(range(n), int(n * rng.uniform(0.05, 0.3))))
    else:  # at least 60 %
        originals = set(rng.sample(range(n), ceil(n * rng.uniform(0.6, 0.95))))
    gap_min, gap_max = GAP_DAYS[account.platform]
    reference = datetime.combine(accounts.today, time(8, 0), CHINA)
    author = account.feed_title
    posts = []
    for k in range(account.n_posts):
        moment = (reference - timedelta(days=age)).replace(microsecond=0)
        original = k in originals
        topic = names._TOPICS[int(rng.random() * len(names._TOPICS))]
        if original:
            category = rng.choice(["news", "news", "notice", "policy"])
            title = names.make_title(rng, category, unit, moment.date(), accounts.county)
            if account.platform == "douyin" and rng.random() < 0.5:
                title = "【视频】" + title
            post_author = author
        else:
            title = rng.choice(_UPSTREAM_TITLES).format(topic=topic)
            if rng.random() < 0.5:
                title = "【转载】" + title
            post_author = rng.choice(_UPSTREAM)
        if k == 1 and account.fault_detail == "unescaped_amp":
            title += "（图文&视频）"
        elif rng.random() < 0.04:
            title += "（上&下）"  # an "&" that is escaped properly
        url, guid = _post_url(rng, account, k, accounts.bridge_host)
        summary = f"{title}。{unit.name}持续推进{topic}工作，更多详情请点击阅读全文。"
        posts.append(Post(guid, moment, title, url, original, post_author, summary))
        age += rng.uniform(gap_min, gap_max)
    return tuple(posts)


def _post_url(rng, account: Account, k: int, bridge_host: str) -> tuple[str, str]:
    i = account.index
    if account.platform == "wechat":
        url = f"https://mp.weixin.qq.com/s/{i:06x}{k:04x}{_tail(rng, 12)}"
        return url, url
    if account.platform == "weibo":
        url = f"https://weibo.com/{account.account_id}/{_tail(rng, 4)}{i:06d}{k:03d}"
        return url, url
    if account.platform == "douyin":
        video = f"7{i:08d}{k:04d}{rng.randint(100000, 999999)}"
        return f"https://www.douyin.com/video/{video}", f"douyin-{video}"
    if account.platform == "toutiao":
        article = f"7{i:08d}{k:04d}{rng.randint(100000, 999999)}"
        return f"https://www.toutiao.com/article/{article}/", article
    return f"https://app.shifan.example/news/{i}/{k}.html", f"app-{i}-{k}"


# ----- feeds -----


def _home(account: Account) -> str:
    return {
        "wechat": f"https://mp.weixin.qq.com/profile/{account.account_id}",
        "weibo": f"https://weibo.com/u/{account.account_id}",
        "douyin": f"https://www.douyin.com/user/{account.account_id}",
        "toutiao": f"https://www.toutiao.com/c/user/{account.account_id}/",
        "app": f"https://app.shifan.example/channel/{account.account_id}",
    }[account.platform]


def _when(moment: datetime, account: Account, rfc822: bool) -> str:
    if account.pub_zone == "GMT":
        moment = moment.astimezone(UTC)
        return format_datetime(moment, usegmt=True) if rfc822 else moment.isoformat()[:-6] + "Z"
    return format_datetime(moment) if rfc822 else moment.isoformat()


def _x(text: str, account: Account) -> str:
    """Escape for XML; a malformed/unescaped_amp feed leaves "&" as it is."""
    if account.fault_detail == "unescaped_amp":
        return text.replace("<", "&lt;").replace(">", "&gt;")
    return escape(text, quote=True)


def _prolog(account: Account) -> str:
    label = "GBK" if account.encoding == "gbk" else "UTF-8"
    return f'<?xml version="1.0" encoding="{label}"?>\n'


def _rss(account: Account, posts: tuple[Post, ...], self_url: str) -> str:
    items = "".join(
        "<item>\n"
        f"<title>{_x(p.title, account)}</title>\n"
        f"<description>{_x(p.summary, account)}</description>\n"
        f"<pubDate>{_when(p.published_at, account, True)}</pubDate>\n"
        f'<guid isPermaLink="{"true" if p.guid == p.url else "false"}">{escape(p.guid)}</guid>\n'
        f"<link>{escape(p.url)}</link>\n"
        f"<author>{_x(p.author, account)}</author>\n"
        f"<category>{'原创' if p.original else '转载'}</category>\n"
        "</item>\n"
        for p in posts
    )
    title = _x(account.feed_title, account)
    return (
        _prolog(account)
        + '<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">\n<channel>\n'
        f"<title>{title}</title>\n<link>{escape(_home(account))}</link>\n"
        f'<atom:link href="{escape(self_url)}" rel="self" type="application/rss+xml"/>\n'
        f"<description>{title} - {PLATFORM_LABELS[account.platform]} - sitefarm bridge</description>\n"
        "<generator>sitefarm-bridge</generator>\n<language>zh-cn</language>\n"
        f"<lastBuildDate>{_when(posts[0].published_at, account, True)}</lastBuildDate>\n"
        f"<ttl>60</ttl>\n{items}</channel>\n</rss>\n"
    )


def _atom(account: Account, posts: tuple[Post, ...], self_url: str) -> str:
    entries = "".join(
        "<entry>\n"
        f"<title>{_x(p.title, account)}</title>\n"
        f'<link href="{escape(p.url)}" rel="alternate"/>\n'
        f"<id>{escape(p.guid)}</id>\n"
        f"<published>{_when(p.published_at, account, False)}</published>\n"
        f"<updated>{_when(p.published_at, account, False)}</updated>\n"
        f"<author><name>{_x(p.author, account)}</name></author>\n"
        f'<category term="{"原创" if p.original else "转载"}"/>\n'
        f'<summary type="text">{_x(p.summary, account)}</summary>\n'
        "</entry>\n"
        for p in posts
    )
    return (
        _prolog(account) + '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="zh-CN">\n'
        f"<title>{_x(account.feed_title, account)}</title>\n"
        f'<link href="{escape(_home(account))}" rel="alternate"/>\n'
        f'<link href="{escape(self_url)}" rel="self"/>\n'
        f"<id>{escape(self_url)}</id>\n"
        f"<updated>{_when(posts[0].published_at, account, False)}</updated>\n"
        f"<generator>sitefarm-bridge</generator>\n{entries}</feed>\n"
    )


def _json_feed(account: Account, posts: tuple[Post, ...], self_url: str) -> str:
    data = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": account.feed_title,
        "home_page_url": _home(account),
        "feed_url": self_url,
        "description": f"{account.feed_title} - {PLATFORM_LABELS[account.platform]}",
        "language": "zh-CN",
        "items": [
            {
                "id": p.guid,
                "url": p.url,
                "title": p.title,
                "content_text": p.summary,
                "date_published": _when(p.published_at, account, False),
                "authors": [{"name": p.author}],
                "tags": ["原创" if p.original else "转载"],
            }
            for p in posts
        ],
    }
    return json.dumps(data, ensure_ascii=False, indent=1)


CONTENT_TYPES = {"rss": "application/rss+xml", "atom": "application/atom+xml"}


@lru_cache(maxsize=256)
def feed_response(accounts: AccountSet, index: int, port: int) -> tuple[int, dict, bytes]:
    """(status, headers, body) of an account's feed on the bridge (no delay applied here)."""
    account = accounts.account(index)
    if account.fault == "dead":
        body = b"<html><body><h1>500 Internal Server Error</h1></body></html>\n"
        return 500, {"Content-Type": "text/html; charset=utf-8"}, body
    posts = accounts.posts(index)
    self_url = account.feed_url.format(port=port)
    if account.feed_format == "json":
        text = _json_feed(account, posts, self_url)
        headers = {"Content-Type": "application/feed+json; charset=utf-8"}
    else:
        render = _rss if account.feed_format == "rss" else _atom
        text = render(account, posts, self_url)
        content_type = CONTENT_TYPES[account.feed_format]
        if account.encoding != "gbk":  # gbk: the prolog alone says GBK
            content_type += "; charset=utf-8"
        headers = {"Content-Type": content_type}
    codec = "gbk" if account.encoding in ("gbk", "gbk_as_utf8") else "utf-8"
    body = text.encode(codec, errors="xmlcharrefreplace")
    if account.fault_detail == "truncated":
        body = body[: len(body) * 3 // 5]
    return 200, headers, body


def bridge_index(accounts: AccountSet) -> bytes:
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8"><title>sitefarm bridge'
        f"</title></head><body><h1>sitefarm bridge</h1><p>{len(accounts)} accounts: "
        "/wechat/&lt;id&gt; /weibo/&lt;id&gt; /douyin/&lt;id&gt; /toutiao/&lt;id&gt; /app/&lt;id&gt;"
        "</p></body></html>\n"
    ).encode()
