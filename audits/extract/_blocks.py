"""Candidate list blocks of a page and the entries in them (used by :mod:`.listpage`).

A block is a group of sibling elements (``ul > li``, ``table > tr``, ``div > div``), a "flat"
sequence of links and dates (``<a/>date<br/>``, ``dl > dt + dd``) or the XML records of a 大汉 jcms
list. Each block knows its entries, whether it sits in a header/footer/sidebar/热点 box (``noise``)
and a weight used to rank the blocks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from urllib.parse import urljoin, urlsplit

from ._html import (
    SKIP_TAGS,
    PageText,
    class_id,
    clean_text,
    is_element,
    parse_fragment,
)
from .dates import DateToken, date_from_parts, date_in_fragment, find_dates

# id/class tokens (split on spaces, "-" and "_") of regions that are not the column's own list.
_NOISE_TOKEN = re.compile(
    r"^(side|aside|hot|rank|recommend|tuijian|redian|paihang|footer|foot|header|banner|nav|menu|"
    r"friend|yqlj|link|copyright|toolbar|topbar|weather|login|search|breadcrumb|crumb|position|"
    r"advert|related|xgxx|xgwz|ads?$)|(side|sidebar|hot|rank|nav|menu|footer|header|links)$"
)
_NOT_NOISE_TOKEN = frozenset({"inside", "outside"})
_NOISE_HEADING = re.compile(r"热点|热门|推荐|排行|排名|点击|相关|猜你|友情链接")
_MAIN_WORDS = re.compile(r"list|lb|news|article|content|main|xxgk|info|con\b|wz|wenzhang|column")
_PAGER_TEXT = re.compile(
    r"下一页|上一页|尾页|首页\s*上一页|共\s*\d+\s*页|共\s*\d+\s*条|第\s*\d+\s*页|页次"
)
_TODAY_WORDS = re.compile(r"今天是|今日是|今天|当前时间|现在时间|星期[一二三四五六日天]")
_OTHER_DATE_WORDS = re.compile(
    r"截止|结束|有效期|到期|开始|报名|开标|至|成文|印发|生效|实施|施行|废止|失效|签发"
)
_OTHER_DATE_LABEL = re.compile(r"(截止|结束|有效期|开始)[^\d]{0,4}$")  # right before a date
_OTHER_DATE_BEFORE = re.compile(r"(截止|结束|有效期|开始|成文|印发|生效|实施)[^\d]{0,6}$")
_PUB_HEADING = re.compile(r"发布|公开|日期|时间")
_RECORD = re.compile(r"<record[^>]*>\s*<!\[CDATA\[(.*?)\]\]>\s*</record>", re.S | re.I)
_DIGIT = re.compile(r"\d")
_NOT_WEB_HREF = re.compile(r"^(javascript|mailto|tel|data):", re.I)
_PLAIN_ABS_PATH = re.compile(r"/[A-Za-z0-9_~%\-][A-Za-z0-9_~%\-./]*\Z")  # "/art/2026/7/x.html"
_SOURCE_AFTER_DATE = re.compile(r"\s*[|｜/]|\s+\S")  # "2023-01-04 | 县政府办"
_NAME_SPLIT = re.compile(r"[\s_\-]+")
_LIST_TAGS = frozenset({"ul", "ol", "tbody", "table", "dl"})
# A pin mark: "置顶", "[置顶]", "【置顶】", "（置顶）" on its own or at the start of the title.
_PIN_TEXT = re.compile(r"^[\[【(（〔]?\s*置顶\s*[\]】)）〕]?")
_PIN_ALONE = re.compile(r"^[\[【(（〔]?\s*置顶\s*[\]】)）〕]?$")
_ITEM_TAGS = frozenset({"li", "tr", "div", "dd", "dt", "p", "section", "article", "td", "span"})


@dataclass
class _Item:
    title: str
    href: str  # as written in the page ("" when there is none)
    base: str  # URL of the page (or endpoint) the entry was read from
    date: DateToken | None
    date_where: str  # description of the element holding the date ("span.time")
    el: object = None
    pinned: bool = False  # marked 置顶 ("[置顶]", "【置顶】", an image whose alt says 置顶)

    @property
    def url(self) -> str:
        """Absolute http(s) URL, "" for JavaScript and anchor links. Resolved on demand: most
        entries are in blocks that are never reported."""
        return _resolve(self.base, self.href)


@dataclass
class _Block:
    items: list[_Item]
    container: object  # lxml element (or None for records)
    kind: str  # "siblings" | "flat" | "records"
    desc: str
    child_tag: str
    weight: float = 1.0
    noise: bool = False  # in a header/footer/sidebar/热点 box: never the column's list
    notes: list[str] = field(default_factory=list)

    @property
    def dated(self) -> int:
        return sum(1 for i in self.items if i.date is not None)

    @property
    def score(self) -> float:
        return self.dated * self.weight

    def newest(self, today: date) -> date | None:
        ds = [i.date.date for i in self.items if i.date is not None and i.date.date <= today]
        return max(ds) if ds else None


@lru_cache(maxsize=4096)
def _resolve(url: str, href: str) -> str:
    """Absolute http(s) URL of a link, "" for anchors, JavaScript and other schemes."""
    href = (href or "").strip()
    if not href or href.startswith("#") or _NOT_WEB_HREF.match(href):
        return ""
    try:
        if _PLAIN_ABS_PATH.match(href) and "/." not in href:
            origin = _origin(url or "")
            if origin is not None:
                return origin + href  # what urljoin returns for such a path, without its cost
        absolute = urljoin(url or "", href)
    except ValueError:
        return ""
    return absolute if urlsplit(absolute).scheme in ("http", "https") else ""


@lru_cache(maxsize=256)
def _origin(url: str) -> str | None:
    """The "scheme://netloc" of an http(s) URL as urljoin rebuilds it, None for other URLs.

    Joining "/a/b.html" (no "//", dot segments, ";", "?", "#", spaces) onto such a URL gives
    exactly this plus the path. Raises ValueError where urljoin would."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme in ("http", "https") else None


