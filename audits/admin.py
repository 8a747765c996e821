from django.contrib import admin

from audits.models import InspectionRun, Observation, Period


@admin.register(InspectionRun)
class InspectionRunAdmin(admin.ModelAdmin):
    list_display = ("id", "scope", "period", "monitoring_point", "trigger", "status", "created_at")
    list_filter = ("status", "trigger", "scope")
    readonly_fields = ("created_at", "started_at", "finished_at")


@admin.register(Period)
class PeriodAdmin(admin.ModelAdmin):
    list_display = ("code", "kind", "start", "end", "monitoring_run", "locked_at")
    list_filter = ("kind",)
    readonly_fields = ("locked_at", "locked_by")
    raw_id_fields = ("monitoring_run",)


@admin.register(Observation)
class ObservationAdmin(admin.ModelAdmin):
    list_display = ("kind", "website", "column", "outcome", "newest_date", "observed_at")
    list_filter = ("kind", "outcome")
    search_fields = ("url", "website__name")
    list_select_related = ("website", "column")
    raw_id_fields = ("run", "website", "column")


# --- content-scan dictionaries (词库, 领导姓名职务) ---------------------------------------------------

from django import forms  # noqa: E402
from django.contrib import messages  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.shortcuts import redirect  # noqa: E402
from django.template import engines  # noqa: E402
from django.urls import path, reverse  # noqa: E402
from django.utils.html import format_html  # noqa: E402

from audits.content.io import (  # noqa: E402
    dictionary_import_text,
    dictionary_import_xlsx,
    dictionary_template_xlsx,
)
from audits.models import DictionaryEntry, Leader  # noqa: E402
from core.auditlog import audit_record  # noqa: E402

_IMPORT_PAGE = """{% extends "admin/base_site.html" %}
{% block breadcrumbs %}<div class="breadcrumbs"><a href="{% url 'admin:index' %}">首页</a>
&rsaquo; <a href="{% url 'admin:audits_dictionaryentry_changelist' %}">词库</a>
&rsaquo; 导入</div>{% endblock %}
{% block content %}
<p>文本文件：每行一个词；错别字写成“错误写法<kbd>Tab</kbd>正确写法”或“错误写法,正确写法”，
可再跟一列说明；空行和以 # 开头的行忽略。Excel 文件：“词库”表的列为 类别、词语、正确写法、说明，
“领导”表的列为 姓名、正确职务、已知错误写法（多个用 、 或 ; 或换行分隔）。
<a href="{% url 'admin:audits_dictionaryentry_template' %}">下载 Excel 模板</a>。</p>
<p>任何一行有错误，整个文件都不会导入；同一文件导入两次不会产生重复条目；已停用的条目不会被重新启用。</p>
{% if errors %}<div class="errornote">未导入，共 {{ errors|length }} 处错误：</div>
<ul class="errorlist">{% for e in errors|slice:":200" %}<li>{{ e }}</li>{% endfor %}</ul>{% endif %}
<form method="post" enctype="multipart/form-data">{% csrf_token %}
<fieldset class="module aligned">{{ form.as_div }}</fieldset>
<div class="submit-row"><input type="submit" class="default" value="导入"></div>
</form>
{% endblock %}
"""


class DictionaryImportForm(forms.Form):
    file = forms.FileField(
        label="文件", help_text="文本文件（.txt/.tsv/.csv，UTF-8 或 GBK）或 Excel（.xlsx）"
    )
    kind = forms.ChoiceField(
        label="文本文件的类别",
        choices=[("", "（Excel 文件不用选）"), *DictionaryEntry.Kind.choices],
        required=False,
    )
    update_existing = forms.BooleanField(
        label="覆盖已有条目",
        required=False,
        initial=True,
        help_text="用文件中的正确写法和说明覆盖同名条目",
    )

    def clean(self):
        data = super().clean()
        upload = data.get("file")
        if upload is None:
            return data
        name = upload.name.lower()
        if name.endswith((".xls", ".doc", ".docx", ".pdf", ".et", ".wps")):
            raise forms.ValidationError(
                "不支持该文件类型：请上传 .xlsx（Excel）或 .txt/.tsv/.csv（文本）"
            )
        data["is_xlsx"] = name.endswith((".xlsx", ".xlsm"))
        if not data["is_xlsx"] and not data.get("kind"):
            self.add_error("kind", "文本文件请选择词库类别")
        return data


class _ImportLinkMixin:
    def changelist_view(self, request, extra_context=None):
        if request.method == "GET" and self.has_add_permission(request):
            messages.info(
                request,
                format_html(
                    '可从文本或 Excel 文件<a href="{}">导入词库和领导姓名职务</a>。',
                    reverse("admin:audits_dictionaryentry_import"),
                ),
            )
        return super().changelist_view(request, extra_context)


