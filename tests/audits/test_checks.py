"""The pure checks, with plain data and any date."""

import datetime as dt
from zoneinfo import ZoneInfo

from audits.checks.base import Severity
from audits.checks.columns import ColumnFact, check_columns
from audits.checks.site import (
    HomeFact,
    LinkFact,
    ProbeFact,
    SearchFact,
    TlsFact,
    check_availability,
    check_home,
    check_links,
    check_search,
    check_tls,
)
from audits.rules import NATIONAL_2019, Overlays, Rules

POINT = dt.date(2026, 11, 23)
TZ = ZoneInfo("Asia/Shanghai")
DUE_SOON = Rules(code="t", version=1, overlays=Overlays(due_soon_days=15))


def column(category="news", newest=None, outcome="dated", window=14, first=True, **kw):
    return ColumnFact(
        name=kw.pop("name", "工作动态"),
        url=kw.pop("url", "http://a/col/1/"),
        category=category,
        window_days=window,
        is_first_level=first,
        is_exempt=kw.pop("is_exempt", False),
        outcome=outcome,
        newest=newest,
        **kw,
    )


def test_it_marks_a_news_column_overdue_after_14_days():
    fresh = column(newest=POINT - dt.timedelta(days=14))
    stale = column(newest=POINT - dt.timedelta(days=15))
    assert check_columns([fresh], POINT, NATIONAL_2019) == []
    (draft,) = check_columns([stale], POINT, NATIONAL_2019)
    assert draft.kind == "column_overdue"
    assert draft.indicator == "W-V4a"
    assert draft.title == "“工作动态”栏目超过2周未更新"
    assert "15天" in draft.reason


def test_a_second_level_notice_column_counts_in_the_long_stale_bucket():
    (draft,) = check_columns(
        [column("notice", POINT - dt.timedelta(days=200), window=183, first=False)],
        POINT,
        NATIONAL_2019,
    )
    assert draft.indicator == "W-V4b"
    assert draft.title.endswith("超过半年未更新")


def test_a_first_level_policy_column_is_deducted_5_points():
    (draft,) = check_columns(
        [column("policy", POINT - dt.timedelta(days=190), window=183, first=True)],
        POINT,
        NATIONAL_2019,
    )
    assert (draft.indicator, draft.item) == ("W-V4a", "policy_stale")


def test_empty_and_unsure_columns():
    empty, manual, error = check_columns(
        [
            column(outcome="empty", url="u1"),
            column(outcome="needs_manual", url="u2", reason="列表由脚本生成"),
            column(outcome="error", url="u3", reason="HTTP 500"),
        ],
        POINT,
        NATIONAL_2019,
    )
    assert (empty.indicator, empty.severity) == ("W-V4c", Severity.PROBLEM)
    assert manual.severity == Severity.MANUAL and "列表由脚本生成" in manual.reason
    assert error.severity == Severity.MANUAL


def test_exempt_and_static_columns_are_not_judged_on_dates():
    exempt = column(newest=POINT - dt.timedelta(days=400), is_exempt=True)
    static = column("static", POINT - dt.timedelta(days=4000), window=None)
    assert check_columns([exempt, static], POINT, NATIONAL_2019) == []


def test_due_soon_warning_only_with_the_overlay():
    due = column("notice", POINT - dt.timedelta(days=175), window=183)
    assert check_columns([due], POINT, NATIONAL_2019) == []
    (draft,) = check_columns([due], POINT, DUE_SOON)
    assert draft.severity == Severity.WARNING
    assert draft.title == "“工作动态”栏目即将超过半年未更新"
    assert draft.evidence["days_left"] == 8


def probes(total_per_day: int, failures: int, days: int = 7):
    start = dt.datetime.combine(POINT - dt.timedelta(days=days), dt.time.min, tzinfo=TZ)
    out = []
    for i in range(total_per_day * days):
        at = start + dt.timedelta(minutes=i * (24 * 60 * days) / (total_per_day * days))
        out.append(ProbeFact(at, ok=i >= failures))
    return out


