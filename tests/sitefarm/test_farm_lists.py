"""Year-less-old and pinned lists: what the list shows, what the article pages confirm, and the
truth (list_truth() and the columns' ground_truth())."""

from __future__ import annotations

import re
from datetime import date

import lxml.html
import pytest

from sitefarm.generate import generate_county
from sitefarm.lists import VARIANTS
from sitefarm.model import EXTRA_STYLES
from sitefarm.server import FarmServer

from .conftest import (
    FULL_DATE,
    TODAY,
    decode,
    get,
    infer_year,
    list_block,
    main_block,
    sget,
)

URL_DATE = re.compile(r"/(20\d\d)/?(\d{1,2})/?(\d{1,2})/|/t?(20\d\d)(\d\d)(\d\d)_")


@pytest.fixture(scope="module")
def list_farm():
    return generate_county(
        seed=3,
        n_sites=8,
        columns_per_site=9,
        today=TODAY,
        styles=list(EXTRA_STYLES),
        encodings=["utf-8", "gbk"],
        faults=False,
    )


@pytest.fixture(scope="module")
def list_server(list_farm):
    with FarmServer(list_farm) as server:
        yield server


def shown(html: str, column) -> list[tuple[str, str, date, bool]]:
    """(href, link text, date as a naive reader reads it, marked 置顶) per list row."""
    doc = lxml.html.fromstring(list_block(html) + "</div>")
    rows = []
    for li in doc.xpath("//ul/li"):
        href = li.xpath("./a/@href")[0]
        if column.style == "pinned":
            when = li.xpath('string(./span[@class="date"])')
            year, month, day = map(int, FULL_DATE.search(when).groups())
            seen = date(year, month, day)
        else:
            month, day = map(
                int, re.search(r"(\d\d)-(\d\d)", li.xpath('string(./span[@class="time"])')).groups()
            )
            seen = infer_year(month, day, TODAY)
        rows.append(
            (href, li.xpath("string(./a)"), seen, "置顶" in lxml.html.tostring(li, encoding=str))
        )
    return rows


def article_page(server, site, column, item) -> str:
    return decode(sget(server.item_url(site, item)).content, column.encoding)


def confirmed_date(html: str, item) -> date | None:
    """The publication date an article page (or its URL) confirms, or None."""
    text = lxml.html.fromstring(main_block(html) + "</div>").text_content()
    found = re.search(r"发布(?:日期|时间)：\s*(\S+)", text)
    if found and FULL_DATE.search(found.group(1)):
        return date(*map(int, FULL_DATE.search(found.group(1)).groups()))
    in_url = URL_DATE.search(item.path)
    if in_url:
        year, month, day = (int(g) for g in in_url.groups() if g)
        return date(year, month, day)
    return None


def columns(farm):
    return [(s, c) for s in farm.sites for c in s.columns if c.style in EXTRA_STYLES]


def test_every_variant_occurs(list_farm):
    truth = {c["key"]: c for s in list_farm.list_truth()["sites"] for c in s["columns"]}
    seen = set()
    for _, column in columns(list_farm):
        t = truth[column.key]
        pin = (
            "none"
            if t["pinned_path"] is None
            else "newest_marked"
            if t["pinned_is_newest"]
            else "old_marked"
            if t["pin_mark"]
            else "old_unmarked"
        )
        confirm = (
            "newest_undated"
            if not t["newest_page_dated"]
            else "pinned_undated"
            if t["pinned_path"] in t["undated_paths"]
            else "dated"
        )
        seen.add((column.style, pin, confirm))
    expected = {(style, pin, confirm) for style, v in VARIANTS.items() for pin, confirm in v}
    assert seen == expected
    assert {c.pin_mark for _, c in columns(list_farm)} == {"", "span", "img", "text"}


