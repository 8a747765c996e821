"""The verdict rules of the issue as pure functions, on plain data: W-V2 probes judged per day,
site search misses, W-V3 for navigation-only home pages, 领导信息 on a year, W-V6 services,
possible 更新不实, the portal bonus, carry-over from rectification states, and vendor findings
that must not count twice beside the machine's (no database here)."""

import datetime as dt
import re
from zoneinfo import ZoneInfo

from audits.checks.columns import ColumnFact, check_columns
from audits.checks.services import GuideFact, ServicesFact, check_services
from audits.checks.site import (
    DateFact,
    HomeFact,
    ProbeFact,
    SearchFact,
    check_availability,
    check_dates,
    check_home,
    check_search,
)
from audits.glossary import Indicator, Kind, Severity
from audits.rules import NATIONAL_2019, Overlays, Rules
from audits.scoring import FAIL, PASS, VETO, Counted, Previous, merge_sources, propose_verdict
from tests.audits.seeds import seed_001_annex1, seed_004_annex1

POINT = dt.date(2026, 11, 23)  # a Monday; the judged week is 11-16 … 11-22
TZ = ZoneInfo("Asia/Shanghai")
WEEK = [POINT - dt.timedelta(days=n) for n in range(7, 0, -1)]
LOCAL = Rules(
    code="county-2019-local",
    version=1,
    items=NATIONAL_2019.items,
    overlays=Overlays(unfixed_last_period_fails=True, due_soon_days=15),
)


# --- W-V2: availability probes, judged per day ----------------------------------------------


def probes(per_day: int | dict, failed: dict | None = None, tz=TZ) -> list[ProbeFact]:
    """`per_day` probes on each day of the judged week (or {date: n}), spread every 30 minutes
    from midnight local time; `failed` says how many of a day's first probes failed."""
    failed = failed or {}
    out = []
    for day in WEEK:
        n = per_day.get(day, 0) if isinstance(per_day, dict) else per_day
        start = dt.datetime.combine(day, dt.time.min, tzinfo=TZ)
        for i in range(n):
            at = (start + dt.timedelta(minutes=30 * i)).astimezone(tz)
            out.append(ProbeFact(at, ok=i >= failed.get(day, 0)))
    return out


def test_it_vetoes_a_week_whose_failed_probes_reach_five_percent():
    # 20 probes a day = 140 in the week; 7 failures are exactly 5 %.
    (draft,) = check_availability(probes(20, {WEEK[2]: 7}), POINT, NATIONAL_2019, TZ)
    assert (draft.indicator, draft.severity, draft.kind) == (
        Indicator.W_V2,
        Severity.VETO,
        Kind.UNAVAILABLE,
    )
    assert draft.title == "站点无法访问"
    assert (draft.evidence["probes"], draft.evidence["failed"]) == (140, 7)
    assert draft.evidence["from"] == "2026-11-16" and draft.evidence["to"] == "2026-11-22"
    assert "140次" in draft.reason and "7次" in draft.reason


def test_it_does_not_veto_a_week_just_below_five_percent():
    assert check_availability(probes(20, {WEEK[2]: 6}), POINT, NATIONAL_2019, TZ) == []


def test_it_judges_only_the_seven_days_before_the_monitoring_point():
    week = probes(20, {WEEK[0]: 2})
    # The monitoring day itself and the eighth day before are outside the week: a whole day
    # of failures on each must change nothing.
    outside = [
        ProbeFact(dt.datetime.combine(day, dt.time(h), tzinfo=TZ), ok=False)
        for day in (POINT, POINT - dt.timedelta(days=8))
        for h in range(24)
    ]
    assert check_availability(week + outside, POINT, NATIONAL_2019, TZ) == []
    # The same failures inside the week veto.
    inside = [
        ProbeFact(dt.datetime.combine(WEEK[3], dt.time(h, 15), tzinfo=TZ), ok=False)
        for h in range(24)
    ]
    (draft,) = check_availability(week + inside, POINT, NATIONAL_2019, TZ)
    assert draft.severity == Severity.VETO


