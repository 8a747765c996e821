"""Propose a site's columns from its home page, with a first guess of each column's category.

The category decides the update window (see /work/shared/domain/indicators.md): news 2 weeks,
notice/policy 6 months, personnel/plan 1 year, static no window, topic exempt. Staff confirm or
change every proposal; the guess only saves typing.

Decision on 政策解读: it is **"interpretation"**, not "policy". The rules count first-level
通知公告/政策文件 columns toward the W-V4(a) single veto and 解读 is not among them, yet circulars
judge 解读 columns on a 6-month window (seed 001: "…解读栏目超过半年未更新"); its own category
gets the window without the veto count. Staff can move it if a local rule set says so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from units.categories import Category

from ._html import clean_text, iter_elements, parse_html
from .dates import date_from_url
from .links import Link, absolute_url, extract_nav

CATEGORIES = tuple(Category.values)

# First match wins, so the more specific rules come first (人事任免 before 公示, 政策解读 before
# 政策, 领导活动 before 领导).
_RULES: tuple[tuple[str, re.Pattern], ...] = (
    ("interpretation", re.compile(r"解读")),
    ("other", re.compile(r"回应|问答|答复|留言|咨询|信箱|投诉|征集|调查|访谈|互动")),
    ("topic", re.compile(r"专题|专栏")),
    ("personnel", re.compile(r"人事|任免|任职|干部任前|招录|招聘|招考")),
    ("other", re.compile(r"计划生育")),
    ("plan", re.compile(r"规划|计划|十[一二三四五]五")),
    (
        "news",
        re.compile(r"领导(活动|讲话|动态)|要闻|动态|新闻|资讯|进展|工作信息|政务信息|快讯|播报"),
    ),
    ("policy", re.compile(r"政策|文件|规章|法规|规范性|决定|命令")),
    ("notice", re.compile(r"通知|公告|公示|通告")),
    # 领导信息 must be current (seed 001: "政府领导栏目超过1年未更新"); 领导活动 went to news.
    ("leaders", re.compile(r"领导|班子成员")),
    (
        "static",
        re.compile(r"概况|简介|职能|机构|公开指南|公开制度|联系方式|办公地址|内设"),
    ),
)

_SKIP_TEXT = re.compile(
    r"^(首页|网站首页|返回首页|主页|登录|注册|登陆|用户登录|搜索|检索|高级搜索|english|英文版|"
    r"无障碍|无障碍浏览|长者模式|关怀版|适老化|繁体|简体|繁體|设为首页|加入收藏|收藏本站|"
    r"更多|more|网站地图|联系我们|手机版|移动版|微信|微博|返回顶部|打印|关闭|上一页|下一页)$",
    re.I,
)
_MORE_TEXT = re.compile(r"^(更多|more|更多>+|more>+|>>|》》|\+|\+more|更多\+)$", re.I)
_FILE = re.compile(r"\.(pdf|docx?|xlsx?|pptx?|zip|rar|jpe?g|png|gif|mp4|wps)$", re.I)


@dataclass(frozen=True)
class ProposedColumn:
    """A column found on the home page: its name as shown, absolute URL, guessed category."""

    name: str
    url: str
    category: str


def guess_category(column_name: str) -> str:
    """First guess of a column's category from its name (one of CATEGORIES)."""
    name = re.sub(r"[\s\u3000>»·•|/\\]+", "", column_name or "")
    for category, rx in _RULES:
        if rx.search(name):
            return category
    return "other"


def _site_key(host: str) -> str:
    """Registrable part of a host: "www.xx.gov.cn" and "xxgk.xx.gov.cn" → "xx.gov.cn"."""
    labels = (host or "").lower().split(":")[0].split(".")
    if (
        len(labels) >= 3
        and labels[-2] in ("gov", "com", "org", "net", "edu")
        and len(labels[-1]) == 2
    ):
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])


def _looks_like_column(text: str) -> bool:
    if not 2 <= len(text) <= 12 or _SKIP_TEXT.match(text):
        return False
    if re.search(r"\d{4}|\.{2,}|…", text):
        return False
    return len(re.findall(r"[\u4e00-\u9fff]", text)) >= 2


def _more_links(root, base: str) -> list[Link]:
    """Box headings: "<div class="tit"><span>通知公告</span><a href="…">更多</a></div>"."""
    out = []
    for a in iter_elements(root):
        if a.tag != "a" or not _MORE_TEXT.match(clean_text(a.text_content()) or "-"):
            continue
        target = absolute_url(base, a.get("href"))
        parent = a.getparent()
        if target is None or parent is None:
            continue
        heading = clean_text(parent.text_content()).replace(clean_text(a.text_content()), "")
        heading = heading.strip(" >》»+")
        if _looks_like_column(heading):
            out.append(Link(heading, target))
    return out


def propose_columns(home_html: str, home_url: str) -> list[ProposedColumn]:
    """Columns linked from the home page navigation and from "更多" links of home page boxes.

    Keeps same-site links (same registrable domain, so xxgk.xx.gov.cn counts for www.xx.gov.cn)
    whose text looks like a column name; skips the home page itself, login, search, English and
    accessibility versions, files, and links whose URL carries a date (articles).
    """
    root = parse_html(home_html)
    if root is None:
        return []
    home = urlsplit(home_url or "")
    site = _site_key(home.netloc)
    home_paths = {"", "/", "/index.html", "/index.htm", "/index.shtml", "/index.jsp", "/index.php"}
    out: list[ProposedColumn] = []
    seen: set[str] = set()
    for link in extract_nav(home_html, home_url) + _more_links(root, home_url):
        parts = urlsplit(link.url)
        if _site_key(parts.netloc) != site:
            continue
        if parts.netloc == home.netloc and parts.path in home_paths and not parts.query:
            continue
        if _FILE.search(parts.path) or date_from_url(link.url) is not None:
            continue
        if re.search(r"login|search|english|/en/|sso|passport", link.url, re.I):
            continue
        text = clean_text(link.text)
        if not _looks_like_column(text) or link.url in seen:
            continue
        seen.add(link.url)
        out.append(ProposedColumn(text, link.url, guess_category(text)))
    return out
