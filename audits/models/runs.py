"""Inspection runs, the share of each website, and the observations they gather."""

from django.conf import settings
from django.db import models

from core.fields import BulkJSONField
from newmedia.models import Account
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
    # Self-checks and ad-hoc reads belong to no period.
    period = models.ForeignKey(
        "audits.Period",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="runs",
        verbose_name="检查周期",
    )
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
        return f"#{self.pk} {self.get_scope_display()} {self.period or '自查'}"


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
    # What the checks saw when they made the site's findings, {"rules": a digest of the rules,
    # "counts": {key: count}}: the run's finish counts the verdict from it instead of evaluating
    # the site again (audits.services.verdicts.verdicts_for_run).
    drafts = models.JSONField(null=True, blank=True, editable=False)

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
        SERVICES = "services", "办事服务"
        FEED = "feed", "新媒体订阅源"

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
    website = models.ForeignKey(
        Website, null=True, blank=True, on_delete=models.CASCADE, related_name="observations"
    )
    account = models.ForeignKey(
        Account, null=True, blank=True, on_delete=models.CASCADE, related_name="observations"
    )
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
    evidence = BulkJSONField("证据", default=dict, blank=True)
    # Availability probes are keyed by their time slot, so a probe delivered twice counts once.
    slot = models.DateTimeField("探测时段", null=True, blank=True)

    class Meta:
        verbose_name = "观测记录"
        verbose_name_plural = "观测记录"
        ordering = ("-observed_at",)
        constraints = [
            # A task delivered twice updates its observation instead of adding another. Per
            # website: two sites linking to one page each keep their own reading of it.
            models.UniqueConstraint(
                fields=("run", "website", "kind", "url"),
                condition=models.Q(run__isnull=False),
                name="observation_unique_per_run",
            ),
            models.UniqueConstraint(
                fields=("website", "kind", "slot"),
                condition=models.Q(slot__isnull=False, website__isnull=False),
                name="observation_unique_per_slot",
            ),
            models.UniqueConstraint(
                fields=("account", "kind", "slot"),
                condition=models.Q(slot__isnull=False, account__isnull=False),
                name="observation_unique_per_account_slot",
            ),
        ]
        indexes = [
            models.Index(fields=("website", "kind", "observed_at")),
            # The evidence beside each queued finding: its run's observation of its URL.
            models.Index(fields=("run", "url"), name="observation_run_url"),
            # A run's page lists its observations by site, kind and URL.
            models.Index(fields=("run", "website", "kind", "url"), name="observation_run_page"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.url} {self.get_outcome_display()}"
