"""Observations -> findings -> verdicts in the database; people decide, the log remembers."""

import datetime as dt

import pytest
from django.utils import timezone

from audits.models import (
    Finding,
    InspectionRun,
    Observation,
    Period,
    RuleSet,
    RunSite,
    Verdict,
)
from audits.services.findings import findings_for_run
from audits.services.review import finding_review
from audits.services.runs import run_create
from audits.services.verdicts import verdict_decide, verdict_refresh
from core.models import AuditLogEntry
from units.models import Column

POINT = dt.date(2026, 11, 23)


@pytest.fixture
def run(site_a):
    return run_create(trigger="staff", monitoring_point=POINT, period="2026-11")


def observe(run, site, *, column=None, kind="column", outcome="dated", newest=None, **kw):
    return Observation.objects.create(
        run=run,
        website=site,
        column=column,
        kind=kind,
        url=kw.pop("url", column.url if column else site.home_url),
        outcome=outcome,
        observed_at=timezone.now(),
        newest_date=newest,
        item_count=kw.pop("item_count", 10),
        evidence=kw.pop("evidence", {}),
        **kw,
    )


def complete(run):
    """The run ends with its sites done: a period's counts come from its complete runs."""
    for website_id in run.observations.values_list("website_id", flat=True).distinct():
        RunSite.objects.get_or_create(run=run, website_id=website_id, defaults={"status": "done"})
    InspectionRun.objects.filter(pk=run.pk).update(status="done", finished_at=timezone.now())


def add_columns(site, n, category="other", prefix="c"):
    return [
        Column.objects.create(
            website=site,
            name=f"栏目{prefix}{i}",
            url=f"{site.home_url}{prefix}{i}/",
            category=category,
        )
        for i in range(n)
    ]


@pytest.mark.django_db
def test_a_run_turns_observations_into_pending_findings_once(run, site_a):
    observe(run, site_a, kind="home", outcome="ok", newest=POINT, evidence={"list_status": "dated"})
    news = site_a.columns.get()
    observe(run, site_a, column=news, newest=POINT - dt.timedelta(days=30))
    assert findings_for_run(run) == 1
    assert findings_for_run(run) == 1  # a second pass updates, never duplicates
    finding = Finding.objects.get()
    assert (finding.kind, finding.status, finding.indicator) == (
        "column_overdue",
        "pending",
        "W-V4a",
    )
    assert finding.title == "“工作动态”栏目超过2周未更新"
    assert finding.column == news


@pytest.mark.django_db
def test_a_finding_no_longer_seen_goes_away_unless_reviewed(run, site_a, staff):
    news = site_a.columns.get()
    obs = observe(run, site_a, column=news, newest=POINT - dt.timedelta(days=30))
    findings_for_run(run)
    obs.newest_date = POINT
    obs.save()
    findings_for_run(run)
    assert not Finding.objects.exists()

    obs.newest_date = POINT - dt.timedelta(days=30)
    obs.save()
    findings_for_run(run)
    finding_review(Finding.objects.get(), user=staff, status="confirmed", note="")
    obs.newest_date = POINT
    obs.save()
    findings_for_run(run)
    assert Finding.objects.get().status == "confirmed"


@pytest.mark.django_db
def test_only_confirmed_findings_count_in_the_verdict(run, site_a, staff):
    columns = add_columns(site_a, 10)
    for c in columns:
        observe(run, site_a, column=c, newest=POINT - dt.timedelta(days=400))
    findings_for_run(run)
    complete(run)
    verdict = verdict_refresh(site_a, Period.for_code("2026-11"), POINT)
    assert verdict.proposed_result == "clean"
    assert verdict.pending_count == 10
    for f in Finding.objects.all():
        finding_review(f, user=staff, status="confirmed", note="")
    verdict.refresh_from_db()
    assert verdict.proposed_result == "veto"
    assert "10个应更未更" in verdict.reasons
    assert verdict.rule_set.code == "county-2019-local"
    assert len(verdict.finding_ids) == 10
    assert AuditLogEntry.objects.filter(action="finding_confirmed").count() == 10


