"""Content scan of list and article pages: dictionary words and hidden links (暗链).

The package holds three concerns: `dictionary` (word lists, the matcher, the scan), `text`
(the visible text of a page), `hidden_links` (暗链); `io` imports dictionaries into the
database and loads them for a scan. The public names are re-exported here.

W-V1 (国办秘函〔2019〕19号, 单项否决) lists 严重表述错误, 色情 content or links, and attacks such as
内容被篡改 and 暗链. What this module finds are *candidates*: a hit counts towards W-V1 only after a
person has confirmed it. So every hit carries the words around it (``context``) and every hidden
link says in Chinese why it is considered hidden (``why``).

Everything here is pure: the dictionaries come in as plain dataclasses (``io`` reads
them from the database), pages come in as decoded text. Matching is one Aho-Corasick pass
(pyahocorasick) over the text, whatever the size of the dictionaries.

Rules of the scan, chosen for precision (a false accusation against a unit is worse than a miss):

- a hit that lies inside an occurrence of an allow-listed word is dropped (typo 即然 inside an
  allowed 立即然后; gambling word 亚博 inside 南亚博览会);
- overlapping hits: the longest wins (澳门新葡京 rather than 葡京), then the earlier one;
- ASCII letters match case-insensitively and full-width ASCII matches half-width, without changing
  offsets (the folding is one character for one character).
"""

from audits.content.dictionary import (
    ALLOW,
    CONTEXT_CHARS,
    DATA_DIR,
    GAMBLING,
    KIND_LABELS,
    LEADER,
    PORN,
    SEED_FILES,
    SENSITIVE,
    TYPO,
    Entry,
    Hit,
    LeaderEntry,
    Matcher,
    build_matcher,
    fold,
    parse_word_line,
    scan_text,
    seed_entries,
)
from audits.content.hidden_links import HiddenLink, find_hidden_links
from audits.content.text import head_text, page_text

__all__ = [
    "ALLOW",
    "CONTEXT_CHARS",
    "DATA_DIR",
    "GAMBLING",
    "KIND_LABELS",
    "LEADER",
    "PORN",
    "SEED_FILES",
    "SENSITIVE",
    "TYPO",
    "Entry",
    "HiddenLink",
    "Hit",
    "LeaderEntry",
    "Matcher",
    "build_matcher",
    "find_hidden_links",
    "fold",
    "head_text",
    "page_text",
    "parse_word_line",
    "scan_text",
    "seed_entries",
]
