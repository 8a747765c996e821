"""JavaScript-only columns through the run path: rendered in real Chromium, in this process and in
a real Celery prefork worker, and dated exactly; with rendering off they stay needs_manual."""

import os

import pytest
from django.db import transaction

from audits.models import Observation
from audits.services.runs import inspect_run_site, run_create, run_plan
from audits.tasks import start_run
from dashboard.demo import demo_load
from tests.integration.conftest import POINT, wait_for

pytestmark = pytest.mark.skipif(
    not os.path.exists("/usr/bin/chromium"), reason="needs Debian's Chromium"
)


def _js_columns(farm, server) -> dict:
    return {
        server.column_url(site, column): max(i.date for i in column.items)
        for site in farm.sites
        for column in site.columns
        if column.style == "js_only" and column.items
    }


def _run_here(farm, server):
    demo_load(farm, server.port)
    run = run_create(trigger="staff", monitoring_point=POINT)
    for website_id in run_plan(run.pk):
        inspect_run_site(run.pk, website_id)
    return run


def test_js_only_columns_are_rendered_and_dated_exactly(small_farm, crawl_allowed, db):
    farm, server = small_farm
    crawl_allowed.GOVWATCH_RENDER_JS = True
    expected = _js_columns(farm, server)
    assert expected, "the small farm has a JS-only column"
    run = _run_here(farm, server)
    for url, newest in expected.items():
        obs = Observation.objects.get(run=run, kind="column", url=url)
        assert (obs.outcome, obs.newest_date) == ("dated", newest), obs.reason
        assert obs.evidence["rendered"]["ok"] is True
        assert "浏览器渲染" in obs.reason


def test_with_rendering_off_they_need_manual(small_farm, crawl_allowed, db):
    farm, server = small_farm
    crawl_allowed.GOVWATCH_RENDER_JS = False
    run = _run_here(farm, server)
    for url in _js_columns(farm, server):
        obs = Observation.objects.get(run=run, kind="column", url=url)
        assert obs.outcome == "needs_manual" and obs.newest_date is None
        assert "rendered" not in obs.evidence


@pytest.mark.celery
@pytest.mark.django_db(transaction=True)
def test_a_prefork_worker_renders_them_too(small_farm, crawl_allowed, start_worker):
    farm, server = small_farm
    demo_load(farm, server.port)
    start_worker(GOVWATCH_RENDER_JS="true")
    with transaction.atomic():
        run = run_create(trigger="staff", monitoring_point=POINT)
        start_run(run)

    def done():
        run.refresh_from_db()
        return run.status == "done"

    wait_for(done, 180, what="the run to finish")
    for url, newest in _js_columns(farm, server).items():
        obs = Observation.objects.get(run=run, kind="column", url=url)
        assert (obs.outcome, obs.newest_date) == ("dated", newest), obs.reason
