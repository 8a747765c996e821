"""Findings are stored two writes a site; a row another run of the period inserted meanwhile is
taken, with its review, instead of failing the site (audits.services.findings.findings_insert)."""

import datetime as dt

from django.utils import timezone

from audits.glossary import Indicator, Kind, Severity
from audits.models import Finding, InspectionRun, Period
from audits.services.findings import FINDING_FIELDS, findings_insert, findings_update


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
    with django_assert_num_queries(3):  # savepoint, the ids, release (the rows go by COPY)
        findings_insert(rows)
    assert all(r.pk for r in rows) and all(r.first_seen for r in rows)
    stored = {f.pk: f for f in Finding.objects.filter(website=site_a)}
    assert len(stored) == 20  # the ids set on the rows are the stored rows' ids
    for row in rows:
        back = stored[row.pk]
        assert (back.key, back.unit_id, back.period_id) == (row.key, site_a.unit_id, period.pk)
        assert back.first_seen == row.first_seen and back.evidence == row.evidence
    rows[0].title = "改过的标题"
    rows[0].save(update_fields=["title"])  # a saved row, as after bulk_create
    assert Finding.objects.get(pk=rows[0].pk).title == "改过的标题"


def test_findings_seen_again_move_in_one_update_and_changed_ones_are_rewritten(
    site_a, staff, django_assert_num_queries
):
    """A later run seeing the same problems moves them to itself in one UPDATE; a finding whose
    reason changed is rewritten; a person's review stays either way."""
    period = Period.for_code("2026-11")
    first = InspectionRun.objects.create(monitoring_point=dt.date(2026, 11, 20), period=period)
    later = InspectionRun.objects.create(monitoring_point=dt.date(2026, 11, 27), period=period)
    rows = [_finding(site_a, period, key=f"k{n}", run=first) for n in range(5)]
    findings_insert(rows)
    Finding.objects.filter(pk=rows[0].pk).update(status=Finding.Status.CONFIRMED, reviewed_by=staff)
    stored = {f.pk: f for f in Finding.objects.filter(pk__in=[r.pk for r in rows])}

    def values(finding, **changes):
        out = {name: getattr(finding, name) for name in FINDING_FIELDS}
        return {**out, "run": later, "monitoring_point": later.monitoring_point, **changes}

    seen = [(f, values(f)) for f in stored.values()]
    with django_assert_num_queries(1) as ctx:
        findings_update(seen, timezone.now())
    assert "CASE" not in ctx.captured_queries[0]["sql"]  # not bulk_update's CASE per field and row
    assert set(Finding.objects.filter(run=later).values_list("pk", flat=True)) == set(stored)

    stored = {f.pk: f for f in Finding.objects.filter(pk__in=[r.pk for r in rows])}
    changed = stored[rows[0].pk]
    seen = [(f, values(f, reason="首页最新信息为 2026-09-30") if f is changed else values(f))
            for f in stored.values()]  # fmt: skip
    findings_update(seen, timezone.now())
    fresh = Finding.objects.get(pk=changed.pk)
    assert fresh.reason == "首页最新信息为 2026-09-30"
    assert fresh.status == Finding.Status.CONFIRMED and fresh.reviewed_by == staff
    others = Finding.objects.exclude(pk=changed.pk).filter(pk__in=stored)
    assert {f.reason for f in others} == {"首页最新信息为 2026-10-01"}


def test_a_run_reads_its_rules_and_words_once_and_the_next_run_sees_edits(
    db, django_assert_num_queries
):
    from audits.models import DictionaryEntry, active_rule_set
    from audits.services.runs import run_create, run_inputs

    first = run_create(trigger="command", monitoring_point=dt.date(2026, 11, 23))
    rules, matcher = run_inputs(first.pk, first.created_at)
    with django_assert_num_queries(0):  # every later site of the run in this process
        assert run_inputs(first.pk, first.created_at) == (rules, matcher)
    rule_set = active_rule_set()
    rule_set.pass_mark = rules.pass_mark + 5
    rule_set.save()
    DictionaryEntry.objects.create(kind="sensitive", word="测试敏感词")
    assert (
        run_inputs(first.pk, first.created_at)[0].pass_mark == rules.pass_mark
    )  # one run, one set
    second = run_create(trigger="command", monitoring_point=dt.date(2026, 11, 24))
    new_rules, new_matcher = run_inputs(second.pk, second.created_at)
    assert new_rules.pass_mark == rules.pass_mark + 5
    assert new_matcher is not matcher
