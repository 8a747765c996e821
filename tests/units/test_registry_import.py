"""Registry import from the Excel workbook: all or nothing, idempotent, errors located exactly."""

import datetime as dt
import io
import struct
import zlib
from collections import Counter

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from core.imports import RowError
from core.models import AuditLogEntry, Upload
from newmedia.models import Account, AccountEvent
from newmedia.registry.export import build_workbook
from newmedia.registry.importer import import_registry
from units.models import Column, Unit, Website

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

MZ = "https://mz.example.gov.cn/"
SW = "https://sw.example.gov.cn/"

UNIT_ROWS = [
    ["梅渚镇", "乡镇", "张三", "0563-1234567", "zhang@example.cn", "是", 1],
    ["县税务局", "县直部门", None, None, None, "否", 2],
]
WEBSITE_ROWS = [
    [
        "梅渚镇",
        "梅渚镇人民政府",
        MZ,
        "3418210001",
        "门户网站",
        "运行",
        MZ + "search?q={q}",
        "是",
    ],
    ["县税务局", "县税务局网站", SW, None, "部门网站", "关停", None, "否"],
]
COLUMN_ROWS = [
    [MZ, "政务公开", MZ + "zwgk/", "其他", None, "是", None, "否", None],
    [MZ, "通知公告", MZ + "zwgk/tzgg/", "通知公告", 30, "否", MZ + "zwgk/", "否", None],
    [MZ, "2020专题", MZ + "zt2020/", "专题（已关闭，豁免）", None, "否", None, "是", "专题已关闭"],
]
ACCOUNT_ROWS = [
    [
        "梅渚镇",
        "微信",
        "梅渚发布",
        "meizhu_fb",
        "https://mp.weixin.qq.com/mz",
        None,
        "已备案",
        "运行",
    ],
    ["县税务局", "微博", "县税务", None, None, None, "未备案", "关停"],
]
EVENT_ROWS = [
    ["梅渚镇", "微信", "梅渚发布", "开设", dt.date(2024, 3, 1), "2024-03-05", "首次开设"],
    ["县税务局", "微博", "县税务", "关停", "2025/06/30", None, None],
]


@pytest.fixture(autouse=True)
def _farm_addresses_allowed(crawl_allowed):
    """The fixtures' sites live on the farm's loopback range, allowed as in the demo."""


def xlsx(sheets: dict[str, list[list]], *, drop: dict[str, tuple[str, ...]] | None = None) -> bytes:
    """The downloadable template with `sheets` (title -> rows) filled in from row 2, after
    removing the columns named in `drop` (title -> headers)."""
    book = load_workbook(io.BytesIO(build_workbook(with_data=False)))
    for title, headers in (drop or {}).items():
        ws = book[title]
        for header in headers:
            column = next(c.column for c in ws[1] if c.value == header)
            ws.delete_cols(column)
    for title, rows in sheets.items():
        ws = book[title]
        for row in rows:
            ws.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def good_sheets(**overrides) -> dict[str, list[list]]:
    sheets = {
        "单位": [list(r) for r in UNIT_ROWS],
        "网站": [list(r) for r in WEBSITE_ROWS],
        "栏目": [list(r) for r in COLUMN_ROWS],
        "新媒体账号": [list(r) for r in ACCOUNT_ROWS],
        "账号变更记录": [list(r) for r in EVENT_ROWS],
    }
    sheets.update(overrides)
    return sheets


def snapshot() -> dict[str, list]:
    return {
        "units": list(Unit.objects.order_by("pk").values_list()),
        "websites": list(Website.objects.order_by("pk").values_list()),
        "columns": list(Column.objects.order_by("pk").values_list()),
        "accounts": list(Account.objects.order_by("pk").values_list()),
        "events": list(AccountEvent.objects.order_by("pk").values_list()),
    }


def only_error(report) -> RowError:
    assert not report.ok
    assert len(report.errors) == 1, report.errors
    return report.errors[0]


# --- a good workbook ----------------------------------------------------------------------------


