from django.contrib import admin

from newmedia.models import Account, AccountEvent


class AccountEventInline(admin.TabularInline):
    model = AccountEvent
    extra = 0


@admin.register(Account)
class AccountAdmin(admin.ModelAdmin):
    list_display = ("name", "unit", "platform", "account_id", "filing", "status")
    list_filter = ("platform", "filing", "status")
    search_fields = ("name", "account_id", "unit__name")
    list_select_related = ("unit",)
    inlines = (AccountEventInline,)


@admin.register(AccountEvent)
class AccountEventAdmin(admin.ModelAdmin):
    list_display = ("account", "kind", "date", "filed_on", "note")
    list_filter = ("kind",)
    date_hierarchy = "date"
