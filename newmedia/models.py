"""Government new-media accounts and their filed lifecycle (国办发〔2018〕123号)."""

from django.db import models

from core.files import private_storage
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
    has_interaction = models.BooleanField(
        "开通互动功能", default=True, help_text="留言、评论或私信（M-V3 互动回应差）"
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
    """A dated, filed lifecycle act: opening, change (rename), suspension, cancellation.
    国办发〔2018〕123号: filed with the supervising office (locally within 2 or 5 working days)."""

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
    new_name = models.CharField("变更后名称", max_length=200, blank=True)
    filed_by = models.ForeignKey(
        "auth.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("录入时间", auto_now_add=True, null=True)

    class Meta:
        verbose_name = "账号变更记录"
        verbose_name_plural = "账号变更记录"
        ordering = ("account", "date", "id")

    def __str__(self) -> str:
        return f"{self.account} {self.get_kind_display()} {self.date}"


class Post(models.Model):
    """One item an account published, however it reached us (feed, import, the unit's entry).
    (account, guid) is unique: the same post ingested twice is one post."""

    class Source(models.TextChoices):
        FEED = "feed", "订阅源"
        IMPORT = "import", "表格导入"
        PORTAL = "portal", "单位报送"

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="posts")
    guid = models.CharField("标识", max_length=500)
    published_at = models.DateTimeField("发布时间", db_index=True)
    title = models.CharField("标题", max_length=500)
    url = models.URLField("网址", max_length=1000, blank=True)
    original = models.BooleanField("原创", default=True)
    source = models.CharField("来源", max_length=10, choices=Source.choices)
    screenshot = models.FileField(
        "截图", storage=private_storage, upload_to="posts/%Y/%m/", blank=True
    )
    created_at = models.DateTimeField("录入时间", auto_now_add=True)

    class Meta:
        verbose_name = "新媒体发布记录"
        verbose_name_plural = "新媒体发布记录"
        ordering = ("-published_at",)
        constraints = [models.UniqueConstraint(fields=("account", "guid"), name="post_unique_guid")]
        indexes = [models.Index(fields=("account", "published_at"))]

    def __str__(self) -> str:
        return f"{self.account} {self.published_at:%Y-%m-%d} {self.title}"


class Message(models.Model):
    """A message from the public and its answer: on a new-media account, or on a website's
    interaction channel (县长信箱, 咨询投诉, 在线访谈). W-V5, M-V3 and seed 003's mailbox statistics
    read these."""

    class Source(models.TextChoices):
        IMPORT = "import", "表格导入"
        PAGE = "page", "网站答复列表"
        PORTAL = "portal", "单位报送"

    account = models.ForeignKey(
        Account, null=True, blank=True, on_delete=models.CASCADE, related_name="messages"
    )
    website = models.ForeignKey(
        "units.Website", null=True, blank=True, on_delete=models.CASCADE, related_name="messages"
    )
    channel = models.CharField("渠道", max_length=100, blank=True, help_text="例如 县长信箱")
    guid = models.CharField("标识", max_length=500)
    title = models.CharField("标题", max_length=500, blank=True)
    received_at = models.DateTimeField("留言时间", db_index=True)
    replied_at = models.DateTimeField("答复时间", null=True, blank=True)
    auto_reply = models.BooleanField("自动回复", default=False)
    # 网上信访 and 纪检举报 do not count as consultation (W-V5); invalid messages neither.
    valid = models.BooleanField("有效留言", default=True)
    source = models.CharField("来源", max_length=10, choices=Source.choices)
    url = models.URLField("网址", max_length=1000, blank=True)

    class Meta:
        verbose_name = "留言"
        verbose_name_plural = "留言"
        ordering = ("-received_at",)
        constraints = [
            models.UniqueConstraint(
                fields=("account", "guid"),
                condition=models.Q(account__isnull=False),
                name="message_unique_account_guid",
            ),
            models.UniqueConstraint(
                fields=("website", "guid"),
                condition=models.Q(website__isnull=False),
                name="message_unique_website_guid",
            ),
            models.CheckConstraint(
                condition=models.Q(account__isnull=True) ^ models.Q(website__isnull=True),
                name="message_one_subject",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.channel or self.account} {self.received_at:%Y-%m-%d} {self.title}"


class RepostRequirement(models.Model):
    """Important central, provincial or city information staff require accounts to repost by a
    date (seed 003: 未及时转载重要信息); matched by title or URL."""

    title = models.CharField("标题", max_length=500)
    url = models.URLField("原文网址", max_length=1000, blank=True)
    due = models.DateField("转载截止日期")
    platforms = models.JSONField(
        "适用平台", default=list, blank=True, help_text="留空则适用于全部平台"
    )
    note = models.CharField("说明", max_length=300, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "重要信息转载要求"
        verbose_name_plural = "重要信息转载要求"
        ordering = ("-due",)

    def __str__(self) -> str:
        return f"{self.title}（{self.due:%Y-%m-%d}前）"
