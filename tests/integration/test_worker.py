"""A real Celery worker process, a real Redis broker, the site farm over HTTP."""

import pytest
from django.db import transaction

from audits.models import InspectionRun, Observation, RunSite
from audits.services.runs import run_create
from audits.tasks import start_run
from dashboard.demo import demo_load
from sitefarm.generate import generate_county
from sitefarm.server import FarmServer
from tests.integration.conftest import POINT, wait_for
from units.models import Column, Website

# Transactional (the worker is another process) but not serialized: after the browser tests,
# whose flush runs post_migrate again, restoring a serialized copy would duplicate the roles.
pytestmark = [pytest.mark.celery, pytest.mark.django_db(transaction=True)]


def _start(**kw) -> InspectionRun:
    with transaction.atomic():
        run = run_create(trigger="staff", monitoring_point=POINT, **kw)
        start_run(run)
    return run


def _status(run) -> str:
    run.refresh_from_db()
    return run.status


def test_a_worker_runs_an_inspection_end_to_end(small_farm, crawl_allowed, start_worker):
    farm, server = small_farm
    demo_load(farm, server.port)
    start_worker()
    run = _start()
    wait_for(lambda: _status(run) == "done", 120, what="the run to finish")
    assert run.sites_done == run.sites_total == Website.objects.count()
    assert run.pages_done == run.pages_total
    assert (
        Observation.objects.filter(run=run, kind="column").count()
        == Column.objects.filter(is_exempt=False).count()
    )
    assert "完成" in run.log


def test_a_worker_killed_mid_run_leaves_nothing_half_written(crawl_allowed, start_worker):
    # Slow pages, so that the worker is surely in the middle of a site when it dies.
    farm = generate_county(seed=11, n_sites=6, columns_per_site=10, today=POINT, faults=False)
    with FarmServer(farm, port=0, latency_ms=150) as server:
        demo_load(farm, server.port)
        first = start_worker(GOVWATCH_VISIBILITY_TIMEOUT="3")
        run = _start()
        wait_for(
            lambda: Observation.objects.filter(run=run).count() >= 5,
            60,
            interval=0.05,
            what="the first observations",
        )
        first.kill()
        run.refresh_from_db()
        assert run.status == "running"
        interrupted = RunSite.objects.filter(run=run, status="running").count()
        assert interrupted == 1

        # The unacknowledged task comes back (Redis visibility timeout) to a new worker.
        start_worker(GOVWATCH_VISIBILITY_TIMEOUT="3")
        wait_for(lambda: _status(run) == "done", 180, what="the run to complete after the kill")

    columns = Column.objects.filter(is_exempt=False).count()
    assert Observation.objects.filter(run=run, kind="column").count() == columns
    assert Observation.objects.filter(run=run, kind="home").count() == Website.objects.count()
    assert run.pages_done == run.pages_total == columns + Website.objects.count()
    assert not RunSite.objects.filter(run=run).exclude(status="done").exists()
