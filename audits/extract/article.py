"""Publication date of one article page.

Order of evidence (first that gives an answer wins), and why:

1. ``visible-label`` – a date right after a publication label the visitor reads ("发布日期：",
   "发布时间：", "发表于" …), nearest after the title. This is what an inspector looks at, so it
   wins over everything else. 成文日期/印发日期/会议时间… are *not* publication labels (成文日期 is
   when the document was signed, which can be weeks earlier).
2. ``visible-time`` – an HTML ``<time pubdate>`` / ``itemprop=datePublished`` element.
3. ``visible-generic`` – a date after a bare "日期：" / "时间：" label close after the title.
4. ``byline`` – an unlabelled date just under the title next to "来源/作者/点击" or with a time of
   day ("2022-02-11 09:52 打印本页").
5. ``url`` – a date in the URL path (/202301/t20230104_123.html).
6. ``meta`` – PubDate, publishdate, article:published_time, JSON-LD datePublished …
7. ``near-title`` – the first full date after the title, low confidence.

Unlabelled dates (4 and 7) are only read when they stand apart: a date inside a sentence of the
body ("他于2009年5月14日逝世") is never a publication date.

Meta tags are compared with the chosen date; a different day sets ``conflict`` (real trap: PubDate
2022-04-24 on a page showing 发布日期 2017-05-15; the visible date wins and the conflict is
reported). Nothing is guessed from year-less dates.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from ._html import clean_text, iter_elements, parse_html, text_segments
from .dates import DateToken, date_from_url, find_dates, make_date, normalize_digits
from .meta import read_all_meta

# Meta keys that carry a publication date, best first (lower-cased).
META_DATE_KEYS = (
    "pubdate",
    "publishdate",
    "publish_date",
    "article:published_time",
    "og:article:published_time",
    "og:published_time",
    "published_time",
    "datepublished",
    "publish_time",
    "publishtime",
    "pubtime",
    "firstpublishedtime",
    "dc.date.issued",
    "dcterms.issued",
    "dc.date",
    "dcterms.created",
    "weibo: article:create_at",
    "sailthru.date",
    "date",
)
_JSONLD_DATE = re.compile(r'"datePublished"\s*:\s*"([^"]{8,40})"')

# Labels that name the publication date. "更新时间" is weaker (it can be a later edit).
_PUB_LABELS = (
    "发布日期|发布时间|发表日期|发表时间|发稿时间|发稿日期|公开日期|公开时间|信息时间|刊发时间|"
    "上传时间|上传日期|录入时间|添加时间|生成日期|发布于|发表于|发布|发表|更新时间|更新日期"
)
_GAP = r"\s*[:：]?\s*[\[【(（]?\s*$"  # between a label and its date
_PUB_LABEL_BEFORE = re.compile(r"(" + _PUB_LABELS + r")" + _GAP)
# A bare "时间：" / "日期：" not glued to another word (that would be "会议时间", "成文日期").
_GENERIC_LABEL_BEFORE = re.compile(r"(?<![\u4e00-\u9fff])(时间|日期)" + _GAP)
# Any other "…日期/…时间/…期" label: the date is labelled as something else (成文日期, 印发日期,
# 实施日期, 截止时间, 有效期至, 会议时间, 公示期 …) and must never be taken as the publication date.
_OTHER_LABEL_BEFORE = re.compile(
    r"([\u4e00-\u9fff]{1,4}(?:日期|时间|期|日)|截止|截至|有效期至|至|到|起|自)" + _GAP
)
# A date followed by "至 2023-…" is the start of a period, not a publication date.
_RANGE_AFTER = re.compile(r"^\s*(?:至|到|~|～|—|－|-)\s*(?:19|20)\d{2}")
_BYLINE_WORDS = re.compile(
    r"来源|作者|编辑|浏览|点击|阅读|字号|打印|分享|责任编辑|供稿|出处|稿源|访问量|次数|【|大 中 小"
)
_TODAY_WORDS = re.compile(r"(今天是|今天|今日|当前时间|现在是|星期[一二三四五六日天])\s*[:：]?\s*$")
# US-style 7/5/2005 after a label (old portals); only read when day/month is unambiguous.
_US_DATE = re.compile(r"\s*(\d{1,2})/(\d{1,2})/((?:19|20)\d{2})(?![0-9])")

SOURCES = (
    "visible-label",
    "visible-time",
    "visible-generic",
    "byline",
    "url",
    "meta",
    "near-title",
    "none",
)


@dataclass(frozen=True)
class ArticleDate:
    """Result of :func:`extract_article_date`.

    ``date`` is None when nothing trustworthy was found ("needs manual check"). ``datetime_text``
    is the text the date was read from (may include a time). ``meta_date`` is the meta-tag date if
    any, reported even when it lost; ``conflict`` is True when meta and the chosen date differ.
    """

    date: date | None
    datetime_text: str
    source: str
    confidence: float
    meta_date: date | None
    conflict: bool
    reason: str


@dataclass
class _Cand:
    token: DateToken
    pos: int  # offset in the page text stream
    label: str  # matched label or ""
    dist: int  # characters after the nearest title occurrence (see _distance_after_title)
    comment: bool  # inside a comment thread
    short: bool  # stands apart (a byline or a date cell), not glued into a sentence of the body


def _meta_date(html: str) -> tuple[date | None, str, str]:
    """(date, raw value, key) from the meta tags / JSON-LD, first key in META_DATE_KEYS order."""
    metas = read_all_meta(html)
    for key in META_DATE_KEYS:
        value = metas.get(key)
        if value:
            toks = find_dates(value)
            if toks:
                return toks[0].date, value, key
    m = _JSONLD_DATE.search(html)
    if m:
        toks = find_dates(m.group(1))
        if toks:
            return toks[0].date, m.group(1), "JSON-LD datePublished"
    return None, "", ""


def _title_candidates(root, metas: dict[str, str]) -> tuple[list[str], list[str]]:
    """Possible article titles, in two tiers.

    First tier: ArticleTitle/og:title meta, pieces of <title>, and h1–h3 texts that share words
    with <title> (a bare h2 is often a box heading such as "头条要闻"). Second tier, used only
    when the first is not found in the page: elements classed as a title.
    """
    out: list[str] = []
    for key in ("articletitle", "og:title", "title"):
        if metas.get(key):
            out.append(clean_text(metas[key]))
    full = ""
    t = root.find(".//title")
    if t is not None and t.text_content():
        full = clean_text(t.text_content())
        out.append(full)
        parts = re.split(r"\s*(?:[_|｜»]|::|--|——| - | — | > |-)\s*", full)
        parts = [p.strip() for p in parts if len(p.strip()) >= 6]
        if parts:
            out.append(parts[0])
            out.append(max(parts, key=lambda p: len(re.findall(r"[\u4e00-\u9fff]", p))))
    for el in iter_elements(root):
        if el.tag not in ("h1", "h2", "h3"):
            continue
        txt = clean_text(el.text_content())
        if not 6 <= len(txt) <= 120:
            continue
        if (full and txt[:6] in full) or (not full and el.tag == "h1"):
            out.append(txt)
    seen: set[str] = set()
    first = [x for x in out if len(x) >= 6 and not (x in seen or seen.add(x))]
    # Elements classed as a title (<td class="post-title">, <div class="xl_title">), first few;
    # box headings ("【我的文章】", "·最新评论·") are skipped.
    second: list[str] = []
    n = 0
    for el in iter_elements(root):
        if n >= 5:
            break
        if "title" in f"{el.get('class') or ''} {el.get('id') or ''}".lower():
            txt = clean_text(el.text_content())
            if 6 <= len(txt) <= 120 and not re.match(r"^[【\[·『<《].*[】\]·』>》]$", txt):
                second.append(txt)
                n += 1
    return first, second


def _title_positions(stream: str, titles: list[str]) -> list[tuple[int, int]]:
    """(start, end) spans of the title's occurrences in the page text.

    A prefix of the title is searched (titles in <title> often carry a suffix such as "(页 1)"),
    and the span is extended to the whole title when the whole title is there.
    """
    spans: set[tuple[int, int]] = set()
    for title in titles:
        probe = title[:14]
        if len(probe) < 6:
            continue
        start = 0
        while (i := stream.find(probe, start)) >= 0:
            end = i + len(title) if stream.startswith(title, i) else i + len(probe)
            spans.add((i, end))
            start = i + 1
    return sorted(spans)


def _label_before(stream: str, pos: int) -> str:
    """The label right before the date at ``pos``: a publication label, "时间"/"日期", "other"
    (the date is labelled as something else, e.g. 成文日期), or "" (no label)."""
    window = stream[max(0, pos - 16) : pos]
    m = _PUB_LABEL_BEFORE.search(window)
    if m:
        return m.group(1)
    m = _GENERIC_LABEL_BEFORE.search(window)
    if m:
        return m.group(1)
    if _OTHER_LABEL_BEFORE.search(window):
        return "other"
    return ""


def _strength(label: str) -> str:
    if not label or label == "other":
        return label
    if label in ("时间", "日期"):
        return "generic"
    if label in ("更新时间", "更新日期"):
        return "update"
    return "strong"


def _distance_after_title(pos: int, end: int, title_spans: list[tuple[int, int]]) -> int:
    """Characters between the nearest title occurrence and a date at [pos, end).

    A date right after a title counts from the title's end; a date that ends just before a title
    (e-paper layouts: "2022年02月13日 标题") counts as distance 10, so a date right after the
    title still wins. Large if no title is near.
    """
    best = 10**9
    for t_start, t_end in title_spans:
        if t_end <= pos + 5:
            best = min(best, max(0, pos - t_end))
        elif 0 <= t_start - end <= 3:
            best = min(best, 10)
    return best


def extract_article_date(html: str, url: str = "", today: date | None = None) -> ArticleDate:
    """Publication date of an article page (see module docstring for the order of evidence).

    ``today`` (the monitoring point), when given, discards any date after it: a future
    publication date is never reported.
    """
    meta_date, meta_raw, meta_key = _meta_date(html or "")
    if today is not None and meta_date is not None and meta_date > today:
        meta_date = None
    root = parse_html(html or "")
    cands: list[_Cand] = []
    stream = ""
    time_el = None
    if root is not None:
        body = root.find("body")
        segs = text_segments(body if body is not None else root)
        stream = normalize_digits(" ".join(t for t, _ in segs))
        first, second = _title_candidates(root, read_all_meta(html))
        spans = _title_positions(stream, first) or _title_positions(stream, second)
        cands = _candidates(stream, spans, today)
        time_el = _time_element(root, today)
        titled = bool(spans)
    else:
        titled = False

    chosen, source, why = _choose(cands, titled, stream, time_el)
    if chosen is None:
        u = date_from_url(url or "")
        if u is not None and (today is None or u.date <= today):
            chosen, source, why = u, "url", f"网址路径中的日期“{u.text}”"
    if chosen is None and meta_date is not None:
        chosen = DateToken(meta_date, 0, 0, meta_raw, True)
        source, why = "meta", f"页面无可见发布日期，取元数据 {meta_key}=“{meta_raw}”"
    if chosen is None:
        chosen, source, why = _weak_fallback(cands)
    if chosen is None:
        reason = "未找到可信的发布日期，需人工核对"
        if meta_raw:
            reason += f"（元数据 {meta_key}=“{meta_raw}”无法解析）"
        return ArticleDate(None, "", "none", 0.0, meta_date, False, reason)

    conflict = meta_date is not None and source != "meta" and meta_date != chosen.date
    confidence = _CONFIDENCE[source]
    reason = why
    if meta_date is not None and source != "meta":
        if conflict:
            confidence = max(0.3, confidence - 0.15)
            reason += f"；与元数据 {meta_key}=“{meta_raw}”不一致，以页面可见日期为准，需核对"
        else:
            confidence = min(0.98, confidence + 0.1)
            reason += f"；与元数据 {meta_key} 一致"
    if source not in ("url", "meta"):
        u = date_from_url(url or "")
        if u is not None and u.date != chosen.date:
            reason += f"；网址中的日期为 {u.date.isoformat()}"
    return ArticleDate(chosen.date, chosen.text, source, confidence, meta_date, conflict, reason)


_CONFIDENCE = {
    "visible-label": 0.85,
    "visible-time": 0.8,
    "visible-generic": 0.75,
    "byline": 0.7,
    "url": 0.6,
    "meta": 0.5,
    "near-title": 0.35,
}
# A date this far (characters of page text) after the title is not "near" it.
NEAR_TITLE = 250
LABEL_NEAR_TITLE = 2000
# A date glued to a preceding ideograph or comma is part of a sentence of the body.
_SENTENCE_BEFORE = re.compile(r"[\u4e00-\u9fff，、。；,;]")
_COMMENT_CONTEXT = re.compile(r"发表人|评论人|回复人|网友[:：]|网友评论|回复于|跟帖|#\s*re:|\bre:")


def _candidates(stream: str, spans: list[tuple[int, int]], today: date | None) -> list[_Cand]:
    """Every full date in the page text with its label and distance from the title."""

    def short(tok_start: int, tok_end: int, timed: bool) -> bool:
        # "他于2009年5月14日逝世", "无效，2009年5月14日": glued to a sentence.
        before = stream[tok_start - 1 : tok_start]
        after = stream[tok_end : tok_end + 1]
        if before == "于" and timed:  # "本贴由某某于2005年8月12日16:12:21发表"
            return True
        return not (_SENTENCE_BEFORE.match(before) or after in ("，", "、", "。", "；", ",", ";"))

    cands: list[_Cand] = []
    for tok in find_dates(stream):
        if today is not None and tok.date > today:
            continue
        if _TODAY_WORDS.search(stream[max(0, tok.start - 8) : tok.start]):
            continue  # "今天是2026年11月23日" in the page header
        label = _label_before(stream, tok.start)
        if _RANGE_AFTER.match(stream, tok.end):
            label = "other"
        dist = _distance_after_title(tok.start, tok.end, spans)
        comment = _in_comment(stream, tok.start, label)
        cands.append(
            _Cand(tok, tok.start, label, dist, comment, short(tok.start, tok.end, bool(tok.time)))
        )
    for m in re.finditer(r"(发布日期|发布时间|发表时间|发布|日期)\s*[:：]", stream):
        us = _US_DATE.match(stream, m.end())
        if us:
            a, b, y = int(us[1]), int(us[2]), int(us[3])
            d = make_date(y, a, b) if b > 12 else make_date(y, b, a) if a > 12 else None
            if d is not None and (today is None or d <= today):
                tok = DateToken(d, us.start(), us.end(), us.group(0).strip(), True)
                dist = _distance_after_title(tok.start, tok.end, spans)
                cands.append(_Cand(tok, tok.start, m.group(1), dist, False, True))
    return cands


def _in_comment(stream: str, pos: int, label: str) -> bool:
    """Dates in a comment thread ("发表人：… 发表时间：…", "# re: …") are not the article's."""
    back = stream[max(0, pos - 60 - len(label)) : pos]
    return bool(_COMMENT_CONTEXT.search(back))


