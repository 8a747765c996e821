"""Lists whose dates cannot decide alone: year-less, pinned (置顶) and out-of-order entries.

The extractor stays pure: it names the entries whose own pages must be read (``to_confirm``) and
:func:`settle` turns what those pages said into the answer; nothing here fetches anything.
"""

from datetime import date

from audits.extract.listpage import Confirmation, extract_list, needed, settle

URL = "http://www.xx.gov.cn/col/gzdt/index.html"
TODAY = date(2026, 11, 23)


def page(rows: list[str]) -> str:
    return (
        "<html><head><meta charset='utf-8'></head><body>"
        f'<div class="list"><ul>{"".join(rows)}</ul></div></body></html>'
    )


def li(n: int, when: str, mark: str = "") -> str:
    before = '<span class="zd">[置顶]</span>' if mark == "span" else ""
    inside = "【置顶】" if mark == "text" else ""
    after = '<img src="/images/zhiding.gif" alt="置顶">' if mark == "img" else ""
    return (
        f'<li>{before}<a href="/art/{n}.html">{inside}县政府召开第{n}次常务会议研究部署工作</a>'
        f'{after}<span class="time">{when}</span></li>'
    )


def said(url_n: int, day: date | None, source: str = "visible-label") -> tuple:
    url = f"http://www.xx.gov.cn/art/{url_n}.html"
    how = f"读取页面标签“发布时间：{day}”" if day else "未找到可信的发布日期"
    return url, Confirmation(url, day, source if day else "none", how)


def run_settle(result, pages: dict[int, date | None]):
    """Feed settle() what the pages say, one needed page at a time, as read_column does."""
    confirmations: dict = {}
    asked = []
    for _ in range(4):
        final = settle(result, confirmations, TODAY)
        if final is not None:
            return final, asked
        todo = needed(result, confirmations)
        assert todo, "settle wants a page but names none"
        n = int(todo[0].url.rsplit("/", 1)[1].split(".")[0])
        asked.append(n)
        url, conf = said(n, pages.get(n))
        confirmations[url] = conf
    raise AssertionError("settle never settled")


def test_full_dates_in_order_need_no_page():
    r = extract_list(
        page([li(1, "2026-11-20"), li(2, "2026-11-18"), li(3, "2026-11-01")]), URL, TODAY
    )
    assert r.status == "dated" and r.settled and r.newest == date(2026, 11, 20)


def test_yearless_list_over_a_year_old_gets_its_year_from_the_page():
    # The newest item is from 2025-11-17, shown "[11-17]": the naive year is 2026.
    r = extract_list(page([li(1, "[11-17]"), li(2, "[10-02]"), li(3, "[08-30]")]), URL, TODAY)
    assert r.newest == date(2026, 11, 17) and not r.settled  # naive, provisional
    assert [c.role for c in r.to_confirm] == ["decider", "next"]
    final, asked = run_settle(r, {1: date(2025, 11, 17), 2: date(2025, 10, 2)})
    assert final.status == "dated" and final.newest == date(2025, 11, 17)
    assert asked == [1, 2]  # the decider was a year older than listed: the next one too
    assert "2025-11-17" in final.reason and final.items[0].date == date(2025, 11, 17)


def test_yearless_decider_confirmed_as_listed_settles_alone():
    r = extract_list(page([li(1, "11-17"), li(2, "10-02"), li(3, "08-30")]), URL, TODAY)
    final, asked = run_settle(r, {1: date(2026, 11, 17)})
    assert (final.status, final.newest, asked) == ("dated", date(2026, 11, 17), [1])


def test_yearless_without_a_dated_page_needs_manual_never_a_guess():
    r = extract_list(page([li(1, "11-17"), li(2, "10-02"), li(3, "08-30")]), URL, TODAY)
    final, _ = run_settle(r, {1: None})
    assert final.status == "needs_manual" and final.newest is None
    assert "需人工核对" in final.reason


def test_a_page_showing_another_month_day_does_not_confirm():
    r = extract_list(page([li(1, "11-17"), li(2, "10-02"), li(3, "08-30")]), URL, TODAY)
    final, _ = run_settle(r, {1: date(2025, 11, 16), 2: date(2026, 10, 2)})
    assert final.status == "needs_manual"  # the decider in order is unknown: no answer
    assert "与列表不符" in final.reason


def test_pinned_marks_are_seen_in_every_form():
    for mark in ("span", "text", "img"):
        rows = [li(9, "2026-11-22", mark), li(1, "2026-11-20"), li(2, "2026-11-10")]
        r = extract_list(page(rows), URL, TODAY)
        assert r.to_confirm[0].pinned, mark
        assert not r.items[0].title.startswith("【"), r.items[0].title


def test_pinned_newest_decides_only_when_its_page_confirms_it():
    rows = [li(9, "2026-11-22", "span"), li(1, "2026-11-20"), li(2, "2026-11-10")]
    r = extract_list(page(rows), URL, TODAY)
    final, asked = run_settle(r, {9: date(2026, 11, 22)})
    assert (final.newest, asked) == (date(2026, 11, 22), [9])
    final, _ = run_settle(r, {9: None})
    assert final.status == "dated" and final.newest == date(2026, 11, 20)
    assert "置顶" in final.reason


def test_old_pinned_item_on_top_is_out_of_order_and_never_the_newest():
    rows = [li(9, "2025-03-01"), li(1, "2026-11-20"), li(2, "2026-11-18"), li(3, "2026-11-01")]
    r = extract_list(page(rows), URL, TODAY)
    assert r.settled and r.newest == date(2026, 11, 20)  # full dates in order decide


def test_out_of_order_newest_date_needs_its_page():
    rows = [li(1, "2026-10-20"), li(2, "2026-10-18"), li(9, "2026-11-21"), li(3, "2026-10-01")]
    r = extract_list(page(rows), URL, TODAY)
    assert r.to_confirm and r.to_confirm[0].out_of_order
    final, _ = run_settle(r, {9: None})
    assert final.newest == date(2026, 10, 20)
    final, _ = run_settle(r, {9: date(2026, 11, 21)})
    assert final.newest == date(2026, 11, 21)


def test_yearless_pinned_last_year_item_does_not_look_newest():
    # 置顶 item from 2025-09-30 shown "09-30" (naive 2026-09-30) above 2026-07-* items.
    rows = [li(9, "09-30"), li(1, "07-20"), li(2, "07-02"), li(3, "06-11")]
    r = extract_list(page(rows), URL, TODAY)
    assert r.newest == date(2026, 9, 30)  # what the naive reading says
    final, asked = run_settle(r, {9: date(2025, 9, 30), 1: date(2026, 7, 20)})
    assert final.newest == date(2026, 7, 20) and asked == [9, 1]
    final, _ = run_settle(r, {9: date(2025, 9, 30), 1: None})
    assert final.status == "needs_manual"


def test_oldest_first_lists_are_in_order_too():
    rows = [li(1, "2026-09-01"), li(2, "2026-10-01"), li(3, "2026-11-01"), li(4, "2026-11-20")]
    r = extract_list(page(rows), URL, TODAY)
    assert r.settled and r.newest == date(2026, 11, 20)
