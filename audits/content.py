"""Content scan of list and article pages: dictionary words and hidden links (暗链).

W-V1 (国办秘函〔2019〕19号, 单项否决) lists 严重表述错误, 色情 content or links, and attacks such as
内容被篡改 and 暗链. What this module finds are *candidates*: a hit counts towards W-V1 only after a
person has confirmed it. So every hit carries the words around it (``context``) and every hidden
link says in Chinese why it is considered hidden (``why``).

Everything here is pure: the dictionaries come in as plain dataclasses (``dictionary_io`` reads
them from the database), pages come in as decoded text. Matching is one Aho-Corasick pass
(pyahocorasick) over the text, whatever the size of the dictionaries.

Rules of the scan, chosen for precision (a false accusation against a unit is worse than a miss):

- a hit that lies inside an occurrence of an allow-listed word is dropped (typo 即然 inside an
  allowed 立即然后; gambling word 亚博 inside 南亚博览会);
- overlapping hits: the longest wins (澳门新葡京 rather than 葡京), then the earlier one;
- ASCII letters match case-insensitively and full-width ASCII matches half-width, without changing
  offsets (the folding is one character for one character).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import ahocorasick

from audits.extract._html import parse_fragment, parse_html

DATA_DIR = Path(__file__).resolve().parent / "data"

TYPO, SENSITIVE, GAMBLING, PORN, ALLOW, LEADER = (
    "typo",
    "sensitive",
    "gambling",
    "porn",
    "allow",
    "leader",
)
KIND_LABELS = {
    TYPO: "错别字",
    SENSITIVE: "敏感词",
    GAMBLING: "涉赌",
    PORN: "涉黄",
    LEADER: "领导姓名职务",
    ALLOW: "白名单",
}
CONTEXT_CHARS = 20


# --- dictionaries and hits ----------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    kind: str  # typo / sensitive / gambling / porn / allow
    word: str
    correction: str = ""
    note: str = ""


@dataclass(frozen=True)
class LeaderEntry:
    name: str
    titles: tuple[str, ...] = ()
    wrong_variants: tuple[str, ...] = ()


@dataclass(frozen=True)
class Hit:
    kind: str
    word: str  # as written on the page
    correction: str
    start: int  # offsets into the scanned text
    end: int
    context: str  # about CONTEXT_CHARS either side, the hit marked 【like this】
    note: str

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind)


@dataclass(frozen=True)
class _Payload:
    length: int
    allow: bool
    entries: tuple[tuple[str, str, str], ...]  # (kind, correction, note)


class Matcher:
    """A compiled set of dictionaries: one Aho-Corasick automaton holding the words to report and
    the allow-listed words together, so a scan is a single pass.

    The automaton works on UTF-8 bytes (spelled as a latin-1 string): pyahocorasick looks a
    node's children up one by one, and a root with thousands of different Chinese characters is
    two to three times slower than the few UTF-8 lead bytes. A match of whole UTF-8 characters
    can only start and end on character boundaries, so no false matches come of it."""

    __slots__ = ("automaton", "words", "allowed")

    def __init__(self, automaton: ahocorasick.Automaton | None, words: int, allowed: int):
        self.automaton = automaton
        self.words = words
        self.allowed = allowed

    def raw_matches(self, text: str):
        """(last byte index, payload) for every match, before any filtering (benchmarks)."""
        if self.automaton is None:
            return iter(())
        return self.automaton.iter(_as_key(fold(text)))

    def __repr__(self) -> str:
        return f"<Matcher {self.words} words, {self.allowed} allowed>"


def _as_key(text: str) -> str:
    return text.encode("utf-8", errors="surrogatepass").decode("latin-1")


# ASCII letters match case-insensitively, full-width letters and digits match half-width; one
# character for one character, so offsets in the folded text are offsets in the original. Chinese
# punctuation (also in the full-width block) is left alone.
_FOLD = {c: c + 0x20 for c in range(0x41, 0x5B)}  # A-Z
_FOLD.update({c: c - 0xFEE0 for c in range(0xFF10, 0xFF1A)})  # ０-９
_FOLD.update({c: c - 0xFEE0 + 0x20 for c in range(0xFF21, 0xFF3B)})  # Ａ-Ｚ
_FOLD.update({c: c - 0xFEE0 for c in range(0xFF41, 0xFF5B)})  # ａ-ｚ
_FOLDABLE = re.compile("[A-Z\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]+")


def fold(text: str) -> str:
    """Case- and width-fold ASCII letters and digits; everything else is left alone. Length is
    preserved. (Only the runs that need it are translated: str.translate over a whole page of
    Chinese is slower than the Aho-Corasick pass itself.)"""
    return _FOLDABLE.sub(lambda m: m.group().translate(_FOLD), text)


def leader_entries_to_words(leader: LeaderEntry) -> tuple[list[tuple[str, str, str]], list[str]]:
    """Words a leader contributes: (variant, correction, note) to report, and correct forms to
    allow. Besides the variants staff listed, a title with 副 gives two derived variants, because
    dropping or miswriting 副 before a name is the classic serious error (县长张三 for the 副县长
    张三, 付县长张三): "title+name" and "name+title" with 副 dropped or written 付. The correct
    forms are allowed, so 县长张三 inside 副县长张三 is not reported."""
    name = leader.name.strip()
    titles = tuple(t.strip() for t in leader.titles if t.strip())
    right = f"{name}（{'、'.join(titles)}）" if titles else name
    report: list[tuple[str, str, str]] = []
    allow: list[str] = []
    for variant in leader.wrong_variants:
        variant = variant.strip()
        if variant:
            report.append((variant, right, "领导姓名职务：已知错误写法"))
    if not name:
        return report, allow
    for title in titles:
        allow += [title + name, name + title]
        if "副" not in title:
            continue
        for wrong in {title.replace("副", "", 1), title.replace("副", "付")}:
            if wrong and wrong not in titles:
                note = f"领导姓名职务：{name}的职务是{title}"
                report += [(wrong + name, right, note), (name + wrong, right, note)]
    return report, allow


def build_matcher(
    entries: Iterable[Entry], leaders: Iterable[LeaderEntry] = (), allow: Iterable[str] = ()
) -> Matcher:
    """Compile dictionaries into a Matcher. Entries of kind ``allow`` join the allow-list."""
    report: dict[str, dict[str, tuple[str, str, str]]] = {}
    allowed: set[str] = set()

    def add(kind: str, word: str, correction: str, note: str) -> None:
        key = fold(word.strip())
        if key:
            report.setdefault(key, {}).setdefault(kind, (kind, correction.strip(), note.strip()))

    for entry in entries:
        if entry.kind == ALLOW:
            allowed.add(fold(entry.word.strip()))
        else:
            add(entry.kind, entry.word, entry.correction, entry.note)
    for leader in leaders:
        words, correct = leader_entries_to_words(leader)
        for word, correction, note in words:
            add(LEADER, word, correction, note)
        allowed.update(fold(w) for w in correct)
    allowed.update(fold(w.strip()) for w in allow)
    allowed.discard("")

    if not report:
        return Matcher(None, 0, len(allowed))
    automaton = ahocorasick.Automaton(ahocorasick.STORE_ANY, ahocorasick.KEY_STRING)
    for key in report.keys() | allowed:
        kinds = report.get(key, {})
        raw = _as_key(key)
        automaton.add_word(raw, _Payload(len(raw), key in allowed, tuple(kinds.values())))
    automaton.make_automaton()
    return Matcher(automaton, len(report), len(allowed))


_WS = re.compile(r"\s+")


def _context(text: str, start: int, end: int, width: int = CONTEXT_CHARS) -> str:
    before = _WS.sub(" ", text[max(0, start - width) : start])
    after = _WS.sub(" ", text[end : end + width])
    return f"{before}【{text[start:end]}】{after}"


def scan_text(text: str, matcher: Matcher) -> list[Hit]:
    """Every dictionary hit in ``text``, in text order, allow-listed and overlapped hits dropped."""
    if not text or matcher.automaton is None:
        return []
    data = fold(text).encode("utf-8", errors="surrogatepass")
    byte_spans: list[tuple[int, int, _Payload]] = []
    for last, payload in matcher.automaton.iter(data.decode("latin-1")):
        byte_spans.append((last + 1 - payload.length, last + 1, payload))
    if not any(p.entries for _, _, p in byte_spans):
        return []
    # Byte offsets to character offsets, decoding only the stretches between them.
    chars: dict[int, int] = {}
    at_byte = at_char = 0
    for offset in sorted({o for start, end, _ in byte_spans for o in (start, end)}):
        at_char += len(data[at_byte:offset].decode("utf-8", errors="surrogatepass"))
        at_byte = offset
        chars[offset] = at_char
    allow_spans: list[tuple[int, int]] = []
    spans: dict[tuple[int, int], _Payload] = {}
    for start, end, payload in byte_spans:
        span = (chars[start], chars[end])
        if payload.allow:
            allow_spans.append(span)
        if payload.entries:
            spans[span] = payload

    # Drop hits inside an allowed occurrence: sweep both by start, keeping the farthest end of
    # the allowed spans that start at or before the hit.
    if allow_spans:
        allow_spans.sort()
        kept = {}
        reach, i = -1, 0
        for span in sorted(spans):
            while i < len(allow_spans) and allow_spans[i][0] <= span[0]:
                reach = max(reach, allow_spans[i][1])
                i += 1
            if reach < span[1]:
                kept[span] = spans[span]
        spans = kept

    # Longest first, then earliest; a hit overlapping one already taken is dropped.
    taken = bytearray(len(text))
    chosen: list[tuple[int, int]] = []
    for start, end in sorted(spans, key=lambda s: (s[0] - s[1], s[0])):
        if taken.find(1, start, end) == -1:
            taken[start:end] = b"\x01" * (end - start)
            chosen.append((start, end))
    hits = []
    for start, end in sorted(chosen):
        context = _context(text, start, end)
        for kind, correction, note in spans[(start, end)].entries:
            hits.append(Hit(kind, text[start:end], correction, start, end, context, note))
    return hits


# --- dictionary seed files -----------------------------------------------------------------------


SEED_FILES = {
    "typos.tsv": TYPO,
    "typos_odw.tsv": TYPO,
    "sensitive.txt": SENSITIVE,
    "gambling.txt": GAMBLING,
    "porn.txt": PORN,
    "allow.txt": ALLOW,
}


def parse_word_line(line: str) -> tuple[str, ...] | None:
    """One line of a word list: ``word``, or up to three fields separated by TAB, or else by a
    comma (also ，): ``wrong<TAB>right<TAB>note`` for typos, ``word<TAB>note`` for the others.
    None for a blank line or a # comment."""
    line = line.strip().lstrip("\ufeff")
    if not line or line.startswith("#"):
        return None
    for sep in ("\t", ",", "，"):
        if sep in line:
            return tuple(part.strip() for part in line.split(sep, 2))
    return (line,)


