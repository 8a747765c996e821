"""Inspection runs, the observations they gather, and the audit log of human acts."""

from django.conf import settings
from django.db import models

from audits.checks.base import Severity
from units.models import Column, Unit, Website


class InspectionRun(models.Model):
    class Scope(models.TextChoices):
        ALL = "all", "全部网站"
        UNIT = "unit", "单个单位"
        SITE = "site", "单个网站"

    class Trigger(models.TextChoices):
        SCHEDULE = "schedule", "定时任务"
        STAFF = "staff", "工作人员发起"
        SELF_CHECK = "self_check", "单位自查"
        COMMAND = "command", "命令行"

    class Status(models.TextChoices):
        QUEUED = "queued", "排队中"
        RUNNING = "running", "进行中"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"
        CANCELLED = "cancelled", "已取消"

    scope = models.CharField("范围", max_length=10, choices=Scope.choices, default=Scope.ALL)
    unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.SET_NULL)
    website = models.ForeignKey(Website, null=True, blank=True, on_delete=models.SET_NULL)
    period = models.CharField("检查周期", max_length=20, help_text="例如 2026-11 或 2026Q4")
    monitoring_point = models.DateField("监测时间点")
    trigger = models.CharField("触发方式", max_length=20, choices=Trigger.choices)
    check_links = models.BooleanField("检查链接", default=False)
    status = models.CharField(
        "状态", max_length=20, choices=Status.choices, default=Status.QUEUED, db_index=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)
    sites_total = models.PositiveIntegerField("网站总数", default=0)
    sites_done = models.PositiveIntegerField("已完成网站", default=0)
    pages_total = models.PositiveIntegerField("页面总数", default=0)
    pages_done = models.PositiveIntegerField("已完成页面", default=0)
    errors = models.PositiveIntegerField("错误数", default=0)
    log = models.TextField("运行日志", blank=True)

    class Meta:
        verbose_name = "监测任务"
        verbose_name_plural = "监测任务"
        ordering = ("-created_at",)

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_scope_display()} {self.period}"


class RunSite(models.Model):
    """One website's share of a run: the unit of work a task claims, retries or re-runs."""

    class Status(models.TextChoices):
        PENDING = "pending", "等待"
        RUNNING = "running", "进行中"
        DONE = "done", "完成"
        FAILED = "failed", "失败"

    run = models.ForeignKey(InspectionRun, on_delete=models.CASCADE, related_name="sites")
    website = models.ForeignKey(Website, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "任务网站"
        verbose_name_plural = "任务网站"
        constraints = [
            models.UniqueConstraint(fields=("run", "website"), name="runsite_unique_run_website")
        ]

    def __str__(self) -> str:
        return f"{self.run_id}/{self.website_id} {self.status}"


class Observation(models.Model):
    """A fact seen by the machine, with its evidence, so a disputed finding can be shown."""

    class Kind(models.TextChoices):
        COLUMN = "column", "栏目更新"
        HOME = "home", "首页"
        PROBE = "probe", "可用性探测"
        LINK = "link", "链接检查"
        META = "meta", "网页标签"
        TLS = "tls", "证书"
        DISCOVERY = "discovery", "栏目发现"
        SEARCH = "search", "站内搜索"
        ARTICLE = "article", "文章页"

    class Outcome(models.TextChoices):
        DATED = "dated", "已取得日期"
        EMPTY = "empty", "空栏目"
        NEEDS_MANUAL = "needs_manual", "需人工核查"
        ERROR = "error", "访问失败"
        OK = "ok", "正常"
        DEAD = "dead", "无法访问"
        UNKNOWN = "unknown", "无法判断"

    run = models.ForeignKey(
        InspectionRun, null=True, blank=True, on_delete=models.CASCADE, related_name="observations"
    )
    website = models.ForeignKey(Website, on_delete=models.CASCADE, related_name="observations")
    column = models.ForeignKey(
        Column, null=True, blank=True, on_delete=models.SET_NULL, related_name="observations"
    )
    kind = models.CharField("类型", max_length=20, choices=Kind.choices)
    url = models.URLField("网址", max_length=1000)
    outcome = models.CharField("结果", max_length=20, choices=Outcome.choices)
    observed_at = models.DateTimeField("观测时间", db_index=True)
    http_status = models.PositiveSmallIntegerField("HTTP状态", null=True, blank=True)
    elapsed_ms = models.PositiveIntegerField("耗时（毫秒）", null=True, blank=True)
    bytes = models.PositiveIntegerField("字节数", null=True, blank=True)
    encoding = models.CharField("编码", max_length=60, blank=True)
    newest_date = models.DateField("最新信息日期", null=True, blank=True)
    item_count = models.PositiveIntegerField("条目数", null=True, blank=True)
    confidence = models.FloatField("置信度", null=True, blank=True)
    reason = models.TextField("依据", blank=True)
    # Items seen (title, url, date), redirects, encoding evidence, excerpts: what a person checks.
    evidence = models.JSONField("证据", default=dict, blank=True)
    # Availability probes are keyed by their time slot, so a probe delivered twice counts once.
    slot = models.DateTimeField("探测时段", null=True, blank=True)

    class Meta:
        verbose_name = "观测记录"
        verbose_name_plural = "观测记录"
        ordering = ("-observed_at",)
        constraints = [
            # A task delivered twice updates its observation instead of adding another.
            models.UniqueConstraint(
                fields=("run", "kind", "url"),
                condition=models.Q(run__isnull=False),
                name="observation_unique_per_run",
            ),
            models.UniqueConstraint(
                fields=("website", "kind", "slot"),
                condition=models.Q(slot__isnull=False),
                name="observation_unique_per_slot",
            ),
        ]
        indexes = [models.Index(fields=("website", "kind", "observed_at"))]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.url} {self.get_outcome_display()}"


