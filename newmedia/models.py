"""Government new-media accounts and their filed lifecycle (国办发〔2018〕123号)."""

from django.db import models

from units.models import Unit
from units.validators import validate_public_url


class Platform(models.TextChoices):
    WECHAT = "wechat", "微信"
    WEIBO = "weibo", "微博"
    DOUYIN = "douyin", "抖音"
    TOUTIAO = "toutiao", "头条"
    KUAISHOU = "kuaishou", "快手"
    CHANNELS = "channels", "视频号"
    APP = "app", "APP"
    OTHER = "other", "其他"


class Account(models.Model):
    class Filing(models.TextChoices):
        FILED = "filed", "已备案"
        PENDING = "pending", "备案中"
        UNFILED = "unfiled", "未备案"

    class Status(models.TextChoices):
        ACTIVE = "active", "运行"
        SUSPENDED = "suspended", "关停"
        CANCELLED = "cancelled", "注销"

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="accounts")
    platform = models.CharField("平台", max_length=20, choices=Platform.choices)
    name = models.CharField("账号名称", max_length=200)
    account_id = models.CharField("账号ID", max_length=200, blank=True)
    url = models.URLField("主页地址", max_length=500, blank=True, validators=[validate_public_url])
    feed_url = models.URLField(
        "订阅源地址", max_length=500, blank=True, validators=[validate_public_url]
    )
    filing = models.CharField(
        "备案状态", max_length=20, choices=Filing.choices, default=Filing.FILED
    )
    status = models.CharField(
        "运行状态", max_length=20, choices=Status.choices, default=Status.ACTIVE
    )

    class Meta:
        verbose_name = "政务新媒体账号"
        verbose_name_plural = "政务新媒体账号"
        ordering = ("unit__sort_order", "unit__name", "platform", "name")
        constraints = [
            models.UniqueConstraint(
                fields=("unit", "platform", "name"), name="account_unique_unit_platform_name"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.get_platform_display()}）"


class AccountEvent(models.Model):
    """A dated, filed lifecycle act: opening, change (rename), suspension, cancellation."""

    class Kind(models.TextChoices):
        OPEN = "open", "开设"
        CHANGE = "change", "变更"
        SUSPEND = "suspend", "关停"
        CANCEL = "cancel", "注销"

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField("类型", max_length=20, choices=Kind.choices)
    date = models.DateField("日期")
    filed_on = models.DateField("报备日期", null=True, blank=True)
    note = models.CharField("说明", max_length=500, blank=True)

    class Meta:
        verbose_name = "账号变更记录"
        verbose_name_plural = "账号变更记录"
        ordering = ("account", "date", "id")

    def __str__(self) -> str:
        return f"{self.account} {self.get_kind_display()} {self.date}"
