"""A circular as HTML (browser preview) and as PDF: the project's only WeasyPrint caller.

The layout is GB/T 9704-2012's, in ``static/notices/circular.css``; the same HTML and CSS serve
the preview and the PDF. Before rendering, every font-family list in that stylesheet must have
at least one named family that fontconfig really has, and while rendering any character that no
installed font can draw stops the render (`MissingGlyphs`) instead of printing a .notdef box.
"""

from __future__ import annotations

import functools
import logging
import math
import re
import subprocess
import threading
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from notices.document import Annex, CircularDocument

ROOT = Path(__file__).resolve().parent.parent
CSS_STATIC_PATH = "notices/circular.css"  # for {% static %}
CSS_FILE = ROOT / "static" / CSS_STATIC_PATH
TEMPLATE = "notices/pdf/circular.html"
# Named destination (an element id) at the centre of the issuer and date block: signing.py puts
# the seal there [7.3.5.1].
SEAL_ANCHOR = "govwatch-seal"

TYPE_AREA_WIDTH_PT = 156 / 25.4 * 72  # 442.2pt [5.2.1]
OFFICE_MAX_PT = 40.0  # the header's size is the office's choice, within the type area [7.2.4]
TITLE_PT = 22.0  # 2号 [7.3.1]
GENERIC_FAMILIES = {"serif", "sans-serif", "monospace", "cursive", "fantasy", "system-ui"}

# WeasyPrint's progress lines ("Step 5 - Creating layout - Page 3") are not worth a log line each.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

_LEVEL2 = re.compile(r"^[（(][一二三四五六七八九十百]+[）)]")


class FontsMissing(RuntimeError):
    """A font-family list of the stylesheet has no installed family."""


class MissingGlyphs(RuntimeError):
    """Some characters have no glyph in any installed font (they would print as boxes)."""

    def __init__(self, chars: Iterable[str]):
        self.chars = tuple(dict.fromkeys(chars))
        shown = "、".join(f"“{c}”(U+{ord(c):04X})" for c in self.chars[:10])
        super().__init__(f"已安装的字体中没有这些字符的字形，打印出来会是方框：{shown}")


# ----- fonts ---------------------------------------------------------------------------------


def stylesheet() -> str:
    return CSS_FILE.read_text(encoding="utf-8")


def font_lists(css: str) -> list[tuple[str, ...]]:
    """Every distinct font-family list declared in `css`, in order."""
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    found: dict[tuple[str, ...], None] = {}
    for value in re.findall(r"font-family\s*:\s*([^;}]+)", css):
        names = tuple(n.strip().strip("\"'") for n in value.split(",") if n.strip())
        found[names] = None
    return list(found)


@functools.cache
def installed_families() -> frozenset[str]:
    """Family names fontconfig knows (all their localised names), case-folded."""
    try:
        out = subprocess.run(
            ["fc-list", "--format", "%{family}\n"],
            capture_output=True,
            text=True,
            check=True,
            timeout=30,
        ).stdout
    except (OSError, subprocess.SubprocessError) as exc:
        raise FontsMissing(f"无法运行 fc-list 查询已安装字体：{exc}") from exc
    names = {name.strip().casefold() for line in out.splitlines() for name in line.split(",")}
    return frozenset(n for n in names if n)


def check_fonts(css: str | None = None) -> dict[tuple[str, ...], str]:
    """For each font list of the stylesheet, the first installed family; FontsMissing if a list
    would fall through to a generic family (fontconfig would pick an arbitrary face)."""
    have = installed_families()
    chosen, missing = {}, []
    for names in font_lists(stylesheet() if css is None else css):
        named = [n for n in names if n.casefold() not in GENERIC_FAMILIES]
        first = next((n for n in named if n.casefold() in have), None)
        if first is None:
            missing.append(" / ".join(named))
        else:
            chosen[names] = first
    if missing:
        raise FontsMissing(
            "缺少通报排版所需字体（请安装 fonts-noto-cjk，或单位授权的仿宋、黑体、小标宋字体）："
            + "；".join(missing)
        )
    return chosen


