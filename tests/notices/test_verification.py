"""Verifying uploaded circulars: a good one, tampered, appended to, foreign-signed, timestamped,
and uploads that are not signed PDFs at all. No upload makes verify_pdf raise."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import re
from io import BytesIO

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.writer import copy_into_new_writer

from notices import verification as v
from notices.render import render_pdf
from notices.signing import demo_timestamper, load_office_signer, make_demo_certificates, sign_pdf
from notices.verification import async_verify_pdf, verify_pdf
from tests.notices import small_circular

OFFICE = "临沭县人民政府办公室"


@pytest.fixture(scope="module")
def certs(tmp_path_factory):
    return make_demo_certificates(
        tmp_path_factory.mktemp("office"), office_name=OFFICE, passphrase="pw"
    )


@pytest.fixture(scope="module")
def foreign(tmp_path_factory):
    return make_demo_certificates(
        tmp_path_factory.mktemp("foreign"), office_name="冒名单位", passphrase="pw"
    )


@pytest.fixture(scope="module")
def unsigned() -> bytes:
    return render_pdf(small_circular())


@pytest.fixture(scope="module")
def signed(unsigned, certs) -> bytes:
    return sign_pdf(unsigned, load_office_signer(certs.office_p12, "pw"))


@pytest.fixture(scope="module")
def roots(certs):
    return [certs.ca_pem]


def byte_range(pdf: bytes) -> list[int]:
    m = re.search(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]", pdf)
    return [int(x) for x in m.groups()]


@dataclasses.dataclass(frozen=True)
class Record:
    doc_number: str


# ----- good files -----------------------------------------------------------------------------


def test_the_office_signed_file_verifies(signed, roots):
    before = dt.datetime.now(dt.UTC)
    result = verify_pdf(signed, trust_roots=roots)
    assert result.ok and result.intact and result.valid and result.trusted
    assert result.covers_whole_file and not result.timestamped
    assert result.signer == OFFICE
    assert result.problems == ()
    assert abs((result.signed_at - before).total_seconds()) < 600
    assert result.summary.startswith("签名有效") and OFFICE in result.summary
    import hashlib

    assert result.sha256 == hashlib.sha256(signed).hexdigest()


def test_the_trust_roots_default_to_the_settings_and_may_be_bytes(signed, certs, settings):
    settings.GOVWATCH_SIGNING_TRUST_ROOTS = [str(certs.ca_pem)]
    assert verify_pdf(signed).ok
    pem = certs.ca_pem.read_bytes()
    assert verify_pdf(signed, trust_roots=[pem]).ok
    from asn1crypto import pem as asn1_pem

    der = asn1_pem.unarmor(pem)[2]
    assert verify_pdf(signed, trust_roots=[der]).ok


def test_a_published_file_is_matched_by_its_digest(signed, roots):
    seen = []

    def lookup(sha):
        seen.append(sha)
        return Record("沭政督字〔2021〕31号")

    result = verify_pdf(signed, trust_roots=roots, is_published=lookup)
    assert result.ok and result.published == Record("沭政督字〔2021〕31号")
    assert seen == [result.sha256]
    assert "沭政督字〔2021〕31号" in result.summary
    unknown = verify_pdf(signed, trust_roots=roots, is_published=lambda sha: None)
    assert unknown.ok and unknown.published is None and v.NOT_PUBLISHED in unknown.summary


def test_b_t_gives_the_timestamp_as_the_signing_time(unsigned, certs):
    stamper, tsa_root = demo_timestamper()
    stamped = sign_pdf(unsigned, load_office_signer(certs.office_p12, "pw"), timestamper=stamper)
    result = verify_pdf(stamped, trust_roots=[certs.ca_pem, tsa_root])
    assert result.ok and result.timestamped
    assert result.signed_at.tzinfo is not None
    # Without the timestamp authority's root the signature still holds; the time is flagged.
    partly = verify_pdf(stamped, trust_roots=[certs.ca_pem])
    assert partly.ok and partly.timestamped
    assert any("时间戳" in p for p in partly.problems)


def test_async_verification_inside_a_running_loop(signed, roots):
    async def lookup(sha):
        return Record("沭政督字〔2021〕31号")

    async def main():
        in_loop = verify_pdf(signed, trust_roots=roots)  # the sync API works here too
        native = await async_verify_pdf(signed, trust_roots=roots, is_published=lookup)
        return in_loop, native

    in_loop, native = asyncio.run(main())
    assert in_loop.ok and native.ok and native.published == Record("沭政督字〔2021〕31号")


# ----- changed files --------------------------------------------------------------------------


def test_changing_any_one_byte_of_the_signed_range_is_detected(signed, roots):
    a, b, c, d = byte_range(signed)
    assert a == 0 and c + d == len(signed)
    offsets = [20, b // 3, b // 2, b - 40, b - 2, c + 1, c + 30, c + d // 2, len(signed) - 30]
    offsets += [len(signed) - 3]
    for offset in offsets:
        assert a <= offset < b or c <= offset < c + d
        changed = bytearray(signed)
        changed[offset] = ord("A") if changed[offset] != ord("A") else ord("B")
        result = verify_pdf(bytes(changed), trust_roots=roots)
        assert not result.ok, offset
        assert result.intact is False or result.problems[0] in (v.DAMAGED, v.UNSIGNED), (
            offset,
            result,
        )
        assert result.problems, offset


def test_a_change_inside_the_page_content_is_tampering(signed, roots):
    # Replace a digit of the date in the content stream's neighbourhood: anywhere in the first
    # signed range will do as long as the file still parses.
    a, b, c, d = byte_range(signed)
    changed = bytearray(signed)
    middle = b // 2
    changed[middle] ^= 0x01
    result = verify_pdf(bytes(changed), trust_roots=roots)
    assert not result.ok
    if result.intact is not None:
        assert result.intact is False and v.TAMPERED in result.problems


def test_an_incremental_update_after_signing_does_not_cover_the_whole_file(signed, roots):
    writer = IncrementalPdfFileWriter(BytesIO(signed))
    info = generic.DictionaryObject({generic.pdf_name("/Title"): generic.TextStringObject("改过")})
    writer.trailer["/Info"] = writer.add_object(info)
    out = BytesIO()
    writer.write(out)
    appended = out.getvalue()
    assert appended.startswith(signed)
    result = verify_pdf(appended, trust_roots=roots)
    assert result.intact is True and result.covers_whole_file is False
    assert not result.ok and v.APPENDED in result.problems


def test_bytes_appended_after_the_end_do_not_pass_either(signed, roots):
    result = verify_pdf(signed + b"\n1 0 obj (extra) endobj\n", trust_roots=roots)
    assert not result.ok


def test_a_file_signed_under_another_root_is_intact_but_not_trusted(unsigned, foreign, roots):
    other = sign_pdf(unsigned, load_office_signer(foreign.office_p12, "pw"))
    result = verify_pdf(other, trust_roots=roots)
    assert result.intact is True and result.valid and result.trusted is False
    assert not result.ok
    assert v.UNTRUSTED in result.problems
    assert "不能链接到本办的信任根证书" in result.summary
    assert result.signer == "冒名单位"


def test_a_missing_trust_root_file_is_reported_not_raised(signed, tmp_path):
    result = verify_pdf(signed, trust_roots=[tmp_path / "no.pem"])
    assert not result.ok and not result.trusted
    assert any("GOVWATCH_SIGNING_TRUST_ROOTS" in p for p in result.problems)


# ----- not a signed PDF -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", v.EMPTY),
        (b"PK\x03\x04 this is a zip file, not a PDF", v.NOT_PDF),
        ("通报.docx".encode() * 100, v.NOT_PDF),
        (b"%PDF-1.7\n\x00\xff garbage that never ends", v.DAMAGED),
    ],
)
def test_uploads_that_are_not_pdfs_get_a_clear_message(data, message, roots):
    result = verify_pdf(data, trust_roots=roots)
    assert not result.ok and result.problems[0] == message
    assert result.summary == f"未通过验证：{message}。"


def test_a_truncated_signed_file_fails_without_raising(signed, roots):
    result = verify_pdf(signed[: len(signed) // 2], trust_roots=roots)
    assert not result.ok and result.problems


def test_an_unsigned_pdf_has_no_signature(unsigned, roots):
    result = verify_pdf(unsigned, trust_roots=roots)
    assert not result.ok and result.intact is None
    assert result.problems == (v.UNSIGNED,)


def test_an_oversize_upload_is_refused_before_parsing(signed, roots, settings):
    settings.GOVWATCH_MAX_VERIFY_BYTES = 1024
    result = verify_pdf(signed, trust_roots=roots)
    assert not result.ok and "超过上限" in result.problems[0]


def test_an_encrypted_pdf_is_reported(unsigned, roots):
    writer = copy_into_new_writer(PdfFileReader(BytesIO(unsigned)))
    writer.encrypt("owner-secret", "user-secret")
    out = BytesIO()
    writer.write(out)
    encrypted = out.getvalue()
    assert PdfFileReader(BytesIO(encrypted)).encrypted
    result = verify_pdf(encrypted, trust_roots=roots)
    assert not result.ok and result.problems == (v.ENCRYPTED,)
