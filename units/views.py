import hashlib

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST
from django_tables2 import RequestConfig

from audits.auditlog import audit_record
from newmedia.models import Account
from units.access import get_visible_or_404, is_office, visible_to, visible_units
from units.categories import Category
from units.decorators import office_required
from units.forms import RegistryUploadForm
from units.models import Column, RegistryUpload, Unit, Website
from units.registry_export import build_workbook
from units.registry_import import import_registry
from units.tables import AccountTable, ColumnTable, UnitTable, WebsiteTable

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@login_required
def home(request):
    if not is_office(request.user):
        return redirect("portal")
    from audits.models import InspectionRun
    from audits.selectors import periods, verdict_summary, verdicts_for

    period = next((p for p in periods() if not p.startswith("自查")), None)
    verdicts = list(verdicts_for(request.user, period)) if period else []
    context = {
        "unit_count": Unit.objects.count(),
        "website_count": Website.objects.count(),
        "column_count": Column.objects.count(),
        "account_count": Account.objects.count(),
        "runs": InspectionRun.objects.all()[:5],
        "period": period,
        "summary": verdict_summary(verdicts) if verdicts else None,
        "to_review": sorted(
            (v for v in verdicts if v.pending_count), key=lambda v: -v.pending_count
        )[:10],
    }
    return render(request, "units/dashboard.html", context)


@login_required
def unit_list(request):
    units = visible_units(request.user).annotate(
        website_count=Count("websites", distinct=True),
        account_count=Count("accounts", distinct=True),
    )
    table = UnitTable(units)
    RequestConfig(request, paginate={"per_page": 50}).configure(table)
    return render(request, "units/unit_list.html", {"table": table})


@login_required
def unit_detail(request, pk):
    unit = get_visible_or_404(request.user, Unit.objects.all(), pk=pk)
    websites = WebsiteTable(unit.websites.select_related("unit"), exclude=("unit",))
    accounts = AccountTable(unit.accounts.select_related("unit"), exclude=("unit",))
    return render(
        request,
        "units/unit_detail.html",
        {"unit": unit, "websites": websites, "accounts": accounts},
    )


@login_required
def website_list(request):
    websites = visible_to(request.user, Website.objects.select_related("unit"))
    table = WebsiteTable(websites)
    RequestConfig(request, paginate={"per_page": 50}).configure(table)
    return render(request, "units/website_list.html", {"table": table})


@login_required
def website_detail(request, pk):
    website = get_visible_or_404(request.user, Website.objects.select_related("unit"), pk=pk)
    columns = ColumnTable(website.columns.all())
    RequestConfig(request, paginate={"per_page": 100}).configure(columns)
    proposals = proposed_columns(website) if is_office(request.user) else []
    return render(
        request,
        "units/website_detail.html",
        {
            "website": website,
            "columns": columns,
            "proposals": proposals,
            "categories": Category.choices,
        },
    )


def proposed_columns(website) -> list[dict]:
    """Columns the last inspection found in the home page's navigation that the registry does
    not have yet: the machine proposes, staff confirm or correct."""
    from audits.models import Observation

    home = (
        Observation.objects.filter(website=website, kind=Observation.Kind.HOME, run__isnull=False)
        .order_by("-observed_at")
        .first()
    )
    if home is None:
        return []
    known = set(website.columns.values_list("url", flat=True))
    return [c for c in home.evidence.get("proposed_columns", []) if c["url"] not in known]


@office_required
@require_POST
def columns_add(request, pk):
    website = get_object_or_404(Website, pk=pk)
    offered = {c["url"]: c for c in proposed_columns(website)}
    added = []
    for url in request.POST.getlist("url"):
        if url not in offered:
            continue  # only what the machine proposed; anything else goes through the admin
        category = request.POST.get(f"category:{url}", offered[url]["category"])
        if category not in Category.values:
            continue
        name = (request.POST.get(f"name:{url}") or offered[url]["name"]).strip()[:200]
        column, created = Column.objects.get_or_create(
            website=website,
            url=url,
            defaults={"name": name, "category": category, "is_first_level": True},
        )
        if created:
            added.append(column)
    if added:
        audit_record(
            actor=request.user,
            action="columns_add",
            unit=website.unit,
            target=website,
            columns=[{"name": c.name, "url": c.url, "category": c.category} for c in added],
        )
    messages.success(request, f"已添加 {len(added)} 个栏目。")
    return redirect("website_detail", pk=pk)