def test_it_imports_all_five_sheets_and_counts_everything_as_created():
    report = import_registry(xlsx(good_sheets()), dry_run=False)

    assert report.ok, report.errors
    assert report.applied
    assert report.counts == {
        "单位": Counter(created=2),
        "网站": Counter(created=2),
        "栏目": Counter(created=3),
        "新媒体账号": Counter(created=2),
        "账号变更记录": Counter(created=2),
    }
    assert report.changes == 11
    assert Unit.objects.count() == 2
    assert Website.objects.count() == 2
    assert Column.objects.count() == 3
    assert Account.objects.count() == 2
    assert AccountEvent.objects.count() == 2


def test_it_stores_labels_as_choice_values_and_reads_yes_no_numbers_and_urls():
    import_registry(xlsx(good_sheets()), dry_run=False)

    mz = Unit.objects.get(name="梅渚镇")
    assert (mz.kind, mz.contact_person, mz.phone, mz.email) == (
        Unit.Kind.TOWNSHIP,
        "张三",
        "0563-1234567",
        "zhang@example.cn",
    )
    assert mz.counts_in_rates is True
    assert mz.sort_order == 1
    tax = Unit.objects.get(name="县税务局")
    assert tax.kind == Unit.Kind.DEPARTMENT
    assert tax.counts_in_rates is False
    assert (tax.contact_person, tax.email) == ("", "")

    portal = Website.objects.get(home_url=MZ)
    assert portal.unit == mz
    assert portal.name == "梅渚镇人民政府"
    assert portal.site_code == "3418210001"
    assert portal.kind == Website.Kind.PORTAL
    assert portal.status == Website.Status.RUNNING
    assert portal.search_url == MZ + "search?q={q}"
    assert portal.has_services is True
    tax_site = Website.objects.get(home_url=SW)
    assert (tax_site.kind, tax_site.status, tax_site.has_services) == (
        "department",
        "closed",
        False,
    )
    assert tax_site.site_code == ""


def test_it_links_a_child_column_to_the_parent_listed_above_it():
    import_registry(xlsx(good_sheets()), dry_run=False)

    parent = Column.objects.get(url=MZ + "zwgk/")
    child = Column.objects.get(url=MZ + "zwgk/tzgg/")
    topic = Column.objects.get(url=MZ + "zt2020/")
    assert parent.parent is None
    assert parent.is_first_level is True
    assert parent.category == "other"
    assert parent.window_days is None
    assert child.parent == parent
    assert child.website.home_url == MZ
    assert (child.category, child.window_days, child.is_first_level) == ("notice", 30, False)
    assert (topic.category, topic.is_exempt, topic.exempt_reason) == ("topic", True, "专题已关闭")


def test_it_imports_accounts_and_their_dated_events():
    import_registry(xlsx(good_sheets()), dry_run=False)

    wechat = Account.objects.get(name="梅渚发布")
    assert wechat.unit.name == "梅渚镇"
    assert (wechat.platform, wechat.account_id, wechat.filing, wechat.status) == (
        "wechat",
        "meizhu_fb",
        Account.Filing.FILED,
        Account.Status.ACTIVE,
    )
    assert wechat.url == "https://mp.weixin.qq.com/mz"
    weibo = Account.objects.get(name="县税务")
    assert (weibo.platform, weibo.filing, weibo.status) == ("weibo", "unfiled", "suspended")

    opened = AccountEvent.objects.get(account=wechat)
    assert opened.kind == AccountEvent.Kind.OPEN
    assert opened.date == dt.date(2024, 3, 1)
    assert opened.filed_on == dt.date(2024, 3, 5)
    assert opened.note == "首次开设"
    closed = AccountEvent.objects.get(account=weibo)
    assert (closed.kind, closed.date, closed.filed_on) == ("suspend", dt.date(2025, 6, 30), None)


def test_importing_the_same_file_twice_changes_nothing_the_second_time():
    data = xlsx(good_sheets())
    import_registry(data, dry_run=False)
    before = snapshot()

    report = import_registry(data, dry_run=False)

    assert report.ok, report.errors
    assert report.changes == 0
    assert report.counts == {
        "单位": Counter(unchanged=2),
        "网站": Counter(unchanged=2),
        "栏目": Counter(unchanged=3),
        "新媒体账号": Counter(unchanged=2),
        "账号变更记录": Counter(unchanged=2),
    }
    assert snapshot() == before