def test_a_short_day_makes_the_week_unjudgeable_even_with_140_probes_in_all():
    per_day = {day: 30 for day in WEEK} | {WEEK[2]: 19}  # 199 probes in the week
    failed = {day: 6 for day in WEEK}  # 20 % failed: far above the threshold
    (draft,) = check_availability(probes(per_day, failed), POINT, NATIONAL_2019, TZ)
    assert draft.severity == Severity.MANUAL  # a person decides, the machine never vetoes
    assert draft.indicator == Indicator.W_V2
    assert draft.evidence["probes"] == 199
    assert draft.evidence["short_days"] == ["2026-11-18"]
    assert "11月18日仅19次" in draft.reason
    assert "每天20次" in draft.reason
    assert "无法判定" in draft.title


def test_a_day_without_any_probe_is_named_as_short():
    per_day = {day: 48 for day in WEEK} | {WEEK[4]: 0}
    (draft,) = check_availability(
        probes(per_day, {day: 10 for day in WEEK}), POINT, NATIONAL_2019, TZ
    )
    assert draft.severity == Severity.MANUAL
    assert draft.evidence["short_days"] == ["2026-11-20"]
    assert "11月20日仅0次" in draft.reason


def test_a_short_week_is_never_a_veto():
    per_day = {day: 20 for day in WEEK} | {WEEK[0]: 5, WEEK[6]: 5}
    for failed in ({}, {WEEK[1]: 20, WEEK[2]: 20}):
        drafts = check_availability(probes(per_day, failed), POINT, NATIONAL_2019, TZ)
        assert all(d.severity != Severity.VETO for d in drafts)


def test_a_short_week_whose_missing_probes_could_decide_it_goes_to_a_person():
    """No probe ran on 11-20 (the probe worker was down): 12 of 288 probes failed (4.2 %), but
    20 failures that day would make it 10 %. The week cannot be judged: a person decides, the
    machine must not conclude that the site was available."""
    per_day = {day: 48 for day in WEEK} | {WEEK[4]: 0}
    failed = {WEEK[0]: 6, WEEK[1]: 6}
    drafts = check_availability(probes(per_day, failed), POINT, NATIONAL_2019, TZ)
    assert [(d.severity, d.evidence["short_days"]) for d in drafts] == [
        (Severity.MANUAL, ["2026-11-20"])
    ]


def test_it_counts_probes_on_the_local_day_not_the_utc_day():
    # Stored in UTC, the first 16 local hours of 11-16 are still 11-15 in UTC: judged in UTC
    # that day would hold 0 probes and the week could not be judged.
    week = probes(20, {WEEK[0]: 7}, tz=dt.UTC)
    assert all(p.at.tzinfo is dt.UTC for p in week)
    (draft,) = check_availability(week, POINT, NATIONAL_2019, TZ)
    assert draft.severity == Severity.VETO
    assert draft.evidence["per_day"]["2026-11-16"] == [20, 7]


def test_it_says_nothing_without_probes():
    assert check_availability([], POINT, NATIONAL_2019, TZ) == []


# --- site search (seed 004: "1条未在搜索结果第一页找到该内容") -----------------------------


def test_it_writes_search_misses_as_seed_004_does():
    (row,) = [r for r in seed_004_annex1() if r.name.endswith("寿县人民政府")]
    assert "1条未在搜索结果第一页找到该内容" in row.problems
    facts = [
        SearchFact("关于做好冬季森林防火工作的通知", "https://a/search?q=1", False),
        SearchFact("梅渚镇召开安全生产工作会议", "https://a/search?q=2", True),
        SearchFact("县政府常务会议", "https://a/search?q=3", None),  # page unreadable
    ]
    (draft,) = check_search(facts)
    assert draft.title == "1条未在搜索结果第一页找到该内容"
    assert (draft.kind, draft.indicator, draft.item, draft.count) == (
        Kind.SEARCH_MISS,
        Indicator.DEDUCTION,
        "search_miss",
        1,
    )
    assert "关于做好冬季森林防火工作的通知" in draft.reason
    assert "县政府常务会议" not in draft.reason

    two = check_search(facts + [SearchFact("乡村振兴简报", "https://a/search?q=4", False)])
    assert [(d.title, d.count) for d in two] == [("2条未在搜索结果第一页找到该内容", 2)]


def test_it_raises_nothing_when_every_item_is_found_or_unreadable():
    assert check_search([SearchFact("a", "u", True), SearchFact("b", "v", None)]) == []


