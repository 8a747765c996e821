"""Signing a circular's PDF with the office's certificate: the project's only pyHanko signer.

PAdES (ETSI EN 319 142) with SHA-256: baseline B-B without a timestamp server, B-T with one
(an RFC 3161 timestamp on the signature). The signature certifies the document with "no
changes allowed" (DocMDP P=1): a published circular is immutable. The visible appearance, when
a seal image is given, stands where GB/T 9704-2012 7.3.5.1 puts the seal: centred on the issuer
and the date, pressed down on both (render.py leaves a named destination there).

Demo certificates (`make_demo_certificates`) are self-signed: a CA and an office certificate
issued by it, for development and the demo. A real office uses its CA-issued certificate.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import datetime as dt
import os
import secrets
import stat
import subprocess
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

from notices.render import SEAL_ANCHOR

SIGNATURE_FIELD = "GovwatchSignature"
SEAL_DIAMETER_MM = 42.0  # the usual size of an office's round seal
PASSPHRASE_SUFFIX = ".passphrase"  # demo only: next to the generated office.p12, mode 0600
MM = 72 / 25.4


class SigningError(RuntimeError):
    """Signing cannot go ahead; the message says what to fix, in Chinese."""


# ----- the office's signer ------------------------------------------------------------------


def _settings():
    from django.conf import settings

    return settings


def demo_passphrase_file(p12_path: str | os.PathLike) -> Path:
    return Path(str(p12_path) + PASSPHRASE_SUFFIX)


def _read_demo_passphrase(p12_path: Path) -> bytes | None:
    """The passphrase `make_signing_certs` generated for the demo, if it wrote one."""
    path = demo_passphrase_file(p12_path)
    if not path.exists():
        return None
    if path.stat().st_mode & 0o077:
        raise SigningError(
            f"演示证书口令文件 {path} 的权限过宽（应为 0600），拒绝读取；"
            "请执行 chmod 600，或改用环境变量 GOVWATCH_SIGNING_PASSPHRASE"
        )
    return path.read_text(encoding="utf-8").strip().encode("utf-8")


def load_office_signer(p12_path: str | os.PathLike | None = None, passphrase=None):
    """The office's `pyhanko.sign.signers.SimpleSigner` from its PKCS#12 file.

    Defaults: settings.GOVWATCH_SIGNING_P12 and settings.GOVWATCH_SIGNING_PASSPHRASE; when the
    passphrase setting is empty, the demo passphrase file written by `make_signing_certs`
    (``office.p12.passphrase``, mode 0600) is used if present."""
    from pyhanko.sign import signers

    settings = None
    if p12_path is None or passphrase is None:
        settings = _settings()
    path = Path(p12_path if p12_path is not None else settings.GOVWATCH_SIGNING_P12)
    if passphrase is None:
        passphrase = settings.GOVWATCH_SIGNING_PASSPHRASE or _read_demo_passphrase(path) or b""
    if isinstance(passphrase, str):
        passphrase = passphrase.encode("utf-8")
    if not path.is_file():
        raise SigningError(
            f"找不到单位签名证书文件 {path}（设置项 GOVWATCH_SIGNING_P12）。"
            "演示环境可运行 manage.py make_signing_certs 生成演示证书。"
        )
    try:
        return signers.SimpleSigner.load_pkcs12_data(
            path.read_bytes(), other_certs=(), passphrase=passphrase or None
        )
    except ValueError as exc:
        raise SigningError(
            f"无法打开单位签名证书 {path}：口令错误或文件已损坏"
            "（口令取自设置项 GOVWATCH_SIGNING_PASSPHRASE）。"
        ) from exc


# ----- where the seal goes -------------------------------------------------------------------


def _page_refs(reader) -> list:
    refs = []

    def walk(ref):
        node = ref.get_object()
        if node.get("/Type") == "/Pages":
            for kid in node.raw_get("/Kids").get_object():
                walk(kid)
        else:
            refs.append(ref.reference if hasattr(ref, "reference") else ref)

    walk(reader.root.raw_get("/Pages"))
    return refs


def _named_destination(reader, name: str):
    """(page index, x, y) of a named destination, or None."""
    try:
        names = reader.root["/Names"]["/Dests"]
    except KeyError:
        return None
    stack = [names]
    while stack:
        node = stack.pop()
        if "/Names" in node:
            items = node["/Names"]
            for i in range(0, len(items) - 1, 2):
                if str(items[i]) == name:
                    dest = items[i + 1]
                    dest = dest["/D"] if hasattr(dest, "keys") else dest
                    page_ref = dest.raw_get(0)
                    page_ref = getattr(page_ref, "reference", page_ref)
                    refs = _page_refs(reader)
                    if page_ref in refs and str(dest[1]) == "/XYZ":
                        return refs.index(page_ref), float(dest[2]), float(dest[3])
                    return None
        if "/Kids" in node:
            stack.extend(node["/Kids"])
    return None


def seal_box(pdf: bytes) -> tuple[int, tuple[int, int, int, int]]:
    """The page index and box of the seal: a 42 mm square centred on render.py's seal anchor;
    without an anchor, at the foot of the last page's type area, four characters in."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    reader = PdfFileReader(BytesIO(pdf), strict=False)
    found = _named_destination(reader, SEAL_ANCHOR)
    half = SEAL_DIAMETER_MM * MM / 2
    if found is None:
        refs = _page_refs(reader)
        page = refs[-1].get_object()
        x1, _, x2, _ = (float(v) for v in page["/MediaBox"])
        index, x, y = len(refs) - 1, x2 - 26 * MM - 64 - half, 35 * MM + half + 29
    else:
        index, x, y = found
    box = (round(x - half), round(y - half), round(x + half), round(y + half))
    return index, box


