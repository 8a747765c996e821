from django.conf import settings
from django.db import models
from django.db.models import Q

from audits.glossary import Result
from core.fields import BulkJSONField
from newmedia.models import Account
from units.models import Unit, Website


class Verdict(models.Model):
    """A website's or an account's result for a period, with what produced it."""

    Result = Result

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="verdicts")
    website = models.ForeignKey(
        Website, null=True, blank=True, on_delete=models.CASCADE, related_name="verdicts"
    )
    account = models.ForeignKey(
        Account, null=True, blank=True, on_delete=models.CASCADE, related_name="verdicts"
    )
    period = models.ForeignKey(
        "audits.Period", on_delete=models.PROTECT, related_name="verdicts", verbose_name="检查周期"
    )
    monitoring_point = models.DateField("监测时间点")
    monitoring_run = models.ForeignKey(
        "audits.InspectionRun",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="计数依据的监测任务",
    )
    rule_set = models.ForeignKey(
        "audits.RuleSet", on_delete=models.PROTECT, verbose_name="评判规则"
    )
    rule_set_version = models.PositiveIntegerField("规则版本")
    proposed_result = models.CharField("建议结果", max_length=10, choices=Result.choices)
    proposed_score = models.FloatField("建议得分", null=True, blank=True)
    reasons = BulkJSONField("理由", default=list)
    finding_ids = BulkJSONField("依据的问题", default=list)
    carried_keys = BulkJSONField("上期未整改问题", default=list)
    pending_count = models.PositiveIntegerField("待复核问题数", default=0)
    # What the result would be if every pending finding were confirmed: shown beside the
    # proposal so staff see where a review is heading; never used as the result.
    projected_result = models.CharField(
        "若全部确认", max_length=10, choices=Result.choices, blank=True
    )
    projected_reasons = BulkJSONField("若全部确认的理由", default=list)
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
            models.UniqueConstraint(
                fields=("website", "period"),
                condition=Q(website__isnull=False),
                name="verdict_unique_website_period",
            ),
            models.UniqueConstraint(
                fields=("account", "period"),
                condition=Q(account__isnull=False),
                name="verdict_unique_account_period",
            ),
            models.CheckConstraint(
                condition=Q(website__isnull=False, account__isnull=True)
                | Q(website__isnull=True, account__isnull=False),
                name="verdict_one_subject",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject} {self.period} {self.get_final_display()}"

    @property
    def subject(self):
        return self.website or self.account

    @property
    def final(self) -> str:
        return self.result or self.proposed_result

    def get_final_display(self) -> str:
        return Result(self.final).label


class Bonus(models.Model):
    """The 30-point bonus part of a portal's score, entered by staff with a reason
    (国办秘函〔2019〕19号: scored for portals only, and only when the deductions part is above 80)."""

    MAX_POINTS = 30

    website = models.ForeignKey(Website, on_delete=models.CASCADE, related_name="bonuses")
    period = models.ForeignKey("audits.Period", on_delete=models.PROTECT, related_name="+")
    points = models.FloatField("加分")
    reason = models.TextField("加分理由")
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    entered_at = models.DateTimeField("录入时间", auto_now=True)

    class Meta:
        verbose_name = "加分项"
        verbose_name_plural = "加分项"
        constraints = [
            models.UniqueConstraint(fields=("website", "period"), name="bonus_unique_period"),
            models.CheckConstraint(
                condition=Q(points__gte=0) & Q(points__lte=30), name="bonus_at_most_30"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.website} {self.period} +{self.points:g}"
