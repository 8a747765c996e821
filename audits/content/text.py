"""The visible text of a page, as a reader sees it: what the dictionaries are matched against."""

from __future__ import annotations

import re

import lxml.etree

from audits.content.styles import own_hiding, page_rules
from audits.extract._html import parse_html

# --- visible text --------------------------------------------------------------------------------

_NOT_TEXT = frozenset({"script", "style", "noscript", "template", "head", "select", "textarea"})
# fmt: off
_BLOCK = frozenset({
    "address", "article", "aside", "blockquote", "br", "caption", "center", "dd", "div", "dl",
    "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6",
    "header", "hr", "li", "main", "nav", "ol", "option", "p", "pre", "section", "table", "tbody",
    "td", "tfoot", "th", "thead", "title", "tr", "ul",
})
# fmt: on


def _as_text(html: str | bytes) -> str:
    if isinstance(html, bytes):
        try:
            return html.decode("utf-8")
        except UnicodeDecodeError:
            return html.decode("gb18030", errors="replace")
    return html


def page_text(html: str | bytes, *, include_title: bool = True) -> str:
    """What a visitor reads: the body's text, one line per block, without scripts, styles and
    elements hidden by style, attribute or a page <style> rule (those are examined by
    ``find_hidden_links`` instead). The <title> comes first unless ``include_title`` is False:
    a replaced title is the usual sign of a tampered page."""
    root = parse_html(_as_text(html))
    if root is None:
        return ""
    css = page_rules(root)
    parts: list[str] = []
    if include_title:
        title = root.find(".//title")
        if title is not None and title.text_content().strip():
            parts += [title.text_content(), "\n"]
    body = root.find("body")
    # lxml's iterwalk does the walk in C; a skipped subtree still reports its own "end".
    walker = lxml.etree.iterwalk(
        body if body is not None else root, events=("start", "end", "comment", "pi")
    )
    skipped = None
    for event, el in walker:
        if event == "start":
            tag = el.tag.lower()
            if tag in _NOT_TEXT or own_hiding(el, css) is not None:
                skipped = el
                walker.skip_subtree()
                continue
            if tag in _BLOCK:
                parts.append("\n")
            if el.text:
                parts.append(el.text)
            continue
        if event == "end":
            if el is skipped:
                skipped = None
            elif el.tag.lower() in _BLOCK:
                parts.append("\n")
        if el.tail:  # an element's, a comment's or a processing instruction's
            parts.append(el.tail)
    lines = (_WS_INLINE.sub(" ", line).strip() for line in "".join(parts).split("\n"))
    return "\n".join(line for line in lines if line)


_WS_INLINE = re.compile(r"[ \t\r\f\v\u00a0\u3000\u200b\ufeff]+")


def head_text(html: str | bytes) -> str:
    """Title, meta keywords and meta description: where SEO hijacking puts its words."""
    root = parse_html(_as_text(html))
    if root is None:
        return ""
    parts = []
    title = root.find(".//title")
    if title is not None:
        parts.append(title.text_content().strip())
    for meta in root.iter("meta"):
        if (meta.get("name") or "").lower() in ("keywords", "description"):
            parts.append((meta.get("content") or "").strip())
    return "\n".join(p for p in parts if p)
