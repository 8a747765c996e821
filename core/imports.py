"""The one import framework: reading .xlsx/.csv/.txt files people upload, errors that name the
sheet, row and column, and all-or-nothing application with a preview.

The preview is the real import run inside a transaction that is rolled back, so what staff see
in the preview is exactly what confirming will do. Each importer (registry, dictionaries, vendor
findings, posts, messages) reads through these functions and reports through `ImportReport`.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter


@dataclass(frozen=True)
class RowError:
    """Where an imported file is wrong, for the person who fixes it."""

    sheet: str  # "" for a text or CSV file, or a single-sheet import
    row: int  # 0 when the error concerns the whole file
    column: str  # "B（单位类型）" in a workbook, "第2列（词语）" or "A列（单位）" otherwise
    reason: str

    def __str__(self) -> str:
        if not self.row:
            return self.reason
        where = f"“{self.sheet}”表" if self.sheet else ""
        where += f"第{self.row}行"
        if self.column:
            if self.sheet:
                where += f"第{self.column}列"
            else:
                where += self.column if self.column.startswith("第") else f" {self.column}"
        return f"{where}：{self.reason}"


@dataclass
class ImportReport:
    errors: list[RowError] = field(default_factory=list)
    # sheet title -> Counter of "created" / "updated" / "unchanged"
    counts: dict[str, Counter] = field(default_factory=dict)
    applied: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def changes(self) -> int:
        return sum(c["created"] + c["updated"] for c in self.counts.values())

    @property
    def created(self) -> int:
        return sum(c["created"] for c in self.counts.values())

    @property
    def updated(self) -> int:
        return sum(c["updated"] for c in self.counts.values())

    def fail(self, reason: str, *, sheet: str = "", row: int = 0, column: str = "") -> None:
        self.errors.append(RowError(sheet, row, column, reason))

    def count(self, sheet: str, what: str) -> None:
        self.counts.setdefault(sheet, Counter())[what] += 1

    def plain_counts(self) -> dict[str, dict[str, int]]:
        return {name: dict(c) for name, c in self.counts.items()}


class _Rollback(Exception):
    pass


@contextmanager
def all_or_nothing(report: ImportReport, *, dry_run: bool) -> Iterator[None]:
    """Apply inside one transaction; roll it back for a preview or when any error was found."""
    try:
        with transaction.atomic():
            yield
            if dry_run or not report.ok:
                raise _Rollback
    except _Rollback:
        pass
    report.applied = report.ok and not dry_run


# --- reading -----------------------------------------------------------------------------------


def size_ok(data: bytes, report: ImportReport, *, empty_ok: bool = False) -> bool:
    limit = settings.GOVWATCH_MAX_IMPORT_BYTES
    if len(data) > limit:
        report.fail(f"文件超过 {limit / 1024 / 1024:g} MB")
        return False
    if not data and not empty_ok:
        report.fail("文件是空的")
        return False
    return True


def decode_text(data: bytes, report: ImportReport) -> str | None:
    """Text in UTF-8 (with or without BOM), GBK/GB18030 or UTF-16; anything else is refused
    with the reason (an Excel file, a PDF, a binary)."""
    if not size_ok(data, report):
        return None
    if data.startswith(b"PK\x03\x04"):
        reason = "这是 Excel（.xlsx）或其他压缩格式文件，不是文本文件；Excel 文件请按“Excel”导入"
    elif data.startswith(b"\xd0\xcf\x11\xe0"):
        reason = "这是旧版 Office 文件（.xls/.doc），不是文本文件"
    elif data.startswith(b"%PDF"):
        reason = "这是 PDF 文件，不是文本文件"
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):  # Notepad's "Unicode" (UTF-16)
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            reason = "无法按 UTF-16 读取该文件，请另存为 UTF-8"
    elif b"\x00" in data[:4096]:
        reason = "不是文本文件（含有二进制内容）"
    else:
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError:
                continue
        reason = "无法识别文件编码，请保存为 UTF-8 或 GBK 编码的文本文件"
    report.fail(reason)
    return None


def open_workbook(data: bytes, report: ImportReport, *, not_xlsx: str = ""):
    """An openpyxl workbook (read-only), or None with the reason in the report."""
    if not size_ok(data, report, empty_ok=True):  # an empty file is "not an Excel file"
        return None
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        report.fail("不支持旧版 Excel（.xls），请另存为 .xlsx 后上传")
        return None
    if not zipfile.is_zipfile(io.BytesIO(data)):
        report.fail(not_xlsx or "不是 Excel（.xlsx）文件")
        return None
    try:
        return load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged or foreign zip
        report.fail(f"无法读取该 Excel 文件：{exc}")
        return None


@dataclass(frozen=True)
class Table:
    """One sheet's rows: the header cells and the numbered data rows (blank rows skipped)."""

    header: tuple[str, ...]
    rows: tuple[tuple[int, tuple], ...]  # (row number as people count, cells)

    def positions(self) -> dict[str, int]:
        return {h: i for i, h in enumerate(self.header) if h}

    def label(self, header: str, *, workbook: bool = True) -> str:
        letter = get_column_letter(self.positions()[header] + 1)
        return f"{letter}（{header}）" if workbook else f"{letter}列（{header}）"

    def missing(self, required) -> list[str]:
        have = self.positions()
        return [h for h in required if h not in have]

    def records(self, headers) -> Iterator[tuple[int, dict]]:
        """Each row as {header: cell} for the given headers (absent columns give None)."""
        have = self.positions()
        for number, cells in self.rows:
            yield (
                number,
                {
                    h: cells[have[h]] if h in have and have[h] < len(cells) else None
                    for h in headers
                },
            )


def table_from_rows(rows) -> Table:
    rows = iter(rows)
    header = tuple(cell_text(h) for h in (next(rows, None) or ()))
    data = []
    for number, raw in enumerate(rows, start=2):
        if raw is None or all(cell_text(v) == "" for v in raw):
            continue
        data.append((number, tuple(raw)))
    return Table(header, tuple(data))


def read_table(data: bytes, filename: str, report: ImportReport) -> Table | None:
    """The first sheet of an .xlsx, or a .csv (UTF-8 or GBK), as a Table."""
    name = filename.lower()
    if name.endswith(".xlsx"):
        book = open_workbook(data, report, not_xlsx="文件不是有效的 Excel（.xlsx）文件")
        if book is None:
            return None
        table = table_from_rows(book.worksheets[0].iter_rows(values_only=True))
        book.close()
    elif name.endswith(".csv"):
        text = decode_text(data, report)
        if text is None:
            return None
        table = table_from_rows(csv.reader(io.StringIO(text)))
    else:
        report.fail("只接受 .xlsx 或 .csv 文件")
        return None
    if not table.header:
        report.fail("文件为空")
        return None
    return table


def cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()
