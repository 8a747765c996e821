"""Shared records that belong to no one domain: the audit log and uploaded files.

core depends on no app of the project (dependencies run core <- units <- newmedia <- audits <-
notices <- dashboard / portal), so the object an entry is about is a generic reference and the
unit concerned is a plain id.
"""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models


class AuditLogEntry(models.Model):
    """Every human act that changes a judgement, the registry or a publication: who, what,
    when, why, and the state before and after. Append-only (enforced in the admin and here)."""

    at = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        verbose_name="操作人",
    )
    action = models.CharField("操作", max_length=60, db_index=True)
    # The unit concerned, as a plain id: core may not depend on units.
    unit_id = models.PositiveBigIntegerField("单位", null=True, blank=True, db_index=True)
    object_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.SET_NULL, verbose_name="对象类型"
    )
    object_id = models.PositiveBigIntegerField("对象ID", null=True, blank=True)
    target = models.CharField("对象", max_length=300, blank=True)
    before = models.JSONField("修改前", default=dict, blank=True)
    after = models.JSONField("修改后", default=dict, blank=True)
    detail = models.JSONField("详情", default=dict, blank=True)

    class Meta:
        verbose_name = "操作日志"
        verbose_name_plural = "操作日志"
        ordering = ("-at", "-id")
        indexes = [models.Index(fields=("object_type", "object_id"))]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor} {self.action} {self.target}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("操作日志只能追加，不能修改")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("操作日志只能追加，不能删除")


class Upload(models.Model):
    """An uploaded import file, kept between its preview and its confirmation."""

    class Kind(models.TextChoices):
        REGISTRY = "registry", "登记信息"
        FINDINGS = "findings", "第三方监测问题"
        POSTS = "posts", "新媒体发布记录"
        MESSAGES = "messages", "留言记录"

    kind = models.CharField("类型", max_length=20, choices=Kind.choices, default=Kind.REGISTRY)
    options = models.JSONField("导入参数", default=dict, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, verbose_name="上传人"
    )
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)
    filename = models.CharField("文件名", max_length=255)
    sha256 = models.CharField("SHA-256", max_length=64)
    data = models.BinaryField("文件内容")
    applied_at = models.DateTimeField("导入时间", null=True, blank=True)

    class Meta:
        verbose_name = "导入文件"
        verbose_name_plural = "导入文件"
        ordering = ("-uploaded_at",)

    def __str__(self) -> str:
        return f"{self.filename} ({self.uploaded_at:%Y-%m-%d %H:%M})"


class OutboxMessage(models.Model):
    """A reminder to deliver, written in the same transaction as the event that causes it and
    delivered by a task that claims it with a conditional UPDATE: never lost, never sent twice.

    `key` makes the write idempotent (the same reminder for the same event and day is one row).
    """

    class Channel(models.TextChoices):
        EMAIL = "email", "电子邮件"
        WEBHOOK = "webhook", "群机器人"

    class Status(models.TextChoices):
        PENDING = "pending", "待发送"
        SENDING = "sending", "发送中"
        SENT = "sent", "已发送"
        FAILED = "failed", "发送失败"

    key = models.CharField("标识", max_length=200, unique=True)
    channel = models.CharField("渠道", max_length=10, choices=Channel.choices)
    unit_id = models.PositiveBigIntegerField("单位", null=True, blank=True, db_index=True)
    recipient = models.CharField("收件人", max_length=500)
    subject = models.CharField("标题", max_length=300)
    body = models.TextField("内容")
    extra = models.JSONField("参数", default=dict, blank=True)  # e.g. the robot's kind, secret
    status = models.CharField(
        "状态", max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    attempts = models.PositiveSmallIntegerField("尝试次数", default=0)
    next_attempt_at = models.DateTimeField("下次尝试", db_index=True)
    claimed_at = models.DateTimeField("领取时间", null=True, blank=True)
    claim = models.CharField("领取标记", max_length=40, blank=True)
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)
    last_error = models.TextField("最近错误", blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "待发提醒"
        verbose_name_plural = "待发提醒"
        ordering = ("-created_at",)

    def __str__(self) -> str:
        return f"{self.get_channel_display()} → {self.recipient}：{self.subject}"
