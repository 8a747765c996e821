"""The one vocabulary of the engine: indicator codes, finding kinds, severities and results.

Checks, scoring, models, imports and templates all use these enums, so a typo is an
AttributeError at import time instead of a count that silently stops. Codes follow
../shared/domain/indicators.md (国办秘函〔2019〕19号): W- for websites, M- for new media; W-V4 is
split into its three counts (a), (b) and (c); D marks a problem that is only scored.
"""

from django.db import models


class Indicator(models.TextChoices):
    W_V1 = "W-V1", "安全、泄密事故等严重问题"
    W_V2 = "W-V2", "站点无法访问"
    W_V3 = "W-V3", "首页不更新"
    W_V4 = "W-V4", "栏目不更新"  # warnings and manual checks about columns
    W_V4A = "W-V4a", "栏目不更新：动态要闻及一级通知公告、政策文件"
    W_V4B = "W-V4b", "栏目不更新：应更未更"
    W_V4C = "W-V4c", "空白栏目"
    W_V5 = "W-V5", "互动回应差"
    W_V6 = "W-V6", "服务不实用"
    DEDUCTION = "D", "扣分项"
    M_V1 = "M-V1", "新媒体：安全、泄密事故等严重问题"
    M_V2 = "M-V2", "新媒体：内容不更新"
    M_V3 = "M-V3", "新媒体：互动回应差"
    M_LOCAL = "M-L", "新媒体：本地要求"

    @classmethod
    def vetoes(cls) -> frozenset[str]:
        """Codes whose confirmed finding is a single veto on its own."""
        return frozenset({cls.W_V1, cls.W_V2, cls.W_V3, cls.W_V5, cls.W_V6} | cls.account_vetoes())

    @classmethod
    def account_vetoes(cls) -> frozenset[str]:
        return frozenset({cls.M_V1, cls.M_V2, cls.M_V3})


# W-V4 counts: (a) news over 2 weeks + first-level notice/policy over 6 months; (b) all columns
# that should be updated and are not (includes (a)); (c) empty columns.
W_V4_COUNTS = (Indicator.W_V4A, Indicator.W_V4B, Indicator.W_V4C)


class Severity(models.TextChoices):
    """How a finding weighs in a verdict once a person has confirmed it."""

    VETO = "veto", "单项否决"  # 单项否决 on its own (W-V1, W-V2, W-V3, M-V…)
    PROBLEM = "problem", "问题"  # listed; counted toward the W-V4 thresholds; maybe scored
    DEDUCTION = "deduction", "扣分"  # scored through its deduction item
    WARNING = "warning", "提醒"  # 即将超期: listed, never scored
    MANUAL = "manual", "需人工核查"  # the machine is unsure: a task for staff, never counted


class Result(models.TextChoices):
    CLEAN = "clean", "无问题"
    PASS = "pass", "合格"
    FAIL = "fail", "不合格"
    VETO = "veto", "单否"

    @classmethod
    def passing(cls) -> frozenset[str]:
        return frozenset({cls.CLEAN, cls.PASS})


class Kind(models.TextChoices):
    """What a finding is about. The circular's phrases are built from these."""

    COLUMN_OVERDUE = "column_overdue", "栏目超期未更新"
    COLUMN_EMPTY = "column_empty", "空栏目"
    COLUMN_DUE_SOON = "column_due_soon", "栏目即将超期"
    COLUMN_MANUAL = "column_manual", "栏目需人工核查"
    HOME_STALE = "home_stale", "首页不更新"
    HOME_MANUAL = "home_manual", "首页需人工核查"
    UNAVAILABLE = "unavailable", "站点无法访问"
    BROKEN_LINK = "broken_link", "链接无法访问"
    META_TAGS = "meta_tags", "网页标签"
    TLS = "tls", "HTTPS证书"
    SEARCH_MISS = "search_miss", "站内搜索查不到"
    SERVICE_MISSING = "service_missing", "无办事服务"
    SERVICE_GUIDE = "service_guide", "办事指南要素缺失"
    SERVICE_MANUAL = "service_manual", "办事服务需人工核查"
    INTERACTION = "interaction", "互动回应差"
    DATE_SUSPECT = "date_suspect", "疑似更新不实"
    TYPO = "typo", "错别字"
    LEADER = "leader", "领导姓名职务错误"
    SENSITIVE = "sensitive", "敏感词"
    GAMBLING = "gambling", "涉赌内容"
    PORN = "porn", "涉黄内容"
    HIDDEN_LINK = "hidden_link", "暗链"
    ACCOUNT_STALE = "account_stale", "新媒体不更新"
    ACCOUNT_INTERACTION = "account_interaction", "新媒体互动回应差"
    ACCOUNT_FILING = "account_filing", "新媒体未报备"
    ACCOUNT_ZOMBIE = "account_zombie", "僵尸账号"
    ACCOUNT_RULE = "account_rule", "新媒体本地要求"
    MANUAL = "manual", "人工检查发现"
    IMPORTED = "imported", "第三方监测发现"
    IMPORTED_VETO = "imported_veto", "第三方监测单项否决"


# The content scan's finding kinds: W-V1 candidates and typos, from every scanned page.
CONTENT_KINDS = frozenset(
    {Kind.TYPO, Kind.LEADER, Kind.SENSITIVE, Kind.GAMBLING, Kind.PORN, Kind.HIDDEN_LINK}
)