# --- W-V3: a home page that is only a navigation entry ------------------------------------


def nav_home(second_level_newest, outcome="needs_manual"):
    return HomeFact(
        url="http://mz.gov.cn/",
        ok=True,
        outcome=outcome,
        newest=None,
        item_count=0,
        second_level_newest=second_level_newest,
    )


def test_a_navigation_home_page_is_fresh_when_a_second_level_page_is():
    assert check_home(nav_home(POINT - dt.timedelta(days=14)), POINT, NATIONAL_2019) == []
    assert check_home(nav_home(POINT - dt.timedelta(days=3), "empty"), POINT, NATIONAL_2019) == []


def test_a_navigation_home_page_whose_second_level_pages_are_all_older_is_vetoed():
    (draft,) = check_home(nav_home(POINT - dt.timedelta(days=15)), POINT, NATIONAL_2019)
    assert (draft.indicator, draft.severity) == (Indicator.W_V3, Severity.VETO)
    assert draft.title == "首页及二级页面超过2周未更新"
    assert "二级页面" in draft.reason and "15天" in draft.reason
    (empty,) = check_home(nav_home(POINT - dt.timedelta(days=40), "empty"), POINT, NATIONAL_2019)
    assert empty.severity == Severity.VETO


def test_a_navigation_home_page_without_any_date_goes_to_a_person():
    (draft,) = check_home(nav_home(None), POINT, NATIONAL_2019)
    assert (draft.indicator, draft.severity, draft.kind) == (
        Indicator.W_V3,
        Severity.MANUAL,
        Kind.HOME_MANUAL,
    )


def test_fresh_second_level_pages_do_not_excuse_a_home_page_with_its_own_stale_list():
    home = HomeFact(
        url="http://mz.gov.cn/",
        ok=True,
        outcome="dated",
        newest=POINT - dt.timedelta(days=30),
        item_count=12,
        second_level_newest=POINT - dt.timedelta(days=1),
    )
    (draft,) = check_home(home, POINT, NATIONAL_2019)
    assert (draft.severity, draft.title) == (Severity.VETO, "首页超过2周未更新")


# --- 领导信息 on a year (seed 001 梅渚镇) ----------------------------------------------------


def _seed_001_leaders_column() -> str:
    (row,) = [r for r in seed_001_annex1() if r.name == "梅渚镇"]
    name = re.findall(r"“([^”]+)”", row.problems)[0]
    assert name == "政府领导—领导简介"
    return name


def leaders_column(age_days: int, name: str = "领导信息", url: str = "http://mz/ldxx/"):
    return ColumnFact(
        name=name,
        url=url,
        category="leaders",
        window_days=NATIONAL_2019.window("leaders"),
        is_first_level=False,
        is_exempt=False,
        outcome="dated",
        newest=POINT - dt.timedelta(days=age_days),
    )


def test_a_leaders_column_is_judged_on_a_year_as_seed_001_writes_it():
    name = _seed_001_leaders_column()
    assert NATIONAL_2019.window("leaders") == 365
    assert check_columns([leaders_column(365, name)], POINT, NATIONAL_2019) == []
    (draft,) = check_columns([leaders_column(366, name)], POINT, NATIONAL_2019)
    assert draft.title == "“政府领导—领导简介”栏目超过1年未更新"
    assert (draft.kind, draft.indicator, draft.severity) == (
        Kind.COLUMN_OVERDUE,
        Indicator.W_V4B,
        Severity.PROBLEM,
    )


def test_stale_leaders_columns_count_toward_the_ten_of_w_v4b():
    stale = POINT - dt.timedelta(days=400)
    others = [
        ColumnFact(f"栏目{i}", f"http://mz/c{i}/", "other", 365, False, False, "dated", stale)
        for i in range(9)
    ]
    ten = [
        counted_from(d) for d in check_columns(others + [leaders_column(400)], POINT, NATIONAL_2019)
    ]
    proposal = propose_verdict(ten, NATIONAL_2019)
    assert proposal.result == VETO and "10个应更未更" in proposal.reasons
    nine = [
        counted_from(d)
        for d in check_columns(others[:8] + [leaders_column(400)], POINT, NATIONAL_2019)
    ]
    assert propose_verdict(nine, NATIONAL_2019).result == PASS


