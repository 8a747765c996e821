"""Publication end to end, with a real PDF and a real signature: the office drafts from the
verdicts, the lead approves and publishes; the public pages list it and verify it rightly for a
genuine, a tampered and a foreign-signed file, and refuse bad uploads in Chinese."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from audits.models import Period, RuleSet, Verdict
from core.models import AuditLogEntry
from notices import services
from notices.pdfcheck import missing_glyphs, pdf_fonts
from notices.render import pdf_text
from notices.signing import load_office_signer, make_demo_certificates, sign_pdf
from units.models import Unit, Website

pytestmark = pytest.mark.django_db

UNITS = ("梅渚镇", "县人社局", "县公安局", "县税务局")


@pytest.fixture
def signing(settings, tmp_path):
    """The office's demo certificate, and a foreign one from another CA."""
    settings.MEDIA_ROOT = tmp_path / "media"
    office = make_demo_certificates(
        tmp_path / "office", office_name="示范县人民政府办公室", passphrase="pw-office"
    )
    foreign = make_demo_certificates(
        tmp_path / "foreign", office_name="冒名单位", passphrase="pw-foreign"
    )
    settings.GOVWATCH_SIGNING_P12 = str(office.office_p12)
    settings.GOVWATCH_SIGNING_PASSPHRASE = "pw-office"
    settings.GOVWATCH_SIGNING_TRUST_ROOTS = [str(office.ca_pem)]
    return {"foreign": load_office_signer(foreign.office_p12, "pw-foreign")}


@pytest.fixture
def published(signing, staff, lead):
    rule_set = RuleSet.objects.get(code="county-2019-local")
    period = Period.for_code("2026-11")
    for n, name in enumerate(UNITS):
        unit = Unit.objects.create(
            name=name, kind=Unit.Kind.DEPARTMENT, counts_in_rates=name != "县税务局"
        )
        site = Website.objects.create(
            unit=unit, name=f"{name}网站", home_url=f"http://s{n}.example/"
        )
        Verdict.objects.create(
            unit=unit,
            website=site,
            period=period,
            monitoring_point=dt.date(2026, 11, 23),
            rule_set=rule_set,
            rule_set_version=1,
            proposed_result="fail" if name == "县公安局" else "clean",
            result="fail" if name == "县公安局" else "clean",
            reasons=["“政策文件”栏目超过半年未更新"] if name == "县公安局" else [],
            computed_at=dt.datetime(2026, 11, 23, tzinfo=dt.UTC),
        )
    period.locked_at = dt.datetime(2026, 11, 30, tzinfo=dt.UTC)
    period.save()
    circular = services.circular_draft(period, user=staff, annex_kinds=["websites", "units"])
    services.circular_update(circular, user=staff, next_steps="请各单位于12月10日前完成整改。")
    services.circular_approve(circular, user=lead)
    return services.circular_publish(circular, user=lead)


def test_the_published_pdf_holds_the_title_the_number_and_every_row(published):
    pdf = published.pdf.open("rb").read()
    text = pdf_text(pdf)
    assert published.doc_number.endswith("〔2026〕1号")
    assert published.doc_number in text and "2026年11月" in text
    for name in UNITS:
        assert f"{name}网站" in text
    assert "请各单位于12月10日前完成整改" in text
    assert not missing_glyphs(pdf)
    assert all(f.embedded and f.subset for f in pdf_fonts(pdf))


def test_each_act_is_in_the_audit_log(published):
    actions = list(
        AuditLogEntry.objects.filter(object_id=published.pk).values_list("action", flat=True)
    )
    assert actions[::-1] == [
        "circular_draft",
        "circular_edit",
        "circular_approve",
        "circular_publish",
    ]


def test_the_public_pages_list_and_serve_it(client, published):
    listing = client.get(reverse("notices:list")).content.decode()
    assert published.doc_number in listing and published.title in listing
    page = client.get(reverse("notices:detail", args=[published.pk])).content.decode()
    assert '<th scope="col">' in page and "县公安局网站" in page
    pdf = client.get(reverse("notices:pdf", args=[published.pk]))
    assert pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content) == published.pdf.open("rb").read()
    xlsx = client.get(reverse("notices:xlsx", args=[published.pk]))
    assert xlsx.status_code == 200 and "attachment" in xlsx["Content-Disposition"]