def test_it_updates_only_the_rows_that_differ():
    import_registry(xlsx(good_sheets()), dry_run=False)
    units = [list(r) for r in UNIT_ROWS]
    units[0][3] = "0563-7654321"

    report = import_registry(xlsx(good_sheets(单位=units)), dry_run=False)

    assert report.ok, report.errors
    assert report.counts["单位"] == Counter(updated=1, unchanged=1)
    assert report.changes == 1
    assert Unit.objects.get(name="梅渚镇").phone == "0563-7654321"


def test_a_dry_run_reports_the_counts_but_writes_nothing():
    report = import_registry(xlsx(good_sheets()), dry_run=True)

    assert report.ok, report.errors
    assert not report.applied
    assert report.changes == 11
    assert report.counts["栏目"] == Counter(created=3)
    assert snapshot() == {"units": [], "websites": [], "columns": [], "accounts": [], "events": []}


def test_a_sheet_left_out_of_the_file_is_not_touched():
    import_registry(xlsx(good_sheets()), dry_run=False)
    before = snapshot()

    report = import_registry(xlsx({"单位": UNIT_ROWS}), dry_run=False)

    assert report.ok, report.errors
    assert report.changes == 0
    assert snapshot() == before


def test_a_column_left_out_of_a_sheet_leaves_that_field_alone():
    import_registry(xlsx(good_sheets()), dry_run=False)
    before = snapshot()
    # The 栏目 sheet without its optional 豁免 and 上级栏目网址 columns.
    rows = [[r[0], r[1], r[2], r[3], r[4], r[5], r[8]] for r in COLUMN_ROWS]

    data = xlsx({"栏目": rows}, drop={"栏目": ("豁免", "上级栏目网址")})

    report = import_registry(data, dry_run=False)

    assert report.ok, report.errors
    assert report.counts["栏目"] == Counter(unchanged=3)
    assert snapshot() == before
    assert Column.objects.get(url=MZ + "zwgk/tzgg/").parent.url == MZ + "zwgk/"
    assert Column.objects.get(url=MZ + "zt2020/").is_exempt is True


def test_it_accepts_a_unit_that_already_exists_in_the_system(unit_a):
    row = ["梅渚镇", "新网站", "https://new.example.gov.cn/", None, None, None, None, None]

    report = import_registry(xlsx({"网站": [row]}), dry_run=False)

    assert report.ok, report.errors
    site = Website.objects.get(home_url="https://new.example.gov.cn/")
    assert site.unit == unit_a
    # Blank optional cells take the model's defaults.
    assert (site.kind, site.status, site.has_services) == ("department", "running", True)


# --- errors: located by sheet, Excel row and column, and nothing written -------------------------


def assert_rejected(sheets: dict, *, sheet: str, row: int, column: str, reason: str) -> None:
    before = snapshot()
    report = import_registry(xlsx(sheets), dry_run=False)
    error = only_error(report)
    assert (error.sheet, error.row, error.column) == (sheet, row, column)
    assert reason in error.reason
    assert not report.applied
    assert snapshot() == before
    # The message shown to people names all three.
    assert f"“{sheet}”表第{row}行" in str(error)
    if column:
        assert f"第{column}列" in str(error)


def test_it_reports_row_and_column_of_a_missing_required_cell():
    units = [*UNIT_ROWS, [None, "乡镇", "李四", None, None, None, None]]
    assert_rejected(
        good_sheets(单位=units), sheet="单位", row=4, column="A（单位名称）", reason="必填"
    )


def test_it_reports_row_and_column_of_a_required_choice_left_blank():
    columns = [*COLUMN_ROWS, [MZ, "空类别", MZ + "x/", None, None, None, None, None, None]]
    assert_rejected(
        good_sheets(栏目=columns), sheet="栏目", row=5, column="D（栏目类别）", reason="必填"
    )


def test_it_reports_row_and_column_of_a_bad_choice():
    units = [*UNIT_ROWS, ["新单位", "县直单位", None, None, None, None, None]]
    assert_rejected(
        good_sheets(单位=units),
        sheet="单位",
        row=4,
        column="B（单位类型）",
        reason="“县直单位”不是可选值",
    )


