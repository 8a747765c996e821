"""Page-level signals for list pages: empty-column phrases, JavaScript-filled lists and their
endpoints, relative times, pagination (used by :mod:`.listpage`)."""

from __future__ import annotations

import re

from ._blocks import _describe, _in_noise_region, _resolve
from ._html import PageText, class_id, clean_text, iter_elements, text_segments

_LIST_WORDS = re.compile(r"list|lb|news|article|xxgk|wz|column|info")
_EMPTY_MARKERS = re.compile(
    r"暂无信息|暂无数据|暂无内容|暂无记录|暂无相关|暂无文章|暂无新闻|暂无公告|没有记录|没有数据|"
    r"没有相关|没有找到|无记录|查询结果为空|无相关信息|共\s*0\s*条|共\s*0\s*页|记录数[:：]?\s*0(?!\d)|"
    r"共有\s*0\s*条"
)
_RELATIVE = re.compile(r"^(\d+\s*(秒|分钟|小时|天)前|刚刚|今天\s*\d|昨天|前天)")
_JS_LIST_HINTS = re.compile(
    r"\$\.ajax|\$\.get\b|\$\.post\b|\$\.getJSON|jQuery\.ajax|fetch\s*\(|XMLHttpRequest|axios\.|"
    r"\.load\s*\(|ajaxList|new Vue|layui\.|laypage|template\s*\(|\.render\s*\("
)
_ENDPOINT_PATTERNS = (
    re.compile(r"""\burl\s*:\s*['"]([^'"\s]+)['"]"""),
    re.compile(r"""\$\.(?:get|post|getJSON|ajax)\s*\(\s*['"]([^'"\s]+)['"]"""),
    re.compile(r"""fetch\s*\(\s*['"]([^'"\s]+)['"]"""),
    re.compile(r"""axios(?:\.get|\.post)?\s*\(\s*['"]([^'"\s]+)['"]"""),
    re.compile(r"""\.open\s*\(\s*['"](?:GET|POST)['"]\s*,\s*['"]([^'"\s]+)['"]""", re.I),
    re.compile(r"""\.load\s*\(\s*['"]([^'"\s]+)['"]"""),
    re.compile(r"""ajaxList\s*\(\s*['"]([^'"\s]+)['"]"""),
)
_ENDPOINT_WORDS = re.compile(
    r"json|api|list|query|search|page|data|\.do\b|\.action|\.jsp|\.ashx|\.aspx|servlet|interface",
    re.I,
)
_ENDPOINT_NOISE = re.compile(
    r"count|visit|click|hits|stat|weather|login|logout|user|captcha|verify|share|track|log\b", re.I
)
_HTML_FILE = re.compile(r"\.s?html?(?:\?|$)", re.I)
_NOT_ENDPOINT = re.compile(r"\.(?:js|css|png|jpe?g|gif|svg|ico|woff2?|ttf|html?)(?:\?|$)", re.I)
_NEXT_TEXT = re.compile(r"^(下一页|下页|后页|下一页\s*[>›»]+|next|Next|NEXT|[>›»])$")
_CREATE_PAGE = re.compile(
    r"createPageHTML\s*\(\s*['\"]?(\w+)['\"]?\s*,\s*['\"]?(\w+)['\"]?\s*,\s*['\"]([\w-]+)['\"]\s*,"
    r"\s*['\"](\w+)['\"]"
)


def _relative_times(root, page: PageText | None = None) -> str | None:
    """A relative time ("26分钟前", "昨天 12:30") if the page shows at least three of them.

    ``page`` is the :class:`PageText` of ``root``, if one was built."""
    if root is None:
        return None
    segments = page.segments(root) if page is not None else text_segments(root)
    hits = [t for t, _ in segments if len(t) <= 12 and _RELATIVE.match(t)]
    return hits[0] if len(hits) >= 3 else None


