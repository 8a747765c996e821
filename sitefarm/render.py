"""HTML (and JSON) for every kind of page, one function per page kind and per list style.

Pages are pure functions of (farm, site, port, ...): the same inputs give the same bytes.
The port only appears in links to other hosts (department sites, dead-host links).
"""

from __future__ import annotations

import json
import random
import zlib
from datetime import date
from functools import lru_cache
from html import escape

from . import names
from .model import CATEGORY_LABELS, DATE_BASES, Column, Farm, Item, Site

WEEKDAYS = "一二三四五六日"

# encoding mode -> (Python codec, tag in <head>, Content-Type header)
ENCODING_SPECS = {
    "utf-8": ("utf-8", '<meta charset="utf-8">', "text/html; charset=utf-8"),
    "gbk": (
        "gbk",
        '<meta http-equiv="Content-Type" content="text/html; charset=gbk">',
        "text/html; charset=GBK",
    ),
    "gbk_undeclared": ("gbk", "", "text/html"),
    "utf8_as_gb2312": (
        "utf-8",
        '<meta http-equiv="Content-Type" content="text/html; charset=gb2312">',
        "text/html",
    ),
    "gbk_as_utf8": ("gbk", "", "text/html; charset=utf-8"),
}


def encode(html: str, encoding: str) -> tuple[bytes, str]:
    """Page bytes and Content-Type for an encoding mode (unencodable characters become &#NNN;)."""
    codec, _, content_type = ENCODING_SPECS[encoding]
    return html.encode(codec, errors="xmlcharrefreplace"), content_type


def format_date(day: date, fmt: str, time: str = "00:00:00") -> str:
    """Format names: iso, slash, dot, cn, each optionally with _hm or _hms; md; md_bracket."""
    base, _, suffix = fmt.partition("_")
    if base == "md":
        text = f"{day.month:02d}-{day.day:02d}"
        return f"[{text}]" if suffix == "bracket" else text
    if base == "slash":
        text = f"{day.year}/{day.month}/{day.day}"
    elif base == "dot":
        text = f"{day.year}.{day.month:02d}.{day.day:02d}"
    elif base == "cn":
        text = f"{day.year}年{day.month}月{day.day}日"
    else:
        text = day.isoformat()
    if suffix == "hm":
        text += " " + time[:5]
    elif suffix == "hms":
        text += " " + time
    return text


def cn_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def index_number(site: Site, item: Item) -> str:
    """索引号 such as 11341722003251630P/202301-00012."""
    serial = zlib.crc32(item.path.encode()) % 99999 + 1
    return f"{site.credit_code}/{item.date.year}{item.date.month:02d}-{serial:05d}"


# What an attack leaves on a government home page (seed 004 is a real tampered copy): gambling
# words in the visible text and a block of links pushed off screen (暗链).
TAMPERED_HOME = (
    '<div class="notice-bar"><p>亚博游戏官网：欢迎访问，亚博mg老虎机在线体验</p></div>\n'
    '<div style="position:absolute;left:-9999px;top:-9999px">'
    '<a href="http://www.yabo-casino.example/">亚博体育</a>'
    '<a href="http://bet.casino-888.example/">真人娱乐</a></div>\n'
)


@lru_cache(maxsize=2048)
def _chrome(farm: Farm, site: Site, port: int) -> tuple[str, str, str, str]:
    """Header, navigation, sidebar and footer of a site: the same on every page, built once."""
    page = Page(farm, site, port, chrome=False)
    return page.header(), page.nav(), page.sidebar(), page.footer()


