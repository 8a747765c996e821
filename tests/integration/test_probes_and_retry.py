"""Availability probes over real HTTP, and re-running only the sites that failed."""

import datetime as dt

import pytest

from audits import probes
from audits.models import InspectionRun, Observation, RunSite
from audits.services.runs import (
    inspect_run_site,
    inspect_run_site_failed,
    run_create,
    run_plan,
    run_retry_failed,
)
from dashboard.demo import demo_load
from tests.integration.conftest import POINT
from units.models import Website


@pytest.fixture
def registry(small_farm, crawl_allowed, db):
    farm, server = small_farm
    demo_load(farm, server.port)
    return farm, server


def test_a_probe_counts_once_per_slot(registry):
    site = Website.objects.first()
    slot = probes.probe_slot(dt.datetime(2026, 11, 23, 9, 47, tzinfo=dt.UTC))
    assert slot == dt.datetime(2026, 11, 23, 9, 30, tzinfo=dt.UTC)
    assert probes.probe_website(site.pk, slot) is True
    assert probes.probe_website(site.pk, slot) is False  # delivered twice
    probe = Observation.objects.get(kind="probe", website=site)
    assert probe.outcome == "ok" and probe.http_status == 200 and probe.elapsed_ms < 15_000


def test_probes_are_spread_inside_the_slot():
    offsets = {probes.probe_offset(website_id) for website_id in range(1, 201)}
    assert len(offsets) > 150
    assert all(0 <= o < probes.PROBE_INTERVAL.total_seconds() for o in offsets)
    # 48 slots a day: more than the 20 probes a day the rule asks for.
    assert dt.timedelta(days=1) / probes.PROBE_INTERVAL >= 20


def test_a_refused_address_is_not_counted_as_downtime(db, unit_a):
    site = Website.objects.create(unit=unit_a, name="内网", home_url="http://127.0.0.1:9/")
    assert probes.probe_website(site.pk, probes.probe_slot(dt.datetime.now(dt.UTC))) is False
    assert not Observation.objects.filter(kind="probe").exists()


def test_only_the_failed_sites_are_run_again(
    registry, settings, django_capture_on_commit_callbacks
):
    from config.celery import app

    run = run_create(trigger="staff", monitoring_point=POINT)
    first, *others = run_plan(run.pk)
    for website_id in others:
        inspect_run_site(run.pk, website_id)
    inspect_run_site_failed(run.pk, first, "ConnectionError('模拟的失败')")
    run.refresh_from_db()
    assert run.status == "done" and run.errors == 1
    done_before = Observation.objects.filter(run=run).exclude(website_id=first).count()

    app.conf.task_always_eager = True  # the queued tasks run here, in this process
    try:
        with django_capture_on_commit_callbacks(execute=True):
            assert run_retry_failed(run.pk) == 1
    finally:
        app.conf.task_always_eager = False
    run.refresh_from_db()
    assert run.status == InspectionRun.Status.DONE
    assert not RunSite.objects.filter(run=run).exclude(status="done").exists()
    assert Observation.objects.filter(run=run, website_id=first).exists()
    # The others were not inspected again.
    assert Observation.objects.filter(run=run).exclude(website_id=first).count() == done_before
    assert "重新检查失败的 1 个网站" in run.log