def test_availability_vetoes_at_5_percent_of_probes():
    assert check_availability(probes(20, 6), POINT, NATIONAL_2019, TZ) == []  # 4.3 %
    (veto,) = check_availability(probes(20, 7), POINT, NATIONAL_2019, TZ)  # 5.0 %
    assert (veto.indicator, veto.severity) == ("W-V2", Severity.VETO)
    assert veto.evidence["probes"] == 140 and veto.evidence["failed"] == 7


def test_availability_ignores_probes_outside_the_week_and_asks_a_person_when_too_few():
    late = [ProbeFact(dt.datetime.combine(POINT, dt.time(1), tzinfo=TZ), ok=False)] * 50
    assert check_availability(late, POINT, NATIONAL_2019, TZ) == []
    (draft,) = check_availability(probes(5, 10), POINT, NATIONAL_2019, TZ)
    assert draft.severity == Severity.MANUAL


def test_home_page_not_updated_for_two_weeks_is_a_veto():
    ok = HomeFact("http://a/", True, "dated", POINT - dt.timedelta(days=14), 10)
    stale = HomeFact("http://a/", True, "dated", POINT - dt.timedelta(days=15), 10)
    undated = HomeFact("http://a/", True, "needs_manual", None, 0)
    assert check_home(ok, POINT, NATIONAL_2019) == []
    assert check_home(stale, POINT, NATIONAL_2019)[0].indicator == "W-V3"
    assert check_home(undated, POINT, NATIONAL_2019)[0].severity == Severity.MANUAL
    assert check_home(HomeFact("http://a/", False, "error", None), POINT, NATIONAL_2019) == []


def test_unknown_links_count_only_when_they_fail_again():
    dead = LinkFact("http://a/x", "http://a/", True, "dead", http_status=404)
    once = LinkFact("http://a/y", "http://a/c/", False, "unknown", None, 429)
    twice = LinkFact("http://a/z", "http://a/c/", False, "unknown", "unknown", 403)
    drafts = check_links([dead, once, twice])
    assert [d.url for d in drafts] == ["http://a/x", "http://a/z"]
    assert drafts[0].item == "broken_link_home" and drafts[1].item == "broken_link_other"
    assert "连续两次" in drafts[1].reason


def test_tls_invalid_or_expiring_within_30_days():
    soon = dt.datetime(2026, 12, 10, tzinfo=TZ)
    later = dt.datetime(2027, 3, 1, tzinfo=TZ)
    assert check_tls(TlsFact("https://a/", "self-signed"), POINT, NATIONAL_2019)[0].item == "tls"
    assert check_tls(TlsFact("https://a/", None, soon), POINT, NATIONAL_2019)[0].title == (
        "HTTPS证书即将过期"
    )
    assert check_tls(TlsFact("https://a/", None, later), POINT, NATIONAL_2019) == []


def test_search_misses_are_counted_as_in_seed_004():
    (draft,) = check_search(
        [SearchFact("关于开展…的通知", "http://a/s?q=1", False), SearchFact("b", "u", True)]
    )
    assert draft.title == "1条未在搜索结果第一页找到该内容"
    assert check_search([SearchFact("b", "u", None)]) == []


def test_the_due_soon_lead_shrinks_on_short_windows():
    news = column(newest=POINT - dt.timedelta(days=5))
    assert check_columns([news], POINT, DUE_SOON) == []
    (draft,) = check_columns([column(newest=POINT - dt.timedelta(days=11))], POINT, DUE_SOON)
    assert draft.evidence["days_left"] == 3


def test_meta_tag_problems_are_gathered_and_a_wrong_site_code_stands_alone():
    from audits.checks.site import MetaProblem, check_meta

    drafts = check_meta(
        [
            MetaProblem("missing:SiteName", "缺少 SiteName 元数据标签", "http://a/"),
            MetaProblem("missing:SiteName", "缺少 SiteName 元数据标签", "http://a/c/"),
            MetaProblem("missing:ColumnType", "缺少 ColumnType 元数据标签", "http://a/c/"),
            MetaProblem("mismatch:SiteIDCode", "SiteIDCode 与登记不符", "http://a/"),
        ]
    )
    code, tags = drafts
    assert code.key == "meta:site_code" and "1个页面" in code.reason
    assert tags.count == 2 and "缺少 SiteName 元数据标签（2个页面）" in tags.reason
    assert check_meta([]) == []
