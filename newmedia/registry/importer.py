"""Registry import from an Excel workbook: all or nothing, idempotent by natural keys.

The preview is the real import run inside a transaction that is rolled back, so what staff
see in the preview is exactly what confirming will do.
"""

from collections import Counter
from dataclasses import dataclass

from openpyxl.utils import get_column_letter

from core.imports import ImportReport, RowError, all_or_nothing, open_workbook
from newmedia.models import Account, AccountEvent
from newmedia.registry.spec import (
    ACCOUNTS,
    COLUMNS,
    EVENTS,
    SHEETS,
    UNITS,
    WEBSITES,
    CellError,
    Sheet,
)
from units.models import Column, Unit, Website


@dataclass(frozen=True)
class _Row:
    number: int
    values: dict
    cells: dict  # key -> column label, for error messages
    bad: bool  # a cell could not be read; its error is already reported


def import_registry(data: bytes, *, dry_run: bool) -> ImportReport:
    report = ImportReport()
    sheets = _read_workbook(data, report)
    if not report.ok:
        return report
    with all_or_nothing(report, dry_run=dry_run):
        _apply(sheets, report)
    return report


# --- reading -----------------------------------------------------------------------------------


def _read_workbook(data: bytes, report: ImportReport) -> dict[str, list[_Row]]:
    book = open_workbook(data, report, not_xlsx="不是 Excel（.xlsx）文件，请使用下载的模板")
    if book is None:
        return {}
    found = {}
    for sheet in SHEETS:
        if sheet.title in book.sheetnames:
            found[sheet.title] = _read_sheet(book[sheet.title], sheet, report)
    if not found:
        names = "、".join(s.title for s in SHEETS)
        report.errors.append(RowError("", 0, "", f"文件中没有可导入的工作表（应为：{names}）"))
    book.close()
    return found


def _read_sheet(ws, sheet: Sheet, report: ImportReport) -> list[_Row]:
    rows = ws.iter_rows(values_only=True)
    header = next(rows, None) or ()
    positions = {str(h).strip(): i for i, h in enumerate(header) if h is not None}
    missing = [f.header for f in sheet.fields if f.required and f.header not in positions]
    if missing:
        report.errors.append(RowError(sheet.title, 1, "", f"缺少必需的列：{'、'.join(missing)}"))
        return []
    result = []
    for number, raw in enumerate(rows, start=2):
        if raw is None or all(v is None or str(v).strip() == "" for v in raw):
            continue
        values, cells = {}, {}
        errors_before = len(report.errors)
        for f in sheet.fields:
            if f.header not in positions:
                continue
            index = positions[f.header]
            label = f"{get_column_letter(index + 1)}（{f.header}）"
            cells[f.key] = label
            value = raw[index] if index < len(raw) else None
            try:
                parsed = f.read(value)
            except CellError as exc:
                report.errors.append(RowError(sheet.title, number, label, str(exc)))
                continue
            if f.required and parsed in ("", None):
                report.errors.append(RowError(sheet.title, number, label, "必填"))
                continue
            values[f.key] = parsed
        result.append(_Row(number, values, cells, bad=len(report.errors) > errors_before))
    return result


# --- applying ----------------------------------------------------------------------------------


def _sync(model, lookup: dict, values: dict) -> tuple[object, str]:
    """Create or update one row by its natural key; say which, or that nothing changed."""
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        obj = model(**lookup, **values)
        obj.full_clean()
        obj.save()
        return obj, "created"
    changed = {k: v for k, v in values.items() if getattr(obj, k) != v}
    if not changed:
        return obj, "unchanged"
    for key, value in changed.items():
        setattr(obj, key, value)
    obj.full_clean()
    obj.save(update_fields=list(changed))
    return obj, "updated"


def _present(row: _Row, *keys: str, defaults: dict) -> dict:
    """Values for the model. A column left out of the sheet leaves the field alone; a blank
    cell in a column that is there sets the field's default."""
    out = {}
    for key in keys:
        if key not in row.cells:
            continue
        value = row.values.get(key)
        # A blank choice cell reads as "", not None: it too takes the default.
        out[key] = defaults.get(key) if value is None or value == "" else value
    return out


def _apply(sheets: dict[str, list[_Row]], report: ImportReport) -> None:
    steps = (
        (UNITS, _apply_unit),
        (WEBSITES, _apply_website),
        (COLUMNS, _apply_column),
        (ACCOUNTS, _apply_account),
        (EVENTS, _apply_event),
    )
    for sheet, apply_row in steps:
        rows = sheets.get(sheet.title)
        if rows is None:
            continue
        counts = report.counts.setdefault(sheet.title, Counter())  # listed even when empty
        seen: dict[tuple, int] = {}
        for row in rows:
            if row.bad:
                continue
            try:
                key, outcome = apply_row(row)
            except CellError as exc:
                column, reason = exc.args if len(exc.args) == 2 else ("", exc.args[0])
                report.errors.append(RowError(sheet.title, row.number, column, reason))
                continue
            except Exception as exc:  # ValidationError from full_clean, with field messages
                report.errors.append(
                    RowError(sheet.title, row.number, "", _validation_text(exc, sheet, row))
                )
                continue
            if key in seen:
                report.errors.append(
                    RowError(sheet.title, row.number, "", f"与第{seen[key]}行重复")
                )
                continue
            seen[key] = row.number
            counts[outcome] += 1


def _validation_text(exc: Exception, sheet: Sheet, row: _Row) -> str:
    messages = getattr(exc, "message_dict", None)
    if not messages:
        return "；".join(getattr(exc, "messages", [str(exc)]))
    parts = []
    for key, texts in messages.items():
        label = row.cells.get(key, key if key != "__all__" else "")
        parts.append((f"{label}：" if label else "") + "；".join(texts))
    return "；".join(parts)


def _lookup_unit(row: _Row, key: str = "unit") -> Unit:
    unit = Unit.objects.filter(name=row.values[key]).first()
    if unit is None:
        raise CellError(row.cells[key], f"单位“{row.values[key]}”不存在（请先在“单位”表中添加）")
    return unit


def _apply_unit(row: _Row):
    values = _present(
        row,
        "kind",
        "contact_person",
        "phone",
        "email",
        "counts_in_rates",
        "sort_order",
        defaults={
            "contact_person": "",
            "phone": "",
            "email": "",
            "counts_in_rates": True,
            "sort_order": 0,
        },
    )
    _, outcome = _sync(Unit, {"name": row.values["name"]}, values)
    return (row.values["name"],), outcome


def _apply_website(row: _Row):
    unit = _lookup_unit(row)
    values = _present(
        row,
        "name",
        "site_code",
        "kind",
        "status",
        "search_url",
        "has_services",
        "services_url",
        "messages_url",
        defaults={
            "site_code": "",
            "kind": Website.Kind.DEPARTMENT,
            "status": Website.Status.RUNNING,
            "search_url": "",
            "has_services": True,
            "services_url": "",
            "messages_url": "",
        },
    )
    values["unit"] = unit
    _, outcome = _sync(Website, {"home_url": row.values["home_url"]}, values)
    return (row.values["home_url"],), outcome


def _apply_column(row: _Row):
    website = Website.objects.filter(home_url=row.values["website"]).first()
    if website is None:
        raise CellError(row.cells["website"], f"网站“{row.values['website']}”不存在")
    parent = None
    if row.values.get("parent"):
        if row.values["parent"] == row.values["url"]:
            raise CellError(row.cells["parent"], "上级栏目不能是栏目本身")
        parent = Column.objects.filter(website=website, url=row.values["parent"]).first()
        if parent is None:
            raise CellError(row.cells["parent"], "上级栏目不存在（应先列出上级栏目）")
    values = _present(
        row,
        "name",
        "category",
        "window_days",
        "is_first_level",
        "is_exempt",
        "exempt_reason",
        defaults={
            "window_days": None,
            "is_first_level": False,
            "is_exempt": False,
            "exempt_reason": "",
        },
    )
    if "parent" in row.cells:  # like any other column: left out of the sheet, left alone
        values["parent"] = parent
    # W-V4(a) counts first-level 通知公告/政策文件 columns: a blank 一级栏目 is read from the
    # hierarchy (a column with no 上级栏目 is first-level), not defaulted to 否.
    if "is_first_level" in row.cells and row.values.get("is_first_level") is None:
        values["is_first_level"] = parent is None
    elif "is_first_level" not in row.cells and "parent" in row.cells:
        exists = Column.objects.filter(website=website, url=row.values["url"]).exists()
        if not exists:
            values["is_first_level"] = parent is None
    # With the 豁免理由 column left out, the stored reason stands (the model's check applies).
    reason_blank = "exempt_reason" in values and not values["exempt_reason"]
    if values.get("is_exempt") and reason_blank:
        raise CellError(row.cells.get("exempt_reason", ""), "豁免栏目必须填写豁免理由")
    _, outcome = _sync(Column, {"website": website, "url": row.values["url"]}, values)
    return (website.pk, row.values["url"]), outcome


def _apply_account(row: _Row):
    unit = _lookup_unit(row)
    values = _present(
        row,
        "account_id",
        "url",
        "feed_url",
        "filing",
        "status",
        defaults={
            "account_id": "",
            "url": "",
            "feed_url": "",
            "filing": Account.Filing.FILED,
            "status": Account.Status.ACTIVE,
        },
    )
    lookup = {"unit": unit, "platform": row.values["platform"], "name": row.values["name"]}
    _, outcome = _sync(Account, lookup, values)
    return (unit.pk, row.values["platform"], row.values["name"]), outcome


def _apply_event(row: _Row):
    unit = _lookup_unit(row)
    account = Account.objects.filter(
        unit=unit, platform=row.values["platform"], name=row.values["account"]
    ).first()
    if account is None:
        raise CellError(row.cells["account"], f"账号“{row.values['account']}”不存在")
    values = _present(row, "filed_on", "note", defaults={"filed_on": None, "note": ""})
    lookup = {"account": account, "kind": row.values["kind"], "date": row.values["date"]}
    _, outcome = _sync(AccountEvent, lookup, values)
    return (account.pk, row.values["kind"], row.values["date"]), outcome
