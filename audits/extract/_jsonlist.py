"""Records of a JSON/JSONP list endpoint (used by :func:`.listpage.extract_list_json`)."""

from __future__ import annotations

import json
import re
from datetime import date, datetime, timedelta, timezone

from ._blocks import _Item
from ._html import clean_text
from .dates import DateToken, find_dates, make_date

_TITLE_KEYS = re.compile(
    r"^(title|name|bt|subject|topic|headline|doctitle|articletitle|wzbt|"
    r"infotitle|newstitle|label|text|标题)$",
    re.I,
)
_DATE_KEYS = re.compile(
    r"date|time|pub|rq$|fbsj|cdate|created|updated|issued|release|publish", re.I
)
_URL_KEYS = re.compile(r"^(url|link|href|docpuburl|puburl|wzurl|detailurl|linkurl|path)$", re.I)


def _load_json(text: str):
    text = (text or "").strip().lstrip("\ufeff")
    m = re.match(r"^[\w$.]+\s*\(\s*(.*)\s*\)\s*;?\s*$", text, re.S)
    if m:
        text = m.group(1)
    try:
        return json.loads(text)
    except (ValueError, TypeError):
        return None


def _record_lists(data, path: str):
    if isinstance(data, list):
        dicts = [x for x in data if isinstance(x, dict)]
        if dicts and len(dicts) * 2 >= len(data):
            yield path, dicts
        for i, x in enumerate(data[:50]):
            if isinstance(x, (dict, list)):
                yield from _record_lists(x, f"{path}[{i}]")
    elif isinstance(data, dict):
        for k, v in data.items():
            if isinstance(v, (dict, list)):
                yield from _record_lists(v, f"{path}.{k}")


def _json_date(value, today: date) -> DateToken | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)) and (1e9 <= value < 5e9 or 1e12 <= value < 5e12):
        seconds = value / 1000 if value >= 1e11 else value
        try:
            dt = datetime.fromtimestamp(seconds, tz=timezone(timedelta(hours=8)))
        except (OverflowError, OSError, ValueError):
            return None
        d = make_date(dt.year, dt.month, dt.day)
        return DateToken(d, 0, 0, str(value), True) if d else None
    if isinstance(value, str) and len(value) <= 40:
        toks = find_dates(value)
        if toks:
            return toks[0]
        m = re.match(r"^\s*((?:19|20)\d{2})(\d{2})(\d{2})(?:\d{4,6})?\s*$", value)
        if m:
            d = make_date(int(m[1]), int(m[2]), int(m[3]))
            return DateToken(d, 0, 0, value, True) if d else None
    return None


def _json_items(records: list[dict], url: str, today: date) -> list[_Item]:
    keys = {k for r in records[:50] for k in r}
    title_key = next((k for k in keys if _TITLE_KEYS.match(str(k))), None)
    if title_key is None:
        lengths = {k: sum(len(r[k]) for r in records if isinstance(r.get(k), str)) for k in keys}
        text_keys = [k for k, n in lengths.items() if n and not _DATE_KEYS.search(str(k))]
        title_key = max(text_keys, key=lambda k: lengths[k]) if text_keys else None
    if title_key is None:
        return []
    date_key, best = None, 0
    for k in sorted(keys, key=lambda k: (not _DATE_KEYS.search(str(k)), str(k))):
        if k == title_key:
            continue
        n = sum(1 for r in records if _json_date(r.get(k), today) is not None)
        if n > best:
            date_key, best = k, n
    url_key = next((k for k in keys if _URL_KEYS.match(str(k))), None)
    items = []
    for r in records:
        title = clean_text(str(r.get(title_key) or ""))
        if not title:
            continue
        tok = _json_date(r.get(date_key), today) if date_key is not None else None
        href = str(r.get(url_key) or "") if url_key else ""
        items.append(_Item(title, href, url, tok, f"字段 {date_key}", None))
    return items


def _html_strings(data):
    if isinstance(data, str):
        if "<a " in data or "<li" in data:
            yield data
    elif isinstance(data, list):
        for x in data:
            yield from _html_strings(x)
    elif isinstance(data, dict):
        for v in data.values():
            yield from _html_strings(v)


def _is_empty_json(data) -> bool:
    if data == [] or data == {}:
        return True
    if isinstance(data, dict):
        for k, v in data.items():
            if re.search(r"total|count|records|totalrecord", str(k), re.I) and v in (0, "0"):
                return True
            if (
                isinstance(v, list)
                and not v
                and re.search(r"list|data|rows|records|items", str(k), re.I)
            ):
                return True
            if isinstance(v, dict) and _is_empty_json(v):
                return True
    return False
