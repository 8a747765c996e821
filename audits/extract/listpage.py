"""Newest item date of a column (list) page.

The question behind every call is "when was this column last updated?", answered against a
monitoring point ``today``. A wrong answer is a wrong finding against a unit, so the extractor
returns ``needs_manual`` with a reason rather than a guess whenever the evidence is thin or
contradictory.

How the main list is found:

1. Candidate blocks are groups of sibling elements (``ul > li``, ``tbody > tr``, ``div > div`` …),
   plus "flat" sequences where links and dates alternate as siblings (``<a>…</a><span>date</span>
   <br>``, ``dl > dt + dd``), plus 大汉 jcms lists stored as XML records in
   ``<script type="text/xml">`` (``<datastore><recordset><record><![CDATA[<li>…</li>]]>``).
2. An item is one link (the title) plus one date printed on its own (``<span>2023-01-04</span>``,
   ``[01-04]``, ``(2023年1月4日)``, or a day and year-month in two elements). A date inside the
   title text does not count.
3. Blocks in a header, footer, navigation or sidebar (id/class tokens such as side/hot/rank/nav/
   footer, or a box heading naming 热点/推荐/排行 that is not the page's own column name) are
   *noise*: they never give the answer, only a note in the reason. The other blocks are ranked by
   their number of dated items, up-weighted when a pager follows them; lists split into several
   sibling ``<ul>`` are merged; table rows read the 发布日期 column, never 成文日期/截止日期.
4. ``needs_manual`` when two comparable blocks disagree on the newest date, when a much bigger
   article-like list has no dates, or when every date is after ``today``. Dates after ``today`` are
   dropped with a note; year-less dates get the latest year not after ``today`` (see
   :mod:`audits.extract.dates`) and lower the confidence.

Empty columns ("暂无信息", "共0条", an empty list container) give ``empty``; lists that are filled
by JavaScript give ``needs_manual`` and, when the page plainly names the JSON/AJAX endpoint, its
absolute URL in ``json_endpoint`` so the caller can fetch it and call :func:`extract_list_json`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from ._blocks import (
    _Block,
    _dom_blocks,
    _Item,
    _looks_like_datastore,
    _page_title,
    _record_blocks,
    _record_blocks_from_text,
)
from ._html import PageText, parse_html
from ._jsonlist import _html_strings, _is_empty_json, _json_items, _load_json, _record_lists
from ._signals import (
    _empty_container,
    _empty_markers,
    _has_js_list,
    _json_endpoint,
    _next_page,
    _relative_times,
)


@dataclass(frozen=True)
class Item:
    """One entry of a list: its title, absolute URL ("" when the link is JavaScript) and date."""

    title: str
    url: str
    date: date | None


@dataclass(frozen=True)
class ListResult:
    """Result of :func:`extract_list` / :func:`extract_list_json`.

    ``status`` is "dated" (``newest`` is set), "empty" (the column has no items) or
    "needs_manual" (a person must look; ``reason`` says why). ``newest`` is never after the
    monitoring point. ``reason`` is Chinese, for the inspector.
    """

    status: str
    newest: date | None
    item_count: int
    confidence: float
    reason: str
    items: tuple[Item, ...] = ()
    json_endpoint: str | None = None
    next_page: str | None = None
    future_dates: tuple[str, ...] = ()  # dates after the monitoring point, dropped, as written


def extract_list(html: str, url: str, today: date) -> ListResult:
    """Newest item date of a column page (see module docstring)."""
    html = html or ""
    if _looks_like_datastore(html):
        blocks = _record_blocks_from_text(html, url, today, None)
        root = page = None
    else:
        root = parse_html(html)
        if root is None:
            return ListResult("needs_manual", None, 0, 0.0, "页面内容为空，无法判断，需人工核对")
        page = PageText(root)  # every text below is read through it, once per element
        title = _page_title(root)
        blocks = _record_blocks(root, url, today, title, page) + _dom_blocks(
            root, url, today, title, page
        )
    next_page = _next_page(root, html, url, page) if root is not None else None
    endpoint = _json_endpoint(root, url) if root is not None else None
    return _decide(blocks, root, url, today, next_page, endpoint, page)


def extract_list_json(text: str, url: str, today: date) -> ListResult:
    """Newest item date from a JSON (or JSONP) list endpoint.

    The array of records with the most dated entries is used; each record needs a title-ish field
    (title/name/bt/docTitle …, or the longest text field) and a date-ish field (pubDate, createTime,
    fbrq …, or any field whose values are dates / epoch milliseconds). A JSON field holding an HTML
    fragment (``{"html": "<li>…"}``) is read as a list page.
    """
    data = _load_json(text)
    if data is None:
        if re.search(r"<(li|a|tr|div|record)\b", text or "", re.I):
            return extract_list(text, url, today)  # the endpoint returned an HTML fragment
        return ListResult("needs_manual", None, 0, 0.0, "接口返回的内容不是 JSON，需人工核对")
    best: tuple[int, str, list[_Item]] | None = None
    for path, records in _record_lists(data, "$"):
        items = _json_items(records, url, today)
        dated = sum(1 for i in items if i.date is not None)
        if items and (best is None or dated > best[0]):
            best = (dated, path, items)
    if best is None or best[0] == 0:
        for frag in _html_strings(data):
            res = extract_list(f"<html><body>{frag}</body></html>", url, today)
            if res.status == "dated":
                return ListResult(
                    res.status,
                    res.newest,
                    res.item_count,
                    res.confidence,
                    "接口返回的 HTML 片段：" + res.reason,
                    res.items,
                )
        if best is not None:
            return ListResult(
                "needs_manual",
                None,
                len(best[2]),
                0.2,
                f"接口数组 {best[1]} 有 {len(best[2])} 条记录，但找不到日期字段，需人工核对",
                tuple(Item(i.title, i.url, None) for i in best[2]),
            )
        if _is_empty_json(data):
            return ListResult("empty", None, 0, 0.7, "接口返回的列表为空（0 条记录）")
        return ListResult("needs_manual", None, 0, 0.0, "接口 JSON 中找不到条目数组，需人工核对")
    _, path, items = best
    block = _Block(items, None, "json", f"接口数组 {path}", "record")
    return _dated_result(block, today, [], 0.85)


def _decide(blocks, root, url, today, next_page, endpoint, page=None) -> ListResult:
    """Turn the candidate blocks and page signals into one answer (see module docstring).

    ``page`` is the :class:`PageText` of ``root``."""

    def manual(reason: str, items=(), count: int = 0, conf: float = 0.0, ep=None) -> ListResult:
        return ListResult("needs_manual", None, count, conf, reason, tuple(items), ep, next_page)

    candidates = [b for b in blocks if b.dated >= 1 and b.dated * 2 >= len(b.items)]
    main = [b for b in candidates if not b.noise]
    side = sorted((b for b in candidates if b.noise), key=lambda b: b.score, reverse=True)
    empty_main, empty_side = _empty_markers(root, page)
    js = endpoint is not None or (root is not None and _has_js_list(root))

    if not main:
        side_note = (
            f"（{side[0].desc} 中有 {side[0].dated} 条带日期的条目，但属于页眉、页脚、侧栏或"
            "热点排行等区域，未采用）"
            if side
            else ""
        )
        main_linked = any(not b.noise for b in blocks)
        if empty_main or (empty_side and not main_linked):
            marker = (empty_main or empty_side)[0]
            if js:
                return manual(
                    f"页面显示“{marker}”，但列表由 JavaScript 加载，这可能只是加载前的占位文字，"
                    "需抓取接口或人工核对" + side_note,
                    ep=endpoint,
                )
            return ListResult("empty", None, 0, 0.85, f"页面显示“{marker}”，栏目无内容" + side_note)
        if endpoint:
            return manual(
                f"列表由 JavaScript 从接口加载（{endpoint}），页面本身无条目；需抓取该接口后再判断"
                + side_note,
                ep=endpoint,
            )
        relative = _relative_times(root, page)
        if relative:
            return manual(f"列表使用相对时间（如“{relative}”），无法换算为日期，需人工核对")
        if js:
            return manual(
                "页面中没有带日期的条目，列表可能由 JavaScript 生成，需人工核对" + side_note
            )
        undated = [b for b in blocks if len(b.items) >= 3 and not b.noise and _article_like(b)]
        if undated:
            b = max(undated, key=lambda b: len(b.items))
            return manual(
                f"{b.desc} 中有 {len(b.items)} 条链接但都没有可见日期，需人工核对" + side_note,
                [Item(i.title, i.url, None) for i in b.items],
                len(b.items),
            )
        if side:
            return manual("未找到本栏目的列表" + side_note + "，需人工核对")
        container = _empty_container(root) if root is not None else None
        if container:
            return ListResult(
                "empty", None, 0, 0.5, f"列表容器 {container} 中没有条目，栏目可能为空"
            )
        return manual("未找到带日期的列表，需人工核对")

    # higher score first; on a tie the innermost block (the list itself, not a wrapper)
    main.sort(key=lambda b: (b.score, _depth(b.container)), reverse=True)
    best = main[0]
    notes: list[str] = []
    if empty_main:
        notes.append(f"页面另有“{empty_main[0]}”字样")
    main_undated = _undated_main_list(best, blocks)
    if main_undated is not None:
        return manual(
            f"页面最大的列表 {main_undated.desc}（{len(main_undated.items)} 条）没有日期；"
            f"带日期的只有 {best.desc} 中 {best.dated} 条（最新 {_fmt(best.newest(today))}），"
            "无法确定哪个是本栏目列表，需人工核对",
            [Item(i.title, i.url, None) for i in main_undated.items],
            len(main_undated.items),
            0.1,
        )
    rival = _rival(best, main[1:], today)
    if rival is not None:
        bn, rn = best.newest(today), rival.newest(today)
        return manual(
            f"页面有两个相当的列表：{best.desc}（{best.dated} 条，最新 {_fmt(bn)}）与 "
            f"{rival.desc}（{rival.dated} 条，最新 {_fmt(rn)}），无法确定哪个是本栏目列表，需人工核对",
            _public_items(best, today),
            len(best.items),
            0.2,
        )
    res = _dated_result(best, today, notes, 0.9)
    return ListResult(
        res.status,
        res.newest,
        res.item_count,
        res.confidence,
        res.reason,
        res.items,
        None,
        next_page,
    )


def _dated_result(block: _Block, today: date, notes: list[str], base: float) -> ListResult:
    items = block.items
    future = [i for i in items if i.date is not None and i.date.date > today]
    dated = [i for i in items if i.date is not None and i.date.date <= today]
    public = _public_items(block, today)
    if not dated:
        return ListResult(
            "needs_manual",
            None,
            len(items),
            0.0,
            f"{block.desc} 中的日期都晚于监测时间点 {today.isoformat()}"
            f"（如 {future[0].date.date.isoformat()}），无法判断，需人工核对",
            public,
        )
    newest = max(i.date.date for i in dated)
    where = dated[0].date_where
    reason = (
        f"读取 {block.desc} 中 {len(items)} 条{_tag_word(block.child_tag)}的日期"
        f"（{where}），最新 {newest.isoformat()}"
    )
    conf = base
    if len(dated) < len(items):
        reason += f"；{len(items) - len(dated)} 条无可用日期"
        conf -= 0.1 * (len(items) - len(dated)) / len(items)
    if future:
        reason += f"；{len(future)} 个晚于监测时间点的日期已舍弃（如 {future[0].date.text}）"
        conf -= 0.15
    yearless = [i for i in dated if not i.date.has_year]
    if yearless:
        reason += f"；{len(yearless)} 条日期未写年份，按“不晚于监测时间点的最近年份”推断"
        conf -= 0.15
    if len(dated) < 3:
        reason += f"；仅 {len(dated)} 条带日期"
        conf -= 0.15
    reason += "".join(f"；{n}" for n in block.notes + notes)
    return ListResult(
        "dated",
        newest,
        len(items),
        round(max(0.1, min(conf, 0.95)), 2),
        reason,
        public,
        future_dates=tuple(i.date.text for i in future[:10]),
    )


def _public_items(block: _Block, today: date) -> tuple[Item, ...]:
    return tuple(
        Item(i.title, i.url, i.date.date if i.date is not None and i.date.date <= today else None)
        for i in block.items
    )


def _undated_main_list(best: _Block, blocks: list[_Block]) -> _Block | None:
    """A much bigger list of article-like links without dates, not in a sidebar: the column's
    own list is probably undated and the dated block is something else."""
    if best.weight > 1.0 and best.dated >= 5:
        return None  # a pager follows the dated block: that is the column list
    for b in blocks:
        if b.dated or b.noise or _overlaps(b.container, best.container):
            continue
        if len(b.items) >= max(5, 1.5 * best.dated) and _article_like(b):
            return b
    return None


def _article_like(block: _Block) -> bool:
    """Titles of articles are long; menu entries ("首页", "工作动态") are short."""
    lengths = [len(i.title) for i in block.items]
    return bool(lengths) and sum(lengths) / len(lengths) >= 6


def _rival(best: _Block, others: list[_Block], today: date) -> _Block | None:
    """A block as strong as the best one with a different newest date (overlaps excluded)."""
    bn = best.newest(today)
    best_els = {i.el for i in best.items if i.el is not None}
    for b in others:
        if b.score < 0.8 * best.score or b.dated < 3:
            continue
        if any(i.el in best_els for i in b.items if i.el is not None):
            continue
        if _overlaps(best.container, b.container):
            continue
        if b.newest(today) != bn:
            return b
    return None


def _overlaps(a, b) -> bool:
    if a is None or b is None:
        return False
    if a is b:
        return True
    for anc in a.iterancestors():
        if anc is b:
            return True
    return any(anc is a for anc in b.iterancestors())


def _depth(el) -> int:
    return 0 if el is None else sum(1 for _ in el.iterancestors())


def _fmt(d: date | None) -> str:
    return d.isoformat() if d else "无"


def _tag_word(tag: str) -> str:
    return f" {tag} " if tag else ""
