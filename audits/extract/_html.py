"""Small HTML helpers shared by the extractors (parsing, visible text, class names).

Kept private: the public functions take and return plain strings, dates and dataclasses.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator

import lxml.etree
import lxml.html

# Subtrees whose text is never shown as page content.
SKIP_TAGS = frozenset(
    {"script", "style", "noscript", "template", "head", "title", "select", "option", "textarea"}
)

_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)
_WS = re.compile(r"[\s\u00a0\u3000\u200b\ufeff]+")


# The last few trees parsed in this thread, keyed by the very string they came from. A page is
# read by several extractors in turn (its list, the content scan, hidden links, its links), each
# taking the text; reusing the tree saves a parse (and lxml's element lookups) each. No caller
# modifies a tree, and a thread only ever sees its own trees. Each entry also holds a memo of what
# was derived from the tree (its PageText): that keeps lxml's element proxies alive between the
# readers, so the second walk of a page does not build every proxy again (issue 12).
_PARSED = threading.local()
PARSE_CACHE_SIZE = 4

# lxml.html's own parser asks a Python class lookup (HtmlElementClassLookup) for every element
# proxy it hands out, to give forms and inputs their own classes; nothing here uses those, and
# lxml's C default lookup gives every element the same HtmlElement methods (text_content,
# iterlinks, cssselect) at about a quarter less CPU per page parsed and walked (bench_engine, issue 12).
# Shared by threads as lxml.html's default parser is.
_PARSER = lxml.html.HTMLParser()
_PARSER.set_element_class_lookup(
    lxml.etree.ElementDefaultClassLookup(
        element=lxml.html.HtmlElement,
        comment=lxml.html.HtmlComment,
        pi=lxml.html.HtmlProcessingInstruction,
        entity=lxml.html.HtmlEntity,
    )
)


def parse_html(html: str) -> lxml.html.HtmlElement | None:
    """Parse a decoded page; None for an empty or unparsable document.

    lxml refuses a ``str`` that still carries an XML encoding declaration, so it is removed first
    (the text is already decoded). The tree is shared with this thread's other readers of the
    same string (see ``_PARSED``): callers must not modify it.
    """
    if not html:
        return None
    recent = getattr(_PARSED, "recent", None)
    if recent is None:
        recent = _PARSED.recent = []
    for i, entry in enumerate(recent):
        if entry[0] is html:  # identity: the same page, not merely equal text, costs no hashing
            if i:
                recent.insert(0, recent.pop(i))
            return entry[1]
    root = _parse(html)
    recent.insert(0, (html, root, {}))
    del recent[PARSE_CACHE_SIZE:]
    return root


def tree_memo(root) -> dict:
    """What this thread's readers derived from ``root`` while it stays in the parse cache (a new,
    unkept dict for a tree that is not there: a fragment, a rendered DOM)."""
    for _text, cached, memo in getattr(_PARSED, "recent", ()):
        if cached is root:
            return memo
    return {}


def _parse(html: str) -> lxml.html.HtmlElement | None:
    if not html.strip():
        return None
    html = _XML_DECL.sub("", html, count=1)
    try:
        return lxml.html.document_fromstring(html, parser=_PARSER)
    except (lxml.etree.ParserError, ValueError):
        return None


def parse_fragment(html: str) -> lxml.html.HtmlElement | None:
    """Parse an HTML fragment (a CDATA record, a JSON field) into one wrapping element."""
    if not html or not html.strip():
        return None
    try:
        return lxml.html.fragment_fromstring(html, create_parent="div", parser=_PARSER)
    except (lxml.etree.ParserError, ValueError):
        return None


def clean_text(text: str | None) -> str:
    """Collapse all kinds of whitespace (including nbsp and ideographic space) to one space."""
    if not text:
        return ""
    if "\u200b" in text or "\ufeff" in text:  # not whitespace to str.split()
        return _WS.sub(" ", text).strip()
    return " ".join(text.split())  # same result (str.split and regex \s agree), twice as fast


def is_element(node) -> bool:
    return isinstance(node.tag, str)


def is_hidden(el) -> bool:
    """Hidden by inline style or attribute: such text is not what a visitor reads."""
    style = el.get("style")
    if style:  # most elements have none
        style = style.replace(" ", "").lower()
        if "display:none" in style or "visibility:hidden" in style:
            return True
    return el.get("hidden") is not None


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


class PageText:
    """Visible text segments and element texts of one parsed tree, computed once.

    :func:`text_segments` walks an element's whole subtree, and list extraction asks for the
    segments of nested elements over and over (an item, its title link, the item one level up …).
    Here the tree is walked once: the segments of an element are a slice of the tree's list, with
    exactly what ``text_segments(el)`` returns. Holding every element also keeps lxml's Python
    proxies alive, so later walks reuse them instead of running lxml.html's (Python) element-class
    lookup for every element again.

    Not shared between threads: :meth:`of` gives the one of a tree in this thread's parse cache.
    """

    @classmethod
    def of(cls, root) -> PageText:
        """The index of ``root``, built once while the tree stays in this thread's parse cache."""
        memo = tree_memo(root)
        page = memo.get("page_text")
        if page is None:
            page = memo["page_text"] = cls(root)
        return page

    def __init__(self, root) -> None:
        self.root = root
        self._elements = list(root.iter())  # keeps the proxies (and their identity) alive
        self._segments: list[tuple[str, object]] = []
        self._spans: dict = {}  # element -> (start, end) in self._segments
        self._texts: dict = {}
        self._index(root)

    def _index(self, root) -> None:
        """Same walk as :func:`text_segments` (root's tail excluded), recording where each
        element's own segments start and end. lxml's ``iterwalk`` does the walk in C; comments
        and processing instructions are reported too, because their tails are text of the parent.
        Elements inside a skipped or hidden subtree get no span: their own segments are computed
        on demand (they are visible when read alone)."""
        out = self._segments
        spans = self._spans
        starts: list[int] = []  # where each element being walked starts (elements nest)
        walker = lxml.etree.iterwalk(root, events=("start", "end", "comment", "pi"))
        for event, node in walker:
            if event == "start":
                starts.append(len(out))
                if node.tag.lower() in SKIP_TAGS or is_hidden(node):
                    walker.skip_subtree()  # its "end" event still comes
                else:
                    text = node.text
                    if text and (text := clean_text(text)):
                        out.append((text, node))
                continue
            if event == "end":
                spans[node] = (starts.pop(), len(out))
                if node is root:
                    break  # the root's tail is not part of it
            tail = node.tail
            if tail and (tail := clean_text(tail)):
                out.append((tail, node.getparent()))

    def segments(self, el) -> list[tuple[str, object]]:
        """``text_segments(el)`` (a new list each call)."""
        span = self._spans.get(el)
        if span is None:
            return text_segments(el)
        return self._segments[span[0] : span[1]]

    def text(self, el) -> str:
        """``clean_text(el.text_content())``, cached per element."""
        text = self._texts.get(el)
        if text is None:
            text = self._texts[el] = clean_text(el.text_content())
        return text