class Page:
    """Shared layout of one site's pages."""

    def __init__(self, farm: Farm, site: Site, port: int, chrome: bool = True):
        self.farm = farm
        self.site = site
        self.port = port
        if chrome:
            self.cached_header, self.cached_nav, self.cached_sidebar, self.cached_footer = _chrome(
                farm, site, port
            )

    def link(self, host: str, path: str) -> str:
        return path if host == self.site.host else f"http://{host}:{self.port}{path}"

    # ----- layout -----

    def meta(self, column: Column | None = None, item: Item | None = None) -> str:
        site = self.site
        mode = site.meta_tags
        if mode == "missing":
            return ""
        tags = [("SiteName", site.site_name), ("SiteDomain", site.host)]
        if mode != "partial":
            tags.append(("SiteIDCode", site.meta_site_code))
        if column is not None:
            tags.append(("ColumnName", column.name))
            if mode != "partial":
                tags += [
                    ("ColumnDescription", f"{site.site_name}{column.name}栏目"),
                    ("ColumnKeywords", column.name),
                    ("ColumnType", CATEGORY_LABELS[column.category]),
                ]
        if item is not None:
            tags += [("ArticleTitle", item.title), ("PubDate", item.pub_meta)]
            if mode != "partial":
                tags += [
                    ("ContentSource", site.unit_name),
                    ("Keywords", column.name if column else ""),
                    ("Description", item.title),
                    ("Url", f"http://{site.host}:{self.port}{item.path}"),
                ]
        return "\n".join(f'<meta name="{k}" content="{escape(v)}">' for k, v in tags)

    def header(self) -> str:
        today = self.farm.today
        if self.site.header_today:
            today_html = f"今天是{cn_date(today)} 星期{WEEKDAYS[today.weekday()]}"
        else:
            today_html = (
                '<script>document.write("今天是" + new Date().toLocaleDateString());</script>'
            )
        prefix = self.site.prefix
        return (
            '<div class="topbar"><div class="w">'
            f'<span class="today">{today_html}</span>'
            f'<span class="tools"><a href="{self.site.home_path}">无障碍浏览</a> '
            f'<a href="{self.site.home_path}">长辈版</a></span></div></div>\n'
            f'<div class="header"><div class="logo"><h1>{escape(self.site.site_name)}</h1></div>'
            f"{self.search_form(prefix)}"
            "</div>\n"
        )

    def search_form(self, prefix: str) -> str:
        site = self.site
        if not site.search:  # the old dud form (its target is a 404, or the 429 bad link)
            return (
                f'<form class="search" action="{prefix}/search/index.html" method="get">'
                '<input type="text" name="q" placeholder="请输入关键字"><button>搜索</button></form>'
            )
        pairs = (pair.partition("=") for pair in site.search_url.split("?", 1)[1].split("&"))
        hidden = "".join(
            f'<input type="hidden" name="{k}" value="{v}">'
            for k, _, v in pairs
            if k != site.search_param
        )
        return (
            f'<form class="search" action="{site.search_path}" method="get">{hidden}'
            f'<input type="text" name="{site.search_param}" placeholder="请输入关键字">'
            "<button>搜索</button></form>"
        )

    def nav(self) -> str:
        site = self.site
        links = [f'<li><a href="{site.home_path}">首页</a></li>']
        links += [
            f'<li><a href="{c.path}">{escape(c.name)}</a></li>'
            for c in site.columns
            if c.is_first_level
        ]
        if site.xxgk_path:
            links.append(f'<li><a href="{site.xxgk_path}">信息公开</a></li>')
        return '<div class="nav"><ul>' + "".join(links) + "</ul></div>\n"

    def crumbs(self, *parts: tuple[str, str | None]) -> str:
        html = f'您现在所在的位置：<a href="{self.site.home_path}">网站首页</a>'
        for label, href in parts:
            label = escape(label)
            html += f' &gt; <a href="{href}">{label}</a>' if href else f" &gt; {label}"
        return f'<div class="crumb">{html}</div>\n'

    def sidebar(self) -> str:
        hot = "".join(
            f'<li><a href="{i.path}">{escape(i.title)}</a><span>{i.date.isoformat()}</span></li>'
            for i in self.site.hot_items
        )
        ranking = "".join(
            f'<li><em>{n}</em><a href="{i.path}">{escape(i.title)}</a>'
            f"<span>{format_date(i.date, 'md')}</span></li>"
            for n, i in enumerate(reversed(self.site.hot_items), 1)
        )
        return (
            '<div class="sidebar">\n'
            f'<div class="box hot"><h3>热点推荐</h3><ul>{hot}</ul></div>\n'
            f'<div class="box rank"><h3>点击排行</h3><ul>{ranking}</ul></div>\n'
            "</div>\n"
        )

    def bad_links(self) -> str:
        if not self.site.bad_links:
            return ""
        items = "".join(
            f'<li><a href="{escape(self.link(b.host or self.site.host, b.path))}">'
            f"{escape(b.label)}</a></li>"
            for b in self.site.bad_links
        )
        return f'<div class="links"><h3>相关链接</h3><ul>{items}</ul></div>\n'

    def footer(self) -> str:
        site = self.site
        return (
            '<div class="footer">\n'
            f"<p>主办单位：{escape(site.site_name)}　地址：{self.farm.county}人民路"
            f"{site.index % 90 + 1}号　联系电话：{site.phone}</p>\n"
            f"<p>网站标识码：{site.site_code}　{site.icp}　"
            f"皖公网安备 {site.site_code[:6]}02{site.site_code[6:]}0号</p>\n"
            f"<p>Copyright © {site.copyright_start}-{self.farm.today.year} "
            f"{escape(site.site_name)} 版权所有</p>\n"
            "</div>\n"
        )

    def document(self, title: str, encoding: str, meta: str, main: str) -> str:
        head_tag = ENCODING_SPECS[encoding][1]
        return (
            "<!DOCTYPE html>\n"
            '<html lang="zh-CN">\n<head>\n'
            f"{head_tag}\n"
            f"<title>{escape(title)}</title>\n"
            f"{meta}\n"
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            "</head>\n<body>\n"
            f"{self.cached_header}{self.cached_nav}"
            f'<div class="main w">\n{main}</div>\n'
            f"{self.cached_footer}"
            "</body>\n</html>\n"
        )

    # ----- pages -----

    def home(self) -> str:
        site = self.site
        fmt = site.date_format
        news = "".join(
            f'<li><a href="{i.path}" title="{escape(i.title)}">{escape(i.title)}</a>'
            f'<span class="date">{format_date(i.date, fmt, i.time)}</span></li>'
            for i in site.home_items
        )
        news_html = f'<ul class="home-list">{news}</ul>' if news else "<p>暂无信息</p>"
        columns = "".join(
            f'<li><a href="{c.path}">{escape(c.name)}</a></li>'
            for c in site.columns
            if c.is_first_level
        )
        if site.home_mode == "nav_only":  # only entries to the channel pages, no dated item
            tiles = "".join(
                f'<li><a href="{ch.path}"><span class="tile">{escape(ch.name)}</span></a></li>'
                for ch in site.channels
            )
            main = f'<div class="home-entry"><h2>栏目导航</h2><ul>{tiles}</ul></div>\n'
        else:
            main = (
                f'<div class="home-news"><h2>最新动态</h2>{news_html}</div>\n'
                f'<div class="home-columns"><h2>栏目导航</h2><ul>{columns}</ul></div>\n'
            )
        if site.services_path:
            main += (
                f'<div class="home-bsfw"><h2>办事服务</h2><a href="{site.services_path}">'
                "办事指南</a></div>\n"
            )
        if site.mailbox_path:
            main += (
                f'<div class="home-hdjl"><h2>互动交流</h2><a href="{site.mailbox_path}">'
                f"{escape(site.mailbox)}</a></div>\n"
            )
        if site.xxgk_path:
            main += f'<div class="home-xxgk"><a href="{site.xxgk_path}">政府信息公开</a></div>\n'
        if site.is_portal:
            main += self.site_groups()
        main += self.bad_links()
        if site.tampered:
            main += TAMPERED_HOME
        return self.document(site.site_name, site.encoding, self.meta(), main)

    def site_groups(self) -> str:
        """The portal's lists of department and township sites."""
        groups = {"部门网站": [], "乡镇（街道）网站": [], "其他网站": []}
        for other in self.farm.sites:
            if other is self.site:
                continue
            if other.unit_kind in ("township", "subdistrict"):
                group = "乡镇（街道）网站"
            elif other.unit_kind in ("department", "devzone"):
                group = "部门网站"
            else:
                group = "其他网站"
            href = self.link(other.host, other.home_path)
            groups[group].append(f'<li><a href="{href}">{escape(other.site_name)}</a></li>')
        return "".join(
            f'<div class="site-group"><h2>{name}</h2><ul>{"".join(links)}</ul></div>\n'
            for name, links in groups.items()
            if links
        )

    def xxgk(self) -> str:
        site = self.site
        links = "".join(
            f'<li><a href="{c.path}">{escape(c.name)}</a></li>'
            for c in site.columns
            if not c.is_first_level
        )
        main = (
            self.crumbs(("政府信息公开", None)) + '<div class="xxgk"><h2>政府信息公开</h2>\n'
            f'<div class="gk-box"><h3>法定主动公开内容</h3><ul>{links}</ul></div>\n'
            "</div>\n"
        )
        return self.document(f"政府信息公开_{site.site_name}", site.encoding, self.meta(), main)

    def channel(self, channel) -> str:
        """A second-level channel page of a navigation-only home: each column's newest items."""
        site = self.site
        fmt = site.date_format
        blocks = []
        for column, items in site.channel_items(channel):
            rows = "".join(
                f'<li><a href="{i.path}" title="{escape(i.title)}">{escape(i.title)}</a>'
                f'<span class="date">{format_date(i.date, fmt, i.time)}</span></li>'
                for i in items
            )
            body = f"<ul>{rows}</ul>" if rows else f"<p>{column.empty_text}</p>"
            blocks.append(
                f'<div class="channel-box"><h3>{escape(column.name)}'
                f'<a class="more" href="{column.path}">更多&gt;&gt;</a></h3>{body}</div>\n'
            )
        main = (
            self.crumbs((channel.name, None))
            + f'<div class="channel"><h2>{escape(channel.name)}</h2>\n{"".join(blocks)}</div>\n'
        )
        return self.document(f"{channel.name}_{site.site_name}", site.encoding, self.meta(), main)

    def column_page(self, column: Column, page: int) -> str:
        site = self.site
        parts = [] if column.is_first_level else [("信息公开", site.xxgk_path)]
        items = column.page_items(page)
        body = STYLE_RENDERERS[column.style](self, column, items)
        main = (
            self.crumbs(*parts, (column.name, None))
            + f'<div class="column"><h2 class="column-title">{escape(column.name)}</h2>\n'
            f'<div class="list-content" id="list-{column.key}">\n{body}</div>\n'
            f"{self.pagination(column, page)}</div>\n"
            f"{self.cached_sidebar}"
        )
        if page == 0 and column is site.columns[0]:
            main += self.bad_links()
        return self.document(
            f"{column.name}_{site.site_name}", column.encoding, self.meta(column), main
        )

    def pagination(self, column: Column, page: int) -> str:
        pages = column.n_pages
        if pages <= 1:
            return ""
        links = [f"<span>共{column.item_count}条记录 第{page + 1}/{pages}页</span>"]
        links.append(f'<a href="{column.page_path(0)}">首页</a>')
        if page > 0:
            links.append(f'<a href="{column.page_path(page - 1)}">上一页</a>')
        if page < pages - 1:
            links.append(f'<a href="{column.page_path(page + 1)}">下一页</a>')
        links.append(f'<a href="{column.page_path(pages - 1)}">尾页</a>')
        return '<div class="pagination">' + " ".join(links) + "</div>\n"

    def article(self, column: Column, item: Item) -> str:
        site = self.site
        parts = [] if column.is_first_level else [("信息公开", site.xxgk_path)]
        if not item.page_dated:
            return self.undated_article(column, item, parts)
        fmt = column.date_format if column.date_format.split("_")[0] in DATE_BASES else "iso"
        info_table = ""
        if not column.is_first_level or column.category == "policy":
            doc_no = ""
            if column.category == "policy":
                doc_no = f"示政办〔{item.written.year}〕{zlib.crc32(item.path.encode()) % 60 + 1}号"
            info_table = (
                '<table class="xxgk-info">\n'
                f"<tr><th>索引号：</th><td>{index_number(site, item)}</td>"
                f"<th>组配分类：</th><td>{escape(column.name)}</td></tr>\n"
                f"<tr><th>发布机构：</th><td>{escape(site.unit_name)}</td>"
                f"<th>主题分类：</th><td>{CATEGORY_LABELS[column.category]}</td></tr>\n"
                f"<tr><th>名称：</th><td>{escape(item.title)}</td>"
                f"<th>文号：</th><td>{doc_no}</td></tr>\n"
                f"<tr><th>成文日期：</th><td>{format_date(item.written, fmt)}</td>"
                f"<th>发布日期：</th><td>{format_date(item.date, fmt)}</td></tr>\n"
                "</table>\n"
            )
        rng = random.Random(item.path)
        paragraphs = "".join(
            f"<p>{escape(names.paragraph(rng, site.unit_name, item.title))}</p>" for _ in range(3)
        )
        main = (
            self.crumbs(*parts, (column.name, column.path), ("正文", None))
            + '<div class="article">\n'
            f"{info_table}"
            f'<h1 class="title">{escape(item.title)}</h1>\n'
            f'<div class="info">发布时间：{item.date.isoformat()} {item.time[:5]}　'
            f'来源：{escape(site.unit_name)}　浏览次数：<span id="hits"></span>　'
            "字体：[<a>大</a> <a>中</a> <a>小</a>]</div>\n"
            f'<div class="content">{paragraphs}'
            f'<p style="text-align:right">{escape(site.unit_name)}<br>'
            f"{cn_date(item.written)}</p></div>\n"
            "</div>\n"
            f"{self.cached_sidebar}"
        )
        return self.document(
            f"{item.title}_{site.site_name}",
            column.encoding,
            self.meta(column, item),
            main,
        )

    def undated_article(self, column: Column, item: Item, parts: list) -> str:
        """An article page that shows no date at all: no 发布时间, no info table, no PubDate meta,
        no signature date and no sidebar (whose items carry dates)."""
        site = self.site
        rng = random.Random(item.path)
        paragraphs = "".join(
            f"<p>{escape(names.paragraph(rng, site.unit_name, item.title))}</p>" for _ in range(3)
        )
        main = (
            self.crumbs(*parts, (column.name, column.path), ("正文", None))
            + '<div class="article">\n'
            f'<h1 class="title">{escape(item.title)}</h1>\n'
            f'<div class="info">来源：{escape(site.unit_name)}　浏览次数：<span id="hits"></span>　'
            "字体：[<a>大</a> <a>中</a> <a>小</a>]</div>\n"
            f'<div class="content">{paragraphs}'
            f'<p style="text-align:right">{escape(site.unit_name)}</p></div>\n'
            "</div>\n"
        )
        meta = self.meta(column)  # column metas only: PubDate would give the date away
        return self.document(f"{item.title}_{site.site_name}", column.encoding, meta, main)


