"""Excel/CSV import of posts and of messages (newmedia/imports.py) and its dashboard pages:
template, preview (a dry run that writes nothing), row errors naming row and column, all or
nothing, idempotent re-import, GBK CSV; /newmedia/import/ -> preview -> confirm, logged."""

from __future__ import annotations

import csv
import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from core.models import AuditLogEntry, Upload
from newmedia.imports import (
    MESSAGE_HEADERS,
    POST_HEADERS,
    import_messages,
    import_posts,
    template,
)
from newmedia.models import Account, Message, Post

CHINA = ZoneInfo("Asia/Shanghai")
pytestmark = pytest.mark.django_db


def xlsx(headers, rows) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(list(headers))
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_bytes(headers, rows, encoding="utf-8") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def errors(report) -> list[str]:
    return [str(e) for e in report.errors]


@pytest.fixture
def wechat(unit_a) -> Account:
    return Account.objects.create(unit=unit_a, platform="wechat", name="梅渚镇发布")


@pytest.fixture
def weibo(unit_a) -> Account:
    return Account.objects.create(unit=unit_a, platform="weibo", name="梅渚微博")


POSTS = [
    ("梅渚镇", "微信", "梅渚镇发布", "2026-11-20 09:30", "梅渚镇召开安全生产工作会议",
     "https://mp.weixin.qq.com/s/abc001", "是"),
    ("梅渚镇", "微信公众号", "梅渚镇发布", dt.datetime(2026, 11, 18, 16, 5),
     "【转载】国务院常务会议部署稳就业工作", "https://mp.weixin.qq.com/s/abc002", "否"),
    ("梅渚镇", "新浪微博", "梅渚微博", "2026年11月19日 08:00", "梅渚镇开展消防安全专项行动",
     "", ""),
]  # fmt: skip


# ----- posts --------------------------------------------------------------------------------------


def test_a_good_posts_file_is_imported(wechat, weibo):
    report = import_posts(xlsx(POST_HEADERS, POSTS), "发布记录.xlsx", dry_run=False)
    assert report.ok, errors(report)
    assert (report.applied, report.created, report.updated) == (True, 3, 0)
    rows = {
        p.title: (p.account, p.published_at, p.url, p.original, p.source)
        for p in Post.objects.all()
    }
    assert rows == {
        "梅渚镇召开安全生产工作会议": (
            wechat,
            dt.datetime(2026, 11, 20, 9, 30, tzinfo=CHINA),
            "https://mp.weixin.qq.com/s/abc001",
            True,
            "import",
        ),
        "【转载】国务院常务会议部署稳就业工作": (
            wechat,
            dt.datetime(2026, 11, 18, 16, 5, tzinfo=CHINA),
            "https://mp.weixin.qq.com/s/abc002",
            False,
            "import",
        ),
        "梅渚镇开展消防安全专项行动": (
            weibo,
            dt.datetime(2026, 11, 19, 8, 0, tzinfo=CHINA),
            "",
            True,  # blank 原创: original
            "import",
        ),
    }


def test_the_preview_is_a_dry_run_that_writes_nothing(wechat, weibo):
    report = import_posts(xlsx(POST_HEADERS, POSTS), "发布记录.xlsx", dry_run=True)
    assert report.ok and report.created == 3
    assert report.applied is False
    assert not Post.objects.exists()


BAD_POST_CELLS = [
    # (column, bad value, the error as people read it)
    ("单位", "不存在镇", "第3行 A列（单位）：单位“不存在镇”不存在"),
    ("平台", "QQ空间", "第3行 B列（平台）：“QQ空间”不是平台名称"),
    ("账号名称", "梅渚镇新闻", "第3行 C列（账号名称）：梅渚镇没有登记微信公众号账号“梅渚镇新闻”"),
    ("发布时间", "上周五", "第3行 D列（发布时间）：“上周五”不是日期时间"),
    ("标题", "", "第3行 E列（标题）：必填"),
    ("原创", "也许", "第3行 G列（原创）：“也许”应为“是”或“否”"),
]


