"""Small HTML helpers shared by the extractors (parsing, visible text, class names).

Kept private: the public functions take and return plain strings, dates and dataclasses.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import lxml.etree
import lxml.html

# Subtrees whose text is never shown as page content.
SKIP_TAGS = frozenset(
    {"script", "style", "noscript", "template", "head", "title", "select", "option", "textarea"}
)

_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)
_WS = re.compile(r"[\s\u00a0\u3000\u200b\ufeff]+")


def parse_html(html: str) -> lxml.html.HtmlElement | None:
    """Parse a decoded page; None for an empty or unparsable document.

    lxml refuses a ``str`` that still carries an XML encoding declaration, so it is removed first
    (the text is already decoded).
    """
    if not html or not html.strip():
        return None
    html = _XML_DECL.sub("", html, count=1)
    try:
        return lxml.html.document_fromstring(html)
    except (lxml.etree.ParserError, ValueError):
        return None


def parse_fragment(html: str) -> lxml.html.HtmlElement | None:
    """Parse an HTML fragment (a CDATA record, a JSON field) into one wrapping element."""
    if not html or not html.strip():
        return None
    try:
        return lxml.html.fragment_fromstring(html, create_parent="div")
    except (lxml.etree.ParserError, ValueError):
        return None


def clean_text(text: str | None) -> str:
    """Collapse all kinds of whitespace (including nbsp and ideographic space) to one space."""
    if not text:
        return ""
    return _WS.sub(" ", text).strip()


def is_element(node) -> bool:
    return isinstance(node.tag, str)


def is_hidden(el) -> bool:
    """Hidden by inline style or attribute: such text is not what a visitor reads."""
    style = (el.get("style") or "").replace(" ", "").lower()
    return "display:none" in style or "visibility:hidden" in style or el.get("hidden") is not None


def text_segments(root, skip_hidden: bool = True) -> list[tuple[str, object]]:
    """Visible text nodes in document order as (cleaned text, element that holds it).

    Each text node stays a separate segment, so element boundaries are kept: "2023-01" in one span
    and "04" in the next are two segments. Iterative, so deep nesting cannot hit the recursion limit.
    """
    out: list[tuple[str, object]] = []
    stack: list[tuple[object, bool]] = [(root, False)]
    while stack:
        el, done = stack.pop()
        if done:
            tail = clean_text(el.tail)
            if tail and el.getparent() is not None:
                out.append((tail, el.getparent()))
            continue
        if el is not root:
            stack.append((el, True))
        if not is_element(el):
            continue
        tag = el.tag.lower() if isinstance(el.tag, str) else ""
        if tag in SKIP_TAGS or (skip_hidden and is_hidden(el)):
            continue
        text = clean_text(el.text)
        if text:
            out.append((text, el))
        for child in reversed(el):
            stack.append((child, False))
    return out


def iter_elements(root) -> Iterator:
    """All elements under root (not comments or processing instructions)."""
    for el in root.iter():
        if is_element(el):
            yield el


def class_id(el) -> str:
    """Lower-cased id and class of an element, for matching words such as 'hot' or 'side'."""
    return f"{el.get('id') or ''} {el.get('class') or ''}".lower()


def element_text(el) -> str:
    """Visible text of one element, segments joined by single spaces."""
    return " ".join(t for t, _ in text_segments(el))
