"""The run path writes a site's observations in bulk, honours Retry-After without calling the
site down, and notes per-host waits in the run log."""

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from audits.facts import site_facts
from audits.models import InspectionRun, Observation, RunSite, active_rule_set, rules_for
from audits.services import observations, runs
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


def test_a_site_is_written_in_two_inserts_not_one_per_page(registry, monkeypatch):
    run = run_create(trigger="staff", monitoring_point=POINT)
    website_id = run_plan(run.pk)[0]
    columns = Column.objects.filter(website_id=website_id, is_exempt=False).count()
    inserts = []
    real_insert = observations.observations_insert
    monkeypatch.setattr(
        observations,
        "observations_insert",
        lambda rows: [inserts.append(len(rows)), real_insert(rows)],
    )
    with CaptureQueriesContext(connection) as queries:
        inspect_run_site(run.pk, website_id)
    assert 1 <= len(inserts) <= 2 and inserts[0] == 1 + columns
    if connection.vendor == "postgresql":
        # Through COPY, not an INSERT whose every value Django and psycopg handle in Python.
        assert not [q for q in queries if q["sql"].startswith('INSERT INTO "audits_observation"')]
    run.refresh_from_db()
    assert run.pages_done == 1 + columns
    assert Observation.objects.filter(run=run, kind="column").count() == columns
    assert Observation.objects.filter(run=run).count() == sum(inserts)


def _observations(run, site, evidences):
    return [
        Observation(
            run=run,
            website=site,
            kind="article",
            url=f"http://127.0.1.8/{n}",
            evidence=e,
            outcome="ok",
            observed_at=timezone.now(),
        )  # fmt: skip
        for n, e in enumerate(evidences)
    ]


def test_evidence_written_in_bulk_comes_back_as_it_went_in(db):
    """JSON with quotes, backslashes, tabs, newlines and Chinese, several rows in one COPY."""
    run = run_create(trigger="staff", monitoring_point=POINT)
    unit = Unit.objects.create(name="县转义局", kind=Unit.Kind.DEPARTMENT)
    site = Website.objects.create(unit=unit, name="转义网", home_url="http://127.0.1.8/")
    tricky = [
        {"reason": '标题含"引号"与\\反斜杠', "lines": "一\n二\t三\r", "nested": [{"a": None}]},
        {"empty": "", "quote": "'", "brace": "{}", "array": "{1,2}", "unicode": "\u3000\ufeff"},
        {"copy": "\\N", "tab\tkey": 1.5, "sql": "'); DROP TABLE x; --"},
        {},
    ]
    rows = _observations(run, site, tricky)
    rows[0].reason = "原因\t含制表符\n与换行\\N"
    rows[1].newest_date, rows[1].http_status, rows[1].confidence = POINT, 200, 0.25
    observations.observations_insert(rows)
    stored = list(Observation.objects.filter(run=run).order_by("url"))
    assert [o.evidence for o in stored] == tricky
    assert stored[0].reason == rows[0].reason and stored[0].newest_date is None
    assert (stored[1].newest_date, stored[1].http_status, stored[1].confidence) == (
        POINT,
        200,
        0.25,
    )
    assert stored[1].observed_at == rows[1].observed_at


def test_an_observation_written_twice_is_an_integrity_error_the_upsert_retries(db):
    """The unique (run, website, kind, url) holds through COPY, raised as Django's IntegrityError, and the
    upsert then finds the row and updates it instead (a second delivery of the site)."""
    run = run_create(trigger="staff", monitoring_point=POINT)
    unit = Unit.objects.create(name="县重复局", kind=Unit.Kind.DEPARTMENT)
    site = Website.objects.create(unit=unit, name="重复网", home_url="http://127.0.1.8/")
    observations.observations_insert(_observations(run, site, [{"first": 1}]))
    with pytest.raises(IntegrityError), transaction.atomic():
        observations.observations_insert(_observations(run, site, [{"again": 2}]))
    assert observations.observations_upsert(run, _observations(run, site, [{"again": 3}])) == 1
    assert Observation.objects.get(run=run).evidence == {"again": 3}


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


def test_a_sites_findings_read_the_observations_it_wrote_and_see_what_the_database_holds(
    registry, monkeypatch
):
    """The run path hands a site's findings the rows it has just written instead of reading them
    back: the facts are the same either way. A second delivery of the site (rows of the first
    one already stored) reads them from the database."""
    handed = []
    real = runs.findings_for_website

    def spy(run, website, rules, observations=None):
        handed.append((website, observations))
        return real(run, website, rules, observations)

    monkeypatch.setattr(runs, "findings_for_website", spy)
    run = run_create(trigger="staff", monitoring_point=POINT, check_links=True)
    for website_id in run_plan(run.pk):
        inspect_run_site(run.pk, website_id)
    rules = rules_for(active_rule_set())
    run.refresh_from_db()
    kinds = set()
    for website, held in handed:
        assert held is not None
        kinds |= {o.kind for o in held}
        assert len(held) == Observation.objects.filter(run=run, website=website).count()
        assert site_facts(run, website, rules, held) == site_facts(run, website, rules)
    assert {"home", "column", "article", "link"} <= kinds

    website = handed[0][0]
    RunSite.objects.filter(run=run, website=website).update(status=RunSite.Status.PENDING)
    InspectionRun.objects.filter(pk=run.pk).update(status=InspectionRun.Status.RUNNING)
    handed.clear()
    inspect_run_site(run.pk, website.pk)
    assert handed == [(website, None)]


def test_a_site_done_leaves_no_slot_of_its_host_held(registry):
    """The limiter keeps a finished request's slot for the next request (its linger); a site's
    task gives its last ones back when it is done, so that a worker process that ends without
    atexit (Celery's prefork child) does not block the host until the lease expires."""
    import os
    import uuid

    import redis

    from audits.crawl.config import CrawlConfig
    from audits.crawl.fetch import Fetcher
    from audits.crawl.politeness import RedisLimiter, host_key

    url, prefix = os.environ["REDIS_URL"], f"govwatch-test:{uuid.uuid4().hex}"
    limiter = RedisLimiter(url, concurrency=2, linger_seconds=300, prefix=prefix)
    run = run_create(trigger="staff", monitoring_point=POINT)
    website_id = run_plan(run.pk)[0]
    host = host_key(Website.objects.get(pk=website_id).home_url)
    client = redis.Redis.from_url(url)
    try:
        fetcher = Fetcher(CrawlConfig.from_settings(), limiter)
        inspect_run_site(run.pk, website_id, fetcher)
        assert fetcher.host_waits(host).requests > 2  # its requests went through this limiter
        assert client.zcard(f"{prefix}:sem:{host}") == 0
    finally:
        for key in client.scan_iter(f"{prefix}:*"):
            client.delete(key)
