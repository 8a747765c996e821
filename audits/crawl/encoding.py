"""Decode HTML bytes the way a careful reader would, Chinese government sites in mind.

Evidence, strongest first: a byte-order mark, the HTTP ``Content-Type`` charset, a ``<meta>``
declaration (or XML declaration) in the first 4 KB, then detection. A declaration is believed
only if the bytes agree with it: UTF-8 bytes labelled gb2312, GBK bytes labelled utf-8 and
GBK bytes labelled ISO-8859-1 (a Tomcat default) are all common on real county sites.
GB2312 and GBK labels are decoded as GB18030, their superset.
"""

from __future__ import annotations

import codecs
import contextlib
import re

# WHATWG-style label normalization for the labels that matter here.
_LABEL_ALIASES = {
    "gb2312": "gb18030",
    "gb_2312": "gb18030",
    "gb_2312-80": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "cp936": "gb18030",
    "ms936": "gb18030",
    "windows-936": "gb18030",
    "csgb2312": "gb18030",
    "csgbk": "gb18030",
    "euc-cn": "gb18030",
    "chinese": "gb18030",
    "iso-ir-58": "gb18030",
    "gb18030": "gb18030",
    "gb-18030": "gb18030",
    "utf8": "utf-8",
    "utf-8": "utf-8",
    "unicode-1-1-utf-8": "utf-8",
    "x-unicode20utf8": "utf-8",
    "big5": "big5hkscs",
    "big5-hkscs": "big5hkscs",
    "x-x-big5": "big5hkscs",
    "cn-big5": "big5hkscs",
    "iso-8859-1": "windows-1252",
    "iso8859-1": "windows-1252",
    "latin1": "windows-1252",
    "latin-1": "windows-1252",
    "l1": "windows-1252",
    "ascii": "windows-1252",
    "us-ascii": "windows-1252",
    "windows-1252": "windows-1252",
    "cp1252": "windows-1252",
}

# A <meta> cannot declare UTF-16 (the bytes would not be readable to find it): HTML says UTF-8.
_META_UTF16 = {"utf-16", "utf-16le", "utf-16be", "unicode", "ucs-2"}

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig", "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "utf-16-be"),
)

_HEADER_CHARSET_RE = re.compile(r"""charset\s*=\s*["']?\s*([^\s"';,]+)""", re.I)
_META_CHARSET_RE = re.compile(
    rb"""<meta\b[^>]*?\bcharset\s*=\s*["']?\s*([A-Za-z0-9_.:\-]+)""", re.I
)
_XML_DECL_RE = re.compile(rb"""^\s*<\?xml[^>]*\bencoding\s*=\s*["']([A-Za-z0-9_.:\-]+)""", re.I)
_COMMENT_RE = re.compile(rb"<!--.*?(?:-->|$)", re.S)

META_SCAN_BYTES = 4096
# A handful of undecodable bytes in a big page is a typo by the site; more means a wrong codec.
_MAX_BAD_RATIO = 0.002
_MAX_BAD_ABSOLUTE = 3
# How many non-ASCII UTF-8 characters make "valid UTF-8" convincing evidence against a label.
_UTF8_MIN_CHARS = 3


def normalize_label(label: str | None) -> str | None:
    """The Python codec to use for a declared charset label, or None if unknown."""
    if not label:
        return None
    key = label.strip().strip("\"'").lower()
    if key in _LABEL_ALIASES:
        return _LABEL_ALIASES[key]
    try:
        name = codecs.lookup(key).name
    except LookupError:
        return None
    return _LABEL_ALIASES.get(name, name)


def header_charset(content_type_header: str | None) -> str | None:
    """The raw charset label from a Content-Type header, if any."""
    if not content_type_header:
        return None
    match = _HEADER_CHARSET_RE.search(content_type_header)
    return match.group(1) if match else None


def meta_charset(body: bytes) -> str | None:
    """The raw charset label declared by ``<meta>`` or an XML declaration near the start."""
    head = body[:META_SCAN_BYTES]
    match = _XML_DECL_RE.search(head)
    if match:
        return match.group(1).decode("ascii", "replace")
    match = _META_CHARSET_RE.search(_COMMENT_RE.sub(b"", head))
    if match:
        return match.group(1).decode("ascii", "replace")
    return None