def test_it_lists_the_allowed_labels_for_a_bad_choice():
    accounts = [*ACCOUNT_ROWS, ["梅渚镇", "小红书", "梅渚", None, None, None, None, None]]
    report = import_registry(xlsx(good_sheets(新媒体账号=accounts)), dry_run=True)
    error = only_error(report)
    assert (error.sheet, error.row, error.column) == ("新媒体账号", 4, "B（平台）")
    assert "微信、微博、抖音" in error.reason


def test_it_reports_row_and_column_of_an_invalid_url():
    sites = [
        *WEBSITE_ROWS,
        ["梅渚镇", "坏网址", "www.example.gov.cn", None, None, None, None, None],
    ]
    assert_rejected(
        good_sheets(网站=sites), sheet="网站", row=4, column="C（首页网址）", reason="不是有效的"
    )


def test_it_refuses_a_non_http_url():
    columns = [*COLUMN_ROWS, [MZ, "文件", "ftp://mz.example.gov.cn/a/", "其他", None, None, None]]
    assert_rejected(
        good_sheets(栏目=columns), sheet="栏目", row=5, column="C（栏目网址）", reason="http/https"
    )


@pytest.mark.parametrize("code", ["341821000", "34182100011", "341821000A", "3418-21000"])
def test_it_reports_row_and_column_of_a_bad_site_code(code):
    sites = [*WEBSITE_ROWS, ["梅渚镇", "标识码错", "https://x.example.gov.cn/", code]]
    assert_rejected(
        good_sheets(网站=sites), sheet="网站", row=4, column="D（网站标识码）", reason="10位数字"
    )


def test_it_reads_a_site_code_typed_as_a_number():
    sites = [["梅渚镇", "数字标识码", MZ, 3418210001]]
    report = import_registry(xlsx({"单位": UNIT_ROWS, "网站": sites}), dry_run=False)
    assert report.ok, report.errors
    assert Website.objects.get(home_url=MZ).site_code == "3418210001"


def test_it_reports_row_and_column_of_an_invalid_email():
    units = [*UNIT_ROWS, ["新单位", "其他", None, None, "not-an-email", None, None]]
    assert_rejected(
        good_sheets(单位=units),
        sheet="单位",
        row=4,
        column="E（电子邮箱）",
        reason="不是有效的电子邮箱",
    )


def test_it_reports_row_and_column_of_a_bad_yes_no():
    units = [*UNIT_ROWS, ["新单位", "其他", None, None, None, "不计入", None]]
    assert_rejected(
        good_sheets(单位=units),
        sheet="单位",
        row=4,
        column="F（计入合格率）",
        reason="应为“是”或“否”",
    )


@pytest.mark.parametrize("value", ["2024-13-01", "下周一", "2024年3月1日"])
def test_it_reports_row_and_column_of_a_bad_date(value):
    events = [*EVENT_ROWS, ["梅渚镇", "微信", "梅渚发布", "变更", value, None, None]]
    assert_rejected(
        good_sheets(账号变更记录=events),
        sheet="账号变更记录",
        row=4,
        column="E（日期）",
        reason="不是日期",
    )


def test_it_reports_a_bad_filing_date_in_its_own_column():
    events = [*EVENT_ROWS, ["梅渚镇", "微信", "梅渚发布", "变更", "2024-04-01", "昨天", None]]
    assert_rejected(
        good_sheets(账号变更记录=events),
        sheet="账号变更记录",
        row=4,
        column="F（报备日期）",
        reason="不是日期",
    )


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (-7, "不能为负数"),
        ("-7", "不能为负数"),
        ("两周", "不是整数"),
        (7.5, "不是整数"),
        ("7.5", "不是整数"),
    ],
)
def test_it_reports_row_and_column_of_a_bad_update_window(value, reason):
    columns = [*COLUMN_ROWS, [MZ, "周期错", MZ + "bad/", "动态要闻", value, None, None, None, None]]
    assert_rejected(
        good_sheets(栏目=columns), sheet="栏目", row=5, column="E（更新周期（天））", reason=reason
    )


