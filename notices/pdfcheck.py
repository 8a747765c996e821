"""Checks of a rendered circular that read the PDF itself, not the HTML: fonts embedded and
subset, no missing glyphs, text and where it lies on the page (poppler-utils and pyHanko's PDF
reader; no other PDF library). Used by the tests and the bench; cheap enough for a publish step.
"""

from __future__ import annotations

import re
import subprocess
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from io import BytesIO

MM = 72 / 25.4  # points per millimetre


@dataclass(frozen=True)
class PdfFont:
    name: str  # e.g. "LWGGBP+Noto-Serif-CJK-SC"
    type: str
    embedded: bool
    subset: bool
    unicode: bool

    @property
    def family(self) -> str:
        """The PostScript name without the subset tag and the weight: "Noto-Serif-CJK-SC"."""
        base = self.name.split("+", 1)[-1]
        return re.sub(r"-(Bold|Regular|Light|Medium|Black|SemiBold|ExtraLight)$", "", base)


@dataclass(frozen=True)
class MissingGlyph:
    font: str
    code: int
    text: str  # what the glyph stands for, from the font's ToUnicode map


@dataclass(frozen=True)
class Word:
    x0: float  # points from the left edge
    y0: float  # points from the top edge
    x1: float
    y1: float
    text: str


@dataclass(frozen=True)
class Page:
    width: float
    height: float
    words: tuple[Word, ...]

    @property
    def landscape(self) -> bool:
        return self.width > self.height

    def text(self) -> str:
        return "\n".join(w.text for w in self.words)


def _run(args: list[str], pdf: bytes) -> str:
    return subprocess.run(
        args, input=pdf, capture_output=True, check=True, timeout=300
    ).stdout.decode("utf-8", "replace")


def pdf_fonts(pdf: bytes) -> list[PdfFont]:
    """The fonts as `pdffonts` lists them."""
    out = _run(["pdffonts", "-"], pdf)
    fonts = []
    for line in out.splitlines()[2:]:
        m = re.match(
            r"^(\S+)\s+(.+?)\s+(\S+)\s+(yes|no)\s+(yes|no)\s+(yes|no)\s+\d+\s+\d+\s*$", line
        )
        if m:
            fonts.append(
                PdfFont(m[1], m[2], m[4] == "yes", m[5] == "yes", m[6] == "yes"),
            )
    return fonts


def pages(pdf: bytes) -> list[Page]:
    """Each page's size and words with their boxes (`pdftotext -bbox`), in points."""
    out = _run(["pdftotext", "-enc", "UTF-8", "-bbox", "-", "-"], pdf)
    ns = {"x": "http://www.w3.org/1999/xhtml"}
    root = ET.fromstring(out)
    result = []
    for page in root.iterfind(".//x:page", ns):
        words = tuple(
            Word(
                float(w.get("xMin")),
                float(w.get("yMin")),
                float(w.get("xMax")),
                float(w.get("yMax")),
                w.text or "",
            )
            for w in page.iterfind("x:word", ns)
        )
        result.append(Page(float(page.get("width")), float(page.get("height")), words))
    return result


# ----- glyphs --------------------------------------------------------------------------------


def _cmap_codes(data: bytes) -> dict[int, str]:
    """Code -> text from a ToUnicode CMap (bfchar and bfrange)."""
    text = data.decode("latin-1")
    out: dict[int, str] = {}

    def uni(hexstr: str) -> str:
        raw = bytes.fromhex(hexstr)
        return raw.decode("utf-16-be", "replace")

    for block in re.findall(r"beginbfchar(.*?)endbfchar", text, re.S):
        for code, dst in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]*)>", block):
            out[int(code, 16)] = uni(dst)
    for block in re.findall(r"beginbfrange(.*?)endbfrange", text, re.S):
        for lo, hi, dst in re.findall(
            r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*(<[0-9A-Fa-f]*>|\[[^\]]*\])", block
        ):
            lo_i, hi_i = int(lo, 16), int(hi, 16)
            if dst.startswith("["):
                for i, item in enumerate(re.findall(r"<([0-9A-Fa-f]*)>", dst)):
                    out[lo_i + i] = uni(item)
            else:
                start = bytes.fromhex(dst[1:-1])
                base = int.from_bytes(start, "big")
                for i in range(hi_i - lo_i + 1):
                    value = (base + i).to_bytes(len(start), "big")
                    out[lo_i + i] = value.decode("utf-16-be", "replace")
    return out


