"""Findings exported by a monitoring vendor (Excel or CSV): all or nothing, each error named by
row and column. Imported findings start as 待复核, like the machine's own."""

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field

from django.db import transaction
from openpyxl import load_workbook

from audits.checks.base import Severity
from audits.models import Finding
from units.models import Unit, Website

HEADERS = ("单位", "网站网址", "指标代码或问题", "数量", "说明")
_VETO_CODES = {f"W-V{n}" for n in range(1, 7)}
# Problem phrases as vendors and circulars write them -> (kind, indicator, severity, item).
_PHRASES = (
    (r"应更未更|长期未更新", ("column_overdue", "W-V4b", Severity.PROBLEM, "")),
    (r"动态.*未更新|要闻.*未更新", ("column_overdue", "W-V4a", Severity.PROBLEM, "")),
    (r"政策.*未更新", ("column_overdue", "W-V4a", Severity.PROBLEM, "policy_stale")),
    (r"空栏目|空白栏目", ("column_empty", "W-V4c", Severity.PROBLEM, "")),
    (r"链接.*无法访问|死链|错链", ("broken_link", "D", Severity.DEDUCTION, "broken_link_other")),
    (r"办事指南", ("service_guide", "D", Severity.DEDUCTION, "service_guide")),
    (r"搜索", ("search_miss", "D", Severity.DEDUCTION, "search_miss")),
    (r"错别字|错字", ("typo", "D", Severity.DEDUCTION, "typo")),
)


@dataclass
class ImportOutcome:
    errors: list[str] = field(default_factory=list)
    created: int = 0
    updated: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors


def classify(code_or_text: str) -> tuple[str, str, str, str]:
    text = code_or_text.strip()
    if text.upper() in _VETO_CODES:
        return ("imported_veto", text.upper(), Severity.VETO, "")
    for pattern, kind in _PHRASES:
        if re.search(pattern, text):
            return kind
    return ("imported", "D", Severity.DEDUCTION, "manual")


def read_rows(data: bytes, filename: str) -> tuple[list[tuple[int, list]], list[str]]:
    name = filename.lower()
    if name.endswith(".xlsx"):
        if not zipfile.is_zipfile(io.BytesIO(data)):
            return [], ["文件不是有效的 Excel（.xlsx）文件"]
        sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).worksheets[0]
        rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    elif name.endswith(".csv"):
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            return [], ["CSV 文件编码无法识别（请用 UTF-8 或 GBK）"]
        rows = list(csv.reader(io.StringIO(text)))
    else:
        return [], ["只接受 .xlsx 或 .csv 文件"]
    if not rows:
        return [], ["文件为空"]
    header = [str(h or "").strip() for h in rows[0]]
    missing = [h for h in HEADERS if h not in header]
    if missing:
        return [], [f"第1行缺少列：{'、'.join(missing)}（应为：{'、'.join(HEADERS)}）"]
    index = [header.index(h) for h in HEADERS]
    out = []
    for number, row in enumerate(rows[1:], start=2):
        cells = [row[i] if i < len(row) else None for i in index]
        if all(c is None or str(c).strip() == "" for c in cells):
            continue
        out.append((number, cells))
    return out, []


def findings_import(
    data: bytes, filename: str, *, period: str, monitoring_point, dry_run: bool
) -> ImportOutcome:
    outcome = ImportOutcome()
    rows, errors = read_rows(data, filename)
    outcome.errors.extend(errors)
    if errors:
        return outcome
    parsed = []
    for number, (unit_name, url, code, count, description) in rows:
        unit_name, url = str(unit_name or "").strip(), str(url or "").strip()
        code, description = str(code or "").strip(), str(description or "").strip()
        unit = Unit.objects.filter(name=unit_name).first()
        if unit is None:
            outcome.errors.append(f"第{number}行 A列（单位）：单位“{unit_name}”不存在")
            continue
        website = Website.objects.filter(home_url=url, unit=unit).first() if url else None
        if url and website is None:
            outcome.errors.append(f"第{number}行 B列（网站网址）：该单位没有网址为 {url} 的网站")
            continue
        if not code:
            outcome.errors.append(f"第{number}行 C列（指标代码或问题）：必填")
            continue
        try:
            n = int(float(count)) if count not in (None, "") else 1
            if n < 1:
                raise ValueError
        except (TypeError, ValueError):
            outcome.errors.append(f"第{number}行 D列（数量）：“{count}”不是正整数")
            continue
        parsed.append((number, unit, website, code, n, description))
    if outcome.errors:
        return outcome
    with transaction.atomic():
        for number, unit, website, code, n, description in parsed:
            kind, indicator, severity, item = classify(code)
            _, created = Finding.objects.update_or_create(
                unit=unit,
                website=website,
                period=period,
                key=f"import:{code}:{description}"[:600],
                defaults={
                    "monitoring_point": monitoring_point,
                    "kind": kind,
                    "indicator": indicator,
                    "severity": severity,
                    "item": item,
                    "title": (f"{n}个{code}" if n > 1 and not code[0].isdigit() else code)[:300],
                    "reason": description or code,
                    "count": n,
                    "source": Finding.Source.IMPORT,
                    "evidence": {"row": number, "file": filename},
                },
            )
            outcome.created += created
            outcome.updated += not created
        if dry_run:
            transaction.set_rollback(True)
    return outcome
