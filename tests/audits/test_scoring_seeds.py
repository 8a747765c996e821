"""The seeds as tests: the verdicts printed in real circulars come out of our rules."""

import re

from audits.checks.base import Severity
from audits.rules import NATIONAL_2019, Overlays
from audits.scoring import CLEAN, FAIL, PASS, VETO, Counted, pass_rate, propose_verdict
from tests.audits.seeds import seed_001_annex1, seed_004_annex1

PRINTED = {"无问题": CLEAN, "合格": PASS, "不合格": FAIL, "单否": VETO}


def _n(pattern: str, text: str) -> int:
    return sum(int(n) for n in re.findall(pattern, text))


def findings_from_004(problems: str) -> list[Counted]:
    """Turn an annex-1 problem description of seed 004 into confirmed findings."""
    out: list[Counted] = []

    def add(count, kind, indicator, severity, title, item=""):
        for k in range(count):
            out.append(Counted(f"{kind}:{len(out)}:{k}", kind, indicator, severity, title, item))

    add(_n(r"(\d+)个应更未更", problems), "column_overdue", "W-V4b", Severity.PROBLEM, "应更未更")
    add(_n(r"(\d+)个空栏目", problems), "column_empty", "W-V4c", Severity.PROBLEM, "空栏目")
    add(
        _n(r"(\d+)个动态(?:应更)?未更新", problems),
        "column_overdue",
        "W-V4a",
        Severity.PROBLEM,
        "动态未更新",
    )
    add(
        _n(r"(\d+)个政策(?:类)?未更新", problems),
        "column_overdue",
        "W-V4a",
        Severity.PROBLEM,
        "政策未更新",
        "policy_stale",
    )
    add(
        _n(r"(\d+)个(?:链接)?无法访问", problems),
        "broken_link",
        "D",
        Severity.DEDUCTION,
        "链接无法访问",
        "broken_link_home",
    )
    add(
        _n(r"(\d+)个事项无办事指南", problems),
        "service_guide",
        "D",
        Severity.DEDUCTION,
        "无办事指南",
        "service_guide",
    )
    add(
        _n(r"(\d+)条未在搜索结果第一页", problems),
        "search_miss",
        "D",
        Severity.DEDUCTION,
        "搜索",
        "search_miss",
    )
    return out


def test_seed_004_annex_has_51_sites():
    assert len(seed_004_annex1()) == 51


def test_it_reproduces_every_result_of_seed_004_annex_1():
    for row in seed_004_annex1():
        proposal = propose_verdict(findings_from_004(row.problems), NATIONAL_2019)
        assert (
            proposal.result in {PASS, CLEAN} if row.result == "合格" else proposal.result == VETO
        ), (row, proposal)


def test_ten_overdue_columns_veto_but_seven_pass():
    assert propose_verdict(findings_from_004("10个应更未更"), NATIONAL_2019).result == VETO
    assert propose_verdict(findings_from_004("7个应更未更"), NATIONAL_2019).result == PASS


def test_seventeen_empty_columns_veto_but_four_pass():
    veto = propose_verdict(findings_from_004("17个空栏目"), NATIONAL_2019)
    assert veto.result == VETO and "17个空栏目" in veto.reasons
    assert propose_verdict(findings_from_004("4个空栏目"), NATIONAL_2019).result == PASS


def test_one_broken_link_passes():
    proposal = propose_verdict(findings_from_004("1个链接无法访问"), NATIONAL_2019)
    assert proposal.result == PASS
    assert proposal.score == 99
    assert "1个链接无法访问" in proposal.reasons


def test_seed_004_pass_rate_is_96_percent():
    results = [
        (propose_verdict(findings_from_004(r.problems), NATIONAL_2019).result, True)
        for r in seed_004_annex1()
    ]
    passed, counted, rate = pass_rate(results)
    assert (passed, counted) == (49, 51)
    assert round(rate) == 96


# --- seed 001: the unfixed-last-period overlay and units not counted in the rates ---------------

LOCAL = NATIONAL_2019.__class__(
    **{
        **NATIONAL_2019.__dict__,
        "overlays": Overlays(unfixed_last_period_fails=True, due_soon_days=15),
    }
)
VERTICAL = {"县税务局", "县气象局", "县生态环境分局"}