def seed_entries(data_dir: Path = DATA_DIR) -> list[Entry]:
    """The dictionaries shipped in audits/data/ (used by benchmarks and tests without a DB)."""
    out = []
    for name, kind in SEED_FILES.items():
        path = data_dir / name
        if not path.exists():
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            fields = parse_word_line(line)
            if not fields:
                continue
            if kind == TYPO:
                out.append(Entry(kind, fields[0], *fields[1:3]))
            else:
                out.append(Entry(kind, fields[0], note="，".join(fields[1:])))
    return out


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
    css = _page_rules(root)
    parts: list[str] = []
    if include_title:
        title = root.find(".//title")
        if title is not None and title.text_content().strip():
            parts += [title.text_content(), "\n"]
    body = root.find("body")
    stack: list[tuple[object, bool]] = [(body if body is not None else root, False)]
    while stack:
        el, closing = stack.pop()
        if closing:
            if el.tag in _BLOCK:
                parts.append("\n")
            if el.tail:
                parts.append(el.tail)
            continue
        if not isinstance(el.tag, str):  # comment or processing instruction
            if el.tail:
                parts.append(el.tail)
            continue
        tag = el.tag.lower()
        if tag in _NOT_TEXT or _own_hiding(el, css) is not None:
            if el.tail:
                parts.append(el.tail)
            continue
        if tag in _BLOCK:
            parts.append("\n")
        if el.text:
            parts.append(el.text)
        stack.append((el, True))
        for child in reversed(el):
            stack.append((child, False))
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


