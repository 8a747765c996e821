"""Signing circulars: demo certificates, the office signer, PAdES B-B / B-T, the seal, and the
management command; checked with pyHanko's own validator."""

from __future__ import annotations

import asyncio
import os
import stat
from io import BytesIO, StringIO

import pytest
from cryptography import x509
from cryptography.x509.oid import NameOID
from django.core.management import call_command
from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import SignatureCoverageLevel, validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from notices.render import render_pdf
from notices.signing import (
    SigningError,
    async_sign_pdf,
    demo_passphrase_file,
    demo_timestamper,
    load_office_signer,
    make_demo_certificates,
    make_demo_seal,
    seal_box,
    sign_pdf,
    write_demo_passphrase,
)
from tests.notices import small_circular

OFFICE = "临沭县人民政府办公室"
PASSPHRASE = "演示口令-2026"


@pytest.fixture(scope="module")
def certs(tmp_path_factory):
    return make_demo_certificates(
        tmp_path_factory.mktemp("signing"), office_name=OFFICE, passphrase=PASSPHRASE
    )


@pytest.fixture(scope="module")
def signer(certs):
    return load_office_signer(certs.office_p12, PASSPHRASE)


@pytest.fixture(scope="module")
def unsigned() -> bytes:
    return render_pdf(small_circular())


@pytest.fixture(scope="module")
def signed(unsigned, signer) -> bytes:
    return sign_pdf(unsigned, signer, location="临沭县")


@pytest.fixture(scope="module")
def seal(tmp_path_factory):
    return make_demo_seal(tmp_path_factory.mktemp("seal") / "seal.png", office_name=OFFICE)


def validate(pdf: bytes, *roots):
    reader = PdfFileReader(BytesIO(pdf))
    (sig,) = reader.embedded_signatures
    context = ValidationContext(
        trust_roots=[
            load_cert_from_pemder(str(r)) if not isinstance(r, bytes) else _pem(r) for r in roots
        ],
        allow_fetching=False,
    )
    return sig, validate_pdf_signature(sig, context)


def _pem(data: bytes):
    from asn1crypto import pem
    from asn1crypto import x509 as asn1_x509

    return asn1_x509.Certificate.load(pem.unarmor(data)[2])


# ----- certificates and the signer -------------------------------------------------------------


def test_demo_certificates_are_a_ca_and_an_office_certificate_issued_by_it(certs):
    ca = x509.load_pem_x509_certificate(certs.ca_pem.read_bytes())
    assert ca.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == f"{OFFICE} 演示根证书"
    assert ca.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    signer = load_office_signer(certs.office_p12, PASSPHRASE)
    cert = x509.load_der_x509_certificate(signer.signing_cert.dump())
    assert cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == OFFICE
    assert cert.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value == OFFICE
    assert cert.issuer == ca.subject
    usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.digital_signature and usage.content_commitment and not usage.key_cert_sign
    assert stat.S_IMODE(os.stat(certs.office_p12).st_mode) == 0o600


def test_demo_certificates_are_kept_unless_forced(certs):
    before = certs.office_p12.read_bytes(), certs.ca_pem.read_bytes()
    again = make_demo_certificates(certs.ca_pem.parent, office_name="别的单位", passphrase="x")
    assert not again.created
    assert (certs.office_p12.read_bytes(), certs.ca_pem.read_bytes()) == before


def test_forcing_makes_new_ones_and_half_a_pair_is_refused(tmp_path):
    first = make_demo_certificates(tmp_path, office_name=OFFICE, passphrase="a")
    old = first.ca_pem.read_bytes()
    again = make_demo_certificates(tmp_path, office_name=OFFICE, passphrase="b", force=True)
    assert again.created and again.ca_pem.read_bytes() != old
    again.ca_pem.unlink()
    with pytest.raises(SigningError, match="--force"):
        make_demo_certificates(tmp_path, office_name=OFFICE, passphrase="b")


def test_a_missing_file_or_a_wrong_passphrase_names_the_setting(certs, tmp_path):
    with pytest.raises(SigningError, match="GOVWATCH_SIGNING_P12"):
        load_office_signer(tmp_path / "none.p12", PASSPHRASE)
    with pytest.raises(SigningError, match="GOVWATCH_SIGNING_PASSPHRASE"):
        load_office_signer(certs.office_p12, "错误的口令")


def test_the_signer_comes_from_the_settings_by_default(certs, settings):
    settings.GOVWATCH_SIGNING_P12 = str(certs.office_p12)
    settings.GOVWATCH_SIGNING_PASSPHRASE = PASSPHRASE
    assert load_office_signer().signing_cert.subject.native["common_name"] == OFFICE
    settings.GOVWATCH_SIGNING_PASSPHRASE = "不对"
    with pytest.raises(SigningError, match="口令错误"):
        load_office_signer()


def test_the_demo_passphrase_file_is_used_only_when_the_setting_is_empty_and_private(
    tmp_path, settings
):
    made = make_demo_certificates(tmp_path, office_name=OFFICE, passphrase="写在文件里")
    write_demo_passphrase(made.office_p12, "写在文件里")
    settings.GOVWATCH_SIGNING_P12 = str(made.office_p12)
    settings.GOVWATCH_SIGNING_PASSPHRASE = ""
    assert load_office_signer().signing_cert.subject.native["common_name"] == OFFICE
    os.chmod(demo_passphrase_file(made.office_p12), 0o644)
    with pytest.raises(SigningError, match="0600"):
        load_office_signer()


# ----- signatures -------------------------------------------------------------------------------


