"""Checking an uploaded circular: is it the office's signed PDF, unchanged since signing?

Anyone may upload anything, so nothing here raises on a bad file: every problem becomes a
Chinese sentence in `Verification.problems` and ``ok`` is False. The signature is validated
with pyHanko against the configured trust roots only (no network fetches of certificates or
revocation data: a demo root has none to fetch).
"""

from __future__ import annotations

import hashlib
import inspect
import logging
import os
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from io import BytesIO
from pathlib import Path

from notices.signing import run_sync

log = logging.getLogger(__name__)

NOT_PDF = "不是PDF文件"
EMPTY = "文件为空"
DAMAGED = "PDF文件已损坏，无法解析"
ENCRYPTED = "PDF文件已加密，无法核验其中的签名"
UNSIGNED = "该文件没有数字签名"
TAMPERED = "文件在签名后被改动过：签名覆盖的内容与签名不符"
BAD_SIGNATURE = "签名值无效或签名数据已损坏"
UNTRUSTED = "签名证书不能链接到本办的信任根证书：该文件不是由本办的证书签署的"
APPENDED = "签名之后文件末尾又被追加了内容：签名没有覆盖整个文件"
REVOKED = "签名证书已被吊销"
NOT_PUBLISHED = "本办没有发布过与该文件完全相同的通报"


@dataclass(frozen=True)
class Verification:
    ok: bool  # intact, valid, trusted, and the signature covers the whole file
    sha256: str  # of the bytes uploaded
    intact: bool | None = None  # None: there was no signature to check
    covers_whole_file: bool = False
    signer: str = ""  # subject CN / O
    signed_at: datetime | None = None  # timestamp if any, else the signer's reported time
    timestamped: bool = False
    trusted: bool = False
    published: object | None = None  # what is_published(sha256) returned
    problems: tuple[str, ...] = ()
    summary: str = ""
    signatures: int = 0
    valid: bool = False
    details: tuple[str, ...] = field(default=(), repr=False)  # pyHanko's own summaries


def _max_bytes() -> int:
    try:
        from django.conf import settings

        return int(settings.GOVWATCH_MAX_VERIFY_BYTES)
    except Exception:  # no Django settings: the settings default
        return 20 * 1024 * 1024


def _load_roots(trust_roots) -> tuple[list, list[str]]:
    """asn1crypto certificates from PEM/DER bytes or file paths; problems for unreadable ones."""
    from asn1crypto import pem, x509

    if trust_roots is None:
        from django.conf import settings

        trust_roots = list(settings.GOVWATCH_SIGNING_TRUST_ROOTS)
    certs, problems = [], []
    for item in trust_roots:
        name = "信任根证书"
        if isinstance(item, (str, os.PathLike)):
            name = f"信任根证书文件 {item}"
            try:
                item = Path(item).read_bytes()
            except OSError:
                problems.append(f"找不到{name}（设置项 GOVWATCH_SIGNING_TRUST_ROOTS）")
                continue
        try:
            if pem.detect(item):
                ders = [der for _, _, der in pem.unarmor(item, multiple=True)]
            else:
                ders = [item]
            for der in ders:
                cert = x509.Certificate.load(der)
                _ = cert.native  # parse now: a broken file is reported here, not later
                certs.append(cert)
        except Exception:
            problems.append(f"无法读取{name}")
    return certs, problems


def _signer_name(cert) -> str:
    subject = cert.subject.native
    cn, org = subject.get("common_name", ""), subject.get("organization_name", "")
    if cn and org and cn != org:
        return f"{cn}（{org}）"
    return cn or org or cert.subject.human_friendly


def _local(moment: datetime | None) -> str:
    if moment is None:
        return ""
    try:
        from django.conf import settings

        zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    except Exception:
        zone = zoneinfo.ZoneInfo("Asia/Shanghai")
    return moment.astimezone(zone).strftime("%Y年%-m月%-d日 %H:%M")


def _fail(sha: str, problem: str, **kw) -> Verification:
    return Verification(
        ok=False, sha256=sha, problems=(problem,), summary=f"未通过验证：{problem}。", **kw
    )


