from django.contrib import admin

from units.models import Column, Membership, Unit, Website

admin.site.site_header = "政务网站与政务新媒体监管平台"
admin.site.site_title = "监管平台管理"
admin.site.index_title = "数据管理"


class WebsiteInline(admin.TabularInline):
    model = Website
    extra = 0
    fields = ("name", "home_url", "site_code", "kind", "status")
    show_change_link = True


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ("user",)


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "contact_person", "phone", "counts_in_rates", "is_active")
    list_filter = ("kind", "counts_in_rates", "is_active")
    search_fields = ("name", "contact_person")
    inlines = (WebsiteInline, MembershipInline)


class ColumnInline(admin.TabularInline):
    model = Column
    extra = 0
    fields = (
        "name",
        "url",
        "category",
        "window_days",
        "is_first_level",
        "is_exempt",
        "exempt_reason",
    )
    show_change_link = True


@admin.register(Website)
class WebsiteAdmin(admin.ModelAdmin):
    list_display = ("name", "unit", "home_url", "site_code", "kind", "status")
    list_filter = ("kind", "status")
    search_fields = ("name", "home_url", "site_code", "unit__name")
    list_select_related = ("unit",)
    inlines = (ColumnInline,)


@admin.register(Column)
class ColumnAdmin(admin.ModelAdmin):
    list_display = ("name", "website", "category", "window_days", "is_first_level", "is_exempt")
    list_filter = ("category", "is_first_level", "is_exempt")
    search_fields = ("name", "url", "website__name")
    list_select_related = ("website",)
    raw_id_fields = ("parent",)


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "unit")
    search_fields = ("user__username", "unit__name")
    autocomplete_fields = ("user", "unit")