def verify(client, data: bytes, name="通报.pdf"):
    upload = SimpleUploadedFile(name, data, content_type="application/pdf")
    return client.post(reverse("notices:verify"), {"file": upload}).content.decode()


def test_the_verification_page_answers_for_a_genuine_file(client, published):
    page = verify(client, published.pdf.open("rb").read())
    assert "签名有效" in page and published.doc_number in page
    assert "示范县人民政府办公室" in page


def test_one_changed_byte_is_caught(client, published):
    data = bytearray(published.pdf.open("rb").read())
    offset = data.index(b"/Type /Page") + 3 if b"/Type /Page" in data else len(data) // 3
    data[offset] ^= 0x01
    page = verify(client, bytes(data))
    assert "签名有效" not in page and "未通过验证" in page
    assert "本办发布过这份文件</th><td>是" not in page


def test_a_file_signed_by_someone_else_is_not_trusted(client, published, signing):
    unsigned = services.document_for(published)
    from notices.render import render_pdf

    forged = sign_pdf(render_pdf(unsigned), signing["foreign"], reason="冒名")
    page = verify(client, forged)
    assert "未通过验证" in page
    assert "冒名单位" in page  # who signed is still shown
    assert "证书来自本办信任根</th><td><b>否" in page


@pytest.mark.parametrize(
    ("data", "name", "says"),
    [
        (b"hello", "a.pdf", "不是PDF"),
        (b"", "empty.pdf", ""),
        (b"%PDF-1.7\n%%EOF\n", "nosig.pdf", ""),
    ],
)
def test_bad_uploads_get_a_chinese_message_never_a_500(client, published, data, name, says):
    response = client.post(
        reverse("notices:verify"),
        {"file": SimpleUploadedFile(name, data, content_type="application/pdf")},
    )
    assert response.status_code == 200
    page = response.content.decode()
    if data:
        assert "未通过验证" in page
    if says:
        assert says in page


def test_a_published_circular_cannot_be_published_twice_or_replaced(published, lead):
    with pytest.raises(ValueError):
        services.circular_publish(published, user=lead)
    with pytest.raises(FileExistsError):
        from django.core.files.base import ContentFile

        published.pdf.storage.save(published.pdf.name, ContentFile(b"%PDF-1.7 forged"))


def test_a_correction_names_the_circular_it_corrects(published, staff, lead):
    correction = services.circular_draft(published.period, user=staff, corrects=published)
    assert published.doc_number in correction.title
    doc = services.document_for(correction)
    assert published.doc_number in doc.corrects


def test_the_downloads_pass_a_wsgi_servers_checks(published):
    """Through wsgiref's validator, which checks what every WSGI server does (a header value
    must be a plain str): the test client does not, and the public download was a 500 under
    the demo's server (a SafeString header)."""
    from wsgiref.validate import validator

    from django.core.signals import request_finished, request_started
    from django.core.wsgi import get_wsgi_application
    from django.db import close_old_connections

    app = validator(get_wsgi_application())
    # as Django's test client does: the test's transaction keeps its connection open
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    try:
        _download_through(app, published)
    finally:
        for signal in (request_started, request_finished):
            signal.connect(close_old_connections)


def _download_through(app, published):
    import urllib.parse
    from wsgiref.util import setup_testing_defaults

    for name, suffix, stored in (
        ("notices:pdf", ".pdf", published.pdf),
        ("notices:xlsx", "附件.xlsx", published.xlsx),
    ):
        path = reverse(name, args=[published.pk])
        environ = {
            "PATH_INFO": path,
            "SCRIPT_NAME": "",
            "QUERY_STRING": "",
            "HTTP_HOST": "testserver",
        }
        setup_testing_defaults(environ)
        answer: dict = {}

        def start_response(status, headers, exc_info=None, answer=answer):
            answer.update(status=status, h=dict(headers))

        body = app(environ, start_response)
        data = b"".join(body)
        body.close()
        assert answer["status"].startswith("200"), data[:3000]
        disposition = answer["h"]["Content-Disposition"]
        assert disposition.startswith("attachment")
        assert urllib.parse.quote(published.doc_number + suffix) in disposition
        assert data == stored.open("rb").read()