@pytest.mark.django_db
def test_recomputing_a_verdict_gives_the_same(run, site_a, staff):
    for c in add_columns(site_a, 4, category="other"):
        observe(run, site_a, column=c, outcome="empty", item_count=0)
    findings_for_run(run)
    complete(run)
    for f in Finding.objects.all():
        finding_review(f, user=staff, status="confirmed", note="")
    first = Verdict.objects.get()
    again = verdict_refresh(site_a, Period.for_code("2026-11"), POINT, rule_set=first.rule_set)
    assert (again.proposed_result, again.proposed_score, again.reasons, again.finding_ids) == (
        first.proposed_result,
        first.proposed_score,
        first.reasons,
        first.finding_ids,
    )
    assert again.proposed_result == "pass" and "4个空栏目" in again.reasons


@pytest.mark.django_db
def test_dismissing_needs_a_reason_and_is_logged(run, site_a, staff):
    observe(run, site_a, column=site_a.columns.get(), newest=POINT - dt.timedelta(days=30))
    findings_for_run(run)
    finding = Finding.objects.get()
    with pytest.raises(ValueError):
        finding_review(finding, user=staff, status="dismissed", note=" ")
    finding_review(finding, user=staff, status="dismissed", note="栏目已于监测前更新，截图为证")
    entry = AuditLogEntry.objects.get(action="finding_dismissed")
    assert entry.actor == staff and entry.detail["note"].startswith("栏目已于")


@pytest.mark.django_db
def test_an_override_needs_a_written_reason_and_is_logged(run, site_a, lead):
    verdict = verdict_refresh(site_a, Period.for_code("2026-11"), POINT)
    with pytest.raises(ValueError):
        verdict_decide(verdict, user=lead, result="fail", reason="")
    verdict_decide(verdict, user=lead, result="fail", reason="网站内容与实际工作严重脱节")
    verdict.refresh_from_db()
    assert (verdict.final, verdict.proposed_result) == ("fail", "clean")
    entry = AuditLogEntry.objects.get(action="verdict_override")
    assert entry.detail["reason"] == "网站内容与实际工作严重脱节"
    # A later recomputation moves the proposal but keeps the person's decision.
    verdict_refresh(site_a, Period.for_code("2026-11"), POINT)
    verdict.refresh_from_db()
    assert verdict.result == "fail"


@pytest.mark.django_db
def test_last_periods_unfixed_problem_fails_the_unit(site_a, staff):
    stale = site_a.columns.get()
    for period, point in (("2026-10", dt.date(2026, 10, 23)), ("2026-11", POINT)):
        run = run_create(trigger="staff", monitoring_point=point, period=period)
        observe(run, site_a, column=stale, newest=dt.date(2026, 9, 1))
        findings_for_run(run)
        complete(run)
        for f in Finding.objects.filter(period__code=period):
            finding_review(f, user=staff, status="confirmed", note="")
    verdict = Verdict.objects.get(period__code="2026-11")
    assert verdict.proposed_result == "fail"
    assert "上月问题未整改" in verdict.reasons
    national = RuleSet.objects.get(code="national-2019")
    assert (
        verdict_refresh(
            site_a, Period.for_code("2026-11"), POINT, rule_set=national
        ).proposed_result
        == "pass"
    )


@pytest.mark.django_db
def test_probes_decide_availability(site_a, staff):
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(POINT - dt.timedelta(days=7), dt.time.min, tzinfo=tz)
    for i in range(7 * 24):
        at = start + dt.timedelta(hours=i)
        Observation.objects.create(
            website=site_a,
            kind="probe",
            url=site_a.home_url,
            slot=at,
            observed_at=at,
            outcome="ok" if i % 10 else "error",
        )
    run = run_create(trigger="staff", monitoring_point=POINT, period="2026-11")
    observe(run, site_a, kind="home", outcome="ok", newest=POINT, evidence={"list_status": "dated"})
    findings_for_run(run)
    finding = Finding.objects.get(kind="unavailable")
    assert finding.severity == "veto"
    assert finding.evidence["probes"] == 168 and finding.evidence["failed"] == 17


@pytest.mark.django_db
def test_runs_keep_their_monitoring_point(site_a):
    run = run_create(trigger="staff", monitoring_point=POINT)
    assert (run.period.code, run.status, run.scope) == (
        "2026-11",
        InspectionRun.Status.QUEUED,
        "all",
    )