def test_the_signed_pdf_is_pades_b_b_intact_valid_and_trusted(signed, certs):
    sig, status = validate(signed, certs.ca_pem)
    assert status.intact and status.valid and status.trusted
    assert status.bottom_line
    assert status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    assert status.md_algorithm == "sha256"
    assert sig.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"  # PAdES
    assert status.timestamp_validity is None  # B-B: no timestamp
    assert sig.sig_object["/Reason"] == "发布通报" and sig.sig_object["/Location"] == "临沭县"
    assert status.docmdp_ok  # a certification signature: no changes allowed afterwards
    assert "/Perms" in PdfFileReader(BytesIO(signed)).root


def test_a_foreign_root_does_not_trust_the_office_signature(signed, tmp_path):
    other = make_demo_certificates(tmp_path, office_name="别的单位", passphrase="x")
    _, status = validate(signed, other.ca_pem)
    assert status.intact and status.valid and not status.trusted


def test_pades_b_t_with_a_local_timestamper(unsigned, signer, certs):
    stamper, tsa_root = demo_timestamper()
    stamped = sign_pdf(unsigned, signer, timestamper=stamper)
    _, status = validate(stamped, certs.ca_pem, tsa_root)
    assert status.bottom_line
    ts = status.timestamp_validity
    assert ts is not None and ts.intact and ts.valid and ts.trusted


def test_an_unreachable_timestamp_server_is_a_clear_error(unsigned, signer):
    with pytest.raises(SigningError, match="GOVWATCH_TSA_URL"):
        sign_pdf(unsigned, signer, timestamp_url="http://127.0.0.1:9/tsa")


def test_the_seal_is_a_visible_appearance_at_the_issuer_and_date(unsigned, signer, seal, certs):
    page_index, box = seal_box(unsigned)
    sealed = sign_pdf(unsigned, signer, seal_image=str(seal))
    _, status = validate(sealed, certs.ca_pem)
    assert status.bottom_line
    reader = PdfFileReader(BytesIO(sealed))
    page = reader.root["/Pages"]["/Kids"][page_index].get_object()
    annots = [a.get_object() for a in page["/Annots"]]
    widgets = [a for a in annots if a["/Subtype"] == "/Widget" and "/FT" in a]
    (widget,) = widgets
    assert widget["/FT"] == "/Sig"
    appearance = widget["/AP"]["/N"]
    assert appearance.data  # an appearance stream that draws the image
    assert "/XObject" in appearance["/Resources"]
    rect = [float(v) for v in widget["/Rect"]]
    assert rect == pytest.approx(list(box), abs=1)
    assert rect[2] - rect[0] == pytest.approx(42 * 72 / 25.4, abs=1.5)
    # The box is on the page with the date, over it: find the date in the page's text.
    from notices.pdfcheck import pages

    sheet = pages(unsigned)[page_index]
    date = next(w for w in sheet.words if w.text == small_circular().date_text)
    x_mid = (date.x0 + date.x1) / 2
    y_mid = sheet.height - (date.y0 + date.y1) / 2  # PDF y runs upwards
    assert rect[0] < x_mid < rect[2] and rect[1] < y_mid < rect[3]


def test_an_invisible_signature_has_no_appearance_to_draw(signed):
    reader = PdfFileReader(BytesIO(signed))
    field = reader.root["/AcroForm"]["/Fields"][0].get_object()
    rect = [float(v) for v in field.get("/Rect", [0, 0, 0, 0])]
    assert rect[2] - rect[0] == 0 and rect[3] - rect[1] == 0


def test_signing_works_inside_a_running_event_loop(unsigned, signer, certs):
    async def inside():
        via_sync = sign_pdf(unsigned, signer)  # e.g. from an async view by mistake
        via_async = await async_sign_pdf(unsigned, signer)
        return via_sync, via_async

    for pdf in asyncio.run(inside()):
        assert validate(pdf, certs.ca_pem)[1].bottom_line


def test_a_non_pdf_is_refused_in_chinese(signer):
    with pytest.raises(SigningError, match="不是有效的PDF"):
        sign_pdf(b"not a pdf", signer)


# ----- management command -----------------------------------------------------------------------


def test_the_command_makes_the_demo_pair_with_a_private_passphrase_file(tmp_path, settings):
    settings.GOVWATCH_SIGNING_PASSPHRASE = ""
    out = StringIO()
    call_command("make_signing_certs", "--dir", str(tmp_path), "--office", OFFICE, stdout=out)
    text = out.getvalue()
    assert "已生成单位证书" in text and "已生成演示根证书" in text and "0600" in text
    secret = demo_passphrase_file(tmp_path / "office.p12")
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600
    signer = load_office_signer(tmp_path / "office.p12", secret.read_text().strip())
    assert signer.signing_cert.subject.native["common_name"] == OFFICE
    out = StringIO()
    call_command("make_signing_certs", "--dir", str(tmp_path), stdout=out)
    assert "证书已存在" in out.getvalue()


def test_the_command_uses_the_passphrase_setting_and_the_settings_paths(tmp_path, settings):
    settings.GOVWATCH_SIGNING_PASSPHRASE = "环境变量里的口令"
    settings.GOVWATCH_SIGNING_P12 = str(tmp_path / "keys" / "office.p12")
    settings.GOVWATCH_SIGNING_TRUST_ROOTS = [str(tmp_path / "keys" / "ca.pem")]
    out = StringIO()
    call_command("make_signing_certs", stdout=out)
    assert not demo_passphrase_file(settings.GOVWATCH_SIGNING_P12).exists()
    assert load_office_signer().signing_cert.subject.native["common_name"] == "演示单位"
    assert (tmp_path / "keys" / "ca.pem").exists()