def test_it_reads_a_whole_number_window_written_as_text_or_float():
    columns = [
        [MZ, "文本", MZ + "a/", "动态要闻", "14", None, None, None, None],
        [MZ, "小数", MZ + "b/", "动态要闻", 14.0, None, None, None, None],
    ]
    report = import_registry(xlsx(good_sheets(栏目=columns)), dry_run=False)
    assert report.ok, report.errors
    assert set(Column.objects.values_list("window_days", flat=True)) == {14}


def test_it_reports_a_website_whose_unit_does_not_exist():
    sites = [*WEBSITE_ROWS, ["不存在的单位", "孤儿网站", "https://orphan.example.gov.cn/"]]
    assert_rejected(
        good_sheets(网站=sites),
        sheet="网站",
        row=4,
        column="A（单位名称）",
        reason="单位“不存在的单位”不存在",
    )


def test_it_reports_a_column_whose_website_does_not_exist():
    columns = [*COLUMN_ROWS, ["https://nowhere.example.gov.cn/", "孤儿", MZ + "o/", "其他"]]
    assert_rejected(
        good_sheets(栏目=columns), sheet="栏目", row=5, column="A（首页网址）", reason="不存在"
    )


def test_it_reports_a_child_column_whose_parent_does_not_exist():
    columns = [*COLUMN_ROWS, [MZ, "孤儿", MZ + "o/", "其他", None, None, MZ + "missing/"]]
    assert_rejected(
        good_sheets(栏目=columns),
        sheet="栏目",
        row=5,
        column="G（上级栏目网址）",
        reason="上级栏目不存在",
    )


def test_it_reports_a_child_column_listed_before_its_parent():
    columns = [COLUMN_ROWS[1], COLUMN_ROWS[0], COLUMN_ROWS[2]]
    assert_rejected(
        good_sheets(栏目=columns),
        sheet="栏目",
        row=2,
        column="G（上级栏目网址）",
        reason="应先列出上级栏目",
    )


def test_it_refuses_a_column_that_is_its_own_parent():
    import_registry(xlsx(good_sheets()), dry_run=False)
    columns = [[MZ, "政务公开", MZ + "zwgk/", "其他", None, "是", MZ + "zwgk/", "否", None]]
    assert_rejected(
        {"栏目": columns}, sheet="栏目", row=2, column="G（上级栏目网址）", reason="不能是栏目本身"
    )


def test_it_reports_an_exempt_column_without_a_reason():
    columns = [*COLUMN_ROWS, [MZ, "豁免无理由", MZ + "e/", "其他", None, None, None, "是", None]]
    assert_rejected(
        good_sheets(栏目=columns),
        sheet="栏目",
        row=5,
        column="I（豁免理由）",
        reason="必须填写豁免理由",
    )


def test_it_reports_a_duplicate_natural_key_with_the_first_row():
    units = [*UNIT_ROWS, ["梅渚镇", "乡镇", None, None, None, None, None]]
    assert_rejected(good_sheets(单位=units), sheet="单位", row=4, column="", reason="与第2行重复")


def test_it_reports_a_duplicate_column_url_on_the_same_website():
    columns = [*COLUMN_ROWS, [MZ, "通知公告（重复）", MZ + "zwgk/tzgg/", "通知公告"]]
    assert_rejected(good_sheets(栏目=columns), sheet="栏目", row=5, column="", reason="与第3行重复")


def test_it_reports_a_duplicate_account_event():
    events = [*EVENT_ROWS, ["梅渚镇", "微信", "梅渚发布", "开设", "2024-03-01", None, "再次"]]
    assert_rejected(
        good_sheets(账号变更记录=events),
        sheet="账号变更记录",
        row=4,
        column="",
        reason="与第2行重复",
    )


def test_it_reports_a_required_header_missing_from_a_sheet():
    before = snapshot()
    rows = [[r[0], r[2], r[3]] for r in COLUMN_ROWS]
    report = import_registry(
        xlsx(good_sheets(栏目=rows), drop={"栏目": ("栏目名称",)}), dry_run=False
    )
    error = only_error(report)
    assert (error.sheet, error.row, error.column) == ("栏目", 1, "")
    assert "缺少必需的列：栏目名称" in error.reason
    assert snapshot() == before