def _empty_markers(root, page: PageText | None = None) -> tuple[list[str], list[str]]:
    """Empty-list phrases found in the page, split into (main area, header/footer/sidebar).

    ``page`` is the :class:`PageText` of ``root``, if one was built."""
    main: list[str] = []
    side: list[str] = []
    if root is None:
        return main, side
    body = root.find("body")
    scope = body if body is not None else root
    for text, holder in page.segments(scope) if page is not None else text_segments(scope):
        m = _EMPTY_MARKERS.search(text)
        if not m or len(text) > 60:
            continue
        (side if _in_noise_region(holder) else main).append(m.group(0))
    return main, side


def _inline_scripts(root) -> list[str]:
    return [
        s.text
        for s in root.iter("script")
        if s.text and "xml" not in (s.get("type") or "").lower() and not s.get("src")
    ]


_DOM_WRITES = re.compile(
    r"innerHTML|outerHTML|insertAdjacentHTML|appendChild|document\.write|createElement|"
    r"\.html\s*\(|\.append\s*\(|JSON\.parse|String\.fromCharCode|eval\s*\("
)


def _builds_dom(root) -> bool:
    """An inline script that writes into the page (innerHTML, appendChild, document.write …) or
    fetches a list: what a browser would show may differ from the HTML."""
    return _has_js_list(root) or any(_DOM_WRITES.search(s) for s in _inline_scripts(root))


def _has_js_list(root) -> bool:
    if any(_JS_LIST_HINTS.search(s) for s in _inline_scripts(root)):
        return True
    for s in root.iter("script"):
        if (s.get("type") or "").lower() in ("text/html", "text/template", "text/x-template"):
            return True
    return False


def _json_endpoint(root, url: str) -> str | None:
    """The AJAX/JSON URL an inline script plainly calls, absolute; None if unclear.

    Counters, login and weather calls are skipped; among the rest a URL naming a list wins.
    ``.load("x.html")`` fragments are accepted too (extract_list_json hands HTML to extract_list).
    """
    found: list[tuple[int, int, str]] = []
    for script in _inline_scripts(root):
        for rx in _ENDPOINT_PATTERNS:
            for m in rx.finditer(script):
                target = m.group(1)
                is_load = rx.pattern.startswith(r"\.load")
                if _NOT_ENDPOINT.search(target) and not (is_load and _HTML_FILE.search(target)):
                    continue
                if _ENDPOINT_NOISE.search(target):
                    continue
                if not (_ENDPOINT_WORDS.search(target) or is_load):
                    continue
                rank = 2 if re.search(r"list", target, re.I) else 1
                found.append((rank, -len(found), target))
    for _, _, target in sorted(found, reverse=True):
        absolute = _resolve(url, target)
        if absolute:
            return absolute
    return None


def _empty_container(root) -> str | None:
    body = root.find("body")
    for el in iter_elements(body if body is not None else root):
        if el.tag not in ("ul", "ol", "tbody"):
            continue
        if not _LIST_WORDS.search(class_id(el)) or _in_noise_region(el):
            continue
        if len(el) == 0 and not clean_text(el.text):
            return _describe(el)
    return None


def _next_page(root, html: str, url: str, page: PageText | None = None) -> str | None:
    """An obvious "next page" link, or the next TRS page from createPageHTML(total, current …).

    ``page`` is the :class:`PageText` of ``root``, if one was built (link texts are cached)."""
    for a in root.iter("a"):
        text = page.text(a) if page is not None else clean_text(a.text_content())
        text = text or clean_text(a.get("title"))
        if _NEXT_TEXT.match(text or ""):
            target = _resolve(url, a.get("href"))
            if target and target.split("#")[0] != (url or "").split("#")[0]:
                return target
    m = _CREATE_PAGE.search(html)
    if m:
        total, current = _int_or_var(m.group(1), html), _int_or_var(m.group(2), html)
        if total is not None and current is not None and current + 1 < total:
            return _resolve(url, f"{m.group(3)}_{current + 1}.{m.group(4)}")
    return None


def _int_or_var(token: str, html: str) -> int | None:
    if token.isdigit():
        return int(token)
    m = re.search(r"\b" + re.escape(token) + r"\s*=\s*['\"]?(\d+)", html)
    return int(m.group(1)) if m else None