async def _check_signatures(data: bytes, sha: str, trust_roots) -> Verification:
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import SignatureCoverageLevel, async_validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    if not data:
        return _fail(sha, EMPTY)
    limit = _max_bytes()
    if len(data) > limit:
        return _fail(sha, f"文件大小超过上限（{limit / 1024 / 1024:.0f} MB），未作核验")
    if b"%PDF-" not in data[:1024]:
        return _fail(sha, NOT_PDF)
    try:
        reader = PdfFileReader(BytesIO(data), strict=False)
        encrypted = reader.encrypted
    except (PdfError, ValueError, KeyError, TypeError, IndexError, AttributeError) as exc:
        log.info("unparseable upload %s: %s", sha[:12], exc)
        return _fail(sha, DAMAGED)
    except Exception as exc:  # any other reader failure on hostile input
        log.info("unparseable upload %s: %r", sha[:12], exc)
        return _fail(sha, DAMAGED)
    if encrypted:
        return _fail(sha, ENCRYPTED)
    try:
        signatures = list(reader.embedded_regular_signatures)
    except Exception as exc:
        log.info("unreadable signature fields %s: %r", sha[:12], exc)
        return _fail(sha, DAMAGED)
    if not signatures:
        return _fail(sha, UNSIGNED, intact=None)

    roots, root_problems = _load_roots(trust_roots)
    problems: list[str] = list(root_problems)
    details = []
    context = ValidationContext(
        trust_roots=roots, allow_fetching=False, revocation_mode="soft-fail"
    )
    results = []
    for sig in signatures:
        try:
            status = await async_validate_pdf_signature(sig, signer_validation_context=context)
        except Exception as exc:
            log.info("signature not checkable %s: %r", sha[:12], exc)
            results.append(None)
            continue
        results.append(status)
        details.append(status.summary())

    last = results[-1]
    if last is None:
        return Verification(
            ok=False,
            sha256=sha,
            intact=False,
            signatures=len(signatures),
            problems=tuple(problems + [BAD_SIGNATURE]),
            summary=f"未通过验证：{BAD_SIGNATURE}。",
        )
    intact = all(s is not None and s.intact for s in results)
    valid = all(s is not None and s.valid for s in results)
    trusted = all(s is not None and s.trusted for s in results)
    whole = last.coverage == SignatureCoverageLevel.ENTIRE_FILE
    ts = last.timestamp_validity
    timestamped = bool(ts is not None and ts.intact and ts.valid)
    signed_at = ts.timestamp if timestamped else last.signer_reported_dt
    if not intact:
        problems.append(TAMPERED)
    elif not valid:
        problems.append(BAD_SIGNATURE)
    if intact and not whole:
        problems.append(APPENDED)
    if getattr(last, "revocation_details", None) is not None:
        problems.append(REVOKED)
    elif intact and valid and not trusted:
        problems.append(UNTRUSTED)
    if ts is not None and timestamped and not ts.trusted:
        problems.append("时间戳服务的证书不能链接到信任根证书，签名时间仅供参考")
    if last.docmdp_ok is False:
        problems.append("签名后的修改超出了签署时允许的范围")
    # A note that the timestamp's own certificate is not trusted does not spoil a good signature.
    ok = (
        intact and valid and trusted and whole and all(p.startswith("时间戳服务") for p in problems)
    )
    signer = _signer_name(last.signing_cert)
    if ok:
        summary = f"签名有效：由“{signer}”于{_local(signed_at)}签署，签名后文件未被改动，证书来自本办信任根。"
    else:
        summary = f"未通过验证：{problems[0]}。"
    return Verification(
        ok=ok,
        sha256=sha,
        intact=intact,
        covers_whole_file=whole,
        signer=signer,
        signed_at=signed_at,
        timestamped=timestamped,
        trusted=trusted,
        problems=tuple(problems),
        summary=summary,
        signatures=len(signatures),
        valid=valid,
        details=tuple(details),
    )


def _with_publication(result: Verification, published, asked: bool) -> Verification:
    from dataclasses import replace

    if not asked or not result.ok:
        return replace(result, published=published)
    if published is None:
        summary = result.summary.rstrip("。") + f"；但{NOT_PUBLISHED}。"
    else:
        number = getattr(published, "doc_number", "") or "通报"
        summary = result.summary.rstrip("。") + f"，与本办发布的{number}完全一致。"
    return replace(result, published=published, summary=summary)


async def async_verify_pdf(
    data: bytes,
    *,
    trust_roots: list[bytes | str | os.PathLike] | None = None,
    is_published: Callable[[str], object | None] | None = None,
) -> Verification:
    """`verify_pdf` for async code. `is_published` may be a coroutine function; a plain one
    (e.g. a Django ORM lookup) is run through asgiref's sync_to_async."""
    data = bytes(data or b"")
    sha = hashlib.sha256(data).hexdigest()
    try:
        result = await _check_signatures(data, sha, trust_roots)
    except Exception as exc:  # never raise on an upload
        log.warning("verification failed unexpectedly for %s: %r", sha[:12], exc)
        result = _fail(sha, DAMAGED)
    published = None
    if is_published is not None:
        if inspect.iscoroutinefunction(is_published):
            published = await is_published(sha)
        else:
            from asgiref.sync import sync_to_async

            published = await sync_to_async(is_published)(sha)
    return _with_publication(result, published, is_published is not None)


def verify_pdf(
    data: bytes,
    *,
    trust_roots: list[bytes | str | os.PathLike] | None = None,
    is_published: Callable[[str], object | None] | None = None,
) -> Verification:
    """Check an uploaded PDF: signature intact and valid, covering the whole file, from a
    certificate that chains to one of `trust_roots` (PEM/DER bytes or paths; default
    settings.GOVWATCH_SIGNING_TRUST_ROOTS); `is_published(sha256)` returns the office's record
    of a published file with that digest, or None. Never raises on a bad upload."""
    data = bytes(data or b"")
    sha = hashlib.sha256(data).hexdigest()
    try:
        result = run_sync(_check_signatures(data, sha, trust_roots))
    except Exception as exc:
        log.warning("verification failed unexpectedly for %s: %r", sha[:12], exc)
        result = _fail(sha, DAMAGED)
    published = is_published(sha) if is_published is not None else None
    return _with_publication(result, published, is_published is not None)
