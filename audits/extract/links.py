"""Links of a page: all of them (for link checks) and the navigation menu (for column discovery)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit, urlunsplit

from ._html import clean_text, is_element, iter_elements, parse_html

_SKIP_SCHEMES = re.compile(r"^\s*(javascript|mailto|tel|sms|data|about|ftp|file):", re.I)
_NAV_WORDS = re.compile(r"nav|menu|daohang|\bdh\b|lanmu|column|channel|topbar|mainnav|pindao", re.I)


@dataclass(frozen=True)
class Link:
    """Visible text (or title/alt when the link has no text) and absolute http(s) URL."""

    text: str
    url: str


def absolute_url(base: str, href: str | None) -> str | None:
    """Absolute http(s) URL without the #fragment, or None for javascript:, mailto:, "#" …"""
    href = (href or "").strip()
    if not href or href.startswith("#") or _SKIP_SCHEMES.match(href):
        return None
    try:
        parts = urlsplit(urljoin(base or "", href))
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", parts.query, ""))


def _base(root, url: str) -> str:
    base = root.find(".//base")
    if base is not None and base.get("href"):
        return urljoin(url or "", base.get("href").strip())
    return url or ""


def _link_text(a) -> str:
    text = clean_text(a.text_content())
    if not text:
        text = clean_text(a.get("title"))
    if not text:
        img = a.find(".//img")
        if img is not None:
            text = clean_text(img.get("alt") or img.get("title"))
    return text


def _collect(elements, base: str) -> list[Link]:
    seen: dict[str, int] = {}
    out: list[Link] = []
    for a in elements:
        target = absolute_url(base, a.get("href"))
        if target is None:
            continue
        text = _link_text(a)
        if target in seen:
            i = seen[target]
            if not out[i].text and text:
                out[i] = Link(text, target)
            continue
        seen[target] = len(out)
        out.append(Link(text, target))
    return out


def extract_links(html: str, url: str) -> list[Link]:
    """Every ``<a href>``/``<area href>`` as an absolute http(s) URL, in page order, deduplicated
    by URL (fragment removed); ``<base href>`` is honoured."""
    root = parse_html(html)
    if root is None:
        return []
    anchors = [el for el in iter_elements(root) if el.tag in ("a", "area") and el.get("href")]
    return _collect(anchors, _base(root, url))


def _nav_containers(root) -> list:
    """<nav> elements and elements whose id/class names a menu, outermost only."""
    found = []
    for el in iter_elements(root):
        if el.tag in ("script", "style"):
            continue
        name = f"{el.get('id') or ''} {el.get('class') or ''}"
        is_nav = el.tag == "nav" or (_NAV_WORDS.search(name) and el.tag in ("div", "ul", "td"))
        if is_nav and not any(anc in found for anc in el.iterancestors()):
            found.append(el)
    return found


def extract_nav(html: str, url: str) -> list[Link]:
    """Links of the navigation menu(s).

    Uses ``<nav>`` and elements whose id/class says nav/menu/daohang/lanmu…; when a page has none,
    falls back to the first list of at least four short links (menu items are short: ≤ 8 characters).
    """
    root = parse_html(html)
    if root is None:
        return []
    base = _base(root, url)
    containers = _nav_containers(root)
    anchors = [a for c in containers for a in c.iter("a") if a.get("href")]
    if anchors:
        return _collect(anchors, base)
    for ul in iter_elements(root):
        if ul.tag not in ("ul", "ol", "div", "tr"):
            continue
        links = [a for a in ul.iter("a") if a.get("href")]
        short = [a for a in links if 1 <= len(_link_text(a)) <= 8]
        direct = [c for c in ul if is_element(c)]
        if len(short) >= 4 and len(short) == len(links) and len(direct) <= 20:
            return _collect(short, base)
    return []