def test_it_reports_every_error_in_the_file_and_writes_nothing():
    before = snapshot()
    units = [*UNIT_ROWS, ["新单位", "县直单位", None, None, "bad", "也许", -1]]
    sites = [*WEBSITE_ROWS, ["梅渚镇", None, "https://y.example.gov.cn/", "12"]]

    report = import_registry(xlsx(good_sheets(单位=units, 网站=sites)), dry_run=False)

    assert [(e.sheet, e.row, e.column) for e in report.errors] == [
        ("单位", 4, "B（单位类型）"),
        ("单位", 4, "E（电子邮箱）"),
        ("单位", 4, "F（计入合格率）"),
        ("单位", 4, "G（排序）"),
        ("网站", 4, "B（网站名称）"),
        ("网站", 4, "D（网站标识码）"),
    ]
    assert snapshot() == before


def test_a_bad_row_after_good_rows_rolls_back_every_sheet(unit_a):
    before = snapshot()
    # Everything in the file is fine up to the last event, whose account does not exist.
    events = [*EVENT_ROWS, ["梅渚镇", "抖音", "没有这个号", "开设", "2024-01-01"]]

    report = import_registry(xlsx(good_sheets(账号变更记录=events)), dry_run=False)

    error = only_error(report)
    assert (error.sheet, error.row, error.column) == ("账号变更记录", 4, "C（账号名称）")
    assert not report.applied
    assert snapshot() == before


def test_an_error_does_not_roll_back_earlier_imports():
    import_registry(xlsx(good_sheets()), dry_run=False)
    before = snapshot()
    units = [["梅渚镇", "街道"], ["县税务局", "不知道"]]

    report = import_registry(xlsx({"单位": units}), dry_run=False)

    assert not report.ok
    assert snapshot() == before
    assert Unit.objects.get(name="梅渚镇").kind == Unit.Kind.TOWNSHIP


# --- file-level errors --------------------------------------------------------------------------


def png_bytes() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    pixels = zlib.compress(b"\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


@pytest.mark.parametrize(
    "data",
    [
        "单位名称,单位类型\n梅渚镇,乡镇\n".encode(),
        png_bytes(),
        b"",
    ],
    ids=["csv", "png", "empty"],
)
def test_a_file_that_is_not_xlsx_is_refused_as_a_whole(data):
    report = import_registry(data, dry_run=False)
    error = only_error(report)
    assert (error.sheet, error.row, error.column) == ("", 0, "")
    assert "不是 Excel（.xlsx）文件" in error.reason
    assert Unit.objects.count() == 0


def test_a_zip_that_is_not_a_workbook_is_refused():
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "你好")
    report = import_registry(buffer.getvalue(), dry_run=False)
    error = only_error(report)
    assert "无法读取该 Excel 文件" in error.reason


def test_a_workbook_without_any_registry_sheet_is_refused():
    from openpyxl import Workbook

    book = Workbook()
    book.active.title = "Sheet1"
    book.active.append(["单位名称", "单位类型"])
    buffer = io.BytesIO()
    book.save(buffer)
    report = import_registry(buffer.getvalue(), dry_run=False)
    assert "没有可导入的工作表" in only_error(report).reason


def test_an_oversized_file_is_refused_before_it_is_read(settings):
    data = xlsx(good_sheets())
    settings.GOVWATCH_MAX_IMPORT_BYTES = len(data) - 1

    report = import_registry(data, dry_run=False)

    error = only_error(report)
    assert (error.sheet, error.row) == ("", 0)
    assert "文件超过" in error.reason
    assert snapshot() == {"units": [], "websites": [], "columns": [], "accounts": [], "events": []}


# --- the export round trip ----------------------------------------------------------------------


