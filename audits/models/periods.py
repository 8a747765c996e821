from django.conf import settings
from django.db import models
from django.db.models import Q

from audits import periods as spans


class Period(models.Model):
    """An inspection period: what a verdict and a circular are for. Self-checks are not periods."""

    class Kind(models.TextChoices):
        MONTH = spans.MONTH, "月度"
        QUARTER = spans.QUARTER, "季度"
        YEAR = spans.YEAR, "年度"
        CUSTOM = spans.CUSTOM, "统计时段"

    kind = models.CharField("类型", max_length=10, choices=Kind.choices)
    start = models.DateField("开始日期")
    end = models.DateField("结束日期")
    code = models.CharField("代码", max_length=30, unique=True)
    # The run whose observations the period's counts come from (issue: one monitoring point
    # per period); empty means the last complete office run of the period.
    monitoring_run = models.ForeignKey(
        "audits.InspectionRun",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="监测时间点所在任务",
    )
    locked_at = models.DateTimeField("锁定时间", null=True, blank=True)
    locked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="锁定人",
    )

    class Meta:
        verbose_name = "检查周期"
        verbose_name_plural = "检查周期"
        ordering = ("-end", "-start")
        constraints = [
            models.CheckConstraint(condition=Q(end__gte=models.F("start")), name="period_ordered")
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def span(self) -> spans.Span:
        return spans.Span(self.kind, self.start, self.end)

    @property
    def label(self) -> str:
        return self.span.label

    @property
    def is_locked(self) -> bool:
        return self.locked_at is not None

    @classmethod
    def for_span(cls, span: spans.Span) -> "Period":
        period, _ = cls.objects.get_or_create(
            code=span.code, defaults={"kind": span.kind, "start": span.start, "end": span.end}
        )
        return period

    @classmethod
    def for_code(cls, code: str) -> "Period":
        """The period with this code, created when new; ValueError for a code that is none."""
        existing = cls.objects.filter(code=code.strip()).first()
        return existing or cls.for_span(spans.parse(code))

    def previous(self) -> "Period | None":
        """The latest period of the same kind that ended before this one started."""
        return Period.objects.filter(kind=self.kind, end__lt=self.start).order_by("-end").first()
