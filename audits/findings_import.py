"""Findings exported by a monitoring vendor (Excel or CSV): all or nothing, each error named by
row and column. Imported findings start as 待复核, like the machine's own, and reach the
verdicts like them (seed 001's office works from a vendor's monitoring).

A row names its unit and the site (the home page, or one of its registered columns' URLs). A
row without a URL belongs to the unit's only website; a unit with several sites must say which.
"""

import datetime as dt
import re

from audits.glossary import Indicator, Kind, Severity
from audits.models import Finding, Period
from core.imports import ImportReport, all_or_nothing, cell_text, read_table
from units.models import Column, Unit, Website

HEADERS = ("单位", "网站网址", "指标代码或问题", "数量", "说明")
_VETO_CODES = {f"W-V{n}" for n in range(1, 7)}
# Problem phrases as vendors and circulars write them -> (kind, indicator, severity, item).
_PHRASES = (
    (r"应更未更|长期未更新", (Kind.COLUMN_OVERDUE, Indicator.W_V4B, Severity.PROBLEM, "")),
    (r"动态.*未更新|要闻.*未更新", (Kind.COLUMN_OVERDUE, Indicator.W_V4A, Severity.PROBLEM, "")),
    (
        r"政策.*未更新",
        (Kind.COLUMN_OVERDUE, Indicator.W_V4A, Severity.PROBLEM, "policy_stale"),
    ),
    (r"空栏目|空白栏目", (Kind.COLUMN_EMPTY, Indicator.W_V4C, Severity.PROBLEM, "")),
    (
        r"链接.*无法访问|死链|错链",
        (Kind.BROKEN_LINK, Indicator.DEDUCTION, Severity.DEDUCTION, "broken_link_other"),
    ),
    (
        r"办事指南|办理时间|事项",
        (Kind.SERVICE_GUIDE, Indicator.DEDUCTION, Severity.DEDUCTION, "service_guide"),
    ),
    (r"搜索", (Kind.SEARCH_MISS, Indicator.DEDUCTION, Severity.DEDUCTION, "search_miss")),
    (r"错别字|错字", (Kind.TYPO, Indicator.DEDUCTION, Severity.DEDUCTION, "typo")),
)
_LEADING_COUNT = re.compile(r"^(\d+)\s*[个条处项]")


def classify(code_or_text: str) -> tuple[str, str, str, str]:
    text = code_or_text.strip()
    if text.upper() in _VETO_CODES:
        return (Kind.IMPORTED_VETO, Indicator(text.upper()), Severity.VETO, "")
    for pattern, kind in _PHRASES:
        if re.search(pattern, text):
            return kind
    return (Kind.IMPORTED, Indicator.DEDUCTION, Severity.DEDUCTION, "manual")


def _count(raw, code: str) -> int:
    """数量, or the count written in the phrase ("10个应更未更"), or 1."""
    if raw not in (None, ""):
        n = int(float(raw))
        if n < 1:
            raise ValueError
        return n
    found = _LEADING_COUNT.match(code)
    return int(found[1]) if found else 1


def _site_for(unit: Unit, url: str):
    """(website, column) named by the URL, or the unit's only site when it is blank."""
    if not url:
        sites = list(unit.websites.filter(status=Website.Status.RUNNING)[:2])
        if len(sites) == 1:
            return sites[0], None
        raise LookupError("该单位没有登记网站" if not sites else "该单位有多个网站，请填写网站网址")
    website = unit.websites.filter(home_url=url).first()
    if website:
        return website, None
    column = Column.objects.filter(website__unit=unit, url=url).select_related("website").first()
    if column:
        return column.website, column
    raise LookupError(f"该单位没有网址为 {url} 的网站")


def findings_import(
    data: bytes, filename: str, *, period: Period, monitoring_point: dt.date, dry_run: bool
) -> ImportReport:
    report = ImportReport()
    table = read_table(data, filename, report)
    if table is None:
        return report
    missing = table.missing(HEADERS)
    if missing:
        report.fail(f"第1行缺少列：{'、'.join(missing)}（应为：{'、'.join(HEADERS)}）")
        return report

    def label(header: str) -> str:
        return table.label(header, workbook=False)

    parsed = []
    for number, row in table.records(HEADERS):
        unit_name, url = cell_text(row["单位"]), cell_text(row["网站网址"])
        code, description = cell_text(row["指标代码或问题"]), cell_text(row["说明"])
        unit = Unit.objects.filter(name=unit_name).first()
        if unit is None:
            report.fail(f"单位“{unit_name}”不存在", row=number, column=label("单位"))
            continue
        try:
            website, column = _site_for(unit, url)
        except LookupError as exc:
            report.fail(str(exc), row=number, column=label("网站网址"))
            continue
        if not code:
            report.fail("必填", row=number, column=label("指标代码或问题"))
            continue
        try:
            n = _count(row["数量"], code)
        except (TypeError, ValueError):
            report.fail(f"“{cell_text(row['数量'])}”不是正整数", row=number, column=label("数量"))
            continue
        parsed.append((number, unit, website, column, code, n, description))
    if not report.ok:
        return report
    with all_or_nothing(report, dry_run=dry_run):
        for number, unit, website, column, code, n, description in parsed:
            kind, indicator, severity, item = classify(code)
            where = column.url if column else ""
            _, created = Finding.objects.update_or_create(
                website=website,
                period=period,
                key=f"import:{code}:{where}:{description}"[:600],
                defaults={
                    "unit": unit,
                    "column": column,
                    "monitoring_point": monitoring_point,
                    "kind": kind,
                    "indicator": indicator,
                    "severity": severity,
                    "item": item,
                    "title": (f"{n}个{code}" if n > 1 and not code[0].isdigit() else code)[:300],
                    "reason": description or code,
                    "count": n,
                    "url": where or website.home_url,
                    "source": Finding.Source.IMPORT,
                    "evidence": {"row": number, "file": filename},
                },
            )
            report.count("问题", "created" if created else "updated")
    return report
