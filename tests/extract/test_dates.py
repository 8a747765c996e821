"""Date tokens: formats, impostors (ICP, phone, 索引号, copyright), year inference."""

from datetime import date

import pytest

from audits.extract.dates import (
    date_from_parts,
    date_from_url,
    date_in_fragment,
    find_dates,
    infer_year,
)


def dates(text: str) -> list[date]:
    return [t.date for t in find_dates(text)]


@pytest.mark.parametrize(
    "text",
    [
        "2023-01-04",
        "2023/1/4",
        "2023.01.04",
        "2023年1月4日",
        "2023 年 01 月 04 日",
        "2023-1-4 12:30",
        "2023-01-04 12:30:45",
        "2023-01-04T12:30:45+08:00",
        "发布时间:2023-01-04",
        "[2023-01-04]",
        "２０２３年１月４日",
    ],
)
def test_full_date_formats(text):
    assert dates(text) == [date(2023, 1, 4)]


def test_time_is_kept():
    (tok,) = find_dates("2005年3月11日12:12 来源")
    assert tok.date == date(2005, 3, 11) and tok.time == "12:12"
    (tok,) = find_dates("2023-1-4 12:30:45")
    assert tok.time == "12:30:45"


@pytest.mark.parametrize(
    "text",
    [
        "皖ICP备05001234号",
        "京ICP证030173号-1",
        "电话：0563-7021234",
        "联系电话：(0563)702-1234",
        "索引号：11341722003251630P/202301-00012",
        "索引号：11341722003251630P/2023-01-00012",
        "© 2005-2023 XX县人民政府 版权所有",
        "Copyright 2003-2023",
        "2023-02-30",
        "2023-13-01",
        "1899-01-04",
        "2023-01/04",
        "版本 1.2.3",
        "192.168.1.1",
        "23-01-04",
    ],
)
def test_impostors_and_impossible_dates_are_rejected(text):
    assert dates(text) == []


def test_year_inference_never_in_the_future():
    today = date(2026, 1, 5)
    assert infer_year(12, 28, today) == date(2025, 12, 28)  # new-year span
    assert infer_year(1, 5, today) == date(2026, 1, 5)  # today itself
    assert infer_year(1, 6, today) == date(2025, 1, 6)  # tomorrow → last year
    assert infer_year(2, 29, today) == date(2024, 2, 29)  # latest leap year
    assert infer_year(13, 1, today) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("01-04", date(2026, 1, 4)),
        ("[01-04]", date(2026, 1, 4)),
        ("12-28", date(2025, 12, 28)),
        ("(12-28)", date(2025, 12, 28)),
        ("1月4日", date(2026, 1, 4)),
        ("12月28日", date(2025, 12, 28)),
        ("2023-01-04", date(2023, 1, 4)),
        ("发布时间：2023-01-04", date(2023, 1, 4)),
    ],
)
def test_date_only_fragments(text, expected):
    tok = date_in_fragment(text, date(2026, 1, 5))
    assert tok is not None and tok.date == expected


@pytest.mark.parametrize(
    "text",
    ["第1-2页", "关于2023年1月4日停电的通知", "13-01", "3.5", "01-04 至 01-09", "今天是1月4日"],
)
def test_not_date_only_fragments(text):
    assert date_in_fragment(text, date(2026, 1, 5)) is None


def test_yearless_flag():
    tok = date_in_fragment("[12-28]", date(2026, 1, 5))
    assert tok is not None and tok.has_year is False


def test_split_day_and_year_month():
    today = date(2026, 1, 5)
    assert date_from_parts(["04", "2023-01"], today).date == date(2023, 1, 4)
    assert date_from_parts(["2023.01", "04"], today).date == date(2023, 1, 4)
    assert date_from_parts(["01-04", "2023"], today).date == date(2023, 1, 4)
    assert date_from_parts(["30", "2023-02"], today) is None  # impossible
    assert date_from_parts(["关于开展的通知"], today) is None


def test_url_dates():
    assert date_from_url("http://x.gov.cn/xxgk/202301/t20230104_123.html").date == date(2023, 1, 4)
    assert date_from_url("http://x.gov.cn/art/2023/1/4/art_12_34.html").date == date(2023, 1, 4)
    assert date_from_url("http://x.gov.cn/2023-01/04/c_123.htm").date == date(2023, 1, 4)
    assert date_from_url("http://x.gov.cn/u/20200429175329_3226.pdf") is None  # a timestamp id
    assert date_from_url("http://x.gov.cn/a.html?t=20230104") is None  # query ignored
    assert date_from_url("http://x.gov.cn/2023/0101/t20230104_1.html") is None  # disagree