def _links(el, page: PageText, limit: int = 0) -> list:
    """Links of ``el`` (itself included) with a text or title of two characters or more; only the
    first ``limit`` when it is set (enough to tell that a box holds too many to be one entry)."""
    out = []
    for a in el.iter("a"):
        if len(page.text(a)) >= 2 or len(clean_text(a.get("title"))) >= 2:
            out.append(a)
            if len(out) == limit:
                break
    if el.tag == "a" and el not in out and len(page.text(el)) >= 2:
        out.insert(0, el)
    return out


def _link_label_len(a, page: PageText) -> int:
    """Length of the link's title attribute, or of its text when it has none."""
    title = a.get("title")
    return len(clean_text(title)) if title else len(page.text(a))


def _describe(el) -> str:
    if el is None or not is_element(el):
        return "?"
    desc = el.tag
    cls = (el.get("class") or "").split()
    if cls:
        desc += "." + cls[0]
    elif el.get("id"):
        desc += "#" + el.get("id")
    return desc


def _segments_with_links(el, main_link, page: PageText) -> list[tuple[str, object, bool]]:
    """Text segments of an item with a flag telling whether they are inside the title link."""
    inside: set = set()
    if main_link is not None:
        inside = set(main_link.iter())  # PageText holds the proxies, so identity is stable
    return [(t, holder, holder in inside) for t, holder in page.segments(el)]