def test_an_export_imports_back_with_no_changes(site_a, site_b):
    unit_a = site_a.unit
    unit_a.contact_person, unit_a.email, unit_a.sort_order = "王五", "wang@example.cn", 3
    unit_a.save()
    site_b.unit.counts_in_rates = False
    site_b.unit.save()
    site_b.status, site_b.has_services, site_b.search_url = "merged", False, "http://s/?q={q}"
    site_b.save()
    Unit.objects.create(name="开发区管委会", kind=Unit.Kind.DEVZONE, phone="12345")
    top = Column.objects.get(website=site_a)
    child = Column.objects.create(
        website=site_a,
        parent=top,
        name="子栏目",
        url="http://127.0.1.1:8800/col/1/a/",
        category="policy",
        window_days=90,
        is_first_level=False,
    )
    Column.objects.create(
        website=site_a,
        parent=child,
        name="孙栏目",
        url="http://127.0.1.1:8800/col/1/a/b/",
        category="static",
    )
    Column.objects.create(
        website=site_b,
        name="旧专题",
        url="http://127.0.1.2:8800/zt/",
        category="topic",
        is_exempt=True,
        exempt_reason="已关闭",
    )
    account = Account.objects.create(
        unit=unit_a,
        platform="douyin",
        name="梅渚抖音",
        account_id="mz123",
        feed_url="https://rss.example.cn/mz",
        filing="pending",
    )
    AccountEvent.objects.create(account=account, kind="open", date=dt.date(2023, 1, 2))
    AccountEvent.objects.create(
        account=account,
        kind="change",
        date=dt.date(2024, 5, 6),
        filed_on=dt.date(2024, 5, 8),
        note="更名",
    )
    before = snapshot()

    report = import_registry(build_workbook(with_data=True), dry_run=False)

    assert report.ok, report.errors
    assert report.changes == 0
    assert report.counts["栏目"] == Counter(unchanged=4)
    assert report.counts["账号变更记录"] == Counter(unchanged=2)
    assert snapshot() == before


def test_an_export_lists_each_parent_column_before_its_children(site_a):
    top = Column.objects.get(website=site_a)
    # Created before the column that becomes its parent, so it has the smaller id.
    grandchild = Column.objects.create(
        website=site_a, name="孙", url="http://127.0.1.1:8800/g/", category="news"
    )
    child = Column.objects.create(
        website=site_a, parent=top, name="子", url="http://127.0.1.1:8800/c/", category="news"
    )
    grandchild.parent = child
    grandchild.save()
    data = build_workbook(with_data=True)
    Column.objects.all().delete()

    report = import_registry(data, dry_run=False)

    assert report.ok, report.errors
    assert report.counts["栏目"] == Counter(created=3)
    assert Column.objects.get(url="http://127.0.1.1:8800/g/").parent.url == child.url


def test_the_template_imports_as_an_empty_file():
    report = import_registry(build_workbook(with_data=False), dry_run=False)
    assert report.ok, report.errors
    assert report.changes == 0


# --- the upload, preview and confirm views ------------------------------------------------------


def upload(client, data: bytes, name: str = "登记信息.xlsx"):
    return client.post(
        reverse("dashboard:registry_upload"),
        {"file": SimpleUploadedFile(name, data, content_type=XLSX)},
    )


def test_staff_upload_redirects_to_a_preview_that_shows_the_counts(client, staff):
    client.force_login(staff)

    response = upload(client, xlsx(good_sheets()))

    stored = Upload.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("dashboard:registry_preview", args=[stored.pk])
    assert stored.uploaded_by == staff
    assert stored.filename == "登记信息.xlsx"
    assert len(stored.sha256) == 64
    preview = client.get(response.url)
    assert preview.status_code == 200
    html = preview.content.decode()
    assert "<tr><td>单位</td><td>2</td><td>0</td><td>0</td></tr>" in html
    assert "<tr><td>栏目</td><td>3</td><td>0</td><td>0</td></tr>" in html
    assert "确认导入（11 条变化）" in html
    assert Unit.objects.count() == 0  # the preview writes nothing


def test_confirming_a_preview_applies_it_and_writes_an_audit_entry(client, staff):
    client.force_login(staff)
    upload(client, xlsx(good_sheets()))
    stored = Upload.objects.get()

    response = client.post(reverse("dashboard:registry_confirm", args=[stored.pk]))

    assert response.status_code == 302
    assert response.url == reverse("dashboard:unit_list")
    assert Unit.objects.count() == 2
    assert Column.objects.count() == 3
    stored.refresh_from_db()
    assert stored.applied_at is not None
    entry = AuditLogEntry.objects.get(action="registry_import")
    assert entry.actor == staff
    assert entry.detail["sha256"] == stored.sha256
    assert entry.detail["counts"]["单位"] == {"created": 2}
    # Applied uploads cannot be confirmed (or previewed) again.
    assert client.post(reverse("dashboard:registry_confirm", args=[stored.pk])).status_code == 404
    assert client.get(reverse("dashboard:registry_preview", args=[stored.pk])).status_code == 404
    assert AuditLogEntry.objects.filter(action="registry_import").count() == 1