@admin.register(DictionaryEntry)
class DictionaryEntryAdmin(_ImportLinkMixin, admin.ModelAdmin):
    list_display = ("word", "kind", "correction", "is_active", "note", "created_at")
    list_filter = ("kind", "is_active")
    search_fields = ("word", "correction", "note")
    list_editable = ("is_active",)
    list_per_page = 100
    actions = ("activate", "deactivate")

    @admin.action(description="启用所选条目", permissions=["change"])
    def activate(self, request, queryset):
        n = queryset.update(is_active=True)
        audit_record(actor=request.user, action="dictionary_activate", target=f"{n} 条", count=n)

    @admin.action(description="停用所选条目（不再报告）", permissions=["change"])
    def deactivate(self, request, queryset):
        n = queryset.update(is_active=False)
        audit_record(actor=request.user, action="dictionary_deactivate", target=f"{n} 条", count=n)

    def get_urls(self):
        return [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="audits_dictionaryentry_import",
            ),
            path(
                "template.xlsx",
                self.admin_site.admin_view(self.template_view),
                name="audits_dictionaryentry_template",
            ),
            *super().get_urls(),
        ]

    def template_view(self, request):
        response = HttpResponse(
            dictionary_template_xlsx(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = 'attachment; filename="dictionary-template.xlsx"'
        return response

    def import_view(self, request):
        if not (self.has_add_permission(request) and self.has_change_permission(request)):
            return HttpResponse("没有导入词库的权限", status=403)
        errors = []
        form = DictionaryImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            data = upload.read()
            update = form.cleaned_data["update_existing"]
            if form.cleaned_data["is_xlsx"]:
                if not request.user.has_perms(["audits.add_leader", "audits.change_leader"]):
                    return HttpResponse("没有导入领导姓名职务的权限", status=403)
                result = dictionary_import_xlsx(data, update_existing=update)
                kind = "xlsx"
            else:
                kind = form.cleaned_data["kind"]
                result = dictionary_import_text(data, kind, update_existing=update)
            if result.ok:
                audit_record(
                    actor=request.user,
                    action="dictionary_import",
                    target=upload.name,
                    counts=result.plain_counts(),
                    kind=kind,
                )
                messages.success(request, f"已导入 {upload.name}：{result.summary()}")
                return redirect("admin:audits_dictionaryentry_changelist")
            errors = [str(e) for e in result.errors]
        context = {
            **self.admin_site.each_context(request),
            "title": "导入词库",
            "opts": self.model._meta,
            "form": form,
            "errors": errors,
        }
        page = engines["django"].from_string(_IMPORT_PAGE)
        return HttpResponse(page.render(context, request))


@admin.register(Leader)
class LeaderAdmin(_ImportLinkMixin, admin.ModelAdmin):
    list_display = ("name", "titles_short", "variants_short", "is_active", "sort_order")
    list_filter = ("is_active",)
    search_fields = ("name", "titles", "wrong_variants")
    list_editable = ("is_active", "sort_order")

    @admin.display(description="正确职务")
    def titles_short(self, obj):
        return "、".join(t for t in obj.titles.splitlines() if t.strip())

    @admin.display(description="已知错误写法")
    def variants_short(self, obj):
        return "、".join(t for t in obj.wrong_variants.splitlines() if t.strip())


# --- rule sets, findings, verdicts ---------------------------------------------------------------
from audits.models import DeductionItem, Finding, RuleSet, Verdict  # noqa: E402


class DeductionItemInline(admin.TabularInline):
    model = DeductionItem
    extra = 0
    fields = ("code", "group", "text", "cap", "per_occurrence", "window_days", "verified")


@admin.register(RuleSet)
class RuleSetAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "code",
        "version",
        "is_active",
        "pass_mark",
        "unfixed_last_period_fails",
        "due_soon_days",
    )
    list_filter = ("is_active",)
    inlines = (DeductionItemInline,)


@admin.register(DeductionItem)
class DeductionItemAdmin(admin.ModelAdmin):
    list_display = ("text", "rule_set", "group", "cap", "per_occurrence", "verified")
    list_filter = ("rule_set", "group", "verified")


@admin.register(Finding)
class FindingAdmin(admin.ModelAdmin):
    list_display = (
        "title",
        "unit",
        "website",
        "period",
        "indicator",
        "severity",
        "status",
        "source",
    )
    list_filter = ("period", "severity", "status", "source", "indicator")
    search_fields = ("title", "reason", "unit__name", "website__name")
    list_select_related = ("unit", "website", "period")
    raw_id_fields = ("unit", "website", "account", "column", "run", "reviewed_by", "period")
    # Review goes through the review page, which writes the audit log.
    readonly_fields = ("status", "reviewed_by", "reviewed_at", "review_note")


@admin.register(Verdict)
class VerdictAdmin(admin.ModelAdmin):
    list_display = (
        "website",
        "account",
        "unit",
        "period",
        "proposed_result",
        "result",
        "proposed_score",
    )
    list_filter = ("period", "proposed_result", "result")
    list_select_related = ("unit", "website", "period")
    # Decisions go through the review page, which requires a reason and writes the audit log.
    readonly_fields = tuple(f.name for f in Verdict._meta.fields)

    def has_add_permission(self, request):
        return False
