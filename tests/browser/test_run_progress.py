"""The run page's progress bar follows the database without reloading the page."""

import datetime as dt

import pytest
from playwright.sync_api import Page, expect

from audits.models import InspectionRun
from audits.services.runs import run_create

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

POINT = dt.date(2026, 11, 23)


def set_progress(run: InspectionRun, **fields) -> None:
    InspectionRun.objects.filter(pk=run.pk).update(**fields)


def wait_for_progress(page: Page, done: int, width: str) -> None:
    """Until the page's poll has shown `done` pages and a bar `width` wide, on the same
    document (window.__marker is gone if the page was reloaded)."""
    page.wait_for_function(
        """([done, width]) => window.__marker === 1
            && document.getElementById("pages-done").textContent === done
            && document.getElementById("progress-bar").style.width === width""",
        arg=[str(done), width],
    )


def test_the_progress_bar_advances_without_a_reload(page, live_server, login, staff, site_a):
    run = run_create(trigger=InspectionRun.Trigger.STAFF, monitoring_point=POINT, user=staff)
    set_progress(run, status=InspectionRun.Status.RUNNING, sites_total=4, pages_total=100)

    login(page, staff)
    page.goto(f"{live_server.url}/runs/{run.pk}/")
    expect(page.locator("h1")).to_have_text(f"监测任务 #{run.pk}")
    expect(page.locator("#run-status")).to_have_text("进行中")
    expect(page.locator("#pages-done")).to_have_text("0")
    expect(page.locator("#pages-total")).to_have_text("100")
    assert page.evaluate("document.getElementById('progress-bar').style.width") == "0%"
    origin = page.evaluate("performance.timeOrigin")
    page.evaluate("window.__marker = 1")

    set_progress(run, pages_done=40, sites_done=1)
    wait_for_progress(page, 40, "40%")
    expect(page.locator("#sites-done")).to_have_text("1")

    set_progress(run, pages_done=80, sites_done=3, errors=1)
    wait_for_progress(page, 80, "80%")
    expect(page.locator("#sites-done")).to_have_text("3")
    expect(page.locator("#run-errors")).to_have_text("1")
    # The drawn bar, once its CSS transition has run, covers 80 % of the track.
    page.wait_for_function(
        """() => {
            const bar = document.getElementById("progress-bar").getBoundingClientRect();
            const track = document.querySelector(".progress").getBoundingClientRect();
            return Math.abs(bar.width / track.width - 0.8) < 0.01;
        }"""
    )

    assert page.evaluate("window.__marker") == 1
    assert page.evaluate("performance.timeOrigin") == origin

    # When the run finishes, the page reloads itself once to show the results.
    set_progress(run, status=InspectionRun.Status.DONE, pages_done=100, sites_done=4)
    expect(page.locator("#run-status")).to_have_text("已完成")
    expect(page.get_by_role("link", name="查看本周期检查结果")).to_be_visible()
    expect(page.locator("#pages-done")).to_have_text("100")
    assert page.evaluate("document.getElementById('progress-bar').style.width") == "100%"
    expect(page.get_by_role("button", name="取消任务")).to_have_count(0)
