"""Find calendar dates in text taken from Chinese government web pages.

Every date found here may end up as a finding against a unit ("column not updated since …"), so the
rules lean towards *not* finding a date rather than finding a wrong one:

* Only four-digit years from 1990 to 2099 are accepted; two-digit years ("23-01-04") are ignored.
* A token must stand on its own: no digit, ASCII letter, "/", "-" or "." right before it and no digit
  right after it. This rejects 索引号 such as ``11341722003251630P/2023-01-00012``, ICP numbers
  (``皖ICP备05001234号`` has no separators at all), phone numbers (``0563-7021234``), version
  strings and copyright year ranges (``2005-2023``).
* Both separators of a numeric date must be the same (``2023-01/04`` is not a date).
* Impossible dates (2023-02-30, month 13) are dropped, never "corrected".
* Year-less dates (``01-04``, ``[01-04]``, ``1月4日``) are only read when the caller says the text is
  a date-only fragment (a list item's date cell); in running text "1-2" or "3.5" is far too common.
  Numeric year-less dates need a two-digit month and day ("01-04", not "1-4").

Year inference (documented rule): a year-less month/day gets **the latest year such that the date is
not after the reference day** ``today``. With today = 2026-01-05, "12-28" becomes 2025-12-28 and
"01-05" becomes 2026-01-05. The rule can never produce a future date. It is wrong for a list item
that is more than a year old, which is why list pages report year-less dates in their reason and
lower their confidence.

Nothing here calls ``date.today()``: the monitoring point is always passed in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

MIN_YEAR = 1990
MAX_YEAR = 2099

# Characters that, right before a token, show the digits belong to something bigger (an index
# number, a path, another number, a version string).
_BAD_BEFORE = r"(?<![0-9A-Za-z/\\_.\-])"
_TIME = r"(?:\s*(?:T|\s)?\s*(?P<hh>[01]?\d|2[0-3])\s*[:：时]\s*(?P<mi>[0-5]\d)(?:\s*[:：分]\s*(?P<ss>[0-5]\d))?)?"

# 2023-01-04, 2023/1/4, 2023.01.04, optional time, ISO "T".
_NUMERIC = re.compile(
    _BAD_BEFORE + r"(?P<y>(?:19|20)\d{2})\s?(?P<sep>[-/.])\s?(?P<m>\d{1,2})\s?(?P=sep)\s?"
    r"(?P<d>\d{1,2})(?![0-9])" + _TIME
)
# 2023年1月4日 / 2023 年 01 月 04 日 / 2023年1月4号
_CHINESE = re.compile(
    _BAD_BEFORE + r"(?P<y>(?:19|20)\d{2})\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})"
    r"(?:\s*[日号]|(?![0-9]))" + _TIME
)
# Year-less: 01-04, 01/04, 01.04 (only in date-only fragments; month and day both two digits,
# since "3.5" or "1-2" in a cell is a number or a range far more often than a date)
_MD_NUMERIC = re.compile(
    r"(?<![0-9A-Za-z/\\_.\-])(?P<m>[01]\d)(?P<sep>[-/.])(?P<d>[0-3]\d)(?![0-9]|(?P=sep)\d)" + _TIME
)
_MD_CHINESE = re.compile(r"(?<![0-9年])(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*[日号]" + _TIME)
# Year-month only (used to join a day printed in a separate element): 2023-01, 2023.1, 2023年01月
_YEAR_MONTH = re.compile(r"^(?P<y>(?:19|20)\d{2})\s*(?:[-/.]|年)\s*(?P<m>\d{1,2})\s*月?$")
_DAY_ONLY = re.compile(r"^(?P<d>\d{1,2})\s*日?$")
_YEAR_ONLY = re.compile(r"^(?P<y>(?:19|20)\d{2})\s*年?$")
_MONTH_DAY_ONLY = re.compile(r"^(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})\s*日?$")
_MONTH_ONLY = re.compile(r"^(\d{1,2})\s*月$")
_ANY_DIGIT = re.compile(r"\d")  # Unicode digits, as in the patterns above (full-width included)

# Text that may surround a date in a date-only fragment.
_LABEL_NOISE = re.compile(
    r"发布日期|发布时间|更新时间|更新日期|发文日期|发表时间|日期|时间|发布|更新|"
    r"[\s\[\]()（）【】<>《》〔〕{}:：|·•\-—_/,，.。]"
)

# A URL path date: /202301/t20230104_123.html, /2023-01/04/, /2023/0104/, /20230104/
_URL_PATTERNS = (
    re.compile(r"(?<![0-9])(?P<y>(?:19|20)\d{2})(?P<m>[01]\d)(?P<d>[0-3]\d)(?![0-9])"),
    re.compile(r"/(?P<y>(?:19|20)\d{2})[-_/](?P<m>[01]?\d)[-_/](?P<d>[0-3]?\d)(?=[/_.])"),
    re.compile(r"/(?P<y>(?:19|20)\d{2})[-_/]?(?P<m>[01]\d)/(?P<d>[0-3]\d)(?=[/_.])"),
    re.compile(r"/(?P<y>(?:19|20)\d{2})/(?P<m>[01]\d)(?P<d>[0-3]\d)(?=/)"),
)


# Full-width digits and separators map 1:1 to ASCII, so positions in the string stay valid.
_FULLWIDTH = str.maketrans("０１２３４５６７８９－／．", "0123456789-/.")


def normalize_digits(text: str) -> str:
    """Map full-width digits and separators to ASCII without changing the string's length."""
    return text.translate(_FULLWIDTH)