# --- hidden links (暗链) ----------------------------------------------------------------------------


@dataclass(frozen=True)
class HiddenLink:
    text: str
    href: str
    why: str  # Chinese, for the person who confirms or dismisses it
    technique: str = ""  # short code: display:none, offscreen, font-size:0, marquee, ...


@dataclass(frozen=True)
class _Hiding:
    technique: str
    reason: str  # Chinese


_OFFSET = re.compile(r"^(-?\d*\.?\d+)\s*(px|pt|em|rem|%)?$")


def _length_px(value: str) -> float | None:
    m = _OFFSET.match(value.strip().removesuffix("!important").strip())
    if not m:
        return None
    number = float(m.group(1))
    unit = m.group(2) or "px"
    return number * {"px": 1, "pt": 1.33, "em": 16, "rem": 16, "%": 10}[unit]


def _declarations(style: str) -> dict[str, str]:
    out = {}
    for part in style.split(";"):
        if ":" in part:
            prop, value = part.split(":", 1)
            value = value.strip().lower().replace("!important", "").strip()
            out[prop.strip().lower()] = value
    return out


_COMMENT = re.compile(r"/\*.*?\*/", re.S)
_RULE = re.compile(r"([^{}]+)\{([^{}]*)\}")
_SIMPLE_SELECTOR = re.compile(r"^([a-z][a-z0-9]*)?((?:[#.][\w-]+)+)$", re.I)


