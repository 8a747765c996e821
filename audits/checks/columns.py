"""Column freshness (W-V4) and the due-soon overlay."""

import datetime as dt
from dataclasses import dataclass

from audits.checks.base import Draft, Indicator, Kind, Severity
from audits.rules import Rules
from units.categories import Category

# W-V4(a) counts 动态要闻 columns over 2 weeks plus first-level 通知公告/政策文件 over 6 months.
_KEY_FIRST_LEVEL = {Category.NOTICE, Category.POLICY}


@dataclass(frozen=True)
class ColumnFact:
    name: str
    url: str
    category: str
    window_days: int | None
    is_first_level: bool
    is_exempt: bool
    outcome: str  # dated | empty | needs_manual | error
    newest: dt.date | None = None
    http_status: int | None = None
    reason: str = ""


def window_label(days: int) -> str:
    return {14: "2周", 183: "半年", 365: "1年"}.get(days, f"{days}天")


def check_columns(columns: list[ColumnFact], point: dt.date, rules: Rules) -> list[Draft]:
    """W-V4: overdue per category window, empty columns, and due-soon warnings.

    国办秘函〔2019〕19号 W-V4: (a) news columns not updated within 2 weeks plus first-level
    notice/policy columns not updated within 6 months, together >= 5; (b) columns that should
    be updated but are long stale >= 10; (c) empty columns >= 5. The counting against the
    thresholds happens in the verdict, over confirmed findings; here each column is judged.
    """
    drafts = []
    for c in columns:
        if c.is_exempt or c.category == Category.TOPIC:
            continue
        drafts.extend(_check_one(c, point, rules))
    return drafts


def _check_one(c: ColumnFact, point: dt.date, rules: Rules) -> list[Draft]:
    evidence = {"newest": c.newest.isoformat() if c.newest else None, "outcome": c.outcome}
    if c.outcome == "empty":
        return [
            Draft(
                key=f"column_empty:{c.url}",
                kind=Kind.COLUMN_EMPTY,
                indicator=Indicator.W_V4C,
                severity=Severity.PROBLEM,
                title=f"“{c.name}”栏目为空栏目",
                reason=f"“{c.name}”栏目没有任何信息（空白栏目）。",
                column_url=c.url,
                url=c.url,
                evidence=evidence,
            )
        ]
    if c.outcome == "needs_manual":
        return [_manual(c, f"无法自动确定“{c.name}”栏目的最新信息日期：{c.reason}")]
    if c.outcome == "error":
        return [_manual(c, f"“{c.name}”栏目页面本次无法读取（{c.reason}），请人工核查。")]
    if c.newest is None or c.window_days is None:
        return []

    age = (point - c.newest).days
    key_bucket = c.category == Category.NEWS or (
        c.category in _KEY_FIRST_LEVEL and c.is_first_level
    )
    label = window_label(c.window_days)
    evidence["age_days"] = age
    if age > c.window_days:
        policy_item = c.category == Category.POLICY and c.is_first_level and c.window_days >= 183
        return [
            Draft(
                key=f"column_overdue:{c.url}",
                kind=Kind.COLUMN_OVERDUE,
                indicator=Indicator.W_V4A if key_bucket else Indicator.W_V4B,
                severity=Severity.PROBLEM,
                title=f"“{c.name}”栏目超过{label}未更新",
                reason=(
                    f"“{c.name}”栏目最新信息发布于{c.newest:%Y年%m月%d日}，"
                    f"距监测时间点{point:%Y年%m月%d日}已{age}天，超过{label}的更新要求。"
                ),
                item="policy_stale" if policy_item else "",
                column_url=c.url,
                url=c.url,
                evidence=evidence,
            )
        ]
    lead = rules.overlays.due_soon_days
    if lead is not None:
        # A 15-day lead would flag every 2-week news column all the time: on short windows
        # the lead shrinks to a quarter of the window.
        lead = min(lead, c.window_days // 4)
    if lead is not None and c.window_days - age <= lead:
        left = c.window_days - age
        return [
            Draft(
                key=f"column_due_soon:{c.url}",
                kind=Kind.COLUMN_DUE_SOON,
                indicator=Indicator.W_V4,
                severity=Severity.WARNING,
                title=f"“{c.name}”栏目即将超过{label}未更新",
                reason=(
                    f"“{c.name}”栏目最新信息发布于{c.newest:%Y年%m月%d日}，"
                    f"再过{left}天将超过{label}的更新要求，请及时更新。"
                ),
                column_url=c.url,
                url=c.url,
                evidence=evidence | {"days_left": left},
            )
        ]
    return []


def _manual(c: ColumnFact, reason: str) -> Draft:
    return Draft(
        key=f"column_manual:{c.url}",
        kind=Kind.COLUMN_MANUAL,
        indicator=Indicator.W_V4,
        severity=Severity.MANUAL,
        title=f"“{c.name}”栏目需人工核查",
        reason=reason,
        column_url=c.url,
        url=c.url,
        evidence={"outcome": c.outcome, "http_status": c.http_status},
    )