def _stamp_style(seal_image: str):
    from PIL import Image
    from pyhanko.pdf_utils import layout
    from pyhanko.pdf_utils.images import PdfImage
    from pyhanko.stamp import StaticStampStyle

    path = Path(seal_image)
    if not path.is_file():
        raise SigningError(f"找不到印章图片 {path}（设置项 GOVWATCH_SIGNING_SEAL_IMAGE）")
    image = Image.open(path)
    image.load()
    return StaticStampStyle(
        background=PdfImage(image),
        background_opacity=1.0,
        border_width=0,
        background_layout=layout.SimpleBoxLayoutRule(
            x_align=layout.AxisAlignment.ALIGN_MID,
            y_align=layout.AxisAlignment.ALIGN_MID,
            margins=layout.Margins.uniform(0),
        ),
    )


# ----- signing -------------------------------------------------------------------------------


def _timestamper(timestamp_url: str | None, timestamper):
    if timestamper is not None:
        return timestamper
    if timestamp_url:
        from pyhanko.sign.timestamps import HTTPTimeStamper

        return HTTPTimeStamper(timestamp_url, timeout=20)
    return None


def _pdf_signer(pdf: bytes, signer, *, reason, location, seal_image, timestamp_url, timestamper):
    from pyhanko.sign import fields, signers
    from pyhanko.sign.fields import MDPPerm

    meta = signers.PdfSignatureMetadata(
        field_name=SIGNATURE_FIELD,
        reason=reason or None,
        location=location or None,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        certify=True,
        docmdp_permissions=MDPPerm.NO_CHANGES,
    )
    spec, style = None, None
    if seal_image:
        page, box = seal_box(pdf)
        spec = fields.SigFieldSpec(SIGNATURE_FIELD, on_page=page, box=box)
        style = _stamp_style(seal_image)
    return signers.PdfSigner(
        meta,
        signer=signer,
        timestamper=_timestamper(timestamp_url, timestamper),
        stamp_style=style,
        new_field_spec=spec,
    )