def _item_date(
    segs: list[tuple[str, object, bool]], today: date
) -> tuple[DateToken | None, str, bool]:
    """(date, where, ambiguous) for one item from its text segments.

    Date-only segments outside the title come first, then date-only segments inside the link
    (``<a><span>title</span><span>date</span></a>``), then the single date of a segment when it
    ends the segment ("来源：县政府办 2023-01-04") or starts it before a separator ("2023-01-04 |
    县政府办"), then a date split over elements. Dates labelled 截止/成文/实施… are skipped.
    ``ambiguous`` is True when an item holds several different dates printed on their own.
    """
    found: list[tuple[DateToken, object, bool]] = []
    for idx, (text, holder, in_link) in enumerate(segs):
        tok = date_in_fragment(text, today)
        if tok is None:
            continue
        before = segs[idx - 1][0] if idx else ""
        if _TODAY_WORDS.search(text) or _TODAY_WORDS.search(before[-6:]):
            continue
        if _OTHER_DATE_WORDS.search(text) or _OTHER_DATE_LABEL.search(before):
            continue
        found.append((tok, holder, in_link))
    outside = [f for f in found if not f[2]]
    pick = outside or found
    if pick:
        distinct = {f[0].date for f in pick}
        return pick[0][0], _describe(pick[0][1]), len(distinct) > 1
    for text, holder, _ in segs:
        toks = find_dates(text)
        if len(toks) == 1:  # "2023-01-04 至 2023-01-10" is a period, not an item date
            tok = toks[0]
            rest = text[tok.end :].strip(" )）]】")
            if not rest and tok.start > 0 and text[tok.start - 1] in " ([（【":
                return tok, _describe(holder), False  # "来源：县政府办 2023-01-04"
            if tok.start == 0 and _SOURCE_AFTER_DATE.match(text[tok.end :]):
                return tok, _describe(holder), False  # "2023-01-04 | 县政府办"
    parts = [t for t, _, in_link in segs if not in_link]
    tok = date_from_parts(parts, today) if 2 <= len(parts) <= 8 else None
    if tok is not None:
        return tok, "分开的日、年月元素", False
    return None, "", False


def _table_headers(parent, page: PageText) -> list[str] | None:
    """Texts of the heading row of the table whose rows are ``parent``'s children."""
    table = parent if parent.tag == "table" else parent.getparent()
    if table is None:
        return None
    for tr in table.iter("tr"):
        cells = [c for c in tr if is_element(c) and c.tag in ("th", "td")]
        if cells and any(c.tag == "th" for c in cells) and tr.find(".//a") is None:
            return [page.text(c) for c in cells]
        if cells and tr.find(".//a") is not None:
            return None  # data rows before any heading row
    return None


def _apply_headers(tr, segs, headers: list[str]):
    """Drop cells headed 成文日期/截止日期…, and put a 发布日期 cell first."""
    cells = [c for c in tr if is_element(c) and c.tag in ("td", "th")]
    if len(cells) != len(headers):
        return segs
    excluded: set = set()
    preferred: set = set()
    for cell, heading in zip(cells, headers, strict=True):
        if _OTHER_DATE_WORDS.search(heading):
            excluded.update(cell.iter())
        elif _PUB_HEADING.search(heading):
            preferred.update(cell.iter())
    kept = [s for s in segs if s[1] not in excluded]
    return [s for s in kept if s[1] in preferred] + [s for s in kept if s[1] not in preferred]


def _title_of(link, today: date, page: PageText) -> str:
    """Link text without date-only pieces (``<a><span>标题</span><span>2023-01-04</span></a>``);
    the title attribute when it is longer or the text is cut short ("…")."""
    parts = [t for t, _ in page.segments(link) if date_in_fragment(t, today) is None]
    text = clean_text(" ".join(parts))
    title_attr = clean_text(link.get("title"))
    if title_attr and (len(title_attr) > len(text) or text.endswith(("...", "…"))):
        text = title_attr
    toks = find_dates(text)
    if len(toks) == 1 and not text[toks[0].end :].strip(" )）]】"):
        text = text[: toks[0].start].rstrip(" ([（【")  # "标题 (2023-01-04)" in one text node
    if "置顶" in text[:6]:
        text = _PIN_TEXT.sub("", text, count=1)  # "【置顶】标题": the mark is not the title
    return text.strip(" ·•")


def _pin_marked(el, segs) -> bool:
    """An entry marked 置顶: a text segment that is only the mark, a title starting with it, or an
    image whose alt/title says 置顶 (``<img src="zhiding.gif" alt="置顶">``)."""
    for text, _holder, _in_link in segs:
        if "置顶" in text and (_PIN_ALONE.match(text) or _PIN_TEXT.match(text)):
            return True
    for img in el.iter("img"):
        if "置顶" in (img.get("alt") or "") or "置顶" in (img.get("title") or ""):
            return True
    return False


