"""The words of a circular, generated from its report; staff edit any of them afterwards. The
annexes are not words: they always come from the data (notices/annexes.py).

Phrasing follows the seeds: 总体情况 as seed 001 ("政府网站合格36家，合格率87.8%"), 存在问题 in
"一是…二是…" groups naming units, with "未整改" / "整改不彻底" / "连续多月" as seed 001 writes them.
"""

from __future__ import annotations

from audits.glossary import Result
from notices.report import CARRY_NOT_FIXED, CARRY_PARTLY, Report

_ORDINALS = "一二三四五六七八九十"
_SINCE = {"month": "上月", "quarter": "上季度", "year": "上年度", "custom": "上期"}
_MANY = {"month": "连续多月", "quarter": "连续多个季度", "year": "连续多年", "custom": "连续多期"}


def names(items) -> str:
    return "、".join(dict.fromkeys(items))


def title_for(report: Report) -> str:
    return f"关于{report.period.label}政府网站与政务新媒体检查情况的通报"


def preamble_for(report: Report, office_name: str) -> str:
    period = report.period
    window = f"（统计时间：{period.span.label}）" if period.kind == "custom" else ""
    return (
        f"根据《国务院办公厅秘书局关于印发政府网站与政务新媒体检查指标、监管工作年度考核指标的通知》"
        f"（国办秘函〔2019〕19号）要求，{office_name}对全县政府网站和政务新媒体开展了"
        f"{period.label}检查{window}。现将有关情况通报如下："
    )


def overall_for(report: Report) -> str:
    """一、总体情况: how many were inspected and the pass rate per channel, with the counts
    behind each rate; vertically managed units are listed but not counted (seed 001)."""
    sites = report.website_rate
    parts = []
    inspected = []
    if sites:
        inspected.append(f"政府网站{sites.listed}个")
    if report.accounts_inspected:
        inspected.append(f"政务新媒体账号{report.accounts_inspected}个")
    if inspected:
        parts.append(f"本期通过机器监测和人工复核，共检查{'、'.join(inspected)}。")
    rates = []
    for r in report.rates:
        text = f"{r.channel}合格{r.passed}家，合格率{r.rate:g}%"
        if r.listed != r.counted:
            text += f"（计入合格率{r.counted}家，{r.listed - r.counted}家垂直管理单位列出但不计入）"
        rates.append(text)
    if rates:
        parts.append("；".join(rates) + "。")
    if not report.accounts_inspected:
        parts.append("政务新媒体本期暂无监测数据。")
    return "".join(parts) or "本期暂无检查结果。"


def problems_for(report: Report) -> str:
    """二、存在问题, grouped by kind of problem, naming the units."""
    kind = report.period.kind
    since, many = _SINCE.get(kind, "上期"), _MANY.get(kind, "连续多期")
    groups: list[tuple[str, str]] = []

    not_fixed = [s.unit for s in report.sites if s.carried == CARRY_NOT_FIXED]
    partly = [s.unit for s in report.sites if s.carried == CARRY_PARTLY]
    repeated = [s.unit for s in report.sites if s.repeated]
    if not_fixed or partly:
        text = []
        if not_fixed:
            text.append(f"{names(not_fixed)}未对{since}通报指出的问题进行整改")
        if partly:
            text.append(f"{names(partly)}整改不彻底，部分问题仍然存在")
        body = "；".join(text)
        if repeated:
            body += f"，其中{names(repeated)}{many}因问题未整改或整改不彻底被通报不合格"
        groups.append(("部分单位网站问题未得到有效整改", body + "。"))

    vetoed = [s for s in report.sites if s.result == Result.VETO]
    if vetoed:
        body = "；".join(f"{s.unit}（{s.vetoed_for}）" for s in vetoed)
        groups.append(("个别单位网站存在单项否决问题", f"{body}，被判定为单项否决。"))

    overdue = [s.unit for s in report.sites if s.overdue and s.result != Result.VETO]
    due_soon = [s.unit for s in report.sites if s.due_soon]
    if overdue or due_soon:
        text = []
        if overdue:
            text.append(f"{names(overdue)}存在1个及以上栏目超期未更新")
        if due_soon:
            text.append(f"{names(due_soon)}存在1个及以上栏目即将到期")
        groups.append(("少数单位网站内容未得到有效保障", "；".join(text) + "。"))

    faulty = [a for a in report.accounts if a.result != Result.CLEAN and a.problems]
    if faulty:
        body = "；".join(f"{a.unit}“{a.name}”（{a.platform}）{a.problems}" for a in faulty[:30])
        groups.append(("政务新媒体日常运维管理有待加强", body + "。"))

    if not groups:
        return "本期检查未发现突出问题。"
    return "\n".join(
        f"{_ORDINALS[i]}是{head}。{body}" for i, (head, body) in enumerate(groups[:10])
    )
