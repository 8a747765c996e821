"""Read and check the page meta tags required by the 47号 annex (网页设计规范).

Meta tags are evidence, not truth: a ``PubDate`` may be the date a CMS re-published a page years
after it was shown to visitors (real case: PubDate 2022-04-24 on a page showing 发布日期
2017-05-15). This module only reads and checks their presence and format; dates are compared with
the visible page in :mod:`audits.extract.article`.
"""

from __future__ import annotations

import html as htmllib
import re
from dataclasses import dataclass

from .dates import make_date

# Canonical spelling of the 47号 names; matching is case-insensitive.
META_47 = (
    "SiteName",
    "SiteDomain",
    "SiteIDCode",
    "ColumnName",
    "ColumnDescription",
    "ColumnKeywords",
    "ColumnType",
    "ArticleTitle",
    "PubDate",
    "ContentSource",
    "Keywords",
    "Description",
    "Author",
    "Image",
    "Url",
)
_CANON = {n.lower(): n for n in META_47}

# Required per page kind, as listed in /work/shared/domain/indicators.md (kept as data so a rule
# set can be adjusted without touching the code).
REQUIRED = {
    "home": ("SiteName", "SiteDomain", "SiteIDCode"),
    "list": (
        "SiteName",
        "SiteDomain",
        "SiteIDCode",
        "ColumnName",
        "ColumnDescription",
        "ColumnKeywords",
        "ColumnType",
    ),
    "article": (
        "SiteName",
        "SiteDomain",
        "SiteIDCode",
        "ArticleTitle",
        "PubDate",
        "ContentSource",
    ),
}
RECOMMENDED = {"article": ("Keywords", "Description", "Author", "Image", "Url")}

_META_TAG = re.compile(r"<meta\b([^>]*)>", re.I)
_ATTR = re.compile(r"""([A-Za-z_:][-\w:.]*)\s*=\s*("[^"]*"|'[^']*'|[^\s"'>]+)""")
_PUBDATE_FORMAT = re.compile(r"^(\d{4})-(\d{2})-(\d{2}) ([01]\d|2[0-3]):([0-5]\d)$")
_SITE_CODE = re.compile(r"^\d{10}$")


@dataclass(frozen=True)
class MetaProblem:
    """One finding about the meta tags. ``level`` is "error" (required by 47号) or "warning"
    (recommended tag missing)."""

    code: str
    message: str
    level: str = "error"


def read_all_meta(html: str) -> dict[str, str]:
    """Every ``<meta name|property|itemprop|http-equiv=… content=…>`` as {lower-cased key: content}.

    The first occurrence of a key wins (later duplicates are usually template leftovers). A regex
    is used rather than a parser so that broken markup elsewhere cannot hide the head.
    """
    out: dict[str, str] = {}
    for m in _META_TAG.finditer(html or ""):
        attrs: dict[str, str] = {}
        for a in _ATTR.finditer(m.group(1)):
            value = a.group(2)
            if value[:1] in "\"'":
                value = value[1:-1]
            attrs.setdefault(a.group(1).lower(), value)
        if "content" not in attrs:
            continue
        content = htmllib.unescape(attrs["content"]).strip()
        for key in ("name", "property", "itemprop", "http-equiv"):
            if attrs.get(key):
                out.setdefault(attrs[key].strip().lower(), content)
    return out


def read_meta_tags(html: str) -> dict[str, str]:
    """The 47号 tags present on the page, keyed by their canonical name (``SiteIDCode``…)."""
    return {_CANON[k]: v for k, v in read_all_meta(html).items() if k in _CANON}


def check_meta_tags(
    tags: dict[str, str], page_kind: str, expected_site_code: str | None = None
) -> list[MetaProblem]:
    """Check presence and format of the 47号 tags for a "home", "list" or "article" page.

    ``tags`` is the output of :func:`read_meta_tags` (keys are matched case-insensitively anyway).
    ``expected_site_code`` is the unit's registered 网站标识码; None skips the comparison.
    """
    if page_kind not in REQUIRED:
        raise ValueError(f"unknown page kind: {page_kind!r}")
    tags = {_CANON.get(k.lower(), k): v for k, v in tags.items()}
    problems: list[MetaProblem] = []
    for name in REQUIRED[page_kind]:
        if name not in tags:
            problems.append(MetaProblem(f"missing:{name}", f"缺少 {name} 元数据标签"))
        elif not tags[name].strip():
            problems.append(MetaProblem(f"empty:{name}", f"{name} 元数据标签内容为空"))
    for name in RECOMMENDED.get(page_kind, ()):
        if not tags.get(name, "").strip():
            problems.append(
                MetaProblem(f"recommended:{name}", f"缺少推荐的 {name} 元数据标签", "warning")
            )

    pub = tags.get("PubDate", "").strip()
    if pub:
        m = _PUBDATE_FORMAT.match(pub)
        if not m:
            problems.append(
                MetaProblem("format:PubDate", f"PubDate 格式应为 YYYY-MM-DD HH:MM，实际为“{pub}”")
            )
        elif make_date(int(m[1]), int(m[2]), int(m[3])) is None:
            problems.append(MetaProblem("invalid:PubDate", f"PubDate 不是有效日期：“{pub}”"))

    code = tags.get("SiteIDCode", "").strip()
    if code:
        if not _SITE_CODE.match(code):
            problems.append(
                MetaProblem("format:SiteIDCode", f"SiteIDCode 应为 10 位数字，实际为“{code}”")
            )
        if expected_site_code and code != expected_site_code.strip():
            problems.append(
                MetaProblem(
                    "mismatch:SiteIDCode",
                    f"SiteIDCode“{code}”与登记的网站标识码“{expected_site_code}”不一致",
                )
            )
    return problems