def _analyse_item(
    el, url: str, today: date, page: PageText, headers: list[str] | None = None
) -> _Item | None:
    """One list entry, or None if the element is not a single entry (no link, or a whole list).

    ``page`` is the :class:`PageText` of the tree holding ``el``; ``headers`` are the column
    headings of the table a ``<tr>`` belongs to, if any.
    """
    links = _links(el, page, limit=5)
    if not links or len(links) > 4:
        return None
    if (
        len(links) > 1
        and el.tag not in ("ul", "ol", "dl", "table")
        and next(el.iter("ul", "ol", "dl", "table"), None) is not None
    ):
        return None  # a box holding a whole list is not one entry (a layout table may be)
    main = links[0] if len(links) == 1 else max(links, key=lambda a: _link_label_len(a, page))
    segs = _segments_with_links(el, main, page)
    if headers and el.tag == "tr":
        segs = _apply_headers(el, segs, headers)
    if len(segs) > 40:
        return None
    tok, where, ambiguous = _item_date(segs, today)
    if ambiguous and len(links) > 1:
        return None  # several links each with its own date: a nested list, not one entry
    title = _title_of(main, today, page)
    if len(title) < 2:
        return None
    item = _Item(title, main.get("href") or "", url, tok, where, el)
    if tok is not None and _pin_marked(el, segs):
        item.pinned = True
    return item


def _dom_blocks(root, url: str, today: date, title: str = "", page: PageText | None = None):
    """Sibling groups and flat link/date sequences under every element of the body.

    Cheap structural filters come first (a group needs two members with a link, or one inside a
    list element), so that a 1 MB portal page is read in well under a second. ``page`` is the
    :class:`PageText` of ``root`` (built here when not given).
    """
    page = page if page is not None else PageText(root)
    body = root.find("body")
    scope = body if body is not None else root
    with_link = _elements_with_link(scope)
    blocks: list[_Block] = []
    for parent in scope.iter():
        # an element without a link below it can hold neither a group nor a flat sequence
        if parent not in with_link or parent.tag in SKIP_TAGS or parent.tag == "a":
            continue
        children = [c for c in parent if is_element(c) and c.tag not in SKIP_TAGS]
        groups: dict[str, list] = {}
        for c in children:
            if c.tag in _ITEM_TAGS:
                groups.setdefault(c.tag, []).append(c)
        for tag, members in groups.items():
            linked = [c for c in members if c in with_link]
            if len(linked) < 2 and not (linked and parent.tag in _LIST_TAGS):
                continue
            headers = _table_headers(parent, page) if tag == "tr" else None
            items = [
                it
                for c in linked
                if (it := _analyse_item(c, url, today, page, headers)) is not None
            ]
            if items:
                blocks.append(_make_block(items, parent, "siblings", tag, title, page))
        if _flat_candidate(parent, children, with_link):
            flat = _flat_items(parent, children, url, today, page)
            if flat and sum(1 for i in flat if i.date) >= 2:
                blocks.append(_make_block(flat, parent, "flat", "", title, page))
    return _merge_split_lists(blocks)


def _elements_with_link(scope) -> set:
    """Elements under ``scope`` (itself included) with an ``<a>`` below them: the elements for
    which ``el.find(".//a")`` is not None, found in one pass instead of one search per element."""
    found: set = set()
    for a in scope.iter("a"):
        for anc in a.iterancestors():
            if anc in found:
                break  # its ancestors were added with it
            found.add(anc)
            if anc is scope:
                break
    return found


def _flat_candidate(parent, children, with_link: set) -> bool:
    """At least two children holding a link and two short digit-bearing texts without a link."""
    linked = [c.tag == "a" or c in with_link for c in children]
    if sum(linked) < 2:
        return False  # the common case, decided without reading any text
    dateish = 1 if parent.text and _DIGIT.search(parent.text) else 0
    for c, has_link in zip(children, linked, strict=True):
        if not has_link:
            text = c.text_content() or ""
            if len(text) <= 60 and _DIGIT.search(text):
                dateish += 1
        if c.tail and _DIGIT.search(c.tail):
            dateish += 1
    return dateish >= 2