# ----- the view model --------------------------------------------------------------------------


@dataclass(frozen=True)
class _Paragraph:
    lead: str  # run-in second-level heading, "" if none
    text: str
    only: bool = False  # the paragraph is only a heading


def _paragraph(text: str) -> _Paragraph:
    """Second-level headings "（一）…" run in up to their first 。 [7.3.3]."""
    text = text.strip()
    if not _LEVEL2.match(text):
        return _Paragraph("", text)
    end = text.find("。")
    if end < 0:
        return _Paragraph(text, "", only=True)
    return _Paragraph(text[: end + 1], text[end + 1 :], only=end + 1 == len(text))


def _width(text: str) -> float:
    """Printed width in ems: full-width characters 1, others about half."""
    return sum(1.0 if unicodedata.east_asian_width(c) in "WF" else 0.55 for c in text)


def office_size(header: str) -> float:
    """The header's font size in pt: as large as 40pt but no wider than the type area [7.2.4]."""
    width = max(_width(header), 1.0)
    return round(min(OFFICE_MAX_PT, TYPE_AREA_WIDTH_PT * 0.96 / width), 1)


_NO_LINE_START = set("，。、；：？！）》〕】”’·…—的")
_NO_LINE_END = set("（《〔【“‘第")


def title_lines(title: str, per_line: int | None = None) -> list[str]:
    """Split a long title into lines no wider than the type area, shortest line first, so the
    block is a trapezoid [7.3.1]; an explicit newline in the title wins. Breaks avoid splitting
    numbers and words in Latin script and closing punctuation at the start of a line."""
    if "\n" in title:
        return [line.strip() for line in title.splitlines() if line.strip()]
    per_line = per_line or int(TYPE_AREA_WIDTH_PT // TITLE_PT)  # 20 characters of 2号
    if _width(title) <= per_line:
        return [title]
    n = math.ceil(_width(title) / per_line)
    lines, rest = [], title
    for remaining in range(n, 1, -1):
        target = _width(rest) / remaining
        best, best_cost = None, math.inf
        for k in range(1, len(rest)):
            head, tail = rest[:k], rest[k:]
            w = _width(head)
            if w > per_line:
                break
            cost = abs(w - target) + (0.5 if w > target else 0.0)  # top line shorter
            if tail[0] in _NO_LINE_START or head[-1] in _NO_LINE_END:
                cost += 6
            if (
                head[-1].isascii()
                and head[-1].isalnum()
                and tail[0].isascii()
                and tail[0].isalnum()
            ):
                cost += 8
            if cost < best_cost:
                best, best_cost = k, cost
        if best is None:  # pragma: no cover - a single character wider than a line
            best = 1
        lines.append(rest[:best])
        rest = rest[best:]
    lines.append(rest)
    return lines


def _is_url_column(label: str, cells: list[str]) -> bool:
    if any(word in label for word in ("网址", "链接", "URL", "url")):
        return True
    filled = [c for c in cells if c and c != "/"]
    urls = sum(c.startswith(("http://", "https://")) for c in filled)
    return bool(filled) and urls * 2 > len(filled)


# Annex tables are set in 12pt: the type area holds 36.8 ems portrait, 53.1 landscape [5.2.1, 8].
TABLE_PT = 12.0
CELL_PADDING_EM = 0.7  # 2 x 1.2 mm of padding plus the rules
SHORT_CELL_EM = 6.0  # columns whose cells are all this short are centred and never wrap


def _longest_word(text: str) -> float:
    """Width of the longest run that must not break (Latin words, numbers, dates)."""
    return max((_width(w) for w in re.findall(r"[\x21-\x7e]+", text)), default=0.0)


def _column_widths(
    columns: tuple[str, ...], by_column: list[list[str]], classes: list[str], given, landscape
) -> list[float]:
    """Column widths in percent of the table. Each column gets at least what it needs not to
    break a date, a number or a short result; the rest goes by the given relative widths, or
    else by how much text the column holds (its 90th percentile)."""
    available = (225 if landscape else 156) / 25.4 * 72 / TABLE_PT
    minimum, natural = [], []
    for label, cells, kind in zip(columns, by_column, classes, strict=True):
        header = _width(label)
        sizes = sorted(_width(c) for c in cells) or [0.0]
        p90 = sizes[min(len(sizes) - 1, int(len(sizes) * 0.9))]
        # A header may wrap onto up to three lines of at least two characters.
        least = header / min(3, math.ceil(header / 2)) if header else 1.0
        if kind == "url":
            p90 *= 10.5 / TABLE_PT
            least = max(least, min(p90, 9.5))
        elif kind == "center":
            least = max(least, sizes[-1])
        else:
            least = max(least, min(max(_longest_word(c) for c in cells) if cells else 0, 12))
        minimum.append(least + CELL_PADDING_EM)
        natural.append(max(p90, least, min(header, 4.0)) + CELL_PADDING_EM)
    if given:
        total = sum(given)
        wanted = [available * g / total for g in given]
    elif sum(natural) <= available:
        wanted = [available * n / sum(natural) for n in natural]
    else:
        spare = available - sum(minimum)
        extra = [n - m for n, m in zip(natural, minimum, strict=True)]
        wanted = [
            m + max(spare, 0) * e / (sum(extra) or 1) for m, e in zip(minimum, extra, strict=True)
        ]
    # Raise the columns below their minimum, taking the room from the others in proportion.
    widths = list(wanted)
    for _ in range(len(widths)):
        short = [i for i, w in enumerate(widths) if w < minimum[i] - 1e-9]
        if not short:
            break
        need = sum(minimum[i] - widths[i] for i in short)
        donors = {i: widths[i] - minimum[i] for i in range(len(widths)) if i not in short}
        room = sum(v for v in donors.values() if v > 0)
        for i in short:
            widths[i] = minimum[i]
        if room <= 0:
            break
        take = min(need, room)
        for i, v in donors.items():
            if v > 0:
                widths[i] -= take * v / room
    total = sum(widths)
    return [100 * w / total for w in widths]


def _header_lines(label: str, room_em: float) -> list[str]:
    """A header label that does not fit its column, split into even lines ("检查" / "结果"
    rather than "检查结" / "果")."""
    width = _width(label)
    if width <= room_em + 0.05 or len(label) < 2 or not label.strip():
        return [label]
    lines = min(len(label), math.ceil(width / max(room_em, 1.0)))
    size = math.ceil(len(label) / lines)
    return [label[i : i + size] for i in range(0, len(label), size)]


# A row of more lines than this may continue on the next page: kept whole, a row of a dozen
# lines and the next one left most of a landscape page empty (a 40-site annex took 22 pages).
LONG_ROW_LINES = 6


def _annex_view(annex: Annex) -> dict:
    columns = annex.columns
    by_column = [[row[i] for row in annex.rows] for i in range(len(columns))]
    classes = []
    for label, cells in zip(columns, by_column, strict=True):
        if _is_url_column(label, cells):
            classes.append("url")
        elif label == "序号" or (cells and max(_width(c) for c in cells) <= SHORT_CELL_EM):
            classes.append("center")
        else:
            classes.append("")
    widths = _column_widths(columns, by_column, classes, annex.widths, annex.landscape)
    available = (225 if annex.landscape else 156) / 25.4 * 72 / TABLE_PT
    headers = [
        _header_lines(label, available * w / 100 - CELL_PADDING_EM)
        for label, w in zip(columns, widths, strict=True)
    ]
    rooms = [max(available * w / 100 - CELL_PADDING_EM, 1.0) for w in widths]
    rows = [
        {
            "cells": list(zip(row, classes, strict=True)),
            "long": max(math.ceil(_width(c) / r) for c, r in zip(row, rooms, strict=True))
            > LONG_ROW_LINES,
        }
        for row in annex.rows
    ]
    return {
        "number": annex.number,
        "label": annex.label,
        "title": annex.title,
        "note": annex.note,
        "landscape": annex.landscape,
        "columns": columns,
        "headers": headers,
        "widths": [f"{w:.2f}" for w in widths],
        "rows": rows,
    }


def _context(doc: CircularDocument) -> dict:
    return {
        "doc": doc,
        "office_size": office_size(doc.office_header),
        "title_lines": title_lines(doc.title),
        "preamble": [_paragraph(p) for p in doc.preamble],
        "sections": [
            {"heading": s.heading, "paragraphs": [_paragraph(p) for p in s.paragraphs]}
            for s in doc.sections
        ],
        "annexes": [_annex_view(a) for a in doc.annexes],
        "seal_anchor": SEAL_ANCHOR,
        "css_path": CSS_STATIC_PATH,
    }


# ----- HTML ----------------------------------------------------------------------------------


def render_html(doc: CircularDocument, *, embed_css: bool = True) -> str:
    """The whole circular as one HTML document (``<html lang="zh-CN">``), for the preview and the
    PDF. With ``embed_css=False`` the stylesheet is linked through ``{% static %}`` instead."""
    context = _context(doc) | {"fragment": False, "css": stylesheet() if embed_css else ""}
    return render_to_string(TEMPLATE, context)


def render_body(doc: CircularDocument) -> SafeString:
    """The circular's ``<article class="circular">`` alone, to embed in a page that links
    ``static/notices/circular.css`` (the published circular's HTML page)."""
    return mark_safe(render_to_string(TEMPLATE, _context(doc) | {"fragment": True, "css": ""}))


# ----- PDF -----------------------------------------------------------------------------------


class _NotdefCollector(logging.Handler):
    """Collects WeasyPrint's ".notdef glyph rendered" warnings of one thread."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.thread = threading.get_ident()
        self.chars: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.thread != self.thread or not str(record.msg).startswith(".notdef glyph"):
            return
        args = record.args if isinstance(record.args, tuple) else ()
        if len(args) >= 2 and isinstance(args[1], int):
            self.chars.append(chr(args[1]))
        else:  # pragma: no cover - another message layout
            self.chars.append("\ufffd")


def _fetcher():
    """Resources only from the stylesheet directory or data: URLs; never the network."""
    from weasyprint import URLFetcher

    static_root = (ROOT / "static").resolve()

    class LocalFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            if url.startswith("data:"):
                return super().fetch(url, headers)
            if url.startswith("file://"):
                from urllib.parse import unquote, urlsplit

                path = Path(unquote(urlsplit(url).path)).resolve()
                if path.is_relative_to(static_root):
                    return super().fetch(url, headers)
            raise ValueError(f"通报排版不读取外部资源：{url}")

    return LocalFetcher(allowed_protocols=("data", "file"), timeout=5)


def html_to_pdf(html: str, *, strict_glyphs: bool = True) -> bytes:
    """HTML -> PDF with WeasyPrint (fonts subset and embedded). With `strict_glyphs` (the
    default) a character no installed font has raises MissingGlyphs."""
    import weasyprint

    check_fonts()
    collector = _NotdefCollector()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(collector)
    try:
        pdf = weasyprint.HTML(
            string=html, base_url=str(ROOT / "static") + "/", url_fetcher=_fetcher()
        ).write_pdf()
    finally:
        logger.removeHandler(collector)
    if strict_glyphs and collector.chars:
        raise MissingGlyphs(collector.chars)
    return pdf


def render_pdf(doc: CircularDocument) -> bytes:
    """The circular as a PDF laid out after GB/T 9704-2012 (not yet signed)."""
    return html_to_pdf(render_html(doc, embed_css=True))


def pdf_text(pdf: bytes, *, layout: bool = False) -> str:
    """The PDF's text by pdftotext (poppler-utils); pages are separated by form feeds."""
    args = ["pdftotext", "-enc", "UTF-8"] + (["-layout"] if layout else []) + ["-", "-"]
    return subprocess.run(
        args, input=pdf, capture_output=True, check=True, timeout=120
    ).stdout.decode("utf-8")