class AuditLogEntry(models.Model):
    """Every human act that changes a judgement or the registry: who, what, when, why."""

    at = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    action = models.CharField("操作", max_length=60)
    unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.SET_NULL)
    target = models.CharField("对象", max_length=300, blank=True)
    detail = models.JSONField("详情", default=dict, blank=True)

    class Meta:
        verbose_name = "操作日志"
        verbose_name_plural = "操作日志"
        ordering = ("-at",)

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor} {self.action} {self.target}"


class DictionaryEntry(models.Model):
    """A word the content scan looks for (or must ignore). Kept by staff in the admin."""

    class Kind(models.TextChoices):
        TYPO = "typo", "错别字"
        SENSITIVE = "sensitive", "敏感词"
        GAMBLING = "gambling", "涉赌"
        PORN = "porn", "涉黄"
        ALLOW = "allow", "白名单（不报告）"

    kind = models.CharField("类别", max_length=20, choices=Kind.choices)
    word = models.CharField("词语", max_length=100)
    correction = models.CharField("正确写法", max_length=100, blank=True)
    note = models.CharField("说明", max_length=300, blank=True)
    is_active = models.BooleanField("启用", default=True)
    created_at = models.DateTimeField("添加时间", auto_now_add=True)

    class Meta:
        verbose_name = "词库条目"
        verbose_name_plural = "词库"
        ordering = ("kind", "word")
        constraints = [
            models.UniqueConstraint(fields=("kind", "word"), name="dictionary_unique_kind_word")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.word}"


class Leader(models.Model):
    """A leader whose name and titles must be written correctly (领导姓名职务)."""

    name = models.CharField("姓名", max_length=50, unique=True)
    titles = models.TextField("正确职务", help_text="每行一个，例如 县委书记")
    wrong_variants = models.TextField(
        "已知错误写法", blank=True, help_text="每行一个，例如 县委付书记、错写的姓名"
    )
    is_active = models.BooleanField("在任", default=True)
    sort_order = models.PositiveIntegerField("排序", default=0)

    class Meta:
        verbose_name = "领导姓名职务"
        verbose_name_plural = "领导姓名职务"
        ordering = ("sort_order", "name")

    def __str__(self) -> str:
        return self.name


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


