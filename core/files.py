"""Checking and keeping files people upload as evidence (screenshots, PDF, Office documents).

The type is read from the content (magic bytes), never from the name or the browser's claim; the
file is kept under a generated name with the extension of its real type, outside the web root,
and served only through views that check who may see it (Content-Disposition, nosniff).
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import unicodedata
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.utils.deconstruct import deconstructible


@dataclass(frozen=True)
class FileType:
    ext: str
    content_type: str
    label: str


PNG = FileType("png", "image/png", "PNG 图片")
JPEG = FileType("jpg", "image/jpeg", "JPEG 图片")
WEBP = FileType("webp", "image/webp", "WebP 图片")
PDF = FileType("pdf", "application/pdf", "PDF 文件")
DOCX = FileType(
    "docx",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "Word 文档",
)
XLSX = FileType(
    "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "Excel 表格"
)
PPTX = FileType(
    "pptx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "PowerPoint 演示文稿",
)
OLE = FileType("doc", "application/msword", "旧版 Office 文档")
EVIDENCE_TYPES = (PNG, JPEG, WEBP, PDF, DOCX, XLSX, PPTX, OLE)
IMAGE_TYPES = (PNG, JPEG, WEBP)


class UploadRefused(ValueError):
    """The file is not accepted; str() is the reason, in Chinese."""


def sniff(data: bytes) -> FileType | None:
    """The file's real type from its first bytes (and, for a zip, from its parts)."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return WEBP
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return OLE
    if data.startswith(b"PK\x03\x04"):
        try:
            names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
        except zipfile.BadZipFile:
            return None
        if "[Content_Types].xml" in names:
            if any(n.startswith("word/") for n in names):
                return DOCX
            if any(n.startswith("xl/") for n in names):
                return XLSX
            if any(n.startswith("ppt/") for n in names):
                return PPTX
    return None


_UNSAFE = re.compile(r"[\x00-\x1f\x7f<>:\"/\\|?*]+")


def display_name(name: str, kind: FileType) -> str:
    """The uploaded name as a person may see it again: no directory part, no control or path
    characters, at most 100 characters, and the extension of the real type (so "报告.php.png"
    that is a PDF is shown as "报告.php.pdf", never served as anything but a PDF)."""
    base = os.path.basename(unicodedata.normalize("NFC", name or "").replace("\\", "/"))
    stem = _UNSAFE.sub("_", base.rsplit(".", 1)[0] if "." in base else base).strip(" ._")
    return f"{(stem or '证据')[:96]}.{kind.ext}"


def check_upload(data: bytes, name: str, *, allowed=EVIDENCE_TYPES, limit: int | None = None):
    """(type, safe display name, sha256) of an acceptable upload; UploadRefused otherwise."""
    limit = limit or settings.GOVWATCH_MAX_EVIDENCE_BYTES
    if not data:
        raise UploadRefused("文件是空的")
    if len(data) > limit:
        raise UploadRefused(f"文件超过 {limit / 1024 / 1024:g} MB")
    kind = sniff(data)
    if kind is None or kind not in allowed:
        labels = "、".join(dict.fromkeys(t.label for t in allowed))
        raise UploadRefused(f"不支持该文件类型（按文件内容识别），只接受：{labels}")
    return kind, display_name(name, kind), hashlib.sha256(data).hexdigest()


def generated_name(kind: FileType) -> str:
    return f"{uuid.uuid4().hex}.{kind.ext}"


@deconstructible
class PrivateStorage(FileSystemStorage):
    """Files only the application serves (after an access check): outside MEDIA_ROOT and any
    static directory; no URL of their own."""

    @property
    def base_location(self):
        return Path(settings.GOVWATCH_PRIVATE_ROOT)

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    @property
    def base_url(self):
        return None


private_storage = PrivateStorage()
