"""The registry: units, their websites and the columns of each website."""

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models

from units.categories import DEFAULT_WINDOW_DAYS, Category
from units.validators import validate_public_url

site_code_validator = RegexValidator(
    r"^\d{10}$", "网站标识码应为10位数字（6位行政区划代码 + 4位顺序号）"
)


class Unit(models.Model):
    class Kind(models.TextChoices):
        TOWNSHIP = "township", "乡镇"
        SUBDISTRICT = "subdistrict", "街道"
        DEPARTMENT = "department", "县直部门"
        DEVZONE = "devzone", "开发区"
        OTHER = "other", "其他"

    name = models.CharField("单位名称", max_length=100, unique=True)
    kind = models.CharField("单位类型", max_length=20, choices=Kind.choices)
    contact_person = models.CharField("联系人", max_length=50, blank=True)
    phone = models.CharField("联系电话", max_length=50, blank=True)
    email = models.EmailField("电子邮箱", blank=True)
    # Vertically managed units (税务, 气象, 生态环境分局) are inspected and listed but left out
    # of the county's pass rates (seed 001: 44 units listed, 41 counted).
    counts_in_rates = models.BooleanField("计入合格率", default=True)
    is_active = models.BooleanField("在册", default=True)
    sort_order = models.PositiveIntegerField("排序", default=0)
    notes = models.TextField("备注", blank=True)
    # Reminders (整改提醒, 即将到期): e-mail to `email`, and a group robot of 政务钉钉 or 企业微信.
    webhook_kind = models.CharField(
        "群机器人类型",
        max_length=20,
        blank=True,
        choices=[("dingtalk", "政务钉钉"), ("wecom", "企业微信")],
    )
    webhook_url = models.URLField(
        "群机器人地址", max_length=500, blank=True, validators=[validate_public_url]
    )
    webhook_secret = models.CharField(
        "加签密钥", max_length=200, blank=True, help_text="政务钉钉机器人的“加签”密钥（可选）"
    )

    class Meta:
        verbose_name = "单位"
        verbose_name_plural = "单位"
        ordering = ("sort_order", "name")

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A unit operator's membership: the user may see and act for this unit only."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="memberships")

    class Meta:
        verbose_name = "单位成员"
        verbose_name_plural = "单位成员"
        constraints = [
            models.UniqueConstraint(fields=("user", "unit"), name="membership_unique_user_unit")
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.unit}"


class Website(models.Model):
    class Kind(models.TextChoices):
        PORTAL = "portal", "门户网站"
        DEPARTMENT = "department", "部门网站"

    class Status(models.TextChoices):
        RUNNING = "running", "运行"
        CLOSED = "closed", "关停"
        MERGED = "merged", "整合"

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="websites")
    name = models.CharField("网站名称", max_length=200)
    home_url = models.URLField(
        "首页网址", max_length=500, unique=True, validators=[validate_public_url]
    )
    site_code = models.CharField(
        "网站标识码", max_length=10, blank=True, validators=[site_code_validator]
    )
    kind = models.CharField(
        "网站类型", max_length=20, choices=Kind.choices, default=Kind.DEPARTMENT
    )
    status = models.CharField(
        "运行状态", max_length=20, choices=Status.choices, default=Status.RUNNING
    )
    search_url = models.CharField(
        "站内搜索地址",
        max_length=500,
        blank=True,
        help_text="含 {q} 占位符，例如 https://example.gov.cn/search?q={q}",
    )
    has_services = models.BooleanField("有对外办事服务功能", default=True)
    services_url = models.URLField(
        "办事服务页面地址",
        max_length=500,
        blank=True,
        validators=[validate_public_url],
        help_text="办事事项列表页；留空则从首页导航中查找",
    )
    messages_url = models.URLField(
        "留言答复列表地址",
        max_length=500,
        blank=True,
        validators=[validate_public_url],
        help_text="县长信箱、咨询投诉等公开的留言答复列表（W-V5）",
    )

    class Meta:
        verbose_name = "政府网站"
        verbose_name_plural = "政府网站"
        ordering = ("unit__sort_order", "unit__name", "name")

    def __str__(self) -> str:
        return self.name


class Column(models.Model):
    website = models.ForeignKey(Website, on_delete=models.CASCADE, related_name="columns")
    parent = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="children",
        verbose_name="上级栏目",
    )
    name = models.CharField("栏目名称", max_length=200)
    url = models.URLField("栏目网址", max_length=500, validators=[validate_public_url])
    category = models.CharField("栏目类别", max_length=20, choices=Category.choices)
    window_days = models.PositiveIntegerField(
        "更新周期（天）", null=True, blank=True, help_text="留空则按类别默认周期"
    )
    is_first_level = models.BooleanField("一级栏目", default=False)
    is_exempt = models.BooleanField("豁免检查", default=False)
    exempt_reason = models.CharField("豁免理由", max_length=500, blank=True)

    class Meta:
        verbose_name = "栏目"
        verbose_name_plural = "栏目"
        ordering = ("website", "id")
        constraints = [
            models.UniqueConstraint(fields=("website", "url"), name="column_unique_website_url"),
            models.CheckConstraint(
                condition=models.Q(is_exempt=False) | ~models.Q(exempt_reason=""),
                name="column_exemption_has_reason",
                violation_error_message="豁免栏目必须填写豁免理由",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.website.name} / {self.name}"

    def window_in(self, windows: dict) -> int | None:
        """This column's update window: its own, else the rule set's for its category."""
        if self.window_days is not None:
            return self.window_days
        return windows.get(self.category)

    @property
    def effective_window_days(self) -> int | None:
        """The window under the national defaults, for display where no rule set is at hand."""
        return self.window_in(DEFAULT_WINDOW_DAYS)
