"""Periods are dates: months, quarters, years and custom statistics windows; self-checks are not
periods; "the previous period" comes from the dates, never from string order."""

import datetime as dt

import pytest
from django.urls import reverse

from audits import periods
from audits.models import Finding, InspectionRun, Period, Verdict
from audits.selectors import latest_period
from audits.services.runs import run_create
from audits.services.verdicts import previous_period_keys


def test_codes_and_labels_as_circulars_write_them():
    assert periods.parse("2026-11").label == "2026年11月"
    assert periods.parse("2026Q4").label == "2026年第四季度"
    assert periods.parse("2026q1").start == dt.date(2026, 1, 1)
    assert periods.parse("2026").end == dt.date(2026, 12, 31)
    window = periods.parse("2020-11-24~2021-02-22")
    assert (window.kind, window.start, window.end) == (
        "custom",
        dt.date(2020, 11, 24),
        dt.date(2021, 2, 22),
    )
    assert window.label == "2020年11月24日—2021年2月22日"
    assert periods.quarter_of(dt.date(2026, 11, 23)).code == "2026Q4"
    assert periods.month_of(dt.date(2024, 2, 10)).end == dt.date(2024, 2, 29)


@pytest.mark.parametrize("code", ["自查-20261123", "2026-13", "2026Q5", "2021-02-22~2020-11-24"])
def test_what_is_not_a_period_is_refused_in_chinese(code):
    with pytest.raises(ValueError, match="检查周期|结束日期"):
        periods.parse(code)


@pytest.mark.django_db
def test_the_previous_quarter_comes_from_dates_not_from_string_order():
    q3, q4 = Period.for_code("2026Q3"), Period.for_code("2026Q4")
    Period.for_code("2026-12")  # a month sorts after "2026Q4" as a string; it is no quarter
    assert q4.previous() == q3
    assert Period.for_code("2027-01").previous() == Period.for_code("2026-12")
    assert q3.previous() is None


@pytest.mark.django_db
def test_a_self_check_is_no_period_and_the_results_page_opens_on_the_office_period(
    client, staff, site_a, rule_set_verdict
):
    """The live bug: after a unit's self-check, 检查结果 opened on the pseudo-period
    “自查-YYYYMMDD”, which sorted after every real period."""
    rule_set_verdict(site_a, "2026-11")
    check = run_create(trigger=InspectionRun.Trigger.SELF_CHECK, website=site_a)
    assert check.period is None
    assert latest_period().code == "2026-11"
    client.force_login(staff)
    html = client.get(reverse("dashboard:verdict_list")).content.decode()
    assert "检查结果 2026年11月" in html and "自查" not in html


@pytest.mark.django_db
def test_last_periods_problems_are_read_from_the_previous_quarter(site_a, rule_set_verdict):
    q3, q4 = Period.for_code("2026Q3"), Period.for_code("2026Q4")
    month = Period.for_code("2026-12")
    for period, key in ((q3, "column_overdue:a"), (month, "column_overdue:b")):
        Finding.objects.create(
            unit=site_a.unit,
            website=site_a,
            period=period,
            monitoring_point=period.end,
            key=key,
            kind="column_overdue",
            indicator="W-V4b",
            severity="problem",
            title=key,
            reason=key,
            status=Finding.Status.CONFIRMED,
        )
    assert previous_period_keys(site_a, q4) == {"column_overdue:a"}


@pytest.fixture
def rule_set_verdict(db):
    from audits.models import RuleSet

    def make(site, code):
        rule_set = RuleSet.objects.order_by("pk").first()
        return Verdict.objects.create(
            unit=site.unit,
            website=site,
            period=Period.for_code(code),
            monitoring_point=Period.for_code(code).end,
            rule_set=rule_set,
            rule_set_version=rule_set.version,
            proposed_result=Verdict.Result.CLEAN,
            computed_at=dt.datetime(2026, 11, 30, tzinfo=dt.UTC),
        )

    return make