# ----- list styles: each returns the inner HTML of <div class="list-content"> -----


def _empty(column: Column) -> str:
    return f'<div class="no-data">{column.empty_text}</div>\n'


def _ul_date(page: Page, column: Column, items: tuple[Item, ...]) -> str:
    if not items:
        return _empty(column)
    rows = "".join(
        f'<li><a href="{i.path}" target="_blank" title="{escape(i.title)}">{escape(i.title)}</a>'
        f'<span class="date">{format_date(i.date, column.date_format, i.time)}</span></li>\n'
        for i in items
    )
    return f'<ul class="list">\n{rows}</ul>\n'


def _table(page: Page, column: Column, items: tuple[Item, ...]) -> str:
    if not items:
        return _empty(column)
    fmt = column.date_format
    if column.is_first_level:  # plain: title and date
        head = "<tr><th>标题</th><th>发布日期</th></tr>\n"
        rows = "".join(
            f'<tr><td class="title"><a href="{i.path}">{escape(i.title)}</a></td>'
            f'<td class="date">{format_date(i.date, fmt, i.time)}</td></tr>\n'
            for i in items
        )
    else:  # 信息公开 catalogue: 索引号 and 成文日期 next to 发布日期
        head = (
            "<tr><th>序号</th><th>索引号</th><th>标题</th><th>成文日期</th><th>发布日期</th></tr>\n"
        )
        rows = "".join(
            f"<tr><td>{n}</td><td>{index_number(page.site, i)}</td>"
            f'<td class="title"><a href="{i.path}">{escape(i.title)}</a></td>'
            f"<td>{format_date(i.written, fmt)}</td>"
            f'<td class="date">{format_date(i.date, fmt, i.time)}</td></tr>\n'
            for n, i in enumerate(items, 1)
        )
    return f'<table class="list-table">\n{head}{rows}</table>\n'