@login_required
def account_list(request):
    accounts = visible_to(request.user, Account.objects.select_related("unit"))
    table = AccountTable(accounts)
    RequestConfig(request, paginate={"per_page": 50}).configure(table)
    return render(request, "units/account_list.html", {"table": table})


@login_required
def portal(request):
    """A unit operator's own page: only the units it belongs to, with their latest results."""
    from audits.models import Finding, Verdict
    from audits.selectors import periods

    units = list(visible_units(request.user).prefetch_related("websites", "accounts"))
    latest = next((p for p in periods() if not p.startswith("自查")), None)
    site_ids = [w.pk for u in units for w in u.websites.all()]
    verdicts = {
        v.website_id: v for v in Verdict.objects.filter(website_id__in=site_ids, period=latest)
    }
    open_findings = (
        Finding.objects.filter(website_id__in=site_ids, period=latest)
        .exclude(status=Finding.Status.DISMISSED)
        .exclude(severity="manual")
        .select_related("website")
        .order_by("website_id", "severity", "title")
    )
    return render(
        request,
        "units/portal.html",
        {"units": units, "period": latest, "verdicts": verdicts, "findings": open_findings},
    )


# --- registry import and export ------------------------------------------------------------------


@office_required
def registry_template(request):
    return _xlsx(build_workbook(with_data=False), "登记信息导入模板.xlsx")


@office_required
def registry_export(request):
    stamp = timezone.localdate().isoformat()
    return _xlsx(build_workbook(with_data=True), f"登记信息-{stamp}.xlsx")


def _xlsx(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{_quote(filename)}"
    return response


def _quote(name: str) -> str:
    from urllib.parse import quote

    return quote(name)


@office_required
def registry_upload(request):
    form = RegistryUploadForm(request.POST or None, request.FILES or None)
    limit = settings.GOVWATCH_MAX_IMPORT_BYTES
    if request.method == "POST" and form.is_valid() and form.cleaned_data["file"].size > limit:
        # Refuse it here rather than keep an oversized blob in the database.
        form.add_error("file", f"文件超过 {limit // 1024 // 1024} MB，请检查是否选错了文件。")
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data["file"].read()
        upload = RegistryUpload.objects.create(
            uploaded_by=request.user,
            filename=form.cleaned_data["file"].name,
            sha256=hashlib.sha256(data).hexdigest(),
            data=data,
        )
        return redirect("registry_preview", pk=upload.pk)
    return render(request, "units/registry_upload.html", {"form": form})


@office_required
def registry_preview(request, pk):
    upload = get_object_or_404(
        RegistryUpload, pk=pk, kind=RegistryUpload.Kind.REGISTRY, applied_at__isnull=True
    )
    report = import_registry(bytes(upload.data), dry_run=True)
    return render(request, "units/registry_preview.html", {"upload": upload, "report": report})


@office_required
@require_POST
def registry_confirm(request, pk):
    upload = get_object_or_404(
        RegistryUpload, pk=pk, kind=RegistryUpload.Kind.REGISTRY, applied_at__isnull=True
    )
    report = import_registry(bytes(upload.data), dry_run=False)
    if not report.ok:
        messages.error(request, "文件有错误，未导入任何内容。")
        return redirect("registry_preview", pk=upload.pk)
    upload.applied_at = timezone.now()
    upload.save(update_fields=["applied_at"])
    audit_record(
        actor=request.user,
        action="registry_import",
        target=upload,
        sha256=upload.sha256,
        counts={sheet: dict(c) for sheet, c in report.counts.items()},
    )
    messages.success(request, f"导入完成：新增或修改 {report.changes} 条记录。")
    return redirect("unit_list")
