"""Office staff: dashboard, units, registry template download, workbook upload and import."""

import io

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from core.models import AuditLogEntry, Upload
from newmedia.registry.export import build_workbook
from units.models import Column, Unit, Website

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

CZ = "https://cz.example.gov.cn/"


def workbook(path, sheets: dict[str, list[list]]):
    """The empty template with `sheets` (title -> rows) filled in from row 2, saved to `path`."""
    book = load_workbook(io.BytesIO(build_workbook(with_data=False)))
    for title, rows in sheets.items():
        for row in rows:
            book[title].append(row)
    book.save(path)
    return path


def card(page: Page, label: str):
    return page.locator(".cards .card").filter(has_text=label).locator(".n")


def row_cells(page: Page, first_cell: str):
    first = page.get_by_role("cell", name=first_cell, exact=True)
    return page.locator("table.table tr").filter(has=first).locator("td")


def test_staff_imports_a_registry_workbook(page, live_server, login, staff, site_a, tmp_path):
    login(page, staff)

    # The dashboard, with the registry's counts.
    expect(page).to_have_url(live_server.url + "/")
    expect(page.locator("h1")).to_have_text("工作台")
    expect(card(page, "单位")).to_have_text("1")
    expect(card(page, "政府网站")).to_have_text("1")
    expect(card(page, "栏目")).to_have_text("1")
    expect(card(page, "政务新媒体账号")).to_have_text("0")

    # 单位 -> the unit's page.
    page.locator("header nav").get_by_role("link", name="单位", exact=True).click()
    expect(page.locator("h1")).to_have_text("单位")
    page.get_by_role("link", name="梅渚镇", exact=True).click()
    expect(page).to_have_url(f"{live_server.url}/units/{site_a.unit_id}/")
    expect(page.locator("h1")).to_have_text("梅渚镇")
    expect(page.get_by_role("link", name="梅渚镇人民政府")).to_be_visible()

    # The template downloads as an .xlsx with the registry's sheets.
    page.locator("header nav").get_by_role("link", name="工作台").click()
    with page.expect_download() as info:
        page.get_by_role("link", name="下载登记信息模板").click()
    download = info.value
    assert download.suggested_filename.endswith(".xlsx"), download.suggested_filename
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    template = load_workbook(saved)
    assert {"单位", "网站", "栏目", "新媒体账号", "账号变更记录"} <= set(template.sheetnames)

    # Upload a filled-in workbook: a preview with counts, nothing written yet.
    upload = workbook(
        tmp_path / "登记信息.xlsx",
        {
            "单位": [["县财政局", "县直部门", "李四", "0563-7654321", "li@example.cn", "是", 5]],
            "网站": [
                ["县财政局", "县财政局网站", CZ, "3418210003", "部门网站", "运行", None, "否"]
            ],
            "栏目": [[CZ, "通知公告", CZ + "tzgg/", "通知公告", 30, "是", None, "否", None]],
        },
    )
    page.locator("header nav").get_by_role("link", name="导入", exact=True).click()
    page.locator("main").get_by_role("link", name="导入登记信息").click()
    page.set_input_files("input[name=file]", str(upload))
    page.get_by_role("button", name="上传并预览").click()
    expect(page.locator("h1")).to_have_text("导入预览：登记信息.xlsx")
    expect(row_cells(page, "单位")).to_have_text(["单位", "1", "0", "0"])
    expect(row_cells(page, "网站")).to_have_text(["网站", "1", "0", "0"])
    expect(row_cells(page, "栏目")).to_have_text(["栏目", "1", "0", "0"])
    assert not Unit.objects.filter(name="县财政局").exists()

    page.get_by_role("button", name="确认导入（3 条变化）").click()
    expect(page).to_have_url(live_server.url + "/units/")
    expect(page.locator(".message.success")).to_have_text("导入完成：新增或修改 3 条记录。")
    expect(page.get_by_role("link", name="县财政局", exact=True)).to_be_visible()

    unit = Unit.objects.get(name="县财政局")
    assert Website.objects.get(home_url=CZ).unit == unit
    assert Column.objects.get(url=CZ + "tzgg/").website.home_url == CZ
    assert Upload.objects.get().applied_at is not None
    entry = AuditLogEntry.objects.get(action="registry_import")
    assert entry.actor == staff

    # The new unit's page is reachable from the list.
    page.get_by_role("link", name="县财政局", exact=True).click()
    expect(page.locator("h1")).to_have_text("县财政局")
    expect(page.get_by_role("link", name="县财政局网站")).to_be_visible()


def test_a_bad_workbook_shows_where_the_errors_are_and_imports_nothing(
    page, live_server, login, staff, unit_a, tmp_path
):
    before = (Unit.objects.count(), Website.objects.count())
    upload = workbook(
        tmp_path / "有错误.xlsx",
        {
            "单位": [
                ["县财政局", "县直部门", None, None, None, "是", 1],
                ["新单位", "县直单位", None, None, "not-an-email", "是", 2],
            ],
            "网站": [["县财政局", None, "https://x.example.gov.cn/"]],
        },
    )
    login(page, staff)
    page.goto(live_server.url + "/registry/import/")
    page.set_input_files("input[name=file]", str(upload))
    page.get_by_role("button", name="上传并预览").click()

    expect(page.locator("h1")).to_have_text("导入预览：有错误.xlsx")
    expect(page.locator(".message.error")).to_contain_text("整个文件未导入")
    rows = page.locator("table.table tr").filter(has=page.locator("td"))
    expect(rows).to_have_count(3)
    expect(rows.nth(0).locator("td").nth(0)).to_have_text("单位")
    expect(rows.nth(0).locator("td").nth(1)).to_have_text("3")
    expect(rows.nth(0).locator("td").nth(2)).to_have_text("B（单位类型）")
    expect(rows.nth(1).locator("td").nth(1)).to_have_text("3")
    expect(rows.nth(1).locator("td").nth(2)).to_have_text("E（电子邮箱）")
    expect(rows.nth(2).locator("td").nth(0)).to_have_text("网站")
    expect(rows.nth(2).locator("td").nth(1)).to_have_text("2")
    expect(rows.nth(2).locator("td").nth(2)).to_have_text("B（网站名称）")
    for i in range(3):
        expect(rows.nth(i).locator("td").nth(3)).not_to_be_empty()
    expect(page.get_by_role("button", name="确认导入")).to_have_count(0)
    expect(page.get_by_role("link", name="重新上传")).to_be_visible()

    # Not even the good first row went in.
    assert (Unit.objects.count(), Website.objects.count()) == before
    assert not Unit.objects.filter(name="县财政局").exists()
    assert Upload.objects.get().applied_at is None
    assert not AuditLogEntry.objects.filter(action="registry_import").exists()
