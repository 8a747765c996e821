"""Circulars (通报): drafted from a period's verdicts, approved by the lead, published signed.

A published circular, its PDF and its annexes never change: the model refuses to save one, the
files live in write-once storage, and a correction is a new circular naming the one it corrects.
"""

from django.conf import settings
from django.db import models

from audits.models import Period
from notices.storage import write_once_storage


class Office(models.Model):
    """The issuing office and its defaults (one row per deployment; edited in the admin)."""

    name = models.CharField("发文机关", max_length=100, default="县人民政府办公室")
    header = models.CharField(
        "发文机关标志", max_length=100, default="县人民政府办公室文件", help_text="红头文字"
    )
    doc_prefix = models.CharField(
        "发文字号代字", max_length=30, default="政办督字", help_text="例如 沭政督字"
    )
    recipients = models.CharField(
        "主送机关", max_length=300, default="各镇人民政府、街道办事处，县直有关单位"
    )
    next_steps = models.TextField(
        "下一步工作（默认文字）",
        default=(
            "针对本期通报指出的问题，各镇（街道）、各单位要高度重视，对号入座，举一反三，迅速开展"
            "自查整改，并于整改时限前通过监管平台报送整改情况。\n"
            "要加强对政府网站和政务新媒体的日常监测，及时发现并整改存在的问题，做好历史问题整改"
            "销号的同时严防问题增量，确保信息更新及时、内容准确、运行安全。\n"
            "政务新媒体要提高信息发布频率和质量，做到每周更新不少于1次，及时回应群众留言。"
        ),
    )

    class Meta:
        verbose_name = "发文机关"
        verbose_name_plural = "发文机关"

    def __str__(self) -> str:
        return self.name

    @classmethod
    def current(cls) -> "Office":
        return cls.objects.order_by("pk").first() or cls.objects.create()


class DocNumber(models.Model):
    """The 文号 sequence of one prefix and year. A number is taken only when a circular is
    published, in the publishing transaction, under a row lock: none used twice, none skipped."""

    prefix = models.CharField("代字", max_length=30)
    year = models.PositiveIntegerField("年份")
    last = models.PositiveIntegerField("已用到", default=0)

    class Meta:
        verbose_name = "发文字号"
        verbose_name_plural = "发文字号"
        constraints = [
            models.UniqueConstraint(fields=("prefix", "year"), name="docnumber_unique_year")
        ]

    def __str__(self) -> str:
        return f"{self.prefix}〔{self.year}〕 已用到{self.last}号"


class Circular(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "草稿"
        APPROVED = "approved", "已审核"
        PUBLISHED = "published", "已发布"

    office = models.ForeignKey(Office, on_delete=models.PROTECT, verbose_name="发文机关")
    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="circulars")
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.DRAFT)
    title = models.CharField("标题", max_length=300)
    recipients = models.CharField("主送机关", max_length=300)
    preamble = models.TextField("开头", blank=True)
    overall = models.TextField("一、总体情况")
    problems = models.TextField("二、存在问题")
    next_steps = models.TextField("三、下一步工作")
    issuer = models.CharField("署名", max_length=100)
    issued_on = models.DateField("成文日期")
    # Which annexes the circular carries (websites, accounts, rollup, statistics).
    annexes = models.JSONField("附件", default=list)
    corrects = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="corrections",
        verbose_name="更正的通报",
    )
    doc_year = models.PositiveIntegerField("文号年份", null=True, blank=True)
    doc_serial = models.PositiveIntegerField("文号序号", null=True, blank=True)
    doc_number = models.CharField("文号", max_length=60, blank=True)
    # Frozen at publication: the annex rows exactly as printed and the facts behind them.
    snapshot = models.JSONField("发布时的数据", default=dict, blank=True)
    pdf = models.FileField("PDF", storage=write_once_storage, upload_to="circulars/", blank=True)
    pdf_sha256 = models.CharField("PDF SHA-256", max_length=64, blank=True, db_index=True)
    xlsx = models.FileField(
        "附件表格", storage=write_once_storage, upload_to="circulars/", blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("起草时间", auto_now_add=True)
    updated_at = models.DateTimeField("修改时间", auto_now=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField("审核时间", null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField("发布时间", null=True, blank=True)

    class Meta:
        verbose_name = "通报"
        verbose_name_plural = "通报"
        ordering = ("-published_at", "-created_at")
        constraints = [
            models.UniqueConstraint(
                fields=("office", "doc_year", "doc_serial"),
                condition=models.Q(doc_serial__isnull=False),
                name="circular_unique_doc_number",
            )
        ]

    def __str__(self) -> str:
        return self.doc_number or self.title

    def save(self, *args, **kwargs):
        # A published circular never changes: publication itself is the last save.
        if self.pk is not None and not getattr(self, "_publishing", False):
            stored = Circular.objects.filter(pk=self.pk).values_list("status", flat=True).first()
            if stored == self.Status.PUBLISHED:
                raise ValueError("已发布的通报不能修改；如需更正，请起草一份更正通报")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.is_published:
            raise ValueError("已发布的通报不能删除")
        super().delete(*args, **kwargs)

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED
