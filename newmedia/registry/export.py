"""The registry workbook: an empty template, or the whole registry in the same format."""

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from newmedia.models import Account, AccountEvent
from newmedia.registry.spec import ACCOUNTS, COLUMNS, EVENTS, SHEETS, UNITS, WEBSITES, Sheet
from units.models import Column, Unit, Website

_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_REQUIRED_FONT = Font(bold=True, color="C00000")


def _yes_no(value: bool) -> str:
    return "是" if value else "否"


def _rows(sheet: Sheet):
    if sheet is UNITS:
        for u in Unit.objects.all():
            yield [
                u.name,
                u.get_kind_display(),
                u.contact_person,
                u.phone,
                u.email,
                _yes_no(u.counts_in_rates),
                u.sort_order,
            ]
    elif sheet is WEBSITES:
        for w in Website.objects.select_related("unit"):
            yield [
                w.unit.name,
                w.name,
                w.home_url,
                w.site_code,
                w.get_kind_display(),
                w.get_status_display(),
                w.search_url,
                _yes_no(w.has_services),
                w.services_url,
                w.messages_url,
            ]
    elif sheet is COLUMNS:
        # Parents first, so that the file imports back in one pass: order by depth in the tree,
        # not by id (a column may be given a parent created after it).
        columns = list(
            Column.objects.select_related("website", "parent").order_by("website_id", "id")
        )
        parent_of = {c.pk: c.parent_id for c in columns}

        def depth(column) -> int:
            level, seen, current = 0, set(), column.parent_id
            while current is not None and current not in seen:
                seen.add(current)
                level += 1
                current = parent_of.get(current)
            return level

        for c in sorted(columns, key=lambda c: (c.website_id, depth(c), c.id)):
            yield [
                c.website.home_url,
                c.name,
                c.url,
                c.get_category_display(),
                c.window_days,
                _yes_no(c.is_first_level),
                c.parent.url if c.parent else None,
                _yes_no(c.is_exempt),
                c.exempt_reason,
            ]
    elif sheet is ACCOUNTS:
        for a in Account.objects.select_related("unit"):
            yield [
                a.unit.name,
                a.get_platform_display(),
                a.name,
                a.account_id,
                a.url,
                a.feed_url,
                a.get_filing_display(),
                a.get_status_display(),
            ]
    elif sheet is EVENTS:
        for e in AccountEvent.objects.select_related("account__unit"):
            yield [
                e.account.unit.name,
                e.account.get_platform_display(),
                e.account.name,
                e.get_kind_display(),
                e.date,
                e.filed_on,
                e.note,
            ]


def build_workbook(*, with_data: bool) -> bytes:
    book = Workbook()
    guide = book.active
    guide.title = "说明"
    guide.column_dimensions["A"].width = 100
    lines = [
        "政务网站与政务新媒体监管平台 · 登记信息导入模板",
        "红色加粗的列为必填。上传后先预览，确认后才写入；任何一行有错误则整个文件都不导入。",
        "同一文件重复导入不会产生变化；文件中没有的单位、网站、栏目不会被删除。",
        "",
    ] + [f"【{s.title}】{s.note}" for s in SHEETS]
    for line in lines:
        guide.append([line])
    guide["A1"].font = Font(bold=True, size=14)

    for sheet in SHEETS:
        ws = book.create_sheet(sheet.title)
        ws.append([f.header for f in sheet.fields])
        for index, f in enumerate(sheet.fields, start=1):
            letter = get_column_letter(index)
            cell = ws.cell(row=1, column=index)
            cell.fill = _HEADER_FILL
            cell.alignment = Alignment(horizontal="center")
            if f.required:
                cell.font = _REQUIRED_FONT
            ws.column_dimensions[letter].width = f.width
            if f.choices:
                validation = DataValidation(
                    type="list", formula1='"' + ",".join(f.choices) + '"', allow_blank=True
                )
                validation.add(f"{letter}2:{letter}5000")
                ws.add_data_validation(validation)
        ws.freeze_panes = "A2"
        if with_data:
            for row in _rows(sheet):
                ws.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