def counted_from(draft, source="machine") -> Counted:
    return Counted(
        draft.key,
        draft.kind,
        draft.indicator,
        draft.severity,
        draft.title,
        draft.item,
        draft.count,
        source,
        draft.column_url,
    )


# --- W-V6 服务不实用 (seed 004 row 1: "3个事项无办事指南、1个办理时间表述含糊不清") -------------

ALL_BUT = {
    "none": (),
    "four": ("设定依据", "申请条件", "办理材料", "收费标准"),
    "three": ("设定依据", "申请条件", "办理材料"),
}


def guide(n: int, state="ok", missing=(), vague=False) -> GuideFact:
    url = None if state == "none" else f"http://mz.gov.cn/bsfw/zn/{n:03}.html"
    return GuideFact(f"事项{n}", url, state, tuple(missing), vague)


def services(items, **kw) -> ServicesFact:
    return ServicesFact(
        list_url=kw.get("list_url", "http://mz.gov.cn/bsfw/"), ok=kw.get("ok", True), items=items
    )


def test_it_writes_service_problems_as_seed_004_does():
    (row,) = [r for r in seed_004_annex1() if "3个事项无办事指南" in r.problems]
    assert row.result == "合格"
    items = (
        guide(1, "none"),
        guide(2, "none"),
        guide(3, "none"),
        guide(4, vague=True),
        guide(5),
        guide(6),
    )
    drafts = check_services(services(items), NATIONAL_2019)
    assert {d.title for d in drafts} == {"3个事项无办事指南", "1个办理时间表述含糊不清"}
    assert all(
        (d.kind, d.indicator, d.severity, d.item)
        == (Kind.SERVICE_GUIDE, Indicator.DEDUCTION, Severity.DEDUCTION, "service_guide")
        for d in drafts
    )
    no_guide = next(d for d in drafts if d.title.endswith("无办事指南"))
    assert no_guide.count == 3 and "“事项1”没有办事指南" in no_guide.reason
    proposal = propose_verdict([counted_from(d) for d in drafts], NATIONAL_2019)
    assert proposal.result == PASS  # as printed: 合格
    assert {"3个事项无办事指南", "1个办理时间表述含糊不清"} <= set(proposal.reasons)


def test_five_guides_each_missing_four_elements_veto():
    items = tuple(guide(n, missing=ALL_BUT["four"]) for n in range(5))
    drafts = check_services(services(items), NATIONAL_2019)
    (veto,) = [d for d in drafts if d.severity == Severity.VETO]
    assert (veto.indicator, veto.count) == (Indicator.W_V6, 5)
    assert "各缺少4个以上要素" in veto.reason
    assert propose_verdict([counted_from(d) for d in drafts], NATIONAL_2019).result == VETO


def test_four_such_guides_or_five_missing_three_do_not_veto():
    four = tuple(guide(n, missing=ALL_BUT["four"]) for n in range(4)) + (guide(9),)
    three = tuple(guide(n, missing=ALL_BUT["three"]) for n in range(6))
    for items in (four, three):
        drafts = check_services(services(items), NATIONAL_2019)
        assert drafts and all(d.severity != Severity.VETO for d in drafts)
        assert {d.title for d in drafts} == {
            f"{len([i for i in items if i.missing])}个办事指南要素缺失"
        }


def test_a_services_page_that_could_not_be_read_goes_to_a_person():
    for fact in (
        services((), list_url=None),
        services((), ok=False),
        services(()),
    ):
        (draft,) = check_services(fact, NATIONAL_2019)
        assert (draft.kind, draft.indicator, draft.severity) == (
            Kind.SERVICE_MANUAL,
            Indicator.W_V6,
            Severity.MANUAL,
        )
        assert "无办事服务的，按单项否决" in draft.reason


def test_a_site_without_external_services_is_not_checked_for_them():
    fact = ServicesFact(list_url=None, ok=False, items=(), has_services=False)
    assert check_services(fact, NATIONAL_2019) == []
    assert check_services(None, NATIONAL_2019) == []


# --- possible 更新不实 (W-V1 弄虚作假), raised for a person -----------------------------------