@pytest.mark.parametrize(
    "column, value, message", BAD_POST_CELLS, ids=[c[0] for c in BAD_POST_CELLS]
)
def test_a_wrong_cell_names_its_row_and_column_and_nothing_is_written(
    wechat, weibo, column, value, message
):
    rows = [list(r) for r in POSTS]
    rows[1][POST_HEADERS.index(column)] = value
    for dry_run in (True, False):
        report = import_posts(xlsx(POST_HEADERS, rows), "发布记录.xlsx", dry_run=dry_run)
        assert not report.ok and not report.applied
        assert len(report.errors) == 1 and errors(report)[0].startswith(message), errors(report)
    assert not Post.objects.exists()  # the two good rows are not imported either


def test_a_file_without_the_required_columns_says_which(wechat):
    report = import_posts(
        xlsx(("单位", "平台", "标题"), [("梅渚镇", "微信", "x")]), "a.xlsx", dry_run=False
    )
    assert errors(report) == [
        "第1行缺少列：账号名称、发布时间（应为：单位、平台、账号名称、发布时间、标题、网址、原创）"
    ]


def test_many_errors_are_all_listed_and_nothing_is_written(wechat, weibo):
    rows = [list(r) for r in POSTS * 3]
    rows[1][0] = "无此单位"
    rows[7][3] = "2026-13-40 25:00"
    report = import_posts(xlsx(POST_HEADERS, rows), "发布记录.xlsx", dry_run=False)
    assert [(e.row, e.column) for e in report.errors] == [
        (3, "A列（单位）"),
        (9, "D列（发布时间）"),
    ]
    assert not Post.objects.exists()


def test_re_importing_the_same_file_changes_nothing(wechat, weibo):
    data = xlsx(POST_HEADERS, POSTS)
    import_posts(data, "发布记录.xlsx", dry_run=False)
    before = sorted(
        Post.objects.values_list("account_id", "guid", "published_at", "title", "url", "original")
    )
    again = import_posts(data, "发布记录.xlsx", dry_run=False)
    assert again.ok and again.created == 0
    after = sorted(
        Post.objects.values_list("account_id", "guid", "published_at", "title", "url", "original")
    )
    assert after == before and len(after) == 3


def test_re_importing_the_same_file_reports_no_change(wechat, weibo):
    """The preview of a file already imported must not announce "更新 3 条" when nothing would
    change (the registry import says 未变化 in that case)."""
    data = xlsx(POST_HEADERS, POSTS)
    import_posts(data, "发布记录.xlsx", dry_run=False)
    again = import_posts(data, "发布记录.xlsx", dry_run=True)
    assert (again.created, again.updated) == (0, 0), again.plain_counts()


def test_a_gbk_csv_is_read(wechat, weibo):
    rows = [[str(c) for c in r] for r in POSTS[:1]] + [
        [
            "梅渚镇",
            "微博",
            "梅渚微博",
            "2026-11-21 10:00",
            "梅渚镇“十四五”规划解读（上&下）",
            "",
            "否",
        ]
    ]
    data = csv_bytes(POST_HEADERS, rows, encoding="gbk")
    data.decode("gbk")  # really GBK …
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")  # … and not UTF-8
    report = import_posts(data, "发布记录.csv", dry_run=False)
    assert report.ok, errors(report)
    assert sorted(Post.objects.values_list("title", "original")) == [
        ("梅渚镇“十四五”规划解读（上&下）", False),
        ("梅渚镇召开安全生产工作会议", True),
    ]


def test_a_csv_error_names_row_and_column_letters(wechat):
    rows = [
        [str(c) for c in POSTS[0]],
        ["梅渚镇", "微信", "梅渚镇发布", "2026-11-21", "标题", "", "不详"],
    ]
    report = import_posts(csv_bytes(POST_HEADERS, rows), "发布记录.csv", dry_run=False)
    assert errors(report) == ["第3行 G列（原创）：“不详”应为“是”或“否”"]


