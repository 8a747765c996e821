"""The annex tables of a circular, always from the data (never edited by hand), in the seeds'
columns: seed 004 annex 1 (one row per website), seeds 001 and 004 annex 2 (accounts per unit
and platform), roll-ups per unit, and seed 003's statistics of items published per unit."""

from __future__ import annotations

from audits.glossary import Result
from notices.document import Annex
from notices.report import Report

WEBSITES, ACCOUNTS, UNITS, STATISTICS = "websites", "accounts", "units", "statistics"
KINDS = {
    WEBSITES: "政府网站检查情况",
    ACCOUNTS: "政务新媒体检查情况",
    UNITS: "各单位检查情况汇总",
    STATISTICS: "各单位政府网站信息发布情况统计",
}
DEFAULT_KINDS = (WEBSITES, ACCOUNTS)


def _date(value) -> str:
    return value.isoformat() if value else "/"


def websites(report: Report, number: int) -> Annex:
    rows = tuple(
        (
            str(n),
            s.unit,
            s.name,
            s.url,
            Result(s.result).label,
            s.problems or "/",
            _date(s.last_update),
            _date(s.deadline) if s.result != Result.CLEAN else "/",
        )
        for n, s in enumerate(report.sites, start=1)
    )
    vertical = [s.unit for s in report.sites if not s.counts_in_rates]
    note = (
        f"注：{'、'.join(dict.fromkeys(vertical))}为垂直管理单位，列出但不计入合格率。"
        if vertical
        else ""
    )
    return Annex(
        number=number,
        title=f"{report.period.label}{KINDS[WEBSITES]}",
        columns=(
            "序号",
            "责任单位",
            "网站名称",
            "网址",
            "检查结果",
            "问题描述",
            "检查时最后更新日期",
            "整改时限",
        ),
        rows=rows,
        widths=(4, 12, 14, 16, 7, 26, 10, 10),
        note=note if rows else "本期没有政府网站检查结果。",
        landscape=True,
    )


def accounts(report: Report, number: int) -> Annex:
    rows = tuple(
        (str(n), a.unit, a.platform, a.name, Result(a.result).label, a.problems or "/")
        for n, a in enumerate(report.accounts, start=1)
    )
    return Annex(
        number=number,
        title=f"{report.period.label}{KINDS[ACCOUNTS]}",
        columns=("序号", "责任单位", "平台", "账号名称", "检查结果", "存在问题"),
        rows=rows,
        widths=(5, 16, 8, 18, 8, 30),
        note="" if rows else "本期暂无政务新媒体监测数据（账号尚未接入发布记录）。",
    )


def units(report: Report, number: int) -> Annex:
    rows = tuple(
        (str(n), u.unit, str(u.running), str(u.checked), str(u.failed), f"{u.rate:g}%")
        for n, u in enumerate(report.units, start=1)
    )
    return Annex(
        number=number,
        title=f"{report.period.label}{KINDS[UNITS]}",
        columns=("序号", "单位", "运行总数", "检查数", "不合格数", "合格率"),
        rows=rows,
        widths=(5, 30, 10, 10, 10, 10),
        note="" if rows else "本期没有检查结果。",
    )


def statistics(report: Report, number: int) -> Annex:
    period = report.period
    rows = tuple(
        (str(n), unit, str(count)) for n, (unit, count) in enumerate(report.published_items, 1)
    )
    return Annex(
        number=number,
        title=f"{period.label}{KINDS[STATISTICS]}",
        columns=("序号", "单位", "主动公开信息条数"),
        rows=rows,
        widths=(6, 40, 16),
        note=(
            f"统计时间：{period.start:%Y年%m月%d日}至{period.end:%Y年%m月%d日}，按监测时读取的各栏目列表统计。"
            if rows
            else "本期没有可统计的信息发布数据。"
        ),
    )


BUILDERS = {WEBSITES: websites, ACCOUNTS: accounts, UNITS: units, STATISTICS: statistics}


def build_annexes(report: Report, kinds) -> tuple[Annex, ...]:
    kinds = [k for k in kinds if k in BUILDERS] or list(DEFAULT_KINDS)
    return tuple(BUILDERS[k](report, n) for n, k in enumerate(kinds, start=1))