def findings_from_001(problems: str) -> tuple[list[Counted], frozenset[str]]:
    """Each quoted column is one finding; "N个子栏目" adds N-1; 即将 means a warning. Last
    period's keys: all of them when 未整改, all but one fixed problem when 整改不彻底."""
    out: list[Counted] = []
    for clause in re.split(r"[，,、]", problems):
        names = re.findall(r"“([^”]+)”", clause) or (["(unquoted)"] if "栏目" in clause else [])
        if not names:
            continue
        extra = _n(r"(\d+)个子栏目", clause)
        count = len(names) + max(extra - 1, 0)
        soon = "即将" in clause
        for k in range(count):
            key = f"{'soon' if soon else 'overdue'}:{names[min(k, len(names) - 1)]}:{k}"
            if soon:
                out.append(Counted(key, "column_due_soon", "W-V4", Severity.WARNING, clause))
            else:
                out.append(Counted(key, "column_overdue", "W-V4b", Severity.PROBLEM, clause))
    problems_keys = [f.key for f in out if f.severity == Severity.PROBLEM]
    previous: frozenset[str] = frozenset()
    if "上月问题未整改" in problems:
        previous = frozenset(problems_keys)
    elif "上月问题整改不彻底" in problems:
        previous = frozenset(problems_keys[:1] + ["a-problem-fixed-since"])
    return out, previous


def test_seed_001_annex_lists_44_units():
    rows = seed_001_annex1()
    assert len(rows) == 44
    assert sum(r.result in ("无问题", "合格") for r in rows) == 39


def test_it_reproduces_every_result_of_seed_001_annex_1_with_the_overlay():
    for row in seed_001_annex1():
        findings, previous = findings_from_001(row.problems)
        proposal = propose_verdict(findings, LOCAL, previous_keys=previous)
        assert proposal.result == PRINTED[row.result], (row, proposal)


def test_an_unfixed_problem_fails_a_unit_that_would_otherwise_pass():
    row = next(r for r in seed_001_annex1() if r.name == "梅渚镇")
    findings, previous = findings_from_001(row.problems)
    assert propose_verdict(findings, NATIONAL_2019, previous_keys=previous).result == PASS
    proposal = propose_verdict(findings, LOCAL, previous_keys=previous)
    assert proposal.result == FAIL
    assert "上月问题未整改" in proposal.reasons


def test_partly_fixed_problems_say_so():
    row = next(r for r in seed_001_annex1() if r.name == "县人社局")
    findings, previous = findings_from_001(row.problems)
    assert "上月问题整改不彻底" in propose_verdict(findings, LOCAL, previous_keys=previous).reasons


def test_seed_001_website_pass_rate_is_36_of_41():
    results = []
    for row in seed_001_annex1():
        findings, previous = findings_from_001(row.problems)
        result = propose_verdict(findings, LOCAL, previous_keys=previous).result
        results.append((result, row.name not in VERTICAL))
    assert pass_rate(results) == (36, 41, 87.8)


def test_seed_001_pass_rate_comes_from_the_registry_flag(db):
    """The same figure through the database: verdicts per unit, and the units' 计入合格率 flag."""
    import datetime as dt

    from audits.models import Period, RuleSet, Verdict
    from audits.selectors import verdict_summary
    from units.models import Unit, Website

    rule_set = RuleSet.objects.get(code="county-2019-local")
    period = Period.for_code("2022-12")
    for n, row in enumerate(seed_001_annex1()):
        unit = Unit.objects.create(
            name=row.name, kind=Unit.Kind.DEPARTMENT, counts_in_rates=row.name not in VERTICAL
        )
        site = Website.objects.create(unit=unit, name=row.name, home_url=f"http://s{n}.example/")
        findings, previous = findings_from_001(row.problems)
        proposal = propose_verdict(findings, LOCAL, previous_keys=previous)
        Verdict.objects.create(
            unit=unit,
            website=site,
            period=period,
            monitoring_point=dt.date(2022, 12, 27),
            rule_set=rule_set,
            rule_set_version=rule_set.version,
            proposed_result=proposal.result,
            computed_at=dt.datetime(2022, 12, 27, tzinfo=dt.UTC),
        )
    summary = verdict_summary(list(Verdict.objects.select_related("unit")))
    assert (summary["listed"], summary["passed"], summary["counted"]) == (44, 36, 41)
    assert summary["rate"] == 87.8