def _jcms_xml(page: Page, column: Column, items: tuple[Item, ...]) -> str:
    site = page.site
    records = "".join(
        "<record><![CDATA[\n"
        f'<li><a href="{i.path}" target="_blank" title="{escape(i.title)}">{escape(i.title)}</a>'
        f'<span class="bt-data-time">{format_date(i.date, column.date_format, i.time)}</span></li>\n'
        "]]></record>\n"
        for i in items
    )
    unit_id = column.number * 10 + 7
    proxy = (
        f"/module/web/jpage/dataproxy.jsp?page=1&appid=1&webid={site.index + 1}"
        f"&path={site.home_path}&columnid={column.number}&unitid={unit_id}"
        f"&webname={site.site_name}&permissiontype=0"
    )
    html = (
        f'<div id="{unit_id}"><script type="text/xml">\n<datastore>\n'
        f'<nextgroup><![CDATA[<a href="{proxy}"></a>]]></nextgroup>\n'
        f"<recordset>\n{records}</recordset>\n</datastore>\n</script></div>\n"
        f"<script>var totalRecord = {column.item_count};</script>\n"
    )
    return html + (_empty(column) if not items else "")


def _split_date(page: Page, column: Column, items: tuple[Item, ...]) -> str:
    if not items:
        return _empty(column)
    rows = "".join(
        '<li><div class="date">'
        f'<span class="day">{i.date.day:02d}</span>'
        f'<span class="ym">{i.date.year}-{i.date.month:02d}</span></div>'
        f'<div class="txt"><a href="{i.path}">{escape(i.title)}</a>'
        f"<p>{escape(i.title)}……</p></div></li>\n"
        for i in items
    )
    return f'<ul class="news-list">\n{rows}</ul>\n'


