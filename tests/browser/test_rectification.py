"""Rectification in a real browser: the operator reports with a screenshot as evidence, staff
download it and close the finding (销号), the operator sees it closed; another unit's operator
cannot open the evidence."""

import contextlib
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from audits.models import Evidence
from tests.portal.test_rectification import confirmed_finding, png

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

NOTE = "已于11月25日更新该栏目3条信息"
TIMEOUT_MS = 10_000  # as the other browser tests


@pytest.fixture(autouse=True)
def _platform_rows(transactional_db):
    """The roles and rule sets migrations install. When a transactional test (an integration
    test) ran earlier in the session, the first browser test finds them flushed: Playwright's
    running event loop gives Django another connection object, one without the serialized
    contents that serialized_rollback restores. Installing them again is idempotent."""
    from audits.defaults import defaults_install

    defaults_install()


@contextlib.contextmanager
def another_browser(browser, login, user):
    """A second person at another browser (own cookies), logged in."""
    context = browser.new_context(
        locale="zh-CN", timezone_id="Asia/Shanghai", accept_downloads=True
    )
    context.set_default_timeout(TIMEOUT_MS)
    try:
        page = context.new_page()
        login(page, user)
        yield page
    finally:
        context.close()


def test_operator_reports_evidence_and_staff_close_the_finding(
    page: Page,
    browser,
    live_server,
    login,
    settings,
    tmp_path,
    site_a,
    site_b,
    staff,
    operator_a,
    operator_b,
):
    settings.GOVWATCH_PRIVATE_ROOT = tmp_path / "private"
    finding = confirmed_finding(site_a, staff)
    deadline = f"{finding.deadline:%Y-%m-%d}"
    shot = png(size=(160, 90), color=(30, 120, 200))

    # The operator finds the problem among those to fix, with its deadline.
    login(page, operator_a)
    page.goto(f"{live_server.url}/portal/")
    expect(page.get_by_role("heading", name="需要整改的问题（1）")).to_be_visible()
    row = page.locator("#to-fix tbody tr", has_text=finding.title)
    expect(row).to_contain_text(deadline)
    expect(row).to_contain_text("待整改")
    row.get_by_role("link", name=finding.title).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(finding.title)
    expect(page.locator("main")).to_contain_text(f"整改时限 {deadline}")

    page.get_by_label("整改情况").fill(NOTE)
    page.set_input_files(
        "input[name=files]",
        files=[{"name": "更新截图.png", "mimeType": "image/png", "buffer": shot}],
    )
    page.get_by_role("button", name="报送").click()
    page.wait_for_load_state()
    page.screenshot(path=str(tmp_path / "operator-finding-submitted.png"), full_page=True)
    expect(page.locator(".message.success")).to_contain_text("已报送整改情况")
    expect(page.locator("main p").first).to_contain_text("已提交整改")
    expect(page.locator(".card", has_text=NOTE)).to_contain_text("更新截图.png")
    finding_url = page.url

    evidence = Evidence.objects.get()
    evidence_url = f"{live_server.url}/portal/evidence/{evidence.pk}/"

    # Staff review it: the evidence downloads as it was sent, then 销号.
    with another_browser(browser, login, staff) as office:
        office.get_by_role("link", name="整改审核").click()
        report = office.locator(f"#rectification-{evidence.rectification_id}")
        expect(report).to_contain_text(NOTE)
        expect(report).to_contain_text(finding.title)
        with office.expect_download() as info:
            report.get_by_role("link", name="更新截图.png").click()
        download = info.value
        assert download.suggested_filename == "更新截图.png"
        assert Path(download.path()).read_bytes() == shot
        report.get_by_role("button", name="销号").click()
        expect(office.locator(".message.success")).to_have_text("已销号。")
        expect(office.locator("main")).to_contain_text("没有待审核的整改报告。")

    page.goto(finding_url)
    expect(page.locator("main p").first).to_contain_text("已销号")
    expect(page.get_by_role("heading", name="报送整改情况")).to_have_count(0)
    page.screenshot(path=str(tmp_path / "operator-finding-closed.png"), full_page=True)
    page.goto(f"{live_server.url}/portal/")
    expect(page.locator("#to-fix")).to_have_count(0)

    # Another unit's operator gets nothing, not even a hint that the file exists.
    with another_browser(browser, login, operator_b) as stranger:
        assert stranger.goto(evidence_url).status == 404
        assert stranger.goto(finding_url).status == 404
