"""A site's public message list (县长信箱, 咨询投诉): each message's title, when it was left and
when it was answered, read from the table the site publishes (W-V5 互动回应差)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from ._html import clean_text, parse_html
from .links import absolute_url

_ASKED = re.compile(r"留言时间|提问时间|来信时间|咨询时间|提交时间|写信时间|发布时间")
_ANSWERED = re.compile(r"答复时间|回复时间|办结时间|回复日期|答复日期")
_TITLE = re.compile(r"标题|主题|事项|内容")
_WHEN = re.compile(
    r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?)?"
)
_NEXT = re.compile(r"^(下一页|下页|>|»)$")


@dataclass(frozen=True)
class ListedMessage:
    title: str
    url: str
    received: dt.datetime  # naive, the site's local time
    replied: dt.datetime | None


def _when(text: str) -> dt.datetime | None:
    m = _WHEN.search(text or "")
    if not m:
        return None
    y, mo, d, h, mi, s = (int(g) if g else 0 for g in m.groups())
    try:
        return dt.datetime(y, mo, d, h, mi, s)
    except ValueError:
        return None


def extract_messages(html: str, url: str) -> tuple[list[ListedMessage], str | None]:
    """The messages on one page of the list, and the next page's URL if there is one."""
    root = parse_html(html)
    if root is None:
        return [], None
    out: list[ListedMessage] = []
    for table in root.iter("table"):
        rows = table.findall(".//tr")
        if not rows:
            continue
        header = [clean_text(c.text_content()) for c in rows[0] if c.tag in ("th", "td")]
        asked = next((i for i, h in enumerate(header) if _ASKED.search(h)), None)
        answered = next((i for i, h in enumerate(header) if _ANSWERED.search(h)), None)
        if asked is None or answered is None:
            continue
        title_at = next((i for i, h in enumerate(header) if _TITLE.search(h)), None)
        for row in rows[1:]:
            cells = [c for c in row if c.tag in ("td", "th")]
            if len(cells) <= max(asked, answered):
                continue
            received = _when(clean_text(cells[asked].text_content()))
            if received is None:
                continue
            link = next((a for a in row.iter("a") if absolute_url(url, a.get("href"))), None)
            cell = cells[title_at] if title_at is not None and title_at < len(cells) else None
            title = (
                clean_text((link if link is not None else cell).text_content())
                if (link is not None or cell is not None)
                else ""
            )
            out.append(
                ListedMessage(
                    title=title[:500],
                    url=absolute_url(url, link.get("href")) if link is not None else "",
                    received=received,
                    replied=_when(clean_text(cells[answered].text_content())),
                )
            )
        if out:
            break
    following = None
    for a in root.iter("a"):
        if _NEXT.match(clean_text(a.text_content())):
            following = absolute_url(url, a.get("href"))
            break
    return out, following
