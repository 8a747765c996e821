from django.db import models

from audits.rules import Item, Overlays, Rules
from units.categories import DEFAULT_WINDOW_DAYS


def default_windows() -> dict:
    """Update windows per column category (indicators.md, "Column categories and windows")."""
    return {str(k): v for k, v in DEFAULT_WINDOW_DAYS.items()}


def default_rectification_days() -> dict:
    """整改时限 per finding kind, in days after confirmation; "default" for the others."""
    return {"default": 15, "unavailable": 3, "home_stale": 5, "hidden_link": 1, "gambling": 1}


class RuleSet(models.Model):
    """A versioned rule set: the national 2019 indicators, or a local overlay of them.

    A new version is a new row; verdicts keep pointing at the version that produced them.
    """

    code = models.CharField("代码", max_length=50)
    version = models.PositiveIntegerField("版本", default=1)
    name = models.CharField("名称", max_length=200)
    is_active = models.BooleanField("当前使用", default=False)
    pass_mark = models.FloatField("合格分数线", default=60)
    bonus_threshold = models.FloatField("加分项起算分数（高于）", default=80)
    veto_overdue_key = models.PositiveIntegerField("单否：要闻及一级通知政策栏目超期数", default=5)
    veto_overdue_any = models.PositiveIntegerField("单否：应更未更栏目数", default=10)
    veto_empty = models.PositiveIntegerField("单否：空栏目数", default=5)
    veto_unavailable_share = models.FloatField("单否：首页探测失败比例", default=0.05)
    home_stale_days = models.PositiveIntegerField("首页不更新天数", default=14)
    availability_days = models.PositiveIntegerField("可用性监测天数", default=7)
    min_probes_per_day = models.PositiveIntegerField("每天最少探测次数", default=20)
    windows = models.JSONField(
        "栏目更新周期（天）", default=default_windows, help_text="按栏目类别；null 表示无更新周期"
    )
    interaction_unanswered_days = models.PositiveIntegerField(
        "留言超期未答复天数（W-V5）", default=92, help_text="国家指标：超过3个月未答复"
    )
    interaction_lookback_days = models.PositiveIntegerField("留言回溯天数", default=365)
    reply_within_hours = models.PositiveIntegerField(
        "留言须在N小时内答复", null=True, blank=True, help_text="地方规则（青神县：24小时）"
    )
    service_veto_items = models.PositiveIntegerField(
        "单否：办事指南要素缺失事项数", default=5, help_text="未核实：回忆为≥5个事项各缺≥4个要素"
    )
    service_veto_missing = models.PositiveIntegerField("单否：每个事项缺失要素数", default=4)
    account_stale_days = models.PositiveIntegerField("新媒体不更新天数（M-V2）", default=14)
    account_update_every_days = models.PositiveIntegerField(
        "新媒体至少每N天更新", null=True, blank=True, help_text="地方规则（郎溪县：每周）"
    )
    account_zombie_days = models.PositiveIntegerField("僵尸账号：无发布天数", default=180)
    account_filing_working_days = models.PositiveIntegerField(
        "新媒体开设变更报备时限（工作日）",
        null=True,
        blank=True,
        help_text="地方规则（2或5个工作日）",
    )
    account_original_share = models.FloatField(
        "新媒体原创比例下限", null=True, blank=True, help_text="地方规则（临沭县），如 0.3"
    )
    account_auto_reply_is_problem = models.BooleanField(
        "以自动回复作为互动功能视为问题", default=False, help_text="地方规则（淮南市）"
    )
    rectification_days = models.JSONField(
        "整改时限（天）", default=default_rectification_days, help_text="按问题类型；default 为其余"
    )
    unfixed_last_period_fails = models.BooleanField(
        "上期问题未整改判不合格", default=False, help_text="地方规则（见郎溪县2022年12月通报）"
    )
    due_soon_days = models.PositiveIntegerField(
        "即将超期提醒提前天数", null=True, blank=True, help_text="留空则不提醒"
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "评判规则"
        verbose_name_plural = "评判规则"
        ordering = ("code", "-version")
        constraints = [
            models.UniqueConstraint(fields=("code", "version"), name="ruleset_unique_version")
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.code} v{self.version}）"


class DeductionItem(models.Model):
    rule_set = models.ForeignKey(RuleSet, on_delete=models.CASCADE, related_name="items")
    code = models.CharField("代码", max_length=50)
    group = models.CharField("指标组", max_length=20)
    text = models.CharField("扣分规则", max_length=300)
    cap = models.FloatField("本项最多扣分")
    per_occurrence = models.FloatField("每处扣分")
    window_days = models.PositiveIntegerField("回溯天数", null=True, blank=True)
    verified = models.BooleanField(
        "已核实", default=False, help_text="未核实：来自回忆或单一来源，使用前请对照正式文件"
    )

    class Meta:
        verbose_name = "扣分项"
        verbose_name_plural = "扣分项"
        ordering = ("rule_set", "group", "code")
        constraints = [
            models.UniqueConstraint(fields=("rule_set", "code"), name="deduction_unique_code")
        ]

    def __str__(self) -> str:
        return f"{self.group}：{self.text}"


def active_rule_set() -> RuleSet:
    rule_set = RuleSet.objects.filter(is_active=True).order_by("-version").first()
    return rule_set or RuleSet.objects.order_by("-version").first()


def rules_for(rule_set: RuleSet) -> Rules:
    """The frozen rules the pure checks and the verdict read, from a stored rule set."""
    return Rules(
        code=rule_set.code,
        version=rule_set.version,
        pass_mark=rule_set.pass_mark,
        bonus_threshold=rule_set.bonus_threshold,
        veto_overdue_key=rule_set.veto_overdue_key,
        veto_overdue_any=rule_set.veto_overdue_any,
        veto_empty=rule_set.veto_empty,
        veto_unavailable_share=rule_set.veto_unavailable_share,
        availability_days=rule_set.availability_days,
        min_probes_per_day=rule_set.min_probes_per_day,
        home_stale_days=rule_set.home_stale_days,
        windows=tuple({**default_windows(), **(rule_set.windows or {})}.items()),
        interaction_unanswered_days=rule_set.interaction_unanswered_days,
        interaction_lookback_days=rule_set.interaction_lookback_days,
        service_veto_items=rule_set.service_veto_items,
        service_veto_missing=rule_set.service_veto_missing,
        account_stale_days=rule_set.account_stale_days,
        account_zombie_days=rule_set.account_zombie_days,
        overlays=Overlays(
            unfixed_last_period_fails=rule_set.unfixed_last_period_fails,
            due_soon_days=rule_set.due_soon_days,
            reply_within_hours=rule_set.reply_within_hours,
            account_update_every_days=rule_set.account_update_every_days,
            account_filing_working_days=rule_set.account_filing_working_days,
            account_original_share=rule_set.account_original_share,
            account_auto_reply_is_problem=rule_set.account_auto_reply_is_problem,
        ),
        items=tuple(
            Item(i.code, i.group, i.text, i.cap, i.per_occurrence, i.verified, i.window_days)
            for i in rule_set.items.all()
        ),
    )