@dataclass(frozen=True)
class _Rule:
    tag: str
    ids: frozenset[str]
    classes: frozenset[str]
    selector: str
    decls: tuple[tuple[str, str], ...]

    def matches(self, el) -> bool:
        if self.tag and el.tag.lower() != self.tag:
            return False
        if self.ids and el.get("id") not in self.ids:
            return False
        return not self.classes or self.classes <= set((el.get("class") or "").split())


_HIDING_PROPS = frozenset(
    {
        "display",
        "visibility",
        "position",
        "left",
        "top",
        "right",
        "bottom",
        "margin-left",
        "margin-top",
        "text-indent",
        "font-size",
        "height",
        "width",
        "max-height",
        "max-width",
        "overflow",
        "opacity",
        "clip",
        "color",
        "background-color",
        "background",
    }
)


def _parse_rules(css: str) -> list[_Rule]:
    """Rules with a simple selector (``.cls``, ``#id``, ``div.cls``) that set a property that can
    hide. Selectors with combinators or pseudo-classes are ignored: ``.nav li:hover ul`` is how
    menus open, and guessing about them would only add false reports."""
    rules = []
    for selectors, body in _RULE.findall(_COMMENT.sub("", css)):
        decls = {k: v for k, v in _declarations(body).items() if k in _HIDING_PROPS}
        if not decls:
            continue
        for selector in selectors.split(","):
            selector = selector.strip()
            if selector.startswith("@"):
                continue
            m = _SIMPLE_SELECTOR.match(selector)
            if not m:
                continue
            tag = (m.group(1) or "").lower()
            parts = re.findall(r"[#.][\w-]+", m.group(2))
            rules.append(
                _Rule(
                    tag,
                    frozenset(p[1:] for p in parts if p[0] == "#"),
                    frozenset(p[1:] for p in parts if p[0] == "."),
                    selector,
                    tuple(decls.items()),
                )
            )
    return rules


def _page_rules(root) -> list[_Rule]:
    rules: list[_Rule] = []
    for style in root.iter("style"):
        rules += _parse_rules(style.text_content() or "")
    return rules