def test_a_meta_date_contradicting_the_visible_date_is_a_w_v1_candidate():
    # The trap of indicators.md: PubDate meta 2022-04-24, the page shows 发布日期 2017-05-15.
    fact = DateFact("http://mz/art/1.html", visible=dt.date(2017, 5, 15), meta=dt.date(2022, 4, 24))
    (draft,) = check_dates([fact])
    assert (draft.kind, draft.indicator, draft.severity) == (
        Kind.DATE_SUSPECT,
        Indicator.W_V1,
        Severity.VETO,
    )
    assert "2022-04-24" in draft.reason and "2017-05-15" in draft.reason
    assert "须人工核实" in draft.reason


def test_a_list_date_later_than_the_articles_own_date_is_a_candidate():
    fact = DateFact(
        "http://mz/art/2.html", visible=dt.date(2026, 3, 2), listed=dt.date(2026, 11, 20)
    )
    (draft,) = check_dates([fact])
    assert "列表显示2026-11-20" in draft.reason and "2026-03-02" in draft.reason


def test_dates_after_the_monitoring_point_are_a_candidate():
    (draft,) = check_dates([DateFact("http://mz/col/1/", future=("2026-12-05", "2026-12-28"))])
    assert "2026-12-05" in draft.reason and draft.indicator == Indicator.W_V1


def test_several_suspect_pages_make_one_candidate():
    facts = [
        DateFact("http://mz/art/1.html", visible=dt.date(2017, 5, 15), meta=dt.date(2022, 4, 24)),
        DateFact("http://mz/art/2.html", visible=dt.date(2026, 3, 2), listed=dt.date(2026, 11, 20)),
        DateFact("http://mz/col/1/", future=("2026-12-05",)),
    ]
    (draft,) = check_dates(facts)
    assert draft.count == 3 and draft.title == "疑似更新不实（3处日期不一致）"
    assert draft.evidence["pages"][1]["url"] == "http://mz/art/2.html"


def test_a_year_less_list_date_read_in_another_year_is_not_flagged():
    # The list shows "11-20" without a year; we read it as 2026, the article says 2025-11-20.
    inferred = DateFact(
        "http://mz/art/3.html", visible=dt.date(2025, 11, 20), listed=dt.date(2026, 11, 20)
    )
    one_day = DateFact(
        "http://mz/art/4.html", visible=dt.date(2026, 11, 19), meta=dt.date(2026, 11, 20)
    )
    same = DateFact(
        "http://mz/art/5.html", visible=dt.date(2026, 11, 20), listed=dt.date(2026, 11, 20)
    )
    assert check_dates([inferred, one_day, same]) == []


# --- the portal bonus: only strictly above 80 ----------------------------------------------


def deductions(points: int) -> list[Counted]:
    """Confirmed deductions worth `points` (manual items: 1 point each, at most 10; home-page
    broken links: 1 each, at most 5; typos: 0.5 each, at most 5)."""
    manual, rest = min(points, 10), points - min(points, 10)
    links, rest = min(rest, 5), rest - min(rest, 5)
    out = [Counted("manual:1", Kind.MANUAL, "D", Severity.DEDUCTION, "人工", "manual", manual)]
    if links:
        out.append(
            Counted("link", Kind.BROKEN_LINK, "D", "deduction", "链接", "broken_link_home", links)
        )
    if rest:
        out.append(Counted("typo", Kind.TYPO, "D", "deduction", "错别字", "typo", rest * 2))
    return out


def test_the_bonus_counts_only_when_the_deductions_part_is_strictly_above_80():
    at_80 = propose_verdict(deductions(20), NATIONAL_2019, bonus=10)
    assert at_80.score == 80
    above = propose_verdict(deductions(19), NATIONAL_2019, bonus=10)
    assert above.score == 91
    assert propose_verdict(deductions(19), NATIONAL_2019).score == 81


# --- carry-over, judged on last period's rectification states (seed 001) --------------------


def overdue(key="column_overdue:http://mz/zfld/"):
    return [Counted(key, Kind.COLUMN_OVERDUE, Indicator.W_V4B, Severity.PROBLEM, "超过1年未更新")]