@dataclass(frozen=True)
class DateToken:
    """One date found in a string.

    ``start``/``end`` index the string that was searched. ``has_year`` is False when the year was
    inferred; ``time`` is "HH:MM" or "HH:MM:SS" when a time followed the date.
    """

    date: date
    start: int
    end: int
    text: str
    has_year: bool = True
    time: str | None = None


def make_date(year: int, month: int, day: int) -> date | None:
    """Return the date, or None when it does not exist or the year is implausible."""
    if not MIN_YEAR <= year <= MAX_YEAR:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def infer_year(month: int, day: int, today: date) -> date | None:
    """Latest date with this month/day that is not after ``today`` (see module docstring).

    Looks back up to 8 years so that 02-29 still finds a leap year; returns None for an impossible
    month/day.
    """
    for year in range(today.year, today.year - 9, -1):
        d = make_date(year, month, day)
        if d is not None and d <= today:
            return d
    return None


def _time_of(m: re.Match) -> str | None:
    if not m.groupdict().get("hh"):
        return None
    t = f"{int(m['hh']):02d}:{m['mi']}"
    if m.groupdict().get("ss"):
        t += f":{m['ss']}"
    return t


# List pages repeat the same short texts (every item has a date such as "2023-01-04", a title is
# read again when it is one level up): the regexes run once per distinct text. Tokens are frozen,
# so sharing them is safe. The caches are thread-safe and bounded, in entries and in text length
# (article bodies are not cached).
_CACHED_LEN = 200


def find_dates(text: str) -> list[DateToken]:
    """All full dates (with a four-digit year) in ``text``, in order of position.

    Overlapping matches are resolved in favour of the earlier/longer one.
    """
    if len(text) <= _CACHED_LEN:
        return list(_find_dates_cached(text))
    return _find_dates(text)


@lru_cache(maxsize=8192)
def _find_dates_cached(text: str) -> tuple[DateToken, ...]:
    return tuple(_find_dates(text))


def _find_dates(text: str) -> list[DateToken]:
    text = normalize_digits(text)
    found: list[DateToken] = []
    for rx in (_NUMERIC, _CHINESE):
        for m in rx.finditer(text):
            d = make_date(int(m["y"]), int(m["m"]), int(m["d"]))
            if d is None:
                continue
            found.append(DateToken(d, m.start(), m.end(), m.group(0).strip(), True, _time_of(m)))
    return _non_overlapping(found)


def find_yearless_dates(text: str, today: date) -> list[DateToken]:
    """Year-less dates (01-04, 1月4日) with the year inferred from ``today``.

    Call this only on date-only fragments (see :func:`is_date_only`), never on running text.
    """
    text = normalize_digits(text)
    found: list[DateToken] = []
    for rx in (_MD_NUMERIC, _MD_CHINESE):
        for m in rx.finditer(text):
            d = infer_year(int(m["m"]), int(m["d"]), today)
            if d is None:
                continue
            found.append(DateToken(d, m.start(), m.end(), m.group(0).strip(), False, _time_of(m)))
    return _non_overlapping(found)


def _non_overlapping(tokens: list[DateToken]) -> list[DateToken]:
    tokens.sort(key=lambda t: (t.start, -(t.end - t.start)))
    out: list[DateToken] = []
    for t in tokens:
        if out and t.start < out[-1].end:
            continue
        out.append(t)
    return out


