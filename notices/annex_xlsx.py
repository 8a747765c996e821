"""A circular's annexes as an Excel workbook, one sheet per annex ("附件1" …), for units that
want to sort and filter the tables the PDF prints [GB/T 9704-2012 7.3.7: the annex numbers and
titles are the PDF's]."""

from __future__ import annotations

import unicodedata
from io import BytesIO

from notices.document import CircularDocument

MAX_COLUMN_WIDTH = 60  # Excel character units
TITLE_ROW, HEADER_ROW = 1, 2


def _display_width(text: str) -> float:
    return sum(2.0 if unicodedata.east_asian_width(c) in "WF" else 1.0 for c in text)


def annexes_xlsx(doc: CircularDocument) -> bytes:
    """One sheet per annex: the title row, a bold header row frozen at the top, then the rows;
    when an annex has no rows, its note stands under the header instead."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.utils import get_column_letter

    book = Workbook()
    book.remove(book.active)
    thin = Side(style="thin", color="000000")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    for annex in doc.annexes:
        sheet = book.create_sheet(title=annex.label)
        width = max(len(annex.columns), 1)
        sheet.cell(TITLE_ROW, 1, annex.title).font = Font(bold=True, size=14)
        sheet.cell(TITLE_ROW, 1).alignment = Alignment(horizontal="center", vertical="center")
        if width > 1:
            sheet.merge_cells(
                start_row=TITLE_ROW, start_column=1, end_row=TITLE_ROW, end_column=width
            )
        sheet.row_dimensions[TITLE_ROW].height = 24
        for col, label in enumerate(annex.columns, start=1):
            cell = sheet.cell(HEADER_ROW, col, label)
            cell.font = Font(bold=True)
            cell.border = border
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        for r, row in enumerate(annex.rows, start=HEADER_ROW + 1):
            for col, text in enumerate(row, start=1):
                cell = sheet.cell(r, col, text)
                cell.border = border
                cell.alignment = Alignment(vertical="top", wrap_text=True)
        note_row = HEADER_ROW + len(annex.rows) + 1
        if annex.note:
            sheet.cell(note_row, 1, annex.note).alignment = Alignment(wrap_text=False)
        for col, label in enumerate(annex.columns, start=1):
            cells = [label] + [row[col - 1] for row in annex.rows[:2000]]
            best = max(_display_width(text) for text in cells) + 2
            sheet.column_dimensions[get_column_letter(col)].width = min(best, MAX_COLUMN_WIDTH)
        sheet.freeze_panes = sheet.cell(HEADER_ROW + 1, 1)
        sheet.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
        if annex.landscape:
            sheet.page_setup.orientation = "landscape"
        sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    if not doc.annexes:
        sheet = book.create_sheet(title="附件")
        sheet.cell(1, 1, "本通报没有附件。")
    out = BytesIO()
    book.properties.title = doc.title
    book.properties.creator = doc.issuer
    book.save(out)
    return out.getvalue()