def _time_element(root, today: date | None) -> DateToken | None:
    """``<time pubdate datetime=…>`` or an element with itemprop=datePublished."""
    for el in iter_elements(root):
        if el.tag == "time" and (el.get("pubdate") is not None or el.get("itemprop")):
            value = el.get("datetime") or el.text_content()
        elif (el.get("itemprop") or "").lower() == "datepublished" and el.tag != "meta":
            value = el.get("datetime") or el.get("content") or el.text_content()
        else:
            continue
        toks = find_dates(value or "")
        if toks and (today is None or toks[0].date <= today):
            return toks[0]
    return None


def _choose(cands: list[_Cand], titled: bool, stream: str, time_el: DateToken | None):
    """Pick the visible date: labelled first, then <time>, generic label, byline.

    When the title was located, labels must be within LABEL_NEAR_TITLE characters after it (a
    "发表时间" in a comment thread further down is someone else's date).
    """

    def key(c: _Cand) -> tuple[int, int]:
        return (c.dist, c.pos)

    usable = [c for c in cands if not c.comment and c.label != "other"]
    strong = [c for c in usable if _strength(c.label) == "strong"]
    if titled:
        strong = [c for c in strong if c.dist <= LABEL_NEAR_TITLE]
    if strong:
        best = min(strong, key=key)
        others = {c.token.date for c in strong} - {best.token.date}
        why = f"读取页面标签“{best.label}：{best.token.text}”"
        if others:
            why += f"（页面另有发布标签日期 {', '.join(sorted(d.isoformat() for d in others))}）"
        return best.token, "visible-label", why
    if time_el is not None:
        return time_el, "visible-time", f"读取 <time> 元素“{time_el.text}”"
    generic = [c for c in usable if _strength(c.label) in ("generic", "update")]
    if titled:
        generic = [c for c in generic if c.dist <= 600]
    if generic:
        best = min(generic, key=key)
        return best.token, "visible-generic", f"读取页面标签“{best.label}：{best.token.text}”"
    by = []
    for c in usable:
        if c.dist > NEAR_TITLE or not c.short:
            continue
        around = stream[max(0, c.pos - 40) : c.token.end + 40]
        if c.token.time or _BYLINE_WORDS.search(around) or c.dist <= 10:
            by.append(c)
    if by:
        best = min(by, key=key)
        return best.token, "byline", f"读取标题旁的日期“{best.token.text}”（无标签）"
    return None, "", ""


def _weak_fallback(cands: list[_Cand]):
    """Last resort, low confidence: the first date after the title."""
    usable = [c for c in cands if not c.comment and c.short and c.label != "other"]
    after = [c for c in usable if c.dist <= 1000]
    if after:
        best = min(after, key=lambda c: (c.dist, c.pos))
        return best.token, "near-title", f"无发布日期标签，取标题后第一个日期“{best.token.text}”"
    return None, "", ""