def decode_html(body: bytes, content_type_header: str | None) -> tuple[str, str, str]:
    """Decode ``body``; return ``(text, encoding_used, how)``.

    ``how`` names the evidence that won: "bom", "header", "meta", "detected" (or "ascii" /
    "empty"), or says why a declaration was overruled, e.g. "declared gb2312 but bytes are
    valid UTF-8" or "declared utf-8 but bytes are not valid UTF-8; detected gb18030".
    """
    if not body:
        return "", "utf-8", "empty"
    for bom, codec, name in _BOMS:
        if body.startswith(bom):
            return body.decode(codec, errors="replace"), name, "bom"

    declared = [
        (source, label, normalize_label(label))
        for source, label in (
            ("header", header_charset(content_type_header)),
            ("meta", meta_charset(body)),
        )
        if label
    ]

    if body.isascii():
        # Every ASCII-compatible codec reads these bytes the same way.
        for source, _label, codec in declared:
            if codec is not None and _is_ascii_compatible(codec):
                return body.decode(codec, errors="replace"), codec, source
        return body.decode("ascii"), "utf-8", "ascii"

    utf8_text = _strict(body, "utf-8")
    utf8_convincing = utf8_text is not None and _non_ascii_count(utf8_text) >= _UTF8_MIN_CHARS
    overruled: list[str] = []

    def how(evidence: str) -> str:
        return "; ".join([*overruled, evidence])

    for source, label, codec in declared:
        if codec is None:
            overruled.append(f"unknown charset {label!r} in {source}")
            continue
        if source == "meta" and codec in _META_UTF16:
            codec = "utf-8"
        if codec == "utf-8":
            if utf8_text is not None:
                return utf8_text, "utf-8", how(source)
            text, bad = _decode(body, "utf-8")
            if _acceptable(bad, len(text)):
                return text, "utf-8", how(f"{source} ({bad} undecodable bytes replaced)")
            overruled.append(f"declared {label} but bytes are not valid UTF-8")
            continue
        if utf8_convincing and _is_ascii_compatible(codec):
            assert utf8_text is not None
            overruled.append(f"declared {label} but bytes are valid UTF-8")
            return utf8_text, "utf-8", "; ".join(overruled)
        if codec == "windows-1252":
            # Single-byte codecs never fail, so check whether the bytes are really GB.
            gb_text = _strict(body, "gb18030")
            if gb_text is not None and _cjk_ratio(gb_text) > 0.5:
                overruled.append(f"declared {label} but bytes are GB18030")
                return gb_text, "gb18030", "; ".join(overruled)
        text, bad = _decode(body, codec)
        if bad == 0:
            return text, codec, how(source)
        if _acceptable(bad, len(text)):
            return text, codec, how(f"{source} ({bad} undecodable bytes replaced)")
        overruled.append(f"declared {label} but bytes are not valid {codec}")

    text, codec, evidence = _detect(body, utf8_text)
    return text, codec, how(f"{evidence} {codec}" if overruled else evidence)


def _detect(body: bytes, utf8_text: str | None) -> tuple[str, str, str]:
    if utf8_text is not None:
        return utf8_text, "utf-8", "detected"
    # County sites are mainland Chinese: GB18030 is by far the likeliest non-UTF-8 encoding.
    gb_text, bad = _decode(body, "gb18030")
    if _acceptable(bad, len(gb_text)) and _cjk_ratio(gb_text) > 0.5:
        return gb_text, "gb18030", "detected"
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(body).best()
    except Exception:  # noqa: BLE001 - detection is best effort
        best = None
    if best is not None and best.encoding:
        codec = normalize_label(best.encoding) or best.encoding
        text, _bad = _decode(body, codec)
        return text, codec, "detected"
    return gb_text, "gb18030", "detected"


def _strict(body: bytes, codec: str) -> str | None:
    try:
        return body.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def _decode(body: bytes, codec: str) -> tuple[str, int]:
    """Decode with replacement; return the text and the number of replacement characters
    that the decoding introduced."""
    try:
        text = body.decode(codec, errors="replace")
    except LookupError:
        codec = "utf-8"
        text = body.decode(codec, errors="replace")
    bad = text.count("\ufffd")
    if bad:
        # U+FFFD may legitimately appear in the source; count only the new ones.
        with contextlib.suppress(UnicodeError, LookupError):
            bad -= body.count("\ufffd".encode(codec))
    return text, max(bad, 0)


def _acceptable(bad: int, length: int) -> bool:
    return bad <= _MAX_BAD_ABSOLUTE or bad <= length * _MAX_BAD_RATIO


def _non_ascii_count(text: str) -> int:
    return len(text) - len(text.encode("ascii", "ignore"))  # counted in C, not per character


_CJK_CHARS = re.compile(r"[\u4e00-\u9fff\u3000-\u303f\uff00-\uffef]")


def _cjk_ratio(text: str) -> float:
    """Share of CJK ideographs and CJK punctuation among the non-ASCII characters."""
    non_ascii = _non_ascii_count(text)
    if not non_ascii:
        return 0.0
    return len(_CJK_CHARS.findall(text)) / non_ascii


def _is_ascii_compatible(codec: str) -> bool:
    return not codec.startswith(("utf-16", "utf-32", "utf_16", "utf_32"))
