from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from core.models import Upload
from dashboard.views._util import xlsx_response
from newmedia import imports
from units.decorators import office_required

KINDS = {Upload.Kind.POSTS: "新媒体发布记录", Upload.Kind.MESSAGES: "留言记录"}


class NewmediaUploadForm(forms.Form):
    kind = forms.ChoiceField(label="导入内容", choices=list(KINDS.items()))
    file = forms.FileField(label="文件（.xlsx 或 .csv）")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".xlsx", ".csv")):
            raise forms.ValidationError("只接受 .xlsx 或 .csv 文件。")
        if upload.size > 5 * 1024 * 1024:
            raise forms.ValidationError("文件不能超过 5 MB。")
        return upload


@office_required
def newmedia_import(request):
    form = NewmediaUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = imports.upload_store(
            user=request.user,
            kind=form.cleaned_data["kind"],
            filename=form.cleaned_data["file"].name,
            data=form.cleaned_data["file"].read(),
        )
        return redirect("dashboard:newmedia_preview", pk=upload.pk)
    return render(request, "dashboard/newmedia_import.html", {"form": form, "kinds": KINDS})


@office_required
def newmedia_template(request, kind):
    if kind not in KINDS:
        raise Http404
    return xlsx_response(imports.template(kind), f"{KINDS[kind]}导入模板.xlsx")


def _pending(pk):
    return get_object_or_404(Upload, pk=pk, kind__in=list(KINDS), applied_at__isnull=True)


@office_required
def newmedia_preview(request, pk):
    upload = _pending(pk)
    report = imports.IMPORTERS[upload.kind](bytes(upload.data), upload.filename, dry_run=True)
    return render(
        request,
        "dashboard/newmedia_preview.html",
        {"upload": upload, "report": report, "label": KINDS[upload.kind]},
    )


@office_required
@require_POST
def newmedia_confirm(request, pk):
    upload = _pending(pk)
    report = imports.upload_apply(upload, user=request.user)
    if not report.ok:
        messages.error(request, "文件有错误，未导入任何内容。")
        return redirect("dashboard:newmedia_preview", pk=pk)
    messages.success(request, f"已导入：新增 {report.created} 条，更新 {report.updated} 条。")
    return redirect("dashboard:account_list")
