"""Column categories and their default update windows.

Source: ../shared/domain/indicators.md, "Column categories and windows" (国办秘函〔2019〕19号,
W-V4). 6 months is counted as 183 days and 1 year as 365 days; staff may override any column.
"""

from django.db import models


class Category(models.TextChoices):
    NEWS = "news", "动态要闻"
    NOTICE = "notice", "通知公告"
    POLICY = "policy", "政策文件"
    # Seed 001 judges 解读 columns on a 6-month window ("…解读栏目超过半年未更新"), but the
    # 2019 W-V4(a) count names only 通知公告 and 政策文件, so 解读 is its own category.
    INTERPRETATION = "interpretation", "政策解读"
    PERSONNEL = "personnel", "人事信息"
    PLAN = "plan", "规划计划"
    # 领导信息 "must be current": judged on a year (seed 001 fails 梅渚镇 and 凌笪镇 on
    # "政府领导栏目超过1年未更新").
    LEADERS = "leaders", "领导信息"
    STATIC = "static", "概况类（无更新周期）"
    TOPIC = "topic", "专题（已关闭，豁免）"
    OTHER = "other", "其他"


# None: no update window (static columns must only be non-empty; closed topics are exempt).
DEFAULT_WINDOW_DAYS: dict[str, int | None] = {
    Category.NEWS: 14,
    Category.NOTICE: 183,
    Category.POLICY: 183,
    Category.INTERPRETATION: 183,
    Category.PERSONNEL: 365,
    Category.PLAN: 365,
    Category.LEADERS: 365,
    Category.STATIC: None,
    Category.TOPIC: None,
    Category.OTHER: 365,
}


def default_window(category: str) -> int | None:
    return DEFAULT_WINDOW_DAYS.get(category)
