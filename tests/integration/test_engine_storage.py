"""The run path writes a site's observations in bulk, honours Retry-After without calling the
site down, and notes per-host waits in the run log."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audits.models import InspectionRun, Observation
from audits.services.runs import inspect_run_site, run_create, run_plan
from dashboard.demo import demo_load
from tests.crawl.servers import start_server
from tests.integration.conftest import POINT
from units.models import Column, Unit, Website


@pytest.fixture
def registry(small_farm, crawl_allowed, db):
    crawl_allowed.GOVWATCH_RENDER_JS = False
    farm, server = small_farm
    demo_load(farm, server.port)
    return farm, server


def test_a_site_is_written_in_two_inserts_not_one_per_page(registry):
    run = run_create(trigger="staff", monitoring_point=POINT)
    website_id = run_plan(run.pk)[0]
    columns = Column.objects.filter(website_id=website_id, is_exempt=False).count()
    with CaptureQueriesContext(connection) as queries:
        inspect_run_site(run.pk, website_id)
    inserts = [q for q in queries if q["sql"].startswith('INSERT INTO "audits_observation"')]
    assert len(inserts) <= 2
    run.refresh_from_db()
    assert run.pages_done == 1 + columns
    assert Observation.objects.filter(run=run, kind="column").count() == columns


def test_a_throttled_home_page_is_waited_for_not_reported_down(crawl_allowed, db):
    server = start_server("127.0.1.9")
    try:
        unit = Unit.objects.create(name="县限流局", kind=Unit.Kind.DEPARTMENT)
        site = Website.objects.create(
            unit=unit, name="限流局网站", home_url=server.url("/retry-after?n=1&after=1")
        )
        run = run_create(trigger="staff", monitoring_point=POINT, website=site)
        inspect_run_site(run.pk, run_plan(run.pk)[0])
        home = Observation.objects.get(run=run, kind="home")
        assert home.outcome == "ok" and home.http_status == 200
        assert server.count("/retry-after") == 2
        run = InspectionRun.objects.get(pk=run.pk)
        assert "Retry-After" in run.log and "127.0.1.9" in run.log
        assert run.errors == 0
    finally:
        server.shutdown()
        server.server_close()
