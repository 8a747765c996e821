from django.conf import settings
from django.contrib import messages
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST
from django_tables2 import RequestConfig

from audits import selectors
from audits.models import active_rule_set, rules_for
from audits.selectors import proposed_columns
from core.models import Upload
from dashboard.forms import RegistryUploadForm
from dashboard.pagination import KeysFirstPaginator
from dashboard.tables import AccountTable, UnitTable, WebsiteTable
from dashboard.views._util import export_or_none, xlsx_response
from newmedia.models import Account
from newmedia.registry import uploads
from newmedia.registry.export import build_workbook
from newmedia.registry.importer import import_registry
from units import services
from units.categories import Category
from units.decorators import office_required
from units.models import Unit, Website


@office_required
def unit_list(request):
    units = Unit.objects.annotate(
        website_count=Count("websites", distinct=True),
        account_count=Count("accounts", distinct=True),
    )
    table = UnitTable(units)
    if response := export_or_none(request, table, "单位"):
        return response
    RequestConfig(
        request, paginate={"per_page": 50, "paginator_class": KeysFirstPaginator}
    ).configure(table)
    return render(request, "dashboard/unit_list.html", {"table": table})


@office_required
def unit_detail(request, pk):
    unit = get_object_or_404(Unit, pk=pk)
    websites = WebsiteTable(unit.websites.select_related("unit"), exclude=("unit",))
    accounts = AccountTable(unit.accounts.select_related("unit"), exclude=("unit",))
    return render(
        request,
        "dashboard/unit_detail.html",
        {
            "unit": unit,
            "websites": websites,
            "accounts": accounts,
            "history": selectors.history({"unit": unit}),
        },
    )


@office_required
def website_list(request):
    table = WebsiteTable(Website.objects.select_related("unit"))
    if response := export_or_none(request, table, "政府网站"):
        return response
    RequestConfig(
        request, paginate={"per_page": 50, "paginator_class": KeysFirstPaginator}
    ).configure(table)
    return render(request, "dashboard/website_list.html", {"table": table})


@office_required
def website_detail(request, pk):
    website = get_object_or_404(Website.objects.select_related("unit"), pk=pk)
    return render(
        request,
        "dashboard/website_detail.html",
        {
            "website": website,
            "columns": selectors.column_freshness(website, rules_for(active_rule_set())),
            "proposals": proposed_columns(website),
            "categories": Category.choices,
            "history": selectors.history({"website": website}),
        },
    )


@office_required
@require_POST
def columns_add(request, pk):
    website = get_object_or_404(Website, pk=pk)
    offered = {c["url"]: c for c in proposed_columns(website)}
    # Only what the machine proposed; anything else goes through the admin.
    choices = [
        {
            "url": url,
            "name": request.POST.get(f"name:{url}") or offered[url]["name"],
            "category": request.POST.get(f"category:{url}", offered[url]["category"]),
        }
        for url in request.POST.getlist("url")
        if url in offered
    ]
    added = services.columns_add(website, choices, user=request.user)
    messages.success(request, f"已添加 {len(added)} 个栏目。")
    return redirect("dashboard:website_detail", pk=pk)


@office_required
def account_list(request):
    table = AccountTable(Account.objects.select_related("unit"))
    if response := export_or_none(request, table, "政务新媒体账号"):
        return response
    RequestConfig(
        request, paginate={"per_page": 50, "paginator_class": KeysFirstPaginator}
    ).configure(table)
    return render(request, "dashboard/account_list.html", {"table": table})


@office_required
def registry_template(request):
    return xlsx_response(build_workbook(with_data=False), "登记信息导入模板.xlsx")


@office_required
def registry_export(request):
    stamp = timezone.localdate().isoformat()
    return xlsx_response(build_workbook(with_data=True), f"登记信息-{stamp}.xlsx")


@office_required
def registry_upload(request):
    form = RegistryUploadForm(request.POST or None, request.FILES or None)
    limit = settings.GOVWATCH_MAX_IMPORT_BYTES
    if request.method == "POST" and form.is_valid() and form.cleaned_data["file"].size > limit:
        # Refuse it here rather than keep an oversized blob in the database.
        form.add_error("file", f"文件超过 {limit // 1024 // 1024} MB，请检查是否选错了文件。")
    if request.method == "POST" and form.is_valid():
        upload = uploads.registry_upload_store(
            user=request.user,
            filename=form.cleaned_data["file"].name,
            data=form.cleaned_data["file"].read(),
        )
        return redirect("dashboard:registry_preview", pk=upload.pk)
    return render(request, "dashboard/registry_upload.html", {"form": form})


def _pending_upload(pk):
    return get_object_or_404(Upload, pk=pk, kind=Upload.Kind.REGISTRY, applied_at__isnull=True)


@office_required
def registry_preview(request, pk):
    upload = _pending_upload(pk)
    report = import_registry(bytes(upload.data), dry_run=True)
    return render(request, "dashboard/registry_preview.html", {"upload": upload, "report": report})


@office_required
@require_POST
def registry_confirm(request, pk):
    upload = _pending_upload(pk)
    report = uploads.registry_upload_apply(upload, user=request.user)
    if not report.ok:
        messages.error(request, "文件有错误，未导入任何内容。")
        return redirect("dashboard:registry_preview", pk=upload.pk)
    messages.success(request, f"导入完成：新增或修改 {report.changes} 条记录。")
    return redirect("dashboard:unit_list")