def is_date_only(text: str, token: DateToken) -> bool:
    """True when ``text`` holds nothing but this date plus labels/brackets ("[2023-01-04]",
    "发布时间：2023-01-04", "(01-04)")."""
    rest = text[: token.start] + text[token.end :]
    return _LABEL_NOISE.sub("", rest) == ""


def date_in_fragment(text: str, today: date) -> DateToken | None:
    """The single date of a date-only fragment, year-less allowed; None if the fragment is not
    date-only or holds more than one date."""
    text = text.strip()  # normalize_digits maps no character to or from whitespace
    if not text or len(text) > 40 or not _ANY_DIGIT.search(text):
        return None  # every date pattern needs a digit: most titles are rejected here
    return _date_in_fragment_cached(text, today)


@lru_cache(maxsize=8192)
def _date_in_fragment_cached(text: str, today: date) -> DateToken | None:
    text = normalize_digits(text)
    tokens = find_dates(text)
    if not tokens:
        tokens = find_yearless_dates(text, today)
    if len(tokens) != 1 or not is_date_only(text, tokens[0]):
        return None
    return tokens[0]


def date_from_parts(parts: list[str], today: date) -> DateToken | None:
    """Join a date printed across sibling elements.

    ``parts`` are the stripped texts of the separate elements of one list item, in document order.
    Handles day + year-month (``<span>04</span><span>2023-01</span>`` in either order), month-day +
    year (``<b>01-04</b><i>2023</i>``), and day + "01月" with the year inferred. Returns None unless
    exactly one reading exists.
    """
    if sum(1 for p in parts if _ANY_DIGIT.search(p)) < 2:
        return None  # each reading below joins two parts that hold digits
    cleaned = [normalize_digits(p).strip() for p in parts]
    yms = [(i, m) for i, p in enumerate(cleaned) if (m := _YEAR_MONTH.match(p))]
    days = [(i, m) for i, p in enumerate(cleaned) if (m := _DAY_ONLY.match(p))]
    text = " ".join(cleaned)
    if len(yms) == 1 and len(days) == 1 and abs(yms[0][0] - days[0][0]) <= 2:
        ym, dm = yms[0][1], days[0][1]
        d = make_date(int(ym["y"]), int(ym["m"]), int(dm["d"]))
        if d is not None:
            return DateToken(d, 0, len(text), f"{ym.group(0)} {dm.group(0)}", True)
        return None
    years = [(i, m) for i, p in enumerate(cleaned) if (m := _YEAR_ONLY.match(p))]
    mds = [(i, m) for i, p in enumerate(cleaned) if (m := _MONTH_DAY_ONLY.match(p))]
    if len(years) == 1 and len(mds) == 1 and abs(years[0][0] - mds[0][0]) <= 2:
        ym, md = years[0][1], mds[0][1]
        d = make_date(int(ym["y"]), int(md["m"]), int(md["d"]))
        if d is not None:
            return DateToken(d, 0, len(text), f"{ym.group(0)} {md.group(0)}", True)
        return None
    months = [(i, m) for i, p in enumerate(cleaned) if (m := _MONTH_ONLY.match(p))]
    if not years and not yms and len(months) == 1 and len(days) == 1:
        mo = int(months[0][1].group(1))
        d = infer_year(mo, int(days[0][1]["d"]), today)
        if d is not None:
            return DateToken(
                d, 0, len(text), f"{months[0][1].group(0)}{days[0][1].group(0)}", False
            )
    return None


def date_from_url(url: str) -> DateToken | None:
    """A publication date encoded in a URL path (/202301/t20230104_123.html, /2023-01/04/...).

    Only the path is read (query strings hold ids and timestamps). When several patterns match they
    must agree, otherwise None.
    """
    path = re.sub(r"^[a-z]+://[^/]+", "", url, flags=re.I).split("?", 1)[0].split("#", 1)[0]
    hits: dict[date, re.Match] = {}
    for rx in _URL_PATTERNS:
        for m in rx.finditer(path):
            d = make_date(int(m["y"]), int(m["m"]), int(m["d"]))
            if d is not None:
                hits.setdefault(d, m)
    if len(hits) != 1:
        return None
    d, m = next(iter(hits.items()))
    return DateToken(d, m.start(), m.end(), m.group(0), True)