def _style_of(el, rules: list[_Rule]) -> tuple[dict[str, str], dict[str, str]]:
    """Declarations that apply to el (page rules in order, then the inline style), and for each
    property the selector it came from ("" for inline)."""
    props: dict[str, str] = {}
    origin: dict[str, str] = {}
    if el.get("class") is not None or el.get("id") is not None:
        for rule in rules:
            if rule.matches(el):
                for prop, value in rule.decls:
                    props[prop], origin[prop] = value, rule.selector
    inline = el.get("style")
    if inline:
        for prop, value in _declarations(inline).items():
            props[prop], origin[prop] = value, ""
    return props, origin


def _color(value: str) -> str:
    value = value.strip().lower()
    named = {"white": "#ffffff", "black": "#000000", "red": "#ff0000", "#fff": "#ffffff"}
    value = named.get(value, value)
    if re.fullmatch(r"#[0-9a-f]{3}", value):
        value = "#" + "".join(c * 2 for c in value[1:])
    return value


def _own_hiding(el, rules: list[_Rule]) -> _Hiding | None:
    """How el itself is hidden (not its ancestors), or None."""
    if not isinstance(el.tag, str):
        return None
    props, origin = _style_of(el, rules)

    def via(*names: str) -> str:
        selectors = sorted({origin[n] for n in names if origin.get(n)})
        return f"（由页内 <style> 规则 {'、'.join(selectors)} 设置）" if selectors else ""

    if props.get("display") == "none":
        return _Hiding("display:none", "设置了 display:none（不显示）" + via("display"))
    if el.get("hidden") is not None:
        return _Hiding("hidden-attr", "带有 hidden 属性（不显示）")
    if props.get("visibility") in ("hidden", "collapse"):
        return _Hiding(
            "visibility:hidden", "设置了 visibility:hidden（不可见）" + via("visibility")
        )
    position = props.get("position")
    if position in ("absolute", "fixed"):
        for side in ("left", "top", "right", "bottom"):
            px = _length_px(props.get(side, ""))
            if px is not None and px <= -500:
                return _Hiding(
                    "offscreen",
                    f"用 position:{position}; {side}:{props[side]} 移出屏幕"
                    + via("position", side),
                )
    for side in ("margin-left", "margin-top"):
        px = _length_px(props.get(side, ""))
        if px is not None and px <= -500:
            return _Hiding("offscreen", f"用 {side}:{props[side]} 移出屏幕" + via(side))
    # Only inline: in a stylesheet, text-indent:-9999px is the image-replacement trick for logos
    # and icons, which stay visible as their background image.
    px = _length_px(props.get("text-indent", "")) if origin.get("text-indent") == "" else None
    if px is not None and px <= -500:
        return _Hiding("text-indent", f"用 text-indent:{props['text-indent']} 把文字移出可见区域")
    if props.get("overflow") in ("hidden", "clip"):
        for dim in ("height", "width", "max-height", "max-width"):
            px = _length_px(props.get(dim, ""))
            if px is not None and px <= 1:
                return _Hiding(
                    "size0",
                    f"{dim}:{props[dim]} 且 overflow:hidden（尺寸为零）" + via(dim, "overflow"),
                )
    if position in ("absolute", "fixed") and re.fullmatch(
        r"rect\(\s*0(px)?\s*,?\s*0(px)?\s*,?\s*0(px)?\s*,?\s*0(px)?\s*\)", props.get("clip", "")
    ):
        return _Hiding("clip", f"用 clip:{props['clip']} 裁剪为不可见" + via("clip"))
    opacity = props.get("opacity")
    if opacity is not None:
        try:
            if float(opacity) <= 0.05:
                return _Hiding("opacity", f"设置了 opacity:{opacity}（完全透明）" + via("opacity"))
        except ValueError:
            pass
    if el.tag.lower() == "marquee":
        return _marquee_hiding(el, props)
    return None