class Finding(models.Model):
    """A problem found by the machine, by staff, or imported from a vendor; people decide."""

    class Status(models.TextChoices):
        PENDING = "pending", "待复核"
        CONFIRMED = "confirmed", "已确认"
        DISMISSED = "dismissed", "已排除"

    class Source(models.TextChoices):
        MACHINE = "machine", "机器监测"
        MANUAL = "manual", "人工检查"
        IMPORT = "import", "第三方导入"

    class Rectification(models.TextChoices):
        OPEN = "open", "待整改"
        SUBMITTED = "submitted", "已提交整改"
        CLOSED = "closed", "已销号"

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="findings")
    website = models.ForeignKey(
        Website, null=True, blank=True, on_delete=models.CASCADE, related_name="findings"
    )
    column = models.ForeignKey(
        Column, null=True, blank=True, on_delete=models.SET_NULL, related_name="findings"
    )
    run = models.ForeignKey(
        InspectionRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="findings"
    )
    period = models.CharField("检查周期", max_length=20, db_index=True)
    monitoring_point = models.DateField("监测时间点")
    key = models.CharField("问题标识", max_length=600)
    kind = models.CharField("问题类型", max_length=40)
    indicator = models.CharField("指标", max_length=20)
    severity = models.CharField("性质", max_length=20, choices=Severity.CHOICES)
    title = models.CharField("问题", max_length=300)
    reason = models.TextField("说明")
    item = models.CharField("扣分项", max_length=50, blank=True)
    count = models.PositiveIntegerField("数量", default=1)
    url = models.URLField("网址", max_length=1000, blank=True)
    evidence = models.JSONField("证据", default=dict, blank=True)
    screenshot = models.FileField("截图", upload_to="findings/%Y/%m/", blank=True)
    source = models.CharField("来源", max_length=20, choices=Source.choices, default=Source.MACHINE)
    status = models.CharField(
        "复核状态", max_length=20, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    review_note = models.TextField("复核意见", blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField("复核时间", null=True, blank=True)
    rectification = models.CharField(
        "整改状态", max_length=20, choices=Rectification.choices, default=Rectification.OPEN
    )
    first_seen = models.DateTimeField("首次发现", auto_now_add=True)
    last_seen = models.DateTimeField("最近发现", auto_now=True)

    class Meta:
        verbose_name = "问题"
        verbose_name_plural = "问题"
        ordering = ("unit__sort_order", "website_id", "severity", "key")
        constraints = [
            # A re-run in the same period updates the finding (and keeps its review).
            models.UniqueConstraint(
                fields=("unit", "website", "period", "key"),
                condition=models.Q(website__isnull=False),
                name="finding_unique_per_period",
            ),
            models.UniqueConstraint(
                fields=("unit", "period", "key"),
                condition=models.Q(website__isnull=True),
                name="finding_unique_per_period_unit",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.period} {self.title}"


class Verdict(models.Model):
    """A unit's website result for a period, with what produced it."""

    class Result(models.TextChoices):
        CLEAN = "clean", "无问题"
        PASS = "pass", "合格"
        FAIL = "fail", "不合格"
        VETO = "veto", "单否"

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="verdicts")
    website = models.ForeignKey(Website, on_delete=models.CASCADE, related_name="verdicts")
    period = models.CharField("检查周期", max_length=20, db_index=True)
    monitoring_point = models.DateField("监测时间点")
    rule_set = models.ForeignKey(RuleSet, on_delete=models.PROTECT, verbose_name="评判规则")
    rule_set_version = models.PositiveIntegerField("规则版本")
    proposed_result = models.CharField("建议结果", max_length=10, choices=Result.choices)
    proposed_score = models.FloatField("建议得分", null=True, blank=True)
    reasons = models.JSONField("理由", default=list)
    finding_ids = models.JSONField("依据的问题", default=list)
    carried_keys = models.JSONField("上期未整改问题", default=list)
    pending_count = models.PositiveIntegerField("待复核问题数", default=0)
    # What the result would be if every pending finding were confirmed: shown beside the
    # proposal so staff see where a review is heading; never used as the result.
    projected_result = models.CharField(
        "若全部确认", max_length=10, choices=Result.choices, blank=True
    )
    projected_reasons = models.JSONField("若全部确认的理由", default=list)
    computed_at = models.DateTimeField("计算时间")
    result = models.CharField("最终结果", max_length=10, choices=Result.choices, blank=True)
    override_reason = models.TextField("改判理由", blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField("认定时间", null=True, blank=True)

    class Meta:
        verbose_name = "检查结果"
        verbose_name_plural = "检查结果"
        ordering = ("unit__sort_order", "unit__name")
        constraints = [
            models.UniqueConstraint(fields=("website", "period"), name="verdict_unique_period")
        ]

    def __str__(self) -> str:
        return f"{self.website} {self.period} {self.get_final_display()}"

    @property
    def final(self) -> str:
        return self.result or self.proposed_result

    def get_final_display(self) -> str:
        return self.Result(self.final).label
