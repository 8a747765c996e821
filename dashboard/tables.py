import django_tables2 as tables

from audits.models import Finding, Verdict
from core.models import AuditLogEntry
from newmedia.models import Account
from units.models import Column, Unit, Website


class UnitTable(tables.Table):
    name = tables.Column(linkify=("dashboard:unit_detail", {"pk": tables.A("pk")}))
    website_count = tables.Column("网站数", orderable=True)
    account_count = tables.Column("新媒体账号数", orderable=True)

    class Meta:
        model = Unit
        fields = ("name", "kind", "contact_person", "phone", "counts_in_rates")
        sequence = ("name", "kind", "website_count", "account_count", "...")
        attrs = {"class": "table"}


class WebsiteTable(tables.Table):
    name = tables.Column(linkify=("dashboard:website_detail", {"pk": tables.A("pk")}))
    unit = tables.Column(linkify=("dashboard:unit_detail", {"pk": tables.A("unit_id")}))
    home_url = tables.URLColumn()

    class Meta:
        model = Website
        fields = ("name", "unit", "home_url", "site_code", "kind", "status")
        attrs = {"class": "table"}


class ColumnTable(tables.Table):
    url = tables.URLColumn()
    window = tables.Column("更新周期（天）", accessor="effective_window_days", orderable=False)

    class Meta:
        model = Column
        fields = ("name", "category", "window", "is_first_level", "is_exempt", "url")
        attrs = {"class": "table"}


class AccountTable(tables.Table):
    unit = tables.Column(linkify=("dashboard:unit_detail", {"pk": tables.A("unit_id")}))

    class Meta:
        model = Account
        fields = ("name", "unit", "platform", "account_id", "filing", "status")
        attrs = {"class": "table"}


class FindingQueueTable(tables.Table):
    """The review queue. The evidence column is rendered by the template (excerpt, items seen,
    links); the export carries the same columns as text."""

    select = tables.CheckBoxColumn(accessor="pk", exclude_from_export=True)
    unit = tables.Column("单位", accessor="unit__name", order_by=("unit__sort_order", "unit__name"))
    subject = tables.Column("对象", accessor="website__name", empty_values=())
    period = tables.Column("检查周期", accessor="period__code")
    title = tables.Column("问题")
    indicator = tables.Column("指标")
    severity = tables.Column("性质")
    source = tables.Column("来源")
    status = tables.Column("复核状态")
    reason = tables.TemplateColumn(
        template_name="dashboard/_finding_evidence.html", verbose_name="说明与证据", orderable=False
    )

    class Meta:
        model = Finding
        fields = ("select", "unit", "subject", "period", "title", "indicator", "severity")
        sequence = (
            "select",
            "unit",
            "subject",
            "period",
            "title",
            "indicator",
            "severity",
            "source",
            "status",
            "reason",
        )
        attrs = {"class": "table queue"}
        row_attrs = {"id": lambda record: f"finding-{record.pk}"}

    def render_subject(self, record):
        return record.website.name if record.website_id else (record.account or record.unit)

    def value_reason(self, record):
        return record.reason


_JSON = {"ensure_ascii": False, "indent": 2, "sort_keys": True}


class AuditLogTable(tables.Table):
    at = tables.DateTimeColumn(verbose_name="时间", format="Y-m-d H:i:s")
    actor = tables.Column("操作人", accessor="actor__username", default="（系统）")
    action = tables.Column("操作")
    target = tables.Column("对象")
    # Reasons as people wrote them (JSONColumn escapes non-ASCII by default).
    before = tables.JSONColumn(verbose_name="修改前", orderable=False, json_dumps_kwargs=_JSON)
    after = tables.JSONColumn(verbose_name="修改后", orderable=False, json_dumps_kwargs=_JSON)
    detail = tables.JSONColumn(verbose_name="详情", orderable=False, json_dumps_kwargs=_JSON)

    class Meta:
        model = AuditLogEntry
        fields = ("at", "actor", "action", "target", "before", "after", "detail")
        attrs = {"class": "table log"}
        order_by = ("-at",)


class VerdictTable(tables.Table):
    """The period's results as the circular's annex lists them; exported as shown."""

    unit = tables.Column("责任单位", accessor="unit__name", order_by=("unit__sort_order",))
    subject = tables.Column("网站或账号", empty_values=(), orderable=False)
    final = tables.Column("检查结果", empty_values=(), orderable=False)
    proposed_score = tables.Column("得分")
    pending_count = tables.Column("待复核")
    reasons = tables.Column("问题描述", empty_values=(), orderable=False)
    counts = tables.BooleanColumn("计入合格率", accessor="unit__counts_in_rates")

    class Meta:
        model = Verdict
        fields = ("unit", "subject", "final", "proposed_score", "pending_count", "reasons")
        attrs = {"class": "table"}

    def render_subject(self, record):
        return record.website.name if record.website_id else str(record.account)

    def render_final(self, record):
        return record.get_final_display()

    def render_reasons(self, record):
        return "，".join(record.reasons)