def _flat_items(parent, children, url: str, today: date, page: PageText) -> list[_Item]:
    """Links and dates alternating as siblings: ``<a/>date<br/>``, ``<dt><a/></dt><dd>date</dd>``.

    Each title link is paired with the date-only text that follows it before the next link (or,
    when the page prints dates first, with the one before it).
    """
    seq: list[tuple[str, object]] = []  # ("link", a) / ("date", (token, where))
    if parent.text and (tok := date_in_fragment(clean_text(parent.text), today)):
        seq.append(("date", (tok, _describe(parent))))
    n_links = 0
    for c in children:
        links = _links(c, page)
        if len(links) == 1 and not _has_own_date(c, links[0], today, page):
            seq.append(("link", links[0]))
            n_links += 1
        elif not links:
            text = clean_text(" ".join(t for t, _ in page.segments(c)))
            tok = date_in_fragment(text, today) if text else None
            if tok is not None:
                seq.append(("date", (tok, _describe(c))))
            elif text:
                seq.append(("other", None))
        else:
            seq.append(("other", None))
        tail = clean_text(c.tail)
        if tail:
            tok = date_in_fragment(tail, today)
            seq.append(("date", (tok, "文本")) if tok else ("other", None))
    if n_links < 2:
        return []
    after = _pair(seq, forward=True)
    before = _pair(seq, forward=False)
    best = after if sum(1 for _, d in after if d) >= sum(1 for _, d in before if d) else before
    items = []
    for link, d in best:
        title = _title_of(link, today, page)
        if len(title) >= 2:
            tok, where = d if d else (None, "")
            items.append(_Item(title, link.get("href") or "", url, tok, where, link))
    return items


def _has_own_date(el, link, today: date, page: PageText) -> bool:
    tok, _, _ = _item_date(_segments_with_links(el, link, page), today)
    return tok is not None


def _pair(seq, forward: bool):
    order = seq if forward else list(reversed(seq))
    out = []
    pending = None
    for kind, value in order:
        if kind == "link":
            if pending is not None:
                out.append((pending, None))
            pending = value
        elif kind == "date" and pending is not None:
            out.append((pending, value))
            pending = None
    if pending is not None:
        out.append((pending, None))
    return out if forward else list(reversed(out))


def _make_block(
    items: list[_Item], container, kind: str, child_tag: str, title: str, page: PageText
) -> _Block:
    block = _Block(items, container, kind, _describe(container), child_tag)
    _weight(block, page, title)
    return block


def _page_title(root) -> str:
    """<title> text plus the ColumnName meta: names the page gives its own column."""
    parts = []
    t = root.find(".//title")
    if t is not None:
        parts.append(clean_text(t.text_content()))
    for m in root.iter("meta"):
        if (m.get("name") or "").lower() == "columnname":
            parts.append(clean_text(m.get("content")))
    return " ".join(parts)


def _region_names(el) -> str:
    """id/class of an element and its ancestors up to (not including) <body>."""
    names = []
    while el is not None and is_element(el) and el.tag not in ("body", "html"):
        names.append(class_id(el))
        el = el.getparent()
    return " ".join(names)


def _in_noise_region(el) -> bool:
    """Inside a header, footer, navigation, sidebar, 热点/排行 box … (by id/class tokens)."""
    for token in _NAME_SPLIT.split(_region_names(el)):
        if token and token not in _NOT_NOISE_TOKEN and _NOISE_TOKEN.search(token):
            return True
    return False