def test_lists_as_served_and_the_naive_readings(list_farm, list_server):
    truth = {c["key"]: c for s in list_farm.list_truth()["sites"] for c in s["columns"]}
    for site, column in columns(list_farm):
        t = truth[column.key]
        html = decode(get(list_server.column_url(site, column)).content, column.encoding)
        rows = shown(html, column)
        assert [r[0] for r in rows] == [i.path for i in column.page_items(0)]
        newest = max(column.items, key=lambda i: i.date)
        assert t["newest"] == newest.date.isoformat() == str(column.truth_newest)
        assert rows[0][0] == t["first_shown"] and rows[0][2].isoformat() == t["first_shown_date"]
        assert max(r[2] for r in rows).isoformat() == t["naive_newest"]
        marked = [r[0] for r in rows if r[3]]
        assert marked == ([t["pinned_path"]] if t["pin_mark"] else [])
        if column.style == "yearless_old":
            assert (TODAY - newest.date).days > 365
            # the naive year is a year late for every row
            for (_, _, seen, _), item in zip(rows, column.page_items(0), strict=True):
                assert seen == date(item.date.year + 1, item.date.month, item.date.day)
            assert t["naive_newest"] != t["newest"] and t["pinned_path"] is None
        elif column.style == "yearless_pinned":
            assert rows[0][0] == t["pinned_path"] != t["newest_path"]
            assert t["naive_newest"] == t["first_shown_date"] > t["newest"]
            assert date.fromisoformat(t["pinned_date"]) < newest.date
        else:  # pinned, full dates
            assert rows[0][0] == t["pinned_path"]
            if t["pinned_is_newest"]:
                assert rows[0][2] == newest.date and t["pin_mark"]
                assert all(r[2] <= rows[0][2] for r in rows)
            else:
                assert rows[0][2] < newest.date and rows[1][2] > rows[0][2]
                assert any(r[2] < rows[0][2] for r in rows[1:])


def test_article_pages_confirm_the_date_or_show_none(list_farm, list_server):
    undated = 0
    for site, column in columns(list_farm):
        for item in column.items[:3] + ((column.pinned_item,) if column.pinned >= 0 else ()):
            html = article_page(list_server, site, column, item)
            found = confirmed_date(html, item)
            if item.page_dated:
                assert found == item.date, item.path
                assert URL_DATE.search(item.path)
                assert f"发布时间：{item.date.isoformat()}" in html
            else:
                undated += 1
                assert found is None, item.path
                assert not URL_DATE.search(item.path)
                assert not re.search(r"20\d\d[01]\d[0-3]\d|/20\d\d/", item.path)
                assert 'name="PubDate"' not in html and item.title in html
                assert not FULL_DATE.search(main_block(html))
    assert undated >= 5


def test_confirmable_agrees_with_the_article_pages(list_farm, list_server):
    truth = {c["key"]: c for s in list_farm.list_truth()["sites"] for c in s["columns"]}
    outcomes = set()
    for site, column in columns(list_farm):
        t = truth[column.key]
        if column.style == "pinned":
            assert t["confirmable"]  # full dates on the list itself
            continue
        needed = [t["newest_path"]] + ([t["pinned_path"]] if t["pinned_path"] else [])
        items = {i.path: i for i in column.items}
        confirmed = [
            confirmed_date(article_page(list_server, site, column, items[p]), items[p])
            for p in needed
        ]
        assert t["confirmable"] == all(d is not None for d in confirmed)
        if t["confirmable"]:
            assert max(confirmed).isoformat() == t["newest"]
        outcomes.add(t["confirmable"])
    assert outcomes == {True, False}


def test_ground_truth_of_the_new_styles(list_farm):
    for site in list_farm.ground_truth(include_items=True)["sites"]:
        for column in site["columns"]:
            assert column["style"] in EXTRA_STYLES and column["status"] == "dated"
            assert column["newest"] == max(i["date"] for i in column["items"])
            assert "newest_page_dated" in column and "pinned_path" in column


def test_new_styles_are_deterministic():
    def make():
        return generate_county(
            seed=9, n_sites=3, columns_per_site=6, today=TODAY, styles=list(EXTRA_STYLES)
        )

    assert make().ground_truth(include_items=True) == make().ground_truth(include_items=True)
    assert make().list_truth() == make().list_truth()
