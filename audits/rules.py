"""Rule sets as data: the national 2019 indicators and local overlays.

Source: ../shared/domain/indicators.md (国办秘函〔2019〕19号). The frozen dataclasses here are what
the pure checks and the verdict function read; `audits.models.RuleSet` stores them with a version
so a verdict can say exactly which rules produced it.
"""

from dataclasses import dataclass, field

from units.categories import DEFAULT_WINDOW_DAYS


@dataclass(frozen=True)
class Item:
    """One deduction item of the 100-point table. Amounts marked unverified are editable data."""

    code: str
    group: str  # 发布解读 | 办事服务 | 互动交流 | 功能设计
    text: str
    cap: float  # within one item, deductions never exceed this
    per_occurrence: float
    verified: bool = False
    window_days: int | None = None


@dataclass(frozen=True)
class Overlays:
    """Local overlays seen in circulars, each a switch with a parameter."""

    # Seed 001: a problem from last period not (fully) fixed makes the unit 不合格.
    unfixed_last_period_fails: bool = False
    # Seed 001 "即将超过半年未更新": warn when a column is within N days of its window.
    due_soon_days: int | None = None
    # Seed 003: messages answered within N hours.
    reply_within_hours: int | None = None
    # Seed 001 "每周更新不少于1次": a new-media account posts at least every N days.
    account_update_every_days: int | None = None
    # Seed 002: opening or renaming an account is filed within N working days.
    account_filing_working_days: int | None = None
    # Seed 002: share of original posts at least this.
    account_original_share: float | None = None
    # Seed 004: an auto-reply used as the interaction function is a problem.
    account_auto_reply_is_problem: bool = False


@dataclass(frozen=True)
class Rules:
    code: str
    version: int
    pass_mark: float = 60.0  # 湖北 uses 80: a rule-set setting
    bonus_threshold: float = 80.0  # bonus part scored only strictly above this
    # W-V4 thresholds: (a) news 2w + first-level notice/policy 6m overdue together;
    # (b) columns that should be updated but are long stale; (c) empty columns.
    veto_overdue_key: int = 5
    veto_overdue_any: int = 10
    veto_empty: int = 5
    # W-V2: failure share of availability probes over the look-back, and the look-back.
    veto_unavailable_share: float = 0.05
    availability_days: int = 7
    min_probes_per_day: int = 20
    home_stale_days: int = 14  # W-V3
    # W-V4 windows per column category (days; None: no window). Staff may override a column.
    windows: tuple[tuple[str, int | None], ...] = tuple(DEFAULT_WINDOW_DAYS.items())
    # W-V5: a valid message unanswered for more than 3 months within the past year.
    interaction_unanswered_days: int = 92
    interaction_lookback_days: int = 365
    # W-V6 (threshold U): at least N items whose guides each miss at least M key elements.
    service_veto_items: int = 5
    service_veto_missing: int = 4
    # M-V2: no post within the 2 weeks before the monitoring point; zombie accounts.
    account_stale_days: int = 14
    account_zombie_days: int = 180
    cert_expiry_warning_days: int = 30
    overlays: Overlays = field(default_factory=Overlays)
    items: tuple[Item, ...] = ()

    def item(self, code: str) -> Item | None:
        return next((i for i in self.items if i.code == code), None)

    def window(self, category: str) -> int | None:
        return dict(self.windows).get(category)


# The deduction items known today. V = verified in two or more sources; the rest are editable
# data seeded from the spec and flagged unverified in the admin.
NATIONAL_2019_ITEMS: tuple[Item, ...] = (
    Item("policy_stale", "发布解读", "一级政策文件栏目超过6个月未更新", 5, 5, True, 183),
    Item("service_stats_stale", "办事服务", "办事统计数据超过3个月未更新", 2, 2, True, 92),
    Item("reply_stale", "互动交流", "留言答复超过2个月未更新", 3, 3, True, 61),
    Item("broken_link_home", "功能设计", "首页链接无法访问（每个）", 5, 1.0),
    Item("broken_link_other", "功能设计", "其他页面链接无法访问（每个）", 5, 0.1),
    Item("typo", "发布解读", "错别字（每处）", 5, 0.5),
    Item("meta_tags", "功能设计", "网页标签不符合《政府网站发展指引》（每类）", 2, 0.5),
    Item("tls", "功能设计", "HTTPS证书无效或即将过期", 2, 1.0),
    Item("search_miss", "功能设计", "站内搜索查不到近期信息（每条）", 3, 1.0),
    Item("service_guide", "办事服务", "办事指南要素缺失（每项）", 10, 1.0),
    Item("manual", "功能设计", "人工检查发现的其他问题（每项）", 10, 1.0),
)

NATIONAL_2019 = Rules(code="national-2019", version=1, items=NATIONAL_2019_ITEMS)
