"""The public pages: published circulars and the signature check. No login."""

from django import forms
from django.conf import settings
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, render

from notices.models import Circular
from notices.services import document_for, published_by_sha256


def _published():
    return Circular.objects.filter(status=Circular.Status.PUBLISHED).select_related("period")


def circular_list(request):
    return render(request, "notices/circular_list.html", {"circulars": _published()[:200]})


def circular_detail(request, pk):
    from notices.render import render_body

    circular = get_object_or_404(_published(), pk=pk)
    return render(
        request,
        "notices/circular_detail.html",
        {"circular": circular, "body": render_body(document_for(circular))},
    )


def _download(field, filename: str, content_type: str):
    # Django writes the header (RFC 6266 filename*= for a Chinese name) as a plain str: a
    # SafeString from format_html was refused by every WSGI server that checks types (a 500).
    return FileResponse(
        field.open("rb"), as_attachment=True, filename=filename, content_type=content_type
    )


def circular_pdf(request, pk):
    circular = get_object_or_404(_published(), pk=pk)
    if not circular.pdf:
        raise Http404
    return _download(circular.pdf, f"{circular.doc_number}.pdf", "application/pdf")


def circular_xlsx(request, pk):
    circular = get_object_or_404(_published(), pk=pk)
    if not circular.xlsx:
        raise Http404
    return _download(
        circular.xlsx,
        f"{circular.doc_number}附件.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


class VerifyForm(forms.Form):
    file = forms.FileField(label="选择要验证的 PDF 文件")


def verify(request):
    """Anyone uploads a PDF and sees: intact or not, who signed and when, whether the
    certificate chains to the office's root, and whether this office published that file."""
    form = VerifyForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        limit = settings.GOVWATCH_MAX_VERIFY_BYTES
        data = upload.read(limit + 1)
        result = _verify(data)
    return render(request, "notices/verify.html", {"form": form, "result": result})


def verify_published(request, pk):
    circular = get_object_or_404(_published(), pk=pk)
    with circular.pdf.open("rb") as f:
        result = _verify(f.read())
    return render(
        request, "notices/verify.html", {"form": VerifyForm(), "result": result, "of": circular}
    )


def _verify(data: bytes):
    from notices.verification import verify_pdf

    return verify_pdf(
        data,
        trust_roots=list(settings.GOVWATCH_SIGNING_TRUST_ROOTS),
        is_published=published_by_sha256,
    )