def test_confirming_needs_a_post(client, staff):
    client.force_login(staff)
    upload(client, xlsx(good_sheets()))
    stored = Upload.objects.get()
    assert client.get(reverse("dashboard:registry_confirm", args=[stored.pk])).status_code == 405
    assert Unit.objects.count() == 0


def test_the_preview_of_an_unchanged_file_offers_nothing_to_confirm(client, lead):
    data = xlsx(good_sheets())
    import_registry(data, dry_run=False)
    client.force_login(lead)

    response = client.get(upload(client, data).url)

    html = response.content.decode()
    assert "<tr><td>单位</td><td>0</td><td>0</td><td>2</td></tr>" in html
    assert "无需导入" in html
    assert "确认导入" not in html


def test_the_preview_of_a_bad_file_lists_each_error_and_confirm_writes_nothing(client, staff):
    client.force_login(staff)
    units = [*UNIT_ROWS, ["新单位", "县直单位"]]
    columns = [*COLUMN_ROWS, [MZ, "周期错", MZ + "bad/", "动态要闻", -3]]
    response = upload(client, xlsx(good_sheets(单位=units, 栏目=columns)))
    stored = Upload.objects.get()

    html = client.get(response.url).content.decode()

    assert "发现 2 处错误，整个文件未导入" in html
    assert "<td>单位</td><td>4</td><td>B（单位类型）</td><td>“县直单位”不是可选值" in html
    assert "<td>栏目</td><td>5</td><td>E（更新周期（天））</td><td>不能为负数</td>" in html
    assert "确认导入" not in html

    confirm = client.post(reverse("dashboard:registry_confirm", args=[stored.pk]))

    assert confirm.status_code == 302
    assert confirm.url == reverse("dashboard:registry_preview", args=[stored.pk])
    assert snapshot() == {"units": [], "websites": [], "columns": [], "accounts": [], "events": []}
    assert not AuditLogEntry.objects.exists()
    stored.refresh_from_db()
    assert stored.applied_at is None


def test_the_preview_of_a_non_excel_file_with_an_xlsx_name_shows_a_file_error(client, staff):
    client.force_login(staff)

    response = upload(client, b"name,kind\n", name="fake.xlsx")
    html = client.get(response.url).content.decode()

    assert "不是 Excel（.xlsx）文件" in html
    assert "<td>—</td><td>—</td><td>—</td>" in html


@pytest.mark.parametrize("name", ["登记信息.csv", "registry.xls", "photo.png", "xlsx"])
def test_the_form_refuses_a_file_not_named_xlsx(client, staff, name):
    client.force_login(staff)

    response = upload(client, xlsx(good_sheets()), name=name)

    assert response.status_code == 200
    assert "请上传 .xlsx 格式的 Excel 文件" in response.content.decode()
    assert not Upload.objects.exists()


def test_the_form_refuses_an_oversized_file_without_storing_it(client, staff, settings):
    client.force_login(staff)
    data = xlsx(good_sheets())
    settings.GOVWATCH_MAX_IMPORT_BYTES = len(data) - 1

    response = upload(client, data)

    assert response.status_code == 200
    assert "文件超过" in response.content.decode()
    assert not Upload.objects.exists()


def test_the_template_and_export_downloads_are_workbooks(client, staff, site_a):
    client.force_login(staff)

    template = client.get(reverse("dashboard:registry_template"))
    export = client.get(reverse("dashboard:registry_export"))

    for response in (template, export):
        assert response.status_code == 200
        assert response["Content-Type"] == XLSX
        assert "attachment; filename*=UTF-8''" in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(export.content))
    assert book.sheetnames == ["说明", "单位", "网站", "栏目", "新媒体账号", "账号变更记录"]
    assert book["网站"]["C2"].value == site_a.home_url
    assert load_workbook(io.BytesIO(template.content))["网站"].max_row == 1
