"""Hidden links (暗链): links a visitor cannot see but a search engine follows, the mark of a
tampered page (国办秘函〔2019〕19号 W-V1: 内容被篡改、暗链). Each carries, in Chinese, why it is
considered hidden, for the person who confirms or dismisses it."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from audits.content.dictionary import DATA_DIR, parse_word_line
from audits.content.styles import Hiding, Rule, inherited_hiding, nearest, own_hiding, page_rules
from audits.content.text import _as_text
from audits.extract._html import parse_fragment, parse_html

_WS = re.compile(r"\s+")

# --- hidden links (暗链) ----------------------------------------------------------------------------


@dataclass(frozen=True)
class HiddenLink:
    text: str
    href: str
    why: str  # Chinese, for the person who confirms or dismisses it
    technique: str = ""  # short code: display:none, offscreen, font-size:0, marquee, ...


# --- hosts ----------------------------------------------------------------------------------------

_SECOND_LEVEL = frozenset({"com", "net", "org", "gov", "edu", "ac", "co", "mil"})


def _site_of(host: str) -> str:
    """Registrable part of a host, roughly: www.abc.gov.cn -> abc.gov.cn, a.b.com -> b.com."""
    labels = host.lower().rstrip(".").split(".")
    if all(label.isdigit() for label in labels):  # an IP address is its own site
        return host
    if len(labels) >= 3 and labels[-2] in _SECOND_LEVEL and len(labels[-1]) == 2:
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])


@cache
def trusted_hosts(path: Path = DATA_DIR / "trusted_hosts.txt") -> frozenset[str]:
    """Non-government hosts a government page links to as a matter of course (official media)."""
    if not path.exists():
        return frozenset()
    out = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        parsed = parse_word_line(line)
        if parsed:
            out.add(parsed[0].lower().lstrip("."))
    return frozenset(out)


def _is_trusted(host: str, extra: frozenset[str]) -> bool:
    host = host.lower().rstrip(".")
    if host == "gov.cn" or host.endswith(".gov.cn") or host.endswith(".政务"):
        return True
    return any(host == t or host.endswith("." + t) for t in extra)


def _external_host(href: str, page_host: str, trusted: frozenset[str]) -> str | None:
    """The host of a link that leaves the site for a non-government host, else None."""
    try:
        parts = urlsplit(href)
        host = parts.hostname or ""
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not host:
        return None
    if page_host and (host == page_host or _site_of(host) == _site_of(page_host)):
        return None
    if _is_trusted(host, trusted):
        return None
    return host


# --- document.write -------------------------------------------------------------------------------

_JS_STRING = re.compile(r"\"((?:[^\"\\\n]|\\.)*)\"|'((?:[^'\\\n]|\\.)*)'", re.S)
_JS_ESCAPE = re.compile(r"\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|.)", re.S)
_WRITE = re.compile(r"document\s*\.\s*write(?:ln)?\s*\(")
_UNESCAPE = re.compile(r"unescape\s*\(\s*$")


def _js_unescape(body: str) -> str:
    def one(m: re.Match) -> str:
        code = m.group(1)
        if code[0] in "xu" and len(code) > 1:
            return chr(int(code[1:], 16))
        return {"n": "\n", "t": "\t", "r": ""}.get(code, code)

    return _JS_ESCAPE.sub(one, body)


def _written_html(script: str) -> str:
    """The HTML an inline script writes, roughly: the string literals of a script that calls
    document.write, joined in order (covers ``document.write('<div style=...>' + '...')`` and
    the string built in a variable first). ``unescape('%3C...')`` is decoded."""
    if not _WRITE.search(script):
        return ""
    out = []
    for m in _JS_STRING.finditer(script):
        text = _js_unescape(m.group(1) if m.group(1) is not None else m.group(2))
        if _UNESCAPE.search(script[max(0, m.start() - 20) : m.start()]):
            text = unquote(text)
        out.append(text)
    html = "".join(out)
    return html if "<a" in html.lower() else ""


# --- the hidden-link finder -----------------------------------------------------------------------


def _link_text(a) -> str:
    text = _WS.sub(" ", a.text_content() or "").strip()
    if not text:
        img = a.find(".//img")
        text = (a.get("title") or (img.get("alt") if img is not None else "") or "").strip()
    return text


_ITEM_TAGS = frozenset({"li", "dd", "dt", "option"})


def _is_navigation(holder, page_url: str, page_host: str, trusted) -> bool:
    """A hidden element that also links into the site itself (or to a government site) is a
    dropdown menu, a tab or a slide, not an injected block; so is a hidden item of a list whose
    other items link into the site."""
    if _links_home(holder, page_url, page_host, trusted):
        return True
    parent = holder.getparent()
    return (
        holder.tag in _ITEM_TAGS
        and parent is not None
        and _links_home(parent, page_url, page_host, trusted)
    )


def _href(a) -> str:
    """The link's href as a browser reads it: a backslash is "/" in http(s) URLs, so that
    "/\\evil.com" leaves the site as "//evil.com" does."""
    return (a.get("href") or "").strip().replace("\\", "/")


def _links_home(container, page_url: str, page_host: str, trusted) -> bool:
    for a in container.iter("a"):
        href = _href(a)
        if not href or href.startswith(("#", "javascript:", "mailto:")):
            continue
        absolute = urljoin(page_url, href)
        if urlsplit(absolute).scheme in ("http", "https") and (
            _external_host(absolute, page_host, trusted) is None
        ):
            return True
    return False


# No scheme and no "//" authority: resolved against the page, it keeps the page's host.
_RELATIVE = re.compile(r"(?![a-zA-Z][a-zA-Z0-9+.-]*:|//)")


def _links_in(
    root,
    page_url: str,
    page_host: str,
    rules: list[Rule],
    trusted: frozenset[str],
    outer: Hiding | None = None,
    prefix: str = "",
) -> list[HiddenLink]:
    found = []
    # Keyed by the element itself, which keeps its lxml proxy alive (an id() could be reused).
    own_cache: dict[object, Hiding | None] = {}
    for a in root.iter("a"):
        href = _href(a)
        if not href or _RELATIVE.match(href):
            continue  # a relative link stays on the page's own host: never external
        absolute = urljoin(page_url, href)
        host = _external_host(absolute, page_host, trusted)
        if host is None:
            continue
        hiding, holder = None, None
        el = a
        while el is not None:
            if el not in own_cache:
                own_cache[el] = own_hiding(el, rules)
            if own_cache[el] is not None:
                hiding, holder = own_cache[el], el
                break
            el = el.getparent()
        visible_again = hiding is not None and hiding.technique == "visibility:hidden"
        if visible_again and nearest(a, rules, "visibility") == "visible":
            hiding, holder = None, None  # a descendant may show itself again
        if hiding is not None and hiding.technique == "text-indent" and holder is a:
            hiding, holder = None, None  # image replacement: the link shows as its background
        if hiding is None:
            hiding = inherited_hiding(a)
            holder = a if hiding is not None else None
        if hiding is None and outer is not None:
            hiding, holder = outer, None
        if hiding is None:
            continue
        if holder is not None and _is_navigation(holder, page_url, page_host, trusted):
            continue
        if holder is None:
            where = ""
        elif holder is a:
            where = "链接本身"
        else:
            where = f"所在的 <{holder.tag}> 元素"
        why = f"{prefix}{where}{hiding.reason}；链接指向外部网站 {host}"
        found.append(HiddenLink(_link_text(a), absolute, why, hiding.technique))
    return found


def find_hidden_links(
    html: str | bytes, page_url: str, *, trusted: Iterable[str] | None = None
) -> list[HiddenLink]:
    """Links to other, non-government hosts that a visitor cannot see (暗链).

    Hidden means: by inline style or a simple rule of a <style> in the page (display:none,
    visibility:hidden, off-screen position or margin, text-indent far to the left, font-size 0,
    zero height or width with overflow:hidden, clip, opacity 0, text colour equal to the
    background), by the ``hidden`` attribute, inside a tiny or absurdly fast <marquee>, or written
    by an inline script's document.write into such an element.

    Not reported: links to the page's own site (same registrable domain), to *.gov.cn, or to the
    hosts in audits/data/trusted_hosts.txt (official media, share and statistics widgets; or
    ``trusted``); and external links in a hidden element that also links into the site, or in a
    hidden list item whose list does — that is how dropdown menus, tabs and sliders look, and an
    injected block links only outwards. Each result is a candidate for a person to confirm.
    """
    root = parse_html(_as_text(html))
    if root is None:
        return []
    trusted_set = frozenset(t.lower() for t in trusted) if trusted is not None else trusted_hosts()
    page_host = (urlsplit(page_url).hostname or "").lower()
    rules = page_rules(root)
    found = _links_in(root, page_url, page_host, rules, trusted_set)
    for script in root.iter("script"):
        if script.get("src"):
            continue
        written = _written_html(script.text or "")
        if not written:
            continue
        fragment = parse_fragment(written)
        if fragment is None:
            continue
        outer = None
        el = script.getparent()
        while el is not None and outer is None:
            outer = own_hiding(el, rules)
            el = el.getparent()
        found += _links_in(
            fragment,
            page_url,
            page_host,
            rules,
            trusted_set,
            outer=outer,
            prefix="由内联脚本 document.write 写入：",
        )
    seen, unique = set(), []
    for link in found:
        if (link.href, link.text) not in seen:
            seen.add((link.href, link.text))
            unique.append(link)
    return unique