async def async_sign_pdf(
    pdf: bytes,
    signer,
    *,
    reason: str = "发布通报",
    location: str = "",
    seal_image: str | None = None,
    timestamp_url: str | None = None,
    timestamper=None,
) -> bytes:
    """`sign_pdf` for code already inside an event loop (async views)."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    try:
        writer = IncrementalPdfFileWriter(BytesIO(pdf), strict=False)
    except Exception as exc:
        raise SigningError(f"待签名的文件不是有效的PDF：{exc}") from exc
    pdf_signer = _pdf_signer(
        pdf,
        signer,
        reason=reason,
        location=location,
        seal_image=seal_image,
        timestamp_url=timestamp_url,
        timestamper=timestamper,
    )
    try:
        out = await pdf_signer.async_sign_pdf(writer, output=BytesIO())
    except Exception as exc:
        from pyhanko.sign.general import SigningError as PyHankoSigningError
        from pyhanko.sign.timestamps.common_utils import TimestampRequestError

        if isinstance(exc, TimestampRequestError) or (
            timestamp_url and isinstance(exc, (OSError, asyncio.TimeoutError))
        ):
            raise SigningError(
                f"无法从时间戳服务器取得时间戳（设置项 GOVWATCH_TSA_URL）：{exc}"
            ) from exc
        if isinstance(exc, PyHankoSigningError):
            raise SigningError(f"签名失败：{exc}") from exc
        raise
    return out.getvalue()


def sign_pdf(
    pdf: bytes,
    signer,
    *,
    reason: str = "发布通报",
    location: str = "",
    seal_image: str | None = None,
    timestamp_url: str | None = None,
    timestamper=None,
) -> bytes:
    """The PDF signed by `signer` (PAdES, SHA-256, certified with no changes allowed).

    B-B without a timestamp; B-T with `timestamper` (a pyHanko TimeStamper, e.g. the dummy one
    in tests) or `timestamp_url` (an RFC 3161 server: settings.GOVWATCH_TSA_URL). With
    `seal_image` (a PNG, settings.GOVWATCH_SIGNING_SEAL_IMAGE) the signature has a visible
    appearance at the issuer and date; otherwise it is invisible. Safe to call from a thread
    that runs an event loop (it then signs in a worker thread)."""
    coro = async_sign_pdf(
        pdf,
        signer,
        reason=reason,
        location=location,
        seal_image=seal_image,
        timestamp_url=timestamp_url,
        timestamper=timestamper,
    )
    return run_sync(coro)


def run_sync(coro):
    """Run a coroutine to completion from sync code, even when this thread has a running loop
    (pyHanko's sync API calls asyncio.run, which refuses that)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()


# ----- demo certificates ----------------------------------------------------------------------


@dataclass(frozen=True)
class DemoCertificates:
    ca_pem: Path
    office_p12: Path
    created: bool  # False when both already existed and were left alone


def _name(common_name: str, organisation: str):
    from cryptography import x509
    from cryptography.x509.oid import NameOID

    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def issue_certificate(
    subject_cn: str,
    organisation: str,
    *,
    issuer=None,
    ca: bool = False,
    time_stamping: bool = False,
    days: int = 3 * 366,
):
    """A new RSA key and certificate: self-signed when `issuer` is None, else signed by
    `issuer` = (certificate, key). Returns (certificate, key) as `cryptography` objects."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import ExtendedKeyUsageOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = _name(subject_cn, organisation)
    issuer_cert, issuer_key = issuer if issuer else (None, key)
    now = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer_cert.subject if issuer_cert else subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=0 if ca else None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.KeyUsage(
                digital_signature=not ca,
                content_commitment=not ca and not time_stamping,  # nonRepudiation
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=ca,
                crl_sign=ca,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
    )
    if issuer_cert is not None:
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()),
            critical=False,
        )
    if time_stamping:
        builder = builder.add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True
        )
    return builder.sign(issuer_key, hashes.SHA256()), key


def _write_private(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    os.chmod(path, stat.S_IRUSR | stat.S_IWUSR)


def make_demo_certificates(
    directory: str | os.PathLike,
    *,
    office_name: str,
    passphrase: str | bytes,
    force: bool = False,
    ca_path: str | os.PathLike | None = None,
    p12_path: str | os.PathLike | None = None,
) -> DemoCertificates:
    """A self-signed demo CA (CN "<office> 演示根证书") and the office's certificate issued by it
    (CN and O the office; key usage digitalSignature + nonRepudiation), written as ``ca.pem``
    and ``office.p12`` (key, certificate and CA, encrypted with `passphrase`, mode 0600) in
    `directory` (or at `ca_path` / `p12_path`). Existing files are kept unless `force`; the CA
    key is not kept."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.serialization import pkcs12

    directory = Path(directory)
    ca_file = Path(ca_path) if ca_path else directory / "ca.pem"
    p12_file = Path(p12_path) if p12_path else directory / "office.p12"
    if not force:
        if ca_file.exists() and p12_file.exists():
            return DemoCertificates(ca_file, p12_file, created=False)
        if ca_file.exists() or p12_file.exists():
            existing = ca_file if ca_file.exists() else p12_file
            raise SigningError(
                f"{existing} 已存在而另一份文件缺失；确认后使用 --force 重新生成两者"
            )
    if isinstance(passphrase, str):
        passphrase = passphrase.encode("utf-8")
    if not passphrase:
        raise SigningError("演示证书需要一个非空的口令")
    ca_cert, ca_key = issue_certificate(
        f"{office_name} 演示根证书", office_name, ca=True, days=10 * 366
    )
    cert, key = issue_certificate(office_name, office_name, issuer=(ca_cert, ca_key))
    p12 = pkcs12.serialize_key_and_certificates(
        name=office_name.encode("utf-8"),
        key=key,
        cert=cert,
        cas=[ca_cert],
        encryption_algorithm=serialization.BestAvailableEncryption(passphrase),
    )
    ca_file.parent.mkdir(parents=True, exist_ok=True)
    ca_file.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    _write_private(p12_file, p12)
    return DemoCertificates(ca_file, p12_file, created=True)


def write_demo_passphrase(p12_path: str | os.PathLike, passphrase: str | None = None) -> Path:
    """Write the demo p12's passphrase (a new random one by default) next to it, mode 0600.
    Demo only: a real office gives its passphrase through GOVWATCH_SIGNING_PASSPHRASE."""
    passphrase = passphrase or secrets.token_urlsafe(24)
    path = demo_passphrase_file(p12_path)
    _write_private(path, (passphrase + "\n").encode("utf-8"))
    return path


def demo_timestamper(office_name: str = "演示时间戳服务"):
    """A local RFC 3161 timestamper (pyHanko's DummyTimeStamper) under its own demo root, for
    tests and the demo where no timestamp server is reachable. Returns (timestamper, root PEM):
    add the PEM to the trust roots to have the timestamp trusted."""
    from asn1crypto import keys as asn1_keys
    from asn1crypto import x509 as asn1_x509
    from cryptography.hazmat.primitives import serialization
    from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper

    root, root_key = issue_certificate(f"{office_name} 演示根证书", office_name, ca=True)
    tsa, tsa_key = issue_certificate(
        f"{office_name} TSA", office_name, issuer=(root, root_key), time_stamping=True
    )

    def asn1_cert(cert):
        return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))

    key_info = asn1_keys.PrivateKeyInfo.load(
        tsa_key.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    stamper = DummyTimeStamper(
        tsa_cert=asn1_cert(tsa), tsa_key=key_info, certs_to_embed=[asn1_cert(root)]
    )
    return stamper, root.public_bytes(serialization.Encoding.PEM)


# ----- demo seal -----------------------------------------------------------------------------


def _cjk_font_file() -> tuple[str, int]:
    out = subprocess.run(
        ["fc-match", "-f", "%{file}|%{index}", "Noto Sans CJK SC:bold"],
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    ).stdout
    path, _, index = out.partition("|")
    return path, int(index or 0)


def make_demo_seal(path: str | os.PathLike, *, office_name: str, size: int = 600) -> Path:
    """A red round seal image (PNG with transparency) for the demo: the office's name along the
    ring, a star, and "演示专用" so it cannot pass for a real seal."""
    import math

    from PIL import Image, ImageDraw, ImageFont

    red = (220, 0, 0, 215)  # ink lets the text under the seal show through
    font_file, index = _cjk_font_file()
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    c, ring = size / 2, size * 0.035
    draw.ellipse(
        (ring / 2, ring / 2, size - ring / 2, size - ring / 2), outline=red, width=round(ring)
    )
    # Star in the middle.
    r_out, r_in = size * 0.16, size * 0.065
    points = []
    for k in range(10):
        r = r_out if k % 2 == 0 else r_in
        a = -math.pi / 2 + k * math.pi / 5
        points.append((c + r * math.cos(a), c + r * math.sin(a)))
    draw.polygon(points, fill=red)
    # The name along the upper arc, each character turned to face the centre.
    glyph_size = round(size * 0.11)
    font = ImageFont.truetype(font_file, glyph_size, index=index)
    chars = list(office_name)
    span = min(math.radians(250), math.radians(26) * len(chars))
    radius = c - ring - glyph_size * 0.75
    for i, ch in enumerate(chars):
        a = -math.pi / 2 - span / 2 + span * (i + 0.5) / len(chars)
        tile = Image.new("RGBA", (glyph_size * 2, glyph_size * 2), (0, 0, 0, 0))
        ImageDraw.Draw(tile).text((glyph_size, glyph_size), ch, font=font, fill=red, anchor="mm")
        tile = tile.rotate(-math.degrees(a + math.pi / 2), resample=Image.BICUBIC)
        x, y = c + radius * math.cos(a), c + radius * math.sin(a)
        image.alpha_composite(tile, (round(x - glyph_size), round(y - glyph_size)))
    small = ImageFont.truetype(font_file, round(size * 0.075), index=index)
    draw.text((c, c + size * 0.29), "演示专用", font=small, fill=red, anchor="mm")
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    image.save(out, format="PNG")
    return out
