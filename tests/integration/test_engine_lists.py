"""Year-less and pinned lists over real HTTP: the run confirms dates from the entries' own pages,
keeps what those pages said as evidence, and says needs_manual when they cannot confirm."""

import pytest

from audits.crawl.config import CrawlConfig
from audits.crawl.fetch import Fetcher
from audits.inspection import read_column, reading_evidence
from audits.models import Observation
from audits.services.runs import inspect_run_site, run_create, run_plan
from dashboard.demo import demo_load
from sitefarm.generate import generate_county
from sitefarm.server import FarmServer
from tests.conftest import FARM_HOSTS
from tests.integration.conftest import POINT

STYLES = ["yearless_old", "pinned", "yearless_pinned", "yearless", "ul_date"]


@pytest.fixture(scope="module")
def lists_farm():
    farm = generate_county(
        seed=5, n_sites=6, columns_per_site=10, today=POINT, faults=False, styles=STYLES
    )
    with FarmServer(farm, port=0, latency_ms=0) as server:
        yield farm, server


def _truth(farm) -> dict:
    return {
        (site["key"], column["key"]): column
        for site in farm.list_truth()["sites"]
        for column in site["columns"]
    }


def test_every_new_layout_is_exact_or_needs_manual_never_wrong(lists_farm):
    farm, server = lists_farm
    truth = _truth(farm)
    config = CrawlConfig(allow_hosts=frozenset(FARM_HOSTS), per_host_rate=0)
    seen = {"exact": 0, "manual": 0}
    with Fetcher(config) as fetcher:
        for site in farm.sites:
            for column in site.columns:
                t = truth.get((site.key, column.key))
                if t is None:
                    continue
                reading = read_column(fetcher, server.column_url(site, column), POINT)
                expected = column.truth_newest
                if t["confirmable"]:
                    assert reading.outcome == "dated", (t, reading.reason)
                    assert reading.result.newest == expected, (t, reading.reason)
                    seen["exact"] += 1
                else:
                    # An item that decides has no dated page: never a guess reported as dated
                    # (unless the pinned one is the undated page and is rightly left out).
                    if reading.outcome == "dated":
                        assert reading.result.newest == expected, (t, reading.reason)
                        assert t["pinned_path"] in t["undated_paths"]
                    else:
                        assert reading.outcome == "needs_manual" and reading.result.newest is None
                        seen["manual"] += 1
                if t["style"] != "pinned":
                    evidence = reading_evidence(reading)
                    assert evidence["confirmed_by"], t
                    first = evidence["confirmed_by"][0]
                    assert first["role"] == "decider" and first["listed_has_year"] is False
                    assert first["said"] and first["http_status"] == 200
    assert seen["exact"] and seen["manual"]


def test_a_year_less_column_a_year_old_is_stored_with_its_confirming_page(
    lists_farm, crawl_allowed, db
):
    farm, server = lists_farm
    demo_load(farm, server.port)
    truth = _truth(farm)
    run = run_create(trigger="staff", monitoring_point=POINT)
    for website_id in run_plan(run.pk):
        inspect_run_site(run.pk, website_id)
    checked = 0
    for site in farm.sites:
        for column in site.columns:
            t = truth.get((site.key, column.key))
            if not t or t["style"] != "yearless_old" or not t["confirmable"]:
                continue
            obs = Observation.objects.get(
                run=run, kind="column", url=server.column_url(site, column)
            )
            assert obs.outcome == "dated" and obs.newest_date == column.truth_newest
            assert obs.newest_date.year == POINT.year - 1  # the naive reading said this year
            pages = obs.evidence["confirmed_by"]
            assert pages[0]["page_date"] == column.truth_newest.isoformat()
            assert pages[0]["url"].endswith(t["newest_path"])
            assert column.truth_newest.isoformat() in obs.reason
            checked += 1
    assert checked
