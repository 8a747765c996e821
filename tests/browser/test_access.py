"""A unit operator sees its own unit only, and none of the office's pages."""

import pytest
from playwright.sync_api import expect

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_unit_operator_sees_only_its_unit(
    page, live_server, login, operator_a, operator_b, site_a, site_b
):
    login(page, operator_a)

    # The home page sends a unit operator to its portal.
    expect(page).to_have_url(live_server.url + "/portal/")
    expect(page.locator("h1")).to_have_text("本单位")
    expect(page.locator("main h2").first).to_have_text("梅渚镇")
    expect(page.get_by_role("link", name="梅渚镇人民政府")).to_be_visible()
    expect(page.get_by_text("县人社局")).to_have_count(0)

    # The nav holds the portal only: no office links.
    nav = page.locator("header nav a")
    expect(nav).to_have_text(["本单位"])
    for office_link in ("工作台", "单位", "监测任务", "检查结果", "导入", "后台管理"):
        expect(page.locator("header nav").get_by_text(office_link, exact=True)).to_have_count(0)

    # Unit B's pages answer 404, not 403: their existence does not leak.
    for path in (f"/portal/websites/{site_b.pk}/", f"/portal/websites/{site_b.pk}/2026-11/"):
        response = page.goto(live_server.url + path)
        assert response.status == 404, (path, response.status)
        expect(page.get_by_text("县人社局")).to_have_count(0)

    # Unit A's own site page works.
    page.goto(live_server.url + "/portal/")
    page.get_by_role("link", name="梅渚镇人民政府").click()
    expect(page).to_have_url(f"{live_server.url}/portal/websites/{site_a.pk}/")
    expect(page.locator("h1")).to_have_text("梅渚镇人民政府")

    # Office-only pages answer 403.
    for path in ("/registry/import/", "/runs/", "/units/", f"/units/{site_a.unit_id}/"):
        response = page.goto(live_server.url + path)
        assert response.status == 403, (path, response.status)
