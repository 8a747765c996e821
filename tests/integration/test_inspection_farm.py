"""A whole inspection over real HTTP against the site farm, in this process."""

import pytest

from audits.models import Finding, InspectionRun, Observation, RunSite, Verdict
from audits.services.runs import inspect_run_site, run_create, run_finish_if_complete, run_plan
from dashboard.demo import demo_load
from tests.integration.conftest import POINT
from units.models import Column, Website


@pytest.fixture
def registry(small_farm, crawl_allowed, db):
    # The farm's truth calls JS-only columns undeterminable from their HTML: read without a
    # browser here (rendering them is tested in test_engine_render.py).
    crawl_allowed.GOVWATCH_RENDER_JS = False
    farm, server = small_farm
    demo_load(farm, server.port)
    return farm, server


def truth_by_url(farm, server) -> dict:
    return {
        server.column_url(site, column): column for site in farm.sites for column in site.columns
    }


def test_it_reads_every_column_and_matches_the_ground_truth(registry):
    farm, server = registry
    run = run_create(trigger="staff", monitoring_point=POINT)
    for website_id in run_plan(run.pk):
        inspect_run_site(run.pk, website_id)
    run.refresh_from_db()
    assert run.status == InspectionRun.Status.DONE
    assert (
        run.pages_done
        == run.pages_total
        == Website.objects.count() + Column.objects.filter(is_exempt=False).count()
    )

    truth = truth_by_url(farm, server)
    observed = Observation.objects.filter(run=run, kind="column")
    wrong = []
    for obs in observed:
        column = truth[obs.url]
        if column.truth_status == "dated":
            if obs.newest_date != column.truth_newest:
                wrong.append((obs.url, column.style, obs.newest_date, column.truth_newest))
        elif column.truth_status == "empty":
            assert obs.outcome == "empty", obs.url
        else:  # undeterminable: never a date
            assert obs.newest_date is None and obs.outcome == "needs_manual", obs.url
    assert not wrong, wrong
    assert (
        Verdict.objects.filter(period=run.period, website__isnull=False).count()
        == Website.objects.count()
    )
    assert Finding.objects.filter(run=run).exists()


def test_a_task_delivered_twice_does_not_duplicate_anything(registry):
    run = run_create(trigger="staff", monitoring_point=POINT)
    first = run_plan(run.pk)[0]
    inspect_run_site(run.pk, first)
    counts = (
        Observation.objects.filter(run=run).count(),
        run.__class__.objects.get(pk=run.pk).pages_done,
    )
    # Redelivered after it finished: claimed by nobody, nothing changes.
    inspect_run_site(run.pk, first)
    # Redelivered while "running" (its worker died): done again, upserted, not added.
    RunSite.objects.filter(run=run, website_id=first).update(status="running")
    inspect_run_site(run.pk, first)
    run.refresh_from_db()
    assert (Observation.objects.filter(run=run).count(), run.pages_done) == counts


def test_a_cancelled_run_stops_taking_work(registry):
    run = run_create(trigger="staff", monitoring_point=POINT)
    ids = run_plan(run.pk)
    from audits.services.runs import run_cancel

    assert run_cancel(run.pk)
    inspect_run_site(run.pk, ids[0])
    assert not Observation.objects.filter(run=run).exists()
    assert not run_finish_if_complete(run.pk)


def test_a_redelivered_last_task_finishes_a_run_whose_finish_was_lost(registry):
    from audits.services.runs import runs_unfinished

    run = run_create(trigger="staff", monitoring_point=POINT)
    ids = run_plan(run.pk)
    for website_id in ids:
        inspect_run_site(run.pk, website_id)
    # The worker died between marking the last site done and finishing the run.
    InspectionRun.objects.filter(pk=run.pk).update(status="running", finished_at=None)
    import datetime as dt

    assert runs_unfinished(dt.timedelta(0)) == [run.pk]
    inspect_run_site(run.pk, ids[-1])  # the redelivery
    run.refresh_from_db()
    assert run.status == "done" and runs_unfinished(dt.timedelta(0)) == []
    # Findings were made per site, before each site was marked done.
    assert set(
        Finding.objects.filter(run=run, account__isnull=True).values_list("website_id", flat=True)
    ) <= set(ids)
