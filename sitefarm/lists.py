"""Opt-in list styles whose newest date a reader gets wrong unless it checks the article pages.

yearless_old     dates as "11-17" / "[11-17]", the column's newest item 370-400 days old and the
                 oldest within 330 days of it, so the rule "the latest such day not after today"
                 puts every item exactly a year too late.
pinned           full dates; the first item is pinned (置顶): an old item above newer ones (marked
                 or not marked at all), or a marked item that really is the newest.
yearless_pinned  year-less dates, an item from last year pinned on top whose month-day is later
                 than the rest's newest, so the naive year makes it look like the newest item.

Every item's article page shows its full date and its URL carries the date, except the items made
`page_dated=False` (no date on the page, none in the URL): when such an item decides the newest
date, the truth says it is not confirmable and a checker must ask for a manual look.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from . import names
from .model import CATEGORY_WINDOWS, Column, Farm

# Variants per style: (pin, confirm). pin: none | old_marked | old_unmarked | newest_marked;
# confirm: dated (every page dated) | newest_undated | pinned_undated.
VARIANTS = {
    "yearless_old": [("none", "dated"), ("none", "newest_undated")],
    "pinned": [("old_marked", "dated"), ("old_unmarked", "dated"), ("newest_marked", "dated")],
    "yearless_pinned": [
        (pin, confirm)
        for pin in ("old_marked", "old_unmarked")
        for confirm in ("dated", "newest_undated", "pinned_undated")
    ],
}
PIN_MARKS = ("span", "img", "text")
SHAPE = {  # (gap min, gap max) days, (count min, count max)
    "news": ((1, 6), (12, 40)),
    "notice": ((3, 30), (8, 30)),
    "policy": ((7, 40), (6, 20)),
    "interpretation": ((7, 40), (6, 20)),
    "personnel": ((15, 60), (5, 12)),
    "plan": ((20, 90), (5, 10)),
    "static": ((30, 120), (4, 8)),
    "topic": ((10, 40), (5, 15)),
    "other": ((10, 60), (5, 15)),
}
YEARLESS_MAX_AGE = 330  # year-less items other than the pinned one stay within this many days


def build_column(
    rng: random.Random,
    unit: names.Unit,
    number: int,
    spec: tuple[str, str, str, str],
    is_first: bool,
    style: str,
    settings: dict,
    prefix: str,
    today: date,
    max_items: int | None,
    make_item,
) -> Column:
    """A column of one of the opt-in styles (its own random stream: `rng`)."""
    name, category, slug, _ = spec
    pin, confirm = rng.choice(VARIANTS[style])
    (gap_min, gap_max), (count_min, count_max) = SHAPE[category]
    count = min(rng.randint(count_min, count_max), max(max_items or 10**6, 5))

    if style == "yearless_old":
        dates = _run(rng, today - timedelta(days=rng.randint(370, 400)), count, gap_min, gap_max)
        # within a year of the newest: every naive year is the true year + 1, consistently
        dates = [d for d in dates if (dates[0] - d).days <= YEARLESS_MAX_AGE]
        pinned_date = None
    elif style == "pinned":
        dates = _run(rng, today - timedelta(days=rng.randint(0, 10)), count, gap_min, gap_max)
        pinned_date = None
    else:  # yearless_pinned
        rest_age = rng.randint(75, 200)
        dates = [
            d
            for d in _run(rng, today - timedelta(days=rest_age), count, gap_min, gap_max)
            if (today - d).days <= YEARLESS_MAX_AGE
        ]
        naive = dates[0] + timedelta(days=rng.randint(10, min(60, rest_age - 10)))
        pinned_date = _year_before(naive)
    dates = [_no_leap_day(d) for d in dates]

    path = (
        f"{prefix}/col/col{number}/index.html"
        if settings["path_style"] == "col"
        else f"{prefix}/{slug}/index.html"
        if is_first
        else f"{prefix}/xxgk/{slug}/index.html"
    )
    column_dir = path.rsplit("/", 1)[0] + "/"
    all_dates = sorted([*dates, *([pinned_date] if pinned_date else [])], reverse=True)
    pinned = -1
    if pinned_date is not None:
        pinned = all_dates.index(pinned_date)
    elif pin == "newest_marked":
        pinned = 0
    elif pin.startswith("old"):  # newer items above it on the first page, older ones below
        pinned = rng.randint(3, min(len(all_dates), settings["page_size"]) - 2)

    undated = set()
    if confirm == "newest_undated":
        undated.add(0)
    elif confirm == "pinned_undated" and pinned >= 0:
        undated.add(pinned)
    items = []
    for k, day in enumerate(all_dates):
        item_id = number * 1000 + len(all_dates) - k
        dated = k not in undated
        if settings["path_style"] == "col":
            item_path = (
                f"{prefix}/art/{day.year}/{day.month}/{day.day}/art_{number}_{item_id}.html"
                if dated
                else f"{prefix}/art/art_{number}_{item_id}.html"
            )
        else:
            ym = f"{day.year}{day.month:02d}"
            item_path = (
                f"{column_dir}{ym}/t{ym}{day.day:02d}_{item_id}.html"
                if dated
                else f"{column_dir}content_{item_id}.html"
            )
        item = make_item(rng, unit, category, day, item_path, settings, today)
        items.append(item if dated else item._replace(page_dated=False))

    fmt = rng.choice(["md", "md_bracket"]) if style != "pinned" else settings["date_format"]
    mark = rng.choice(PIN_MARKS) if pin in ("old_marked", "newest_marked") else ""
    return Column(
        key=f"col{number}",
        number=number,
        path=path,
        name=name,
        category=category,
        style=style,
        date_format=fmt,
        encoding=settings["encoding"],
        items=tuple(items),
        is_first_level=is_first,
        page_size=settings["page_size"],
        scenario=_scenario(category, (today - all_dates[0]).days),
        empty_text="暂无信息",
        pinned=pinned,
        pin_mark=mark,
    )


def _run(rng: random.Random, newest: date, count: int, gap_min: int, gap_max: int) -> list[date]:
    dates, day = [], newest
    for _ in range(max(count, 5)):
        dates.append(day)
        day -= timedelta(days=rng.randint(gap_min, gap_max))
    return dates


def _no_leap_day(day: date) -> date:
    return day - timedelta(days=1) if (day.month, day.day) == (2, 29) else day


def _year_before(day: date) -> date:
    day = _no_leap_day(day)
    return day.replace(year=day.year - 1)


def _scenario(category: str, age: int) -> str:
    window = CATEGORY_WINDOWS[category]
    if category == "topic":
        return "closed"
    if window is None:
        return "fresh"
    if age > window:
        return "overdue"
    return "due_soon" if age >= window - 7 else "fresh"


def infer_year(month: int, day: int, today: date) -> date:
    """The naive reading of a year-less date: the latest such day not after today."""
    candidate = date(today.year, month, day)
    return candidate if candidate <= today else date(today.year - 1, month, day)


def column_list_truth(column: Column, today: date) -> dict:
    """What a careful reader must conclude from a column of an opt-in style, and what naive
    readings of its first page give."""
    items = column.items
    newest = max(items, key=lambda i: i.date)
    shown = column.page_items(0)
    yearless = column.style != "pinned"
    shown_dates = [
        infer_year(i.date.month, i.date.day, today) if yearless else i.date for i in shown
    ]
    # The pages a reader must open to know the newest date: for year-less lists the newest item
    # and the pinned one (whose shown month-day may look newest); full dates need none.
    needed = [] if not yearless else [newest] + ([column.pinned_item] if column.pinned >= 0 else [])
    return {
        "key": column.key,
        "path": column.path,
        "style": column.style,
        "date_format": column.date_format,
        "newest": newest.date.isoformat(),
        "newest_path": newest.path,
        "newest_page_dated": newest.page_dated,
        "confirmable": all(i.page_dated for i in needed),
        "pinned_path": column.pinned_item.path if column.pinned >= 0 else None,
        "pinned_date": column.pinned_item.date.isoformat() if column.pinned >= 0 else None,
        "pin_mark": column.pin_mark,
        "pinned_is_newest": column.pinned >= 0 and column.pinned_item.date == newest.date,
        "first_shown": shown[0].path,
        "first_shown_date": shown_dates[0].isoformat(),  # as a naive reader reads it
        "naive_newest": max(shown_dates).isoformat(),  # max of the first page, naive years
        "undated_paths": [i.path for i in items if not i.page_dated],
    }


def list_truth(farm: Farm) -> dict:
    return {
        "today": farm.today.isoformat(),
        "sites": [
            {
                "key": site.key,
                "columns": [
                    column_list_truth(c, farm.today)
                    for c in site.columns
                    if c.style in ("yearless_old", "pinned", "yearless_pinned") and c.items
                ],
            }
            for site in farm.sites
            if any(c.style in ("yearless_old", "pinned", "yearless_pinned") for c in site.columns)
        ],
    }
