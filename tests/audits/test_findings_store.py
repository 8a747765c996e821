"""Findings are stored two writes a site; a row another run of the period inserted meanwhile is
taken, with its review, instead of failing the site (audits.services.findings.findings_insert)."""

import datetime as dt

from audits.glossary import Indicator, Kind, Severity
from audits.models import Finding, Period
from audits.services.findings import findings_insert


def _finding(site, period, **fields) -> Finding:
    values = {
        "unit": site.unit, "website": site, "period": period, "key": "home_stale",
        "monitoring_point": dt.date(2026, 11, 20), "kind": Kind.HOME_STALE,
        "indicator": Indicator.W_V3, "severity": Severity.VETO, "title": "首页栏目长期未更新",
        "reason": "首页最新信息为 2026-10-01",
    }  # fmt: skip
    return Finding(**{**values, **fields})


def test_a_finding_inserted_meanwhile_is_taken_with_its_review(site_a):
    period = Period.for_code("2026-11")
    other = _finding(site_a, period, status=Finding.Status.CONFIRMED, review_note="已核实")
    other.save()
    mine = _finding(site_a, period, reason="首页最新信息为 2026-10-02")
    fresh = _finding(site_a, period, key="meta_tags", kind=Kind.META_TAGS)
    findings_insert([mine, fresh])
    assert mine.pk == other.pk and fresh.pk is not None
    stored = Finding.objects.get(pk=other.pk)
    assert stored.status == Finding.Status.CONFIRMED and stored.review_note == "已核实"
    assert stored.reason == "首页最新信息为 2026-10-02"
    assert Finding.objects.filter(website=site_a, period=period).count() == 2


def test_new_findings_are_inserted_at_once(site_a, django_assert_num_queries):
    period = Period.for_code("2026-11")
    rows = [_finding(site_a, period, key=f"k{n}") for n in range(20)]
    with django_assert_num_queries(3):  # savepoint, one INSERT, release
        findings_insert(rows)
    assert all(r.pk for r in rows) and all(r.first_seen for r in rows)