@pytest.mark.parametrize("written", ["2026/11/20 9:30", "2026年11月20日 9:30", "2026-11-20 9:30"])
def test_times_as_chinese_spreadsheets_write_them_are_read(wechat, written):
    """Excel in a Chinese locale saves CSV times as 2026/11/20 9:30; people type 2026年11月20日.
    The importer turns "/" and 年月日 into "-", so it means to accept them."""
    rows = [["梅渚镇", "微信", "梅渚镇发布", written, "梅渚镇召开安全生产工作会议", "", "是"]]
    report = import_posts(csv_bytes(POST_HEADERS, rows), "发布记录.csv", dry_run=False)
    assert report.ok, errors(report)
    assert Post.objects.get().published_at == dt.datetime(2026, 11, 20, 9, 30, tzinfo=CHINA)


def test_not_a_spreadsheet_is_refused_in_chinese(wechat):
    report = import_posts(b"%PDF-1.7 ...", "发布记录.pdf", dry_run=False)
    assert errors(report) == ["只接受 .xlsx 或 .csv 文件"]
    report = import_posts(b"not a zip", "发布记录.xlsx", dry_run=False)
    assert errors(report) == ["文件不是有效的 Excel（.xlsx）文件"]


# ----- messages -----------------------------------------------------------------------------------


def message_rows(site_url: str):
    return [
        # a new-media message answered in 2 hours
        ("梅渚镇", "微信", "梅渚镇发布", "", "", "咨询医保缴费", "2026-11-20 09:30",
         "2026-11-20 11:30", "否", "是", "WX-001"),
        # an auto-reply only
        ("梅渚镇", "微信", "梅渚镇发布", "", "", "反映路灯不亮", "2026-11-21 20:00",
         "2026-11-21 20:00", "是", "是", "WX-002"),
        # the site's 县长信箱, not answered
        ("梅渚镇", "", "", site_url, "镇长信箱", "关于孩子入学的咨询", "2026-08-01 10:00",
         "", "", "", "XX-318"),
        # a petition: not a valid consultation message
        ("梅渚镇", "", "", site_url, "网上信访", "反映征地补偿问题", "2026-07-01 10:00",
         "", "否", "否", ""),
    ]  # fmt: skip


def test_a_good_messages_file_is_imported(wechat, site_a):
    data = xlsx(MESSAGE_HEADERS, message_rows(site_a.home_url))
    report = import_messages(data, "留言记录.xlsx", dry_run=False)
    assert report.ok, errors(report)
    assert report.created == 4
    rows = {
        m.title: (
            m.account,
            m.website,
            m.channel,
            m.received_at,
            m.replied_at,
            m.auto_reply,
            m.valid,
        )
        for m in Message.objects.all()
    }
    t = lambda *a: dt.datetime(*a, tzinfo=CHINA)  # noqa: E731
    assert rows == {
        "咨询医保缴费": (
            wechat,
            None,
            "",
            t(2026, 11, 20, 9, 30),
            t(2026, 11, 20, 11, 30),
            False,
            True,
        ),
        "反映路灯不亮": (wechat, None, "", t(2026, 11, 21, 20), t(2026, 11, 21, 20), True, True),
        "关于孩子入学的咨询": (None, site_a, "镇长信箱", t(2026, 8, 1, 10), None, False, True),
        "反映征地补偿问题": (None, site_a, "网上信访", t(2026, 7, 1, 10), None, False, False),
    }
    assert set(Message.objects.values_list("source", flat=True)) == {"import"}
    assert Message.objects.get(title="咨询医保缴费").guid == "WX-001"