def _weight(block: _Block, page: PageText, page_title: str = "") -> None:
    """Mark header/footer/sidebar/热点 blocks as noise and weigh the others: a pager after the
    block or a list-like class raises the weight, menu-like short titles lower it.

    A heading that is the page's own column name (it appears in <title> or ColumnName, e.g. a
    column called "热点关注") does not make the block noise.
    """
    container, items = block.container, block.items
    heading = _heading_text(container, page)
    noisy_heading = bool(heading and _NOISE_HEADING.search(heading) and heading not in page_title)
    block.noise = _in_noise_region(container) or noisy_heading
    weight = 0.3 if block.noise else 1.0
    titles = [len(i.title) for i in items]
    if titles and sum(titles) / len(titles) < 5:
        weight *= 0.5
    if _pager_near(container, page):
        weight *= 1.3
    if _MAIN_WORDS.search(class_id(container)):
        weight *= 1.1
    block.weight = weight


def _heading_text(container, page: PageText) -> str:
    """The box heading: a short element just before the block or before its parent
    ("<h3>热点信息</h3><ul>…")."""
    for el in (container, container.getparent()):
        if el is None:
            continue
        prev = el.getprevious()
        while prev is not None and not is_element(prev):
            prev = prev.getprevious()
        if prev is not None:
            text = page.text(prev)
            if text and len(text) <= 20:
                return text
            if text:
                return ""
    return ""


def _pager_near(container, page: PageText) -> bool:
    for el in (container, container.getparent()):
        if el is None:
            continue
        sib = el.getnext()
        steps = 0
        while sib is not None and steps < 3:
            if is_element(sib) and _PAGER_TEXT.search(page.text(sib)[:200]):
                return True
            sib = sib.getnext()
            steps += 1
    return False


def _merge_split_lists(blocks: list[_Block]) -> list[_Block]:
    """Join lists printed as several sibling containers (``<ul>`` of 5 items, a rule, another
    ``<ul>`` …) into one block, keeping the parts too.

    Elements themselves are the keys (not ``id()``: lxml proxies are recreated, ids get reused).
    """
    by_parent: dict = {}
    for b in blocks:
        c = b.container
        if b.kind != "siblings" or c is None or c.getparent() is None:
            continue
        by_parent.setdefault(c.getparent(), []).append(b)
    merged = []
    for parent, parts in by_parent.items():
        groups: dict[tuple, list[_Block]] = {}
        for b in parts:
            groups.setdefault((b.container.tag, b.container.get("class"), b.child_tag), []).append(
                b
            )
        for same in groups.values():
            if len({b.container for b in same}) < 2:
                continue
            items = [i for p in same for i in p.items]
            desc = f"{_describe(parent)} 下 {len(same)} 个 {_describe(same[0].container)}"
            m = _Block(items, parent, "siblings", desc, same[0].child_tag)
            m.weight = min(p.weight for p in same)
            m.noise = any(p.noise for p in same)
            merged.append(m)
    return blocks + merged


def _looks_like_datastore(text: str) -> bool:
    head = text.lstrip()[:200].lower()
    return head.startswith(("<datastore", "<?xml")) and "<record" in text.lower()


def _record_blocks(
    root, url: str, today: date, title: str = "", page: PageText | None = None
) -> list[_Block]:
    blocks = []
    for script in root.iter("script"):
        if "xml" not in (script.get("type") or "").lower():
            continue
        text = script.text or ""
        if "<record" not in text.lower():
            continue
        page = page if page is not None else PageText(root)
        blocks += _record_blocks_from_text(text, url, today, script.getparent(), title, page)
    return blocks


def _record_blocks_from_text(
    text: str, url: str, today: date, container, title: str = "", page: PageText | None = None
) -> list[_Block]:
    """Items of the XML records in ``text``; ``page`` is the :class:`PageText` of the page holding
    ``container`` (the records' own fragments are separate trees)."""
    items = []
    for m in _RECORD.finditer(text):
        frag = parse_fragment(m.group(1))
        if frag is None:
            continue
        it = _analyse_item(frag, url, today, PageText(frag))
        if it is not None:
            it.el = None
            items.append(it)
    if not items:
        return []
    desc = "大汉 jcms 数据（script type=text/xml 的 record）"
    block = _Block(items, container, "records", desc, "record")
    if container is not None:
        if page is None:
            page = PageText(container.getroottree().getroot())
        _weight(block, page, title)
    return [block]