def _yearless(page: Page, column: Column, items: tuple[Item, ...]) -> str:
    if not items:
        return _empty(column)
    fmt = column.date_format
    if fmt == "md_bracket":  # date first, in brackets
        rows = "".join(
            f'<li><span class="time">{format_date(i.date, fmt)}</span>'
            f'<a href="{i.path}">{escape(i.title)}</a></li>\n'
            for i in items
        )
    else:
        rows = "".join(
            f'<li><a href="{i.path}">{escape(i.title)}</a>'
            f'<span class="time">{format_date(i.date, fmt)}</span></li>\n'
            for i in items
        )
    return f'<ul class="list">\n{rows}</ul>\n'


def _cards(page: Page, column: Column, items: tuple[Item, ...]) -> str:
    if not items:
        return _empty(column)
    return "".join(
        f'<div class="news-item"><h3><a href="{i.path}">{escape(i.title)}</a></h3>'
        f'<p class="info"><span>发布时间：{format_date(i.date, column.date_format, i.time)}</span>'
        f"<span>来源：{escape(page.site.unit_name)}</span></p></div>\n"
        for i in items
    )


def _json_api(page: Page, column: Column, items: tuple[Item, ...]) -> str:
    return (
        f'<ul class="list" id="data-{column.key}"></ul>\n'
        "<script>\n"
        f'fetch("{column.api_path}").then(function (r) {{ return r.json(); }})'
        ".then(function (d) {\n"
        '  var html = "";\n'
        "  d.items.forEach(function (it) {\n"
        "    html += '<li><a href=\"' + it.url + '\">' + it.title + '</a><span>' + it.date"
        " + '</span></li>';\n"
        "  });\n"
        f'  document.getElementById("data-{column.key}").innerHTML = html || '
        f'"<li>{column.empty_text}</li>";\n'
        "});\n"
        "</script>\n"
    )


