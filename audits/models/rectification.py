from django.conf import settings
from django.db import models

from core.files import private_storage


class Rectification(models.Model):
    """A unit's answer to a confirmed finding: what it did, with evidence. Staff accept it
    (销号) or reject it (整改不彻底, with a reason); the unit may then try again."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", "待审核"
        ACCEPTED = "accepted", "已销号"
        REJECTED = "rejected", "整改不彻底"

    finding = models.ForeignKey(
        "audits.Finding", on_delete=models.CASCADE, related_name="rectifications"
    )
    note = models.TextField("整改情况")
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField("提交时间", auto_now_add=True)
    status = models.CharField(
        "审核结果", max_length=20, choices=Status.choices, default=Status.SUBMITTED
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField("审核时间", null=True, blank=True)
    review_note = models.TextField("审核意见", blank=True)

    class Meta:
        verbose_name = "整改报告"
        verbose_name_plural = "整改报告"
        ordering = ("-submitted_at",)

    def __str__(self) -> str:
        return f"{self.finding} {self.get_status_display()}"


class Evidence(models.Model):
    """A file attached to a rectification: stored under a generated name outside the web root;
    served only to those who may see the unit."""

    rectification = models.ForeignKey(
        Rectification, on_delete=models.CASCADE, related_name="evidence"
    )
    file = models.FileField("文件", storage=private_storage, upload_to="evidence/%Y/%m/")
    name = models.CharField("文件名", max_length=120)
    content_type = models.CharField("类型", max_length=120)
    size = models.PositiveIntegerField("大小")
    sha256 = models.CharField("SHA-256", max_length=64)

    class Meta:
        verbose_name = "整改证据"
        verbose_name_plural = "整改证据"

    def __str__(self) -> str:
        return self.name
