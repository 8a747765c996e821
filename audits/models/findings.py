from django.conf import settings
from django.db import models
from django.db.models import F, IntegerField, Q
from django.db.models.fields.json import KT
from django.db.models.functions import Cast

from audits.glossary import Indicator, Kind, Severity
from core.fields import BulkJSONField
from newmedia.models import Account
from units.models import Column, Unit, Website


class Finding(models.Model):
    """A problem found by the machine, by staff, or imported from a vendor; people decide.

    Its subject is a website or a new-media account (or, for an imported row that names no
    site, the unit itself)."""

    class Status(models.TextChoices):
        PENDING = "pending", "待复核"
        CONFIRMED = "confirmed", "已确认"
        DISMISSED = "dismissed", "已排除"
        EXEMPT = "exempt", "已豁免"  # an exemption staff granted covers it: shown, never counted

    class Source(models.TextChoices):
        MACHINE = "machine", "机器监测"
        MANUAL = "manual", "人工检查"
        IMPORT = "import", "第三方导入"

    class Rectification(models.TextChoices):
        OPEN = "open", "待整改"
        SUBMITTED = "submitted", "已提交整改"
        REJECTED = "rejected", "整改不彻底"
        CLOSED = "closed", "已销号"

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="findings")
    website = models.ForeignKey(
        Website, null=True, blank=True, on_delete=models.CASCADE, related_name="findings"
    )
    account = models.ForeignKey(
        Account, null=True, blank=True, on_delete=models.CASCADE, related_name="findings"
    )
    column = models.ForeignKey(
        Column, null=True, blank=True, on_delete=models.SET_NULL, related_name="findings"
    )
    run = models.ForeignKey(
        "audits.InspectionRun",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="findings",
    )
    period = models.ForeignKey(
        "audits.Period", on_delete=models.PROTECT, related_name="findings", verbose_name="检查周期"
    )
    monitoring_point = models.DateField("监测时间点")
    key = models.CharField("问题标识", max_length=600)
    kind = models.CharField("问题类型", max_length=40, choices=Kind.choices)
    indicator = models.CharField("指标", max_length=20, choices=Indicator.choices)
    severity = models.CharField("性质", max_length=20, choices=Severity.choices)
    title = models.CharField("问题", max_length=300)
    reason = models.TextField("说明")
    item = models.CharField("扣分项", max_length=50, blank=True)
    count = models.PositiveIntegerField("数量", default=1)
    url = models.URLField("网址", max_length=1000, blank=True)
    evidence = BulkJSONField("证据", default=dict, blank=True)
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
    deadline = models.DateField("整改时限", null=True, blank=True)
    closed_at = models.DateTimeField("销号时间", null=True, blank=True)
    first_seen = models.DateTimeField("首次发现", auto_now_add=True)
    last_seen = models.DateTimeField("最近发现", auto_now=True)

    class Meta:
        verbose_name = "问题"
        verbose_name_plural = "问题"
        ordering = ("unit__sort_order", "website_id", "account_id", "severity", "key")
        constraints = [
            # A re-run in the same period updates the finding (and keeps its review).
            models.UniqueConstraint(
                fields=("website", "period", "key"),
                condition=Q(website__isnull=False),
                name="finding_unique_per_website_period",
            ),
            models.UniqueConstraint(
                fields=("account", "period", "key"),
                condition=Q(account__isnull=False),
                name="finding_unique_per_account_period",
            ),
            models.UniqueConstraint(
                fields=("unit", "period", "key"),
                condition=Q(website__isnull=True, account__isnull=True),
                name="finding_unique_per_unit_period",
            ),
            models.CheckConstraint(
                condition=Q(website__isnull=True) | Q(account__isnull=True),
                name="finding_one_subject",
            ),
        ]
        indexes = [
            models.Index(fields=("period", "status", "severity")),
            # The review queue pages a period's pending findings newest first.
            models.Index(fields=("period", "status", "id"), name="finding_queue"),
            # The overview lists a period's columns about to fall due, the fewest days left
            # first: read in index order and stop at the limit (selectors.due_soon).
            models.Index(
                F("period"),
                Cast(KT("evidence__days_left"), IntegerField()),
                F("id"),
                condition=Q(kind="column_due_soon"),
                name="finding_due_soon",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.period} {self.title}"

    @property
    def subject(self):
        return self.website or self.account or self.unit


class Exemption(models.Model):
    """A dismissal that holds for later periods: this kind of finding on this column (or this
    site) is not counted until `until`, for a written reason (e.g. a 人事 column with nothing new
    this year). Findings it covers are kept and shown as 已豁免."""

    website = models.ForeignKey(Website, on_delete=models.CASCADE, related_name="exemptions")
    column = models.ForeignKey(
        Column, null=True, blank=True, on_delete=models.CASCADE, related_name="exemptions"
    )
    kind = models.CharField("问题类型", max_length=40, choices=Kind.choices)
    reason = models.TextField("豁免理由")
    until = models.DateField("豁免截止日期")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    source = models.ForeignKey(
        Finding, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "豁免"
        verbose_name_plural = "豁免"
        ordering = ("-created_at",)

    def __str__(self) -> str:
        where = self.column.name if self.column_id else self.website.name
        return f"{where} {self.get_kind_display()} 豁免至{self.until:%Y-%m-%d}"

    @property
    def scope_label(self) -> str:
        return f"栏目“{self.column.name}”" if self.column_id else f"网站“{self.website.name}”"