class _GlyphTable:
    """Which glyph ids of an embedded font file have an outline."""

    def __init__(self, data: bytes, subtype: str):
        from fontTools.ttLib import TTFont

        self.order: list[str]
        if subtype in ("/CIDFontType0C", "/Type1C"):  # a bare CFF table
            from fontTools.cffLib import CFFFontSet

            cff = CFFFontSet()
            cff.decompile(BytesIO(data), None)
            top = cff[cff.fontNames[0]]
            self.order = top.getGlyphOrder()
            self._glyphs = top.CharStrings
            self._set = None
        else:
            font = TTFont(BytesIO(data), lazy=True)
            self.order = font.getGlyphOrder()
            self._set = font.getGlyphSet()
            self._glyphs = None

    def has_outline(self, gid: int) -> bool:
        from fontTools.pens.boundsPen import ControlBoundsPen

        if gid <= 0 or gid >= len(self.order):
            return False
        name = self.order[gid]
        if self._set is not None:
            pen = ControlBoundsPen(self._set)
            self._set[name].draw(pen)
        else:
            pen = ControlBoundsPen(None)
            self._glyphs[name].draw(pen)
        return pen.bounds is not None


def _fonts_in(resources, seen: set) -> list:
    """Font dictionaries reachable from a resource dictionary (through form XObjects too)."""
    found = []
    resources = _deref(resources)
    if resources is None:
        return found
    fonts = _deref(resources.get("/Font"))
    if fonts is not None:
        for key in fonts:
            ref = fonts.raw_get(key)
            ident = getattr(ref, "reference", None) or id(ref)  # shared resources: count once
            if ident not in seen:
                seen.add(ident)
                found.append(_deref(fonts[key]))
    xobjects = _deref(resources.get("/XObject"))
    if xobjects is not None:
        for key in xobjects:
            xobj = _deref(xobjects[key])
            if xobj.get("/Subtype") == "/Form":
                found += _fonts_in(xobj.get("/Resources"), seen)
    return found


def _deref(obj):
    return obj.get_object() if hasattr(obj, "get_object") else obj


def _page_dicts(node) -> list:
    node = _deref(node)
    if node.get("/Type") == "/Pages":
        return [page for kid in node["/Kids"] for page in _page_dicts(kid)]
    return [node]


def missing_glyphs(pdf: bytes) -> list[MissingGlyph]:
    """Every code shown with a font whose embedded file has no outline for it (a .notdef box),
    except codes that stand for white space. Reads the ToUnicode map of each Type0 font and
    the glyph outlines of its embedded font file."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    reader = PdfFileReader(BytesIO(pdf), strict=False)
    seen: set = set()
    fonts = []
    for page in _page_dicts(reader.root["/Pages"]):
        fonts += _fonts_in(page.get("/Resources"), seen)
    problems = []
    for font in fonts:
        name = str(font.get("/BaseFont", "?")).lstrip("/")
        if font.get("/Subtype") != "/Type0":
            problems.append(MissingGlyph(name, -1, f"非CID字体 {font.get('/Subtype')}"))
            continue
        descendant = _deref(_deref(font["/DescendantFonts"])[0])
        descriptor = _deref(descendant["/FontDescriptor"])
        stream = next(
            (
                _deref(descriptor[k])
                for k in ("/FontFile3", "/FontFile2", "/FontFile")
                if k in descriptor
            ),
            None,
        )
        if stream is None:
            problems.append(MissingGlyph(name, -1, "字体未嵌入"))
            continue
        subtype = str(stream.get("/Subtype", "/TrueType"))
        table = _GlyphTable(stream.data, subtype)
        cid_map = _deref(descendant.get("/CIDToGIDMap", "/Identity"))
        gid_of = (lambda cid: cid) if str(cid_map) == "/Identity" else _cid_to_gid(cid_map.data)
        to_unicode = _deref(font.get("/ToUnicode"))
        codes = _cmap_codes(to_unicode.data) if to_unicode is not None else {}
        for code, text in sorted(codes.items()):
            if text.strip() == "" and text != "":
                continue  # white space has no outline by nature
            if not table.has_outline(gid_of(code)):
                problems.append(MissingGlyph(name, code, text))
    return problems


def _cid_to_gid(data: bytes):
    def gid(cid: int) -> int:
        i = 2 * cid
        return int.from_bytes(data[i : i + 2], "big") if i + 2 <= len(data) else 0

    return gid
