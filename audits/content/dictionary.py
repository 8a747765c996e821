"""The content scan's dictionaries and the scan itself: typos, sensitive, gambling and
pornographic words, leaders' names and titles, an allow-list. One Aho-Corasick pass
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
from pathlib import Path

import ahocorasick

DATA_DIR = Path(__file__).resolve().parent.parent / "data"

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