def test_a_problem_closed_last_period_that_is_back_is_a_new_problem():
    previous = Previous(open_keys=frozenset(), fixed=1)
    proposal = propose_verdict(overdue(), LOCAL, previous=previous)
    assert proposal.result == PASS
    assert proposal.carried == ()
    assert not any("整改" in r for r in proposal.reasons)


def test_an_open_problem_that_is_back_is_unfixed():
    (row,) = [r for r in seed_001_annex1() if r.name == "梅渚镇"]
    assert row.result == "不合格" and "上月问题未整改" in row.problems
    key = overdue()[0].key
    proposal = propose_verdict(overdue(), LOCAL, previous=Previous(open_keys=frozenset({key})))
    assert proposal.result == FAIL
    assert "上月问题未整改" in proposal.reasons
    assert proposal.carried == (key,)


def test_a_submitted_or_rejected_rectification_that_is_back_is_not_thorough():
    (row,) = [r for r in seed_001_annex1() if r.name == "县人社局"]
    assert "上月问题整改不彻底" in row.problems
    key = overdue()[0].key
    previous = Previous(open_keys=frozenset({key}), attempted=frozenset({key}))
    proposal = propose_verdict(overdue(), LOCAL, previous=previous)
    assert proposal.result == FAIL
    assert "上月问题整改不彻底" in proposal.reasons


def test_a_quarter_says_last_quarter():
    key = overdue()[0].key
    previous = Previous(open_keys=frozenset({key}), label="上季度")
    assert "上季度问题未整改" in propose_verdict(overdue(), LOCAL, previous=previous).reasons


# --- vendor findings beside the machine's: counted once ---------------------------------------


def machine_overdue(n: int, indicator=Indicator.W_V4B, prefix="c") -> list[Counted]:
    return [
        Counted(
            f"column_overdue:http://mz/{prefix}{i}/",
            Kind.COLUMN_OVERDUE,
            indicator,
            Severity.PROBLEM,
            f"“栏目{i}”栏目超过1年未更新",
            column=f"http://mz/{prefix}{i}/",
        )
        for i in range(n)
    ]


def imported(count: int, column: str = "", code="应更未更") -> Counted:
    return Counted(
        f"import:{code}:{column}:",
        Kind.COLUMN_OVERDUE,
        Indicator.W_V4B,
        Severity.PROBLEM,
        f"{count}个{code}",
        count=count,
        source="import",
        column=column,
    )


def test_an_imported_count_overlaps_the_machines_findings_of_the_same_indicator():
    proposal = propose_verdict(machine_overdue(8) + [imported(10)], NATIONAL_2019)
    assert proposal.result == VETO
    assert "10个应更未更" in proposal.reasons and "18个应更未更" not in proposal.reasons
    # 8 + 9 would veto; counted once it is 9 and the site passes.
    nine = propose_verdict(machine_overdue(8) + [imported(9)], NATIONAL_2019)
    assert nine.result == PASS and "9个应更未更" in nine.reasons
    fewer = propose_verdict(machine_overdue(8) + [imported(5)], NATIONAL_2019)
    assert "8个应更未更" in fewer.reasons
    assert sum(f.count for f in merge_sources(machine_overdue(8) + [imported(5)])) == 8


def test_an_imported_row_naming_a_column_the_machine_found_counts_once():
    machine = machine_overdue(9)
    same = imported(1, column=machine[0].column)
    proposal = propose_verdict(machine + [same], NATIONAL_2019)
    assert proposal.result == PASS and "9个应更未更" in proposal.reasons
    other = imported(1, column="http://mz/another/")
    proposal = propose_verdict(machine + [other], NATIONAL_2019)
    assert proposal.result == VETO and "10个应更未更" in proposal.reasons


def test_an_imported_row_naming_a_news_column_the_machine_found_counts_once():
    """The vendor writes "应更未更" (W-V4b) about a 动态 column the machine found under W-V4a:
    the same stale column, to be counted once toward the ten of W-V4(b)."""
    machine = machine_overdue(4, Indicator.W_V4A, prefix="news") + machine_overdue(5)
    same_column = imported(1, column=machine[0].column)
    proposal = propose_verdict(machine + [same_column], NATIONAL_2019)
    assert "9个应更未更" in proposal.reasons, proposal.reasons
    assert proposal.result == PASS
