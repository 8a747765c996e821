"""Periods as dates: a month, a quarter, a year or a custom statistics window.

Pure arithmetic over dates; `audits.models.Period` stores them. A period's code is stable and
readable ("2026-11", "2026Q4", "2026", "2020-11-24~2021-02-22"); ordering and "the previous
period" always come from the dates, never from the code's string order (which puts "2026Q4"
after "2026-12" and a self-check "自查-…" after everything).
"""

import calendar
import datetime as dt
import re
from dataclasses import dataclass

MONTH, QUARTER, YEAR, CUSTOM = "month", "quarter", "year", "custom"
_QUARTER_NAMES = "一二三四"


@dataclass(frozen=True)
class Span:
    kind: str
    start: dt.date
    end: dt.date  # inclusive

    @property
    def code(self) -> str:
        if self.kind == MONTH:
            return f"{self.start:%Y-%m}"
        if self.kind == QUARTER:
            return f"{self.start.year}Q{(self.start.month - 1) // 3 + 1}"
        if self.kind == YEAR:
            return f"{self.start.year}"
        return f"{self.start.isoformat()}~{self.end.isoformat()}"

    @property
    def label(self) -> str:
        """As circulars write it: 2026年11月, 2026年第四季度, 2026年, 2020年11月24日—2021年2月22日."""
        if self.kind == MONTH:
            return f"{self.start.year}年{self.start.month}月"
        if self.kind == QUARTER:
            return f"{self.start.year}年第{_QUARTER_NAMES[(self.start.month - 1) // 3]}季度"
        if self.kind == YEAR:
            return f"{self.start.year}年"
        return f"{cn_date(self.start)}—{cn_date(self.end)}"

    def contains(self, day: dt.date) -> bool:
        return self.start <= day <= self.end


def cn_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def month_of(day: dt.date) -> Span:
    last = calendar.monthrange(day.year, day.month)[1]
    return Span(MONTH, day.replace(day=1), day.replace(day=last))


def quarter_of(day: dt.date) -> Span:
    first = (day.month - 1) // 3 * 3 + 1
    start = dt.date(day.year, first, 1)
    end_month = first + 2
    return Span(
        QUARTER, start, dt.date(day.year, end_month, calendar.monthrange(day.year, end_month)[1])
    )


def year_of(day: dt.date) -> Span:
    return Span(YEAR, dt.date(day.year, 1, 1), dt.date(day.year, 12, 31))


def custom(start: dt.date, end: dt.date) -> Span:
    if end < start:
        raise ValueError("统计时段的结束日期不能早于开始日期")
    return Span(CUSTOM, start, end)


def span_of(kind: str, day: dt.date) -> Span:
    return {MONTH: month_of, QUARTER: quarter_of, YEAR: year_of}[kind](day)


_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_QUARTER = re.compile(r"^(\d{4})\s*[Qq]([1-4])$")
_YEAR = re.compile(r"^(\d{4})$")
_CUSTOM = re.compile(r"^(\d{4}-\d{2}-\d{2})\s*[~至—-]{1,2}\s*(\d{4}-\d{2}-\d{2})$")


def parse(code: str) -> Span:
    """A period from its code; ValueError with a Chinese message when it is none."""
    text = (code or "").strip()
    if m := _MONTH.match(text):
        year, month = int(m[1]), int(m[2])
        if 1 <= month <= 12:
            return month_of(dt.date(year, month, 1))
    elif m := _QUARTER.match(text):
        return quarter_of(dt.date(int(m[1]), (int(m[2]) - 1) * 3 + 1, 1))
    elif m := _YEAR.match(text):
        return year_of(dt.date(int(m[1]), 1, 1))
    elif m := _CUSTOM.match(text):
        return custom(dt.date.fromisoformat(m[1]), dt.date.fromisoformat(m[2]))
    raise ValueError(
        f"无法识别的检查周期“{code}”：应为 2026-11（月）、2026Q4（季度）、2026（年）"
        "或 2020-11-24~2021-02-22（统计时段）"
    )