def _marquee_hiding(el, props: dict[str, str]) -> _Hiding | None:
    for dim in ("height", "width"):
        value = el.get(dim) or props.get(dim) or ""
        px = _length_px(value)
        if px is not None and px <= 4:
            return _Hiding("marquee", f"放在{dim}为 {value} 的极小 <marquee> 滚动框中")
    try:
        amount = int(el.get("scrollamount") or 0)
    except ValueError:
        amount = 0
    if amount >= 500:
        return _Hiding("marquee", f"<marquee> 滚动速度极快（scrollamount={amount}），看不清")
    return None


_ABSOLUTE_FONT = {"px", "pt", ""}


def _nearest(el, rules: list[_Rule], prop: str) -> str | None:
    """The value of an inherited property as the nearest ancestor-or-self sets it."""
    while el is not None:
        if isinstance(el.tag, str):
            props, _ = _style_of(el, rules)
            if prop in props:
                return props[prop]
        el = el.getparent()
    return None


def _inherited_hiding(link) -> _Hiding | None:
    """Font size 0 and text coloured like its background, inherited from an ancestor's inline
    style. Only inline styles, and only through elements without a class or id: a class lets a
    stylesheet we cannot see set the size again (font-size:0 on a <ul> is the usual trick for
    removing gaps between inline-block items, each of which sets its own size)."""
    font = color = background = None
    el = link
    while el is not None and isinstance(el.tag, str):
        props = _declarations(el.get("style") or "")
        if font is None and "font-size" in props:
            m = _OFFSET.match(props["font-size"])
            if m and ((m.group(2) or "") in _ABSOLUTE_FONT or float(m.group(1)) == 0):
                font = props["font-size"] if float(m.group(1)) <= 1 else ""
        if color is None and "color" in props:
            color = _color(props["color"])
        if background is None:
            for prop in ("background-color", "background"):
                if re.fullmatch(r"#[0-9a-f]{3,6}|[a-z]+", props.get(prop, "")):
                    background = _color(props[prop])
                    break
        if el.get("class") or el.get("id"):
            break
        el = el.getparent()
    if font:
        return _Hiding("font-size:0", f"字号为 {font}（文字看不见）")
    if color and background and color == background and color != "transparent":
        return _Hiding("color", f"文字颜色与背景色相同（{color}）")
    return None


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


def _links_home(container, page_url: str, page_host: str, trusted) -> bool:
    for a in container.iter("a"):
        href = (a.get("href") or "").strip()
        if not href or href.startswith(("#", "javascript:", "mailto:")):
            continue
        absolute = urljoin(page_url, href)
        if urlsplit(absolute).scheme in ("http", "https") and (
            _external_host(absolute, page_host, trusted) is None
        ):
            return True
    return False


def _links_in(
    root,
    page_url: str,
    page_host: str,
    rules: list[_Rule],
    trusted: frozenset[str],
    outer: _Hiding | None = None,
    prefix: str = "",
) -> list[HiddenLink]:
    found = []
    # Keyed by the element itself, which keeps its lxml proxy alive (an id() could be reused).
    own_cache: dict[object, _Hiding | None] = {}
    for a in root.iter("a"):
        href = (a.get("href") or "").strip()
        if not href:
            continue
        absolute = urljoin(page_url, href)
        host = _external_host(absolute, page_host, trusted)
        if host is None:
            continue
        hiding, holder = None, None
        el = a
        while el is not None:
            if el not in own_cache:
                own_cache[el] = _own_hiding(el, rules)
            if own_cache[el] is not None:
                hiding, holder = own_cache[el], el
                break
            el = el.getparent()
        visible_again = hiding is not None and hiding.technique == "visibility:hidden"
        if visible_again and _nearest(a, rules, "visibility") == "visible":
            hiding, holder = None, None  # a descendant may show itself again
        if hiding is not None and hiding.technique == "text-indent" and holder is a:
            hiding, holder = None, None  # image replacement: the link shows as its background
        if hiding is None:
            hiding = _inherited_hiding(a)
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
    rules = _page_rules(root)
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
            outer = _own_hiding(el, rules)
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
