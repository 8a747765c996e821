"""Manual findings with a screenshot: checked uploads, confirmed at once, in the audit log."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from audits.models import Finding, Verdict
from core.models import AuditLogEntry

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(out, "PNG")
    return out.getvalue()


def form(screenshot):
    return {
        "title": "3个事项无办事指南",
        "reason": "办事服务栏目中3个事项缺少办事指南",
        "severity": "deduction",
        "indicator": "D",
        "item": "service_guide",
        "count": 3,
        "url": "",
        "screenshot": screenshot,
    }


def test_staff_add_a_manual_finding_with_a_screenshot(client, staff, site_a):
    client.force_login(staff)
    shot = SimpleUploadedFile("guide.png", png(), content_type="image/png")
    response = client.post(f"/review/{site_a.pk}/2026-11/add/", form(shot))
    assert response.status_code == 302
    finding = Finding.objects.get()
    assert (finding.status, finding.source, finding.count) == ("confirmed", "manual", 3)
    assert finding.screenshot.name.endswith(".png")
    verdict = Verdict.objects.get(website=site_a, period__code="2026-11")
    assert verdict.proposed_score == 97 and verdict.proposed_result == "pass"
    assert AuditLogEntry.objects.filter(action="finding_manual", actor=staff).exists()


def test_a_file_that_is_not_an_image_is_refused(client, staff, site_a):
    client.force_login(staff)
    fake = SimpleUploadedFile("guide.png", b"<script>alert(1)</script>", content_type="image/png")
    response = client.post(f"/review/{site_a.pk}/2026-11/add/", form(fake))
    assert response.status_code == 200
    assert "请上传一张有效的图片" in response.content.decode()
    assert not Finding.objects.exists()
