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
from dataclasses import dataclass, replace
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
    _builds_dom,
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
class Candidate:
    """A list entry whose own page must be read before its date can decide the column.

    ``listed`` is the date as the list shows it, with the year inferred when ``has_year`` is
    False. ``role`` is "decider" (the entry with the newest listed date) or "next" (the newest
    entry that is neither pinned nor out of order, read when the decider is pinned, out of order,
    or turns out older than its listed date). ``why`` says, in Chinese, why it must be read.
    """

    url: str
    title: str
    listed: date
    has_year: bool
    position: int  # index in the list as shown (0 = first)
    pinned: bool
    out_of_order: bool
    role: str
    why: str


@dataclass(frozen=True)
class Confirmation:
    """What an entry's own page said about its date (read by the caller, see :func:`settle`).

    ``date`` is None when the page could not be read or shows no trustworthy date; ``how`` says
    where the date came from or why there is none (Chinese); ``source`` is the article-date source
    ("visible-label", "url", …), "error" when the page could not be fetched, "none" otherwise.
    """

    url: str
    date: date | None
    source: str
    how: str


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
    # Entries whose own pages must confirm the newest date (year not on the list, pinned or out of
    # order): until :func:`settle` has them, ``newest`` is only the list's naive reading.
    to_confirm: tuple[Candidate, ...] = ()
    # JavaScript builds the page's list: rendering it in a browser may give what the HTML lacks.
    wants_render: bool = False

    @property
    def settled(self) -> bool:
        return not self.to_confirm


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
        page = PageText.of(root)  # every text below is read through it, once per element
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
                return replace(
                    res,
                    reason="接口返回的 HTML 片段：" + res.reason,
                    json_endpoint=None,
                    next_page=None,
                    future_dates=(),
                    wants_render=False,
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
        res = _no_main_list(blocks, side, root, page, empty_main, empty_side, js, endpoint, manual)
        # Worth a browser: no answer, or an empty list container a script may fill; a page that
        # says "暂无信息" without any list script is simply empty.
        unsure = res.status == "needs_manual" or (res.status == "empty" and res.confidence <= 0.5)
        if unsure and root is not None and (js or _builds_dom(root)):
            res = replace(res, wants_render=True)
        return res
    return _main_list(main, blocks, empty_main, today, next_page, manual)


def _no_main_list(blocks, side, root, page, empty_main, empty_side, js, endpoint, manual):
    """The answer when no block of the page's own list has dates."""
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
        return manual("页面中没有带日期的条目，列表可能由 JavaScript 生成，需人工核对" + side_note)
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
        return ListResult("empty", None, 0, 0.5, f"列表容器 {container} 中没有条目，栏目可能为空")
    return manual("未找到带日期的列表，需人工核对")


def _main_list(main, blocks, empty_main, today, next_page, manual) -> ListResult:
    """The answer when the page has its own dated list (``main``: its candidate blocks)."""
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
    # (future_dates are kept in the reason only, as before: evidence lists them for JSON lists)
    return replace(res, json_endpoint=None, next_page=next_page, future_dates=())


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
    to_confirm = _candidates(items, today)
    if to_confirm:
        reason += "；" + "；".join(c.why for c in to_confirm)
    return ListResult(
        "dated",
        newest,
        len(items),
        round(max(0.1, min(conf, 0.95)), 2),
        reason,
        public,
        future_dates=tuple(i.date.text for i in future[:10]),
        to_confirm=to_confirm,
    )


# A list shorter than this, or whose longest run in date order covers less than this share of its
# dated entries, has no order worth reading: no entry is "out of order" in it.
_ORDER_MIN_ITEMS = 3
_ORDER_MIN_SHARE = 0.6
_ORDER_MAX_ITEMS = 200


def _out_of_order(dates: list[date]) -> list[bool]:
    """For dates in list order: True for each entry that is in no longest run of the list's own
    order (newest first, or oldest first when that covers more), i.e. that breaks the order.

    An entry counts as in order only when *every* longest run contains it (for [10, 20, 5] both
    10 and 20 are suspects). O(n²) on at most _ORDER_MAX_ITEMS entries: lists are short.
    """
    n = len(dates)
    if n < _ORDER_MIN_ITEMS:
        return [False] * n
    head = [d.toordinal() for d in dates[:_ORDER_MAX_ITEMS]]
    best: tuple[int, list[bool]] | None = None
    for sign in (-1, 1):  # -1: newest first (non-increasing), 1: oldest first
        v = [sign * x for x in head]
        m = len(v)
        end = [1] * m  # longest non-decreasing run of v ending at i
        for i in range(m):
            for j in range(i):
                if v[j] <= v[i] and end[j] + 1 > end[i]:
                    end[i] = end[j] + 1
        start = [1] * m  # … starting at i
        for i in range(m - 1, -1, -1):
            for j in range(i + 1, m):
                if v[i] <= v[j] and start[j] + 1 > start[i]:
                    start[i] = start[j] + 1
        length = max(end)
        on_some = [end[i] + start[i] - 1 == length for i in range(m)]
        level: dict[int, int] = {}
        for i in range(m):
            if on_some[i]:
                level[end[i]] = level.get(end[i], 0) + 1
        in_every = [on_some[i] and level[end[i]] == 1 for i in range(m)]
        if best is None or length > best[0]:
            best = (length, [not x for x in in_every])
    assert best is not None
    length, suspects = best
    if length < _ORDER_MIN_SHARE * len(head):
        return [False] * n  # no date order to break
    return suspects + [False] * (n - len(head))


def _candidates(items: list, today: date) -> tuple[Candidate, ...]:
    """The entries whose own pages must confirm the newest date (see :func:`settle`).

    None when the newest listed date has a year, is in the list's date order and is not pinned:
    the list itself is then the evidence. Otherwise the entry with the newest listed date (the
    decider) and the newest entry that is neither pinned nor out of order (the next).
    """
    shown = [(pos, i) for pos, i in enumerate(items) if i.date is not None and i.date.date <= today]
    if not shown:
        return ()
    odd = _out_of_order([i.date.date for _, i in shown])
    rows = [(pos, i, flag) for (pos, i), flag in zip(shown, odd, strict=True)]
    # newest listed date first; on a tie the entry shown first
    decider = max(rows, key=lambda r: (r[1].date.date, -r[0]))
    _, dec, dec_odd = decider
    if dec.date.has_year and not dec.pinned and not dec_odd:
        return ()
    trusted = [r for r in rows if r is not decider and not r[1].pinned and not r[2]]
    nxt = max(trusted, key=lambda r: (r[1].date.date, -r[0])) if trusted else None
    out = [_candidate(decider, "decider")]
    if nxt is not None:
        out.append(_candidate(nxt, "next"))
    return tuple(out)


def _candidate(row, role: str) -> Candidate:
    pos, item, odd = row
    if role == "decider":
        whys = []
        if not item.date.has_year:
            whys.append("未写年份")
        if item.pinned:
            whys.append("标为置顶")
        if odd:
            whys.append("不在列表的日期顺序中")
        why = (
            f"最新条目“{item.title[:30]}”（列表日期 {item.date.text}）{'、'.join(whys)}，"
            "需打开其页面确认日期"
        )
    else:
        why = (
            f"另需确认其后最新的条目“{item.title[:30]}”（列表日期 {item.date.text}）"
            "（当最新条目置顶、不按顺序或页面日期不同时）"
        )
    return Candidate(
        url=item.url,
        title=item.title,
        listed=item.date.date,
        has_year=item.date.has_year,
        position=pos,
        pinned=item.pinned,
        out_of_order=odd,
        role=role,
        why=why,
    )


def _agrees(c: Candidate, conf: Confirmation | None, today: date) -> date | None:
    """The entry's true date when its page confirms the listed one (the same day; for a year-less
    listing the same month and day, the year from the page), else None."""
    if conf is None or conf.date is None or conf.date > today:
        return None
    if c.has_year:
        return conf.date if conf.date == c.listed else None
    same = (conf.date.month, conf.date.day) == (c.listed.month, c.listed.day)
    return conf.date if same else None


def settle(
    result: ListResult, confirmations: dict[str, Confirmation], today: date
) -> ListResult | None:
    """The final answer of a list whose ``to_confirm`` entries' pages were read.

    ``confirmations`` maps entry URLs to what their pages said. Returns None when another page
    must be read first: the caller reads ``needed(result, confirmations)`` and calls again. Rules:

    * A year-less decider gets its year from its own page; when the page shows the listed
      month-day with that year, and it is the listed (latest possible) year, nothing can be newer.
    * A decider that is pinned or out of order decides only when its page confirms its date; the
      next entry then decides (its page confirming it too when the list shows no year).
    * A decider whose page shows an earlier year than the list's inference needs the next entry.
    * When the pages do not settle it: ``needs_manual``, with what each page said; never a guess.
    """
    if result.settled:
        return result
    dec = result.to_confirm[0]
    nxt = result.to_confirm[1] if len(result.to_confirm) > 1 else None
    if dec.url not in confirmations:
        return None
    d = _agrees(dec, confirmations.get(dec.url), today)
    suspect = dec.pinned or dec.out_of_order
    need_next = nxt is not None and (suspect or d is None or d != dec.listed)
    notes = [_said(dec, confirmations.get(dec.url), d)]
    n: date | None = None
    if need_next:
        if nxt.has_year:
            n = nxt.listed
            notes.append(f"其后最新的条目“{nxt.title[:30]}”列表日期 {nxt.listed.isoformat()}")
        else:
            if nxt.url not in confirmations:
                return None
            n = _agrees(nxt, confirmations.get(nxt.url), today)
            notes.append(_said(nxt, confirmations.get(nxt.url), n))
    newest: date | None
    if not need_next:
        newest = d  # None: the decider is not confirmed and nothing else can stand for it
    elif d is not None and n is not None:
        newest = max(d, n)
    elif d is not None:
        # the next entry's page says nothing, but its date cannot be after its listed date
        newest = d if d >= nxt.listed else None
    elif n is not None and suspect:
        newest = n  # the pinned / out-of-order entry does not decide unconfirmed
        notes.append("置顶或不按顺序的条目未经其页面确认，不作为最新日期")
    else:
        newest = None
    story = "；".join(notes)
    if newest is None:
        return replace(
            result,
            status="needs_manual",
            newest=None,
            confidence=0.2,
            reason=result.reason + "；" + story + "；无法从条目页面确认最新日期，需人工核对",
            to_confirm=(),
        )
    confirmed = {
        c.url: v for c in result.to_confirm if (v := _agrees(c, confirmations.get(c.url), today))
    }
    items = tuple(
        Item(i.title, i.url, confirmed.get(i.url, i.date)) if i.url in confirmed else i
        for i in result.items
    )
    by_page = newest in confirmed.values()
    conf = 0.9 if by_page else min(result.confidence, 0.8)
    return replace(
        result,
        status="dated",
        newest=newest,
        confidence=conf,
        reason=result.reason + "；" + story + f"；最新 {newest.isoformat()}",
        items=items,
        to_confirm=(),
    )


def needed(result: ListResult, confirmations: dict[str, Confirmation]) -> list[Candidate]:
    """The entries whose pages :func:`settle` needs next (at most one at a time, in order)."""
    for c in result.to_confirm:
        if c.url not in confirmations:
            if c.role == "next" and c.has_year:
                continue  # a full date of an entry in order is its own evidence
            return [c]
    return []


def _said(c: Candidate, conf: Confirmation | None, agreed: date | None) -> str:
    label = "最新条目" if c.role == "decider" else "其后最新的条目"
    head = f"{label}“{c.title[:30]}”（列表 {c.listed.isoformat() if c.has_year else c.listed.strftime('%m-%d')}）"
    if conf is None:
        return head + "未能读取其页面"
    if conf.date is None:
        return head + f"的页面未能确认日期：{conf.how}"
    if agreed is None:
        return head + f"的页面日期为 {conf.date.isoformat()}（{conf.how}），与列表不符"
    return head + f"的页面确认为 {agreed.isoformat()}（{conf.how}）"


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
