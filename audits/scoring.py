"""From confirmed findings to a proposed verdict: pure, so recomputing always gives the same.

Rules: ../shared/domain/indicators.md. Any single veto -> 单否 and nothing else is scored;
otherwise 100 points of deductions with per-item caps and no double counting; below the pass
mark -> 不合格; the bonus part only strictly above 80; a site without external service
functions is scored out of 75 and multiplied by 4/3; local overlays may fail a unit whose last
period's problems are still there.
"""

from collections import defaultdict
from dataclasses import dataclass, replace

from audits.glossary import Indicator, Kind, Result, Severity
from audits.rules import Rules

CLEAN, PASS, FAIL, VETO = Result.CLEAN, Result.PASS, Result.FAIL, Result.VETO
SERVICE_GROUP = "办事服务"
SERVICE_POINTS = 25


@dataclass(frozen=True)
class Counted:
    """A confirmed finding as the verdict sees it."""

    key: str
    kind: str
    indicator: str
    severity: str
    title: str
    item: str = ""
    count: int = 1
    source: str = "machine"  # machine | manual | import
    column: str = ""  # the column's URL when the finding is about one column


@dataclass(frozen=True)
class Previous:
    """Last period's problems as the carry-over overlay needs them (seed 001: "上月问题未整改",
    "上月问题整改不彻底"). Judged on the rectification state, not on a key match alone: a problem
    closed (销号) last period that is back this period is a new problem, not 未整改."""

    open_keys: frozenset[str] = frozenset()  # confirmed, not closed
    fixed: int = 0  # closed (销号) since
    attempted: frozenset[str] = frozenset()  # open, but the unit submitted a rectification
    label: str = "上月"  # 上月 / 上季度 / 上年度 / 上期


@dataclass(frozen=True)
class Proposal:
    result: str  # clean | pass | fail | veto
    score: float | None  # None when vetoed
    reasons: tuple[str, ...]
    carried: tuple[str, ...] = ()  # keys of last period's problems still present


def propose_verdict(
    findings: list[Counted],
    rules: Rules,
    *,
    has_services: bool = True,
    previous_keys: frozenset[str] = frozenset(),
    previous: Previous | None = None,
    bonus: float = 0.0,
) -> Proposal:
    previous = previous or Previous(open_keys=frozenset(previous_keys))
    counted = merge_sources([f for f in findings if f.severity != Severity.MANUAL])
    reasons: list[str] = []

    vetoes = [f.title for f in counted if f.severity == Severity.VETO]
    overdue_key = sum(f.count for f in counted if f.indicator == Indicator.W_V4A)
    overdue_any = overdue_key + sum(f.count for f in counted if f.indicator == Indicator.W_V4B)
    empty = sum(f.count for f in counted if f.indicator == Indicator.W_V4C)
    if overdue_key >= rules.veto_overdue_key:
        vetoes.append(f"{overdue_key}个动态要闻或一级通知公告、政策文件栏目超期未更新")
    if overdue_any >= rules.veto_overdue_any:
        vetoes.append(f"{overdue_any}个应更未更")
    if empty >= rules.veto_empty:
        vetoes.append(f"{empty}个空栏目")
    if vetoes:
        return Proposal(VETO, None, tuple(vetoes), _carried(counted, previous.open_keys))

    score = _score(counted, rules, has_services)
    if score > rules.bonus_threshold:
        score = round(score + bonus, 2)
    reasons.extend(_problem_summary(overdue_any, empty, counted))

    carried = _carried(counted, previous.open_keys)
    if rules.overlays.unfixed_last_period_fails and carried:
        partly = (
            previous.fixed > 0
            or len(carried) < len(previous.open_keys)
            or bool(set(carried) & previous.attempted)
        )
        reasons.append(f"{previous.label}问题{'整改不彻底' if partly else '未整改'}")
        return Proposal(FAIL, score, tuple(reasons), carried)
    if score < rules.pass_mark:
        reasons.append(f"得分{score:g}分，低于{rules.pass_mark:g}分")
        return Proposal(FAIL, score, tuple(reasons), carried)
    if counted:
        return Proposal(PASS, score, tuple(reasons), carried)
    return Proposal(CLEAN, score, (), carried)


def merge_sources(findings: list[Counted]) -> list[Counted]:
    """A vendor's finding and the machine's for the same problem count once.

    An imported finding that names a column the machine also found at fault under the same
    indicator is dropped. An imported count that names no column ("10个应更未更") overlaps the
    machine's findings of the same indicator and item: only what it adds beyond them counts.
    """
    machine = [f for f in findings if f.source != "import"]
    # A column is one problem whatever bucket each side put it in (动态 W-V4a or 应更未更 W-V4b).
    seen = {(f.kind, f.column) for f in machine if f.column}
    totals: dict[tuple[str, str], int] = defaultdict(int)
    for f in machine:
        totals[(f.indicator, f.item)] += f.count
    out = list(machine)
    for f in findings:
        if f.source != "import":
            continue
        if f.column:
            if (f.kind, f.column) not in seen:
                out.append(f)
            continue
        extra = f.count - totals[(f.indicator, f.item)]
        totals[(f.indicator, f.item)] = max(0, -extra)
        if extra > 0:
            out.append(replace(f, count=extra))
    return out


def _score(findings: list[Counted], rules: Rules, has_services: bool) -> float:
    """100 minus the deductions; each finding weighs in one item only, capped per item."""
    per_item: dict[str, float] = defaultdict(float)
    for f in findings:
        item = rules.item(f.item) if f.item else None
        if item is None:
            continue
        if not has_services and item.group == SERVICE_GROUP:
            continue
        per_item[item.code] += item.per_occurrence * f.count
    deducted = sum(min(total, rules.item(code).cap) for code, total in per_item.items())
    if has_services:
        return round(100 - deducted, 2)
    return round((100 - SERVICE_POINTS - deducted) * 100 / (100 - SERVICE_POINTS), 2)


def _problem_summary(overdue: int, empty: int, findings: list[Counted]) -> list[str]:
    """Short phrases as circulars write them: "7个应更未更", "4个空栏目", "1个链接无法访问";
    up to three overdue columns are named instead (seed 001: "“双随机一公开”栏目超过1年未更新")."""
    parts = []
    named = [f for f in findings if f.kind == Kind.COLUMN_OVERDUE and f.source != "import"]
    if overdue and overdue <= 3 and len(named) == overdue:
        parts.extend(f.title for f in named)
    elif overdue:
        parts.append(f"{overdue}个应更未更")
    if empty:
        parts.append(f"{empty}个空栏目")
    links = sum(f.count for f in findings if f.kind == Kind.BROKEN_LINK)
    if links:
        parts.append(f"{links}个链接无法访问")
    others = [
        f.title
        for f in findings
        if f.kind not in (Kind.COLUMN_OVERDUE, Kind.COLUMN_EMPTY, Kind.BROKEN_LINK)
    ]
    return parts + others


def _carried(findings: list[Counted], previous_keys: frozenset[str]) -> tuple[str, ...]:
    return tuple(sorted({f.key for f in findings} & previous_keys))


def pass_rate(results: list[tuple[str, bool]]) -> tuple[int, int, float]:
    """Pass rate over the units that count (seed 001: 36 of 41 = 87.8 %).

    `results` holds (result, counts_in_rates) per unit; 无问题 and 合格 both pass.
    """
    counted = [r for r, counts in results if counts]
    passed = sum(1 for r in counted if r in Result.passing())
    rate = round(100 * passed / len(counted), 1) if counted else 0.0
    return passed, len(counted), rate