def test_messages_preview_writes_nothing_and_re_import_is_idempotent(wechat, site_a):
    data = xlsx(MESSAGE_HEADERS, message_rows(site_a.home_url))
    assert import_messages(data, "留言记录.xlsx", dry_run=True).created == 4
    assert not Message.objects.exists()
    import_messages(data, "留言记录.xlsx", dry_run=False)
    again = import_messages(data, "留言记录.xlsx", dry_run=False)
    assert again.ok and again.created == 0
    assert Message.objects.count() == 4


BAD_MESSAGE_CELLS = [
    ("单位", "无此镇", "第2行 A列（单位）：单位“无此镇”不存在"),
    ("平台", "人民网", "第2行 B列（平台）：“人民网”不是平台名称"),
    ("账号名称", "梅渚发布厅", "第2行 C列（账号名称）：梅渚镇没有登记微信账号“梅渚发布厅”"),
    ("留言时间", "昨天上午", "第2行 G列（留言时间）：“昨天上午”不是日期时间"),
    ("答复时间", "2026-11-19 08:00", "第2行 H列（答复时间）：答复时间早于留言时间"),
    ("自动回复", "部分", "第2行 I列（自动回复）：“部分”应为“是”或“否”"),
    ("有效留言", "待定", "第2行 J列（有效留言）：“待定”应为“是”或“否”"),
]


@pytest.mark.parametrize(
    "column, value, message", BAD_MESSAGE_CELLS, ids=[c[0] for c in BAD_MESSAGE_CELLS]
)
def test_a_wrong_message_cell_names_its_row_and_column(wechat, site_a, column, value, message):
    rows = [list(r) for r in message_rows(site_a.home_url)]
    rows[0][MESSAGE_HEADERS.index(column)] = value
    report = import_messages(xlsx(MESSAGE_HEADERS, rows), "留言记录.xlsx", dry_run=False)
    assert len(report.errors) == 1 and errors(report)[0].startswith(message), errors(report)
    assert not Message.objects.exists()


def test_a_message_names_an_account_or_a_site_of_its_unit(wechat, site_a, site_b):
    rows = [list(r) for r in message_rows(site_a.home_url)]
    rows[2][MESSAGE_HEADERS.index("网站网址")] = site_b.home_url  # another unit's site
    rows[3][MESSAGE_HEADERS.index("网站网址")] = ""  # neither account nor site
    report = import_messages(xlsx(MESSAGE_HEADERS, rows), "留言记录.xlsx", dry_run=False)
    assert errors(report) == [
        f"第4行 D列（网站网址）：该单位没有网址为 {site_b.home_url} 的网站",
        "第5行 C列（账号名称）：请填写账号名称（新媒体留言）或网站网址（网站信箱）",
    ]
    assert not Message.objects.exists()


def test_a_gbk_csv_of_messages_is_read(wechat, site_a):
    data = csv_bytes(MESSAGE_HEADERS, message_rows(site_a.home_url), encoding="gbk")
    report = import_messages(data, "留言记录.csv", dry_run=False)
    assert report.ok, errors(report)
    assert Message.objects.get(guid="XX-318").channel == "镇长信箱"


# ----- templates ------------------------------------------------------------------------------


@pytest.mark.parametrize("kind, headers", [("posts", POST_HEADERS), ("messages", MESSAGE_HEADERS)])
def test_the_template_has_the_importers_columns(kind, headers):
    sheet = load_workbook(io.BytesIO(template(kind)), read_only=True).worksheets[0]
    assert next(sheet.iter_rows(values_only=True)) == headers


def test_the_posts_templates_example_imports(wechat):
    report = import_posts(template("posts"), "模板.xlsx", dry_run=True)
    assert report.ok and report.created == 1, errors(report)


# ----- the dashboard pages ------------------------------------------------------------------------


def upload(client, kind: str, name: str, data: bytes):
    return client.post(
        reverse("dashboard:newmedia_import"),
        {"kind": kind, "file": _file(name, data)},
    )


