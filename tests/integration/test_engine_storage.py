"""The run path writes a site's observations in bulk, honours Retry-After without calling the
site down, and notes per-host waits in the run log."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

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
    # As VALUES rows: UNNEST would make psycopg quote every JSON element in Python (issue 12).
    assert not any("UNNEST" in q["sql"] for q in inserts)
    run.refresh_from_db()
    assert run.pages_done == 1 + columns
    assert Observation.objects.filter(run=run, kind="column").count() == columns


def test_evidence_written_in_bulk_comes_back_as_it_went_in(db):
    """JSON with quotes, backslashes, newlines and Chinese, several rows in one VALUES insert."""
    run = run_create(trigger="staff", monitoring_point=POINT)
    unit = Unit.objects.create(name="县转义局", kind=Unit.Kind.DEPARTMENT)
    site = Website.objects.create(unit=unit, name="转义网", home_url="http://127.0.1.8/")
    tricky = [
        {"reason": '标题含"引号"与\\反斜杠', "lines": "一\n二\t三", "nested": [{"a": None}]},
        {"empty": "", "quote": "'", "brace": "{}", "array": "{1,2}", "unicode": "\u3000\ufeff"},
        {},
    ]
    Observation.objects.bulk_create(
        Observation(
            run=run,
            website=site,
            kind="article",
            url=f"http://127.0.1.8/{n}",
            evidence=e,
            outcome="ok",
            observed_at=timezone.now(),
        )  # fmt: skip
        for n, e in enumerate(tricky)
    )
    stored = Observation.objects.filter(run=run).order_by("url").values_list("evidence", flat=True)
    assert list(stored) == tricky


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
