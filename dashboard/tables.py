import django_tables2 as tables

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