def _file(name, data):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data)


def test_import_preview_confirm_with_the_audit_log(client, staff, wechat, weibo):
    client.force_login(staff)
    page = client.get(reverse("dashboard:newmedia_import"))
    assert page.status_code == 200
    assert reverse("dashboard:newmedia_template", args=["posts"]) in page.content.decode()

    response = upload(client, "posts", "发布记录.xlsx", xlsx(POST_HEADERS, POSTS))
    upload_row = Upload.objects.get(kind="posts")
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard:newmedia_preview", args=[upload_row.pk])

    preview = client.get(response["Location"])
    assert preview.status_code == 200
    assert "将新增 3 条、更新 0 条" in preview.content.decode()
    assert not Post.objects.exists()  # the preview writes nothing

    confirm = reverse("dashboard:newmedia_confirm", args=[upload_row.pk])
    assert client.get(confirm).status_code == 405  # only a POST confirms
    done = client.post(confirm)
    assert (done.status_code, done["Location"]) == (302, reverse("dashboard:account_list"))
    assert Post.objects.count() == 3
    upload_row.refresh_from_db()
    assert upload_row.applied_at is not None
    entry = AuditLogEntry.objects.get(action="posts_import")
    assert entry.actor == staff
    assert entry.detail == {"counts": {"发布记录": {"created": 3}}, "sha256": upload_row.sha256}
    # An applied upload cannot be confirmed again.
    assert client.post(confirm).status_code == 404
    assert Post.objects.count() == 3


def test_a_file_with_errors_is_shown_and_cannot_be_confirmed(client, staff, wechat, weibo):
    client.force_login(staff)
    rows = [list(r) for r in POSTS]
    rows[2][1] = "QQ空间"
    upload(client, "posts", "发布记录.xlsx", xlsx(POST_HEADERS, rows))
    upload_row = Upload.objects.get()
    preview = client.get(
        reverse("dashboard:newmedia_preview", args=[upload_row.pk])
    ).content.decode()
    assert "发现 1 处错误，整个文件未导入" in preview
    assert "第4行 B列（平台）：“QQ空间”不是平台名称" in preview
    response = client.post(reverse("dashboard:newmedia_confirm", args=[upload_row.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard:newmedia_preview", args=[upload_row.pk])
    assert not Post.objects.exists()
    assert not AuditLogEntry.objects.filter(action="posts_import").exists()
    upload_row.refresh_from_db()
    assert upload_row.applied_at is None


def test_messages_go_through_the_same_pages(client, staff, wechat, site_a):
    client.force_login(staff)
    data = csv_bytes(MESSAGE_HEADERS, message_rows(site_a.home_url), encoding="gbk")
    response = upload(client, "messages", "留言记录.csv", data)
    upload_row = Upload.objects.get(kind="messages")
    assert "将新增 4 条" in client.get(response["Location"]).content.decode()
    client.post(reverse("dashboard:newmedia_confirm", args=[upload_row.pk]))
    assert Message.objects.count() == 4
    assert AuditLogEntry.objects.get(action="messages_import").actor == staff


def test_only_xlsx_or_csv_is_accepted_by_the_form(client, staff):
    client.force_login(staff)
    response = upload(client, "posts", "发布记录.xls", b"\xd0\xcf\x11\xe0 old excel")
    assert response.status_code == 200
    assert "只接受 .xlsx 或 .csv 文件" in response.content.decode()
    assert not Upload.objects.exists()


def test_unit_operators_may_not_import(client, operator_a, wechat):
    client.force_login(operator_a)
    assert client.get(reverse("dashboard:newmedia_import")).status_code == 403
    response = upload(client, "posts", "发布记录.xlsx", xlsx(POST_HEADERS, POSTS[:1]))
    assert response.status_code == 403
    assert not Upload.objects.exists()
    assert client.get(reverse("dashboard:newmedia_template", args=["posts"])).status_code == 403
