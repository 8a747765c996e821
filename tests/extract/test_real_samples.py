"""Smoke tests over third-party pages in /work/shared/eval-real (skipped when absent).

These pages carry no list ground truth; the assertions are the safety properties: no crash, no
date after the monitoring point, a reason for every answer, and the few lists we checked by eye.
"""

from datetime import date
from pathlib import Path

import pytest

from audits.extract.article import extract_article_date
from audits.extract.links import extract_links
from audits.extract.listpage import extract_list
from audits.extract.meta import read_meta_tags
from tests.paths import SHARED

EVAL = SHARED / "eval-real"
LIST_PAGES = sorted((EVAL / "gerapy-auto-extractor-samples/samples/list").glob("*.html")) + sorted(
    (EVAL / "gne-tests/test_list_page").glob("*/*.html")
)
ARTICLE_PAGES = sorted((EVAL / "gne-tests/tests").glob("*/*.html")) + sorted(
    (EVAL / "gerapy-auto-extractor-samples/samples/detail").glob("*.html")
)
# Three monitoring points: long after, just before the newest items (2020-07-02 …), long before.
TODAYS = (date(2026, 11, 23), date(2020, 7, 1), date(2015, 1, 1))

pytestmark = pytest.mark.skipif(not EVAL.exists(), reason="eval-real data not present")


def read(path: Path) -> str:
    return path.read_bytes().decode("utf-8", errors="replace")  # all these files are UTF-8


@pytest.mark.parametrize("path", LIST_PAGES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_list_pages_never_produce_future_dates(path):
    html = read(path)
    for today in TODAYS:
        r = extract_list(html, "https://example.com/list/index.html", today)
        assert r.status in ("dated", "empty", "needs_manual")
        assert r.reason
        assert 0.0 <= r.confidence <= 1.0
        if r.newest is not None:
            assert r.newest <= today
        assert all(i.date is None or i.date <= today for i in r.items)
        assert (r.newest is not None) == (r.status == "dated")


@pytest.mark.parametrize(
    ("name", "newest", "count"),
    [
        ("dfa66_announcement.html", date(2020, 7, 2), 10),
        ("hrfund_announcement.html", date(2020, 4, 30), 10),
        ("hsqhfunds_announcement.html", date(2020, 7, 2), 20),
        ("rtfund_xxpl.html", date(2020, 7, 9), 15),
    ],
)
def test_announcement_lists(name, newest, count):
    """Fund 公告 lists, the closest public analogue of 通知公告 columns (checked by eye)."""
    path = EVAL / "gerapy-auto-extractor-samples/samples/list" / name
    r = extract_list(read(path), "https://example.com/list/index.html", date(2026, 11, 23))
    assert r.status == "dated"
    assert r.newest == newest
    assert r.item_count == count


@pytest.mark.parametrize("path", ARTICLE_PAGES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_article_pages_never_produce_future_dates(path):
    html = read(path)
    for today in TODAYS:
        r = extract_article_date(html, "https://example.com/a/1.html", today=today)
        assert r.date is None or r.date <= today
        assert r.reason
    assert isinstance(read_meta_tags(html), dict)
    assert all(link.url.startswith("http") for link in extract_links(html, "https://example.com/"))


def test_gov_article_with_meta_and_label():
    """德清县 jcms article: PubDate meta 2016-11-22 09:53, page shows 日期：2016-11-22."""
    r = extract_article_date(read(EVAL / "gne-tests/tests/gzggw/1.html"), "")
    assert r.date == date(2016, 11, 22)
    assert r.conflict is False