def _js_only(page: Page, column: Column, items: tuple[Item, ...]) -> str:
    """The data is an XOR-ed array of char codes: no title, link or date in the markup."""
    key = 7 + column.number % 50
    data = json.dumps(
        [{"t": i.title, "u": i.path, "d": i.date.isoformat()} for i in items],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    codes = ",".join(str(ord(ch) ^ key) for ch in data)
    return (
        f'<ul class="list" id="data-{column.key}"></ul>\n'
        "<script>\n(function () {\n"
        f'  var k = {key}, d = [{codes}], s = "";\n'
        "  for (var n = 0; n < d.length; n++) { s += String.fromCharCode(d[n] ^ k); }\n"
        '  var html = "";\n'
        "  JSON.parse(s).forEach(function (it) {\n"
        "    html += '<li><a href=\"' + it.u + '\">' + it.t + '</a><span>' + it.d + '</span></li>';\n"
        "  });\n"
        f'  document.getElementById("data-{column.key}").innerHTML = html;\n'
        "})();\n</script>\n"
    )


def _pin(column: Column, item: Item) -> tuple[str, str, str]:
    """(before the link, inside the link before the title, after the link) for a pinned item."""
    if column.pinned < 0 or item.path != column.pinned_item.path or not column.pin_mark:
        return "", "", ""
    if column.pin_mark == "span":
        return '<span class="zd">[置顶]</span>', "", ""
    if column.pin_mark == "img":
        return "", "", '<img src="/images/zhiding.gif" alt="置顶">'
    return "", "【置顶】", ""


def _pinned(page: Page, column: Column, items: tuple[Item, ...]) -> str:
    """Full dates, the first item pinned (see lists.py)."""
    if not items:
        return _empty(column)
    rows = []
    for i in items:
        before, inside, after = _pin(column, i)
        rows.append(
            f'<li>{before}<a href="{i.path}" target="_blank" title="{escape(i.title)}">'
            f"{inside}{escape(i.title)}</a>{after}"
            f'<span class="date">{format_date(i.date, column.date_format, i.time)}</span></li>\n'
        )
    return f'<ul class="list">\n{"".join(rows)}</ul>\n'


def _yearless_pinned(page: Page, column: Column, items: tuple[Item, ...]) -> str:
    """Year-less dates (yearless_old, yearless_pinned), maybe with a pinned first item."""
    if not items:
        return _empty(column)
    fmt = column.date_format
    rows = []
    for i in items:
        before, inside, after = _pin(column, i)
        link = f'{before}<a href="{i.path}">{inside}{escape(i.title)}</a>{after}'
        when = f'<span class="time">{format_date(i.date, fmt)}</span>'
        rows.append(
            f"<li>{when}{link}</li>\n" if fmt == "md_bracket" else f"<li>{link}{when}</li>\n"
        )
    return f'<ul class="list">\n{"".join(rows)}</ul>\n'


STYLE_RENDERERS = {
    "pinned": _pinned,
    "yearless_old": _yearless_pinned,
    "yearless_pinned": _yearless_pinned,
    "ul_date": _ul_date,
    "table": _table,
    "jcms_xml": _jcms_xml,
    "split_date": _split_date,
    "yearless": _yearless,
    "cards": _cards,
    "json_api": _json_api,
    "js_only": _js_only,
}


def column_json(column: Column) -> bytes:
    """The JSON endpoint of a json_api column (always UTF-8)."""
    data = {
        "column": column.name,
        "total": column.item_count,
        "items": [
            {
                "title": i.title,
                "url": i.path,
                "date": format_date(i.date, column.date_format, i.time),
            }
            for i in column.items
        ],
    }
    return json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8")


def error_page(status: int, reason: str) -> bytes:
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
        f"<title>{status} {reason}</title></head><body><h1>{status} {reason}</h1>"
        "<p>您访问的页面不存在或暂时无法访问。</p></body></html>\n"
    ).encode()
