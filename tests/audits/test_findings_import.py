"""Vendor findings (Excel or CSV): all or nothing, errors named by row and column."""

import datetime as dt
import io

import pytest
from openpyxl import Workbook

from audits.findings_import import HEADERS, classify, findings_import
from audits.models import Finding, Period
from core.models import AuditLogEntry

POINT = dt.date(2026, 11, 23)


def xlsx(rows) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(list(HEADERS))
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def run(data, name="vendor.xlsx", dry_run=False):
    period = Period.for_code("2026-11")
    return findings_import(data, name, period=period, monitoring_point=POINT, dry_run=dry_run)


def test_problem_phrases_map_to_indicators():
    assert classify("10个应更未更")[:2] == ("column_overdue", "W-V4b")
    assert classify("17个空栏目")[:2] == ("column_empty", "W-V4c")
    assert classify("1个链接无法访问")[3] == "broken_link_other"
    assert classify("w-v2")[1:3] == ("W-V2", "veto")
    assert classify("办事指南要素缺失")[3] == "service_guide"


@pytest.mark.django_db
def test_a_good_file_imports_pending_findings_once(site_a):
    data = xlsx(
        [
            [site_a.unit.name, site_a.home_url, "应更未更", 7, "7个栏目超期"],
            [site_a.unit.name, site_a.home_url, "链接无法访问", 1, "首页1个链接"],
        ]
    )
    assert run(data, dry_run=True).created == 2
    assert not Finding.objects.exists()
    outcome = run(data)
    assert (outcome.ok, outcome.created) == (True, 2)
    assert run(data).updated == 2 and Finding.objects.count() == 2
    overdue = Finding.objects.get(kind="column_overdue")
    assert (overdue.count, overdue.status, overdue.source) == (7, "pending", "import")


@pytest.mark.django_db
def test_bad_rows_are_named_and_nothing_is_written(site_a):
    data = xlsx(
        [
            [site_a.unit.name, site_a.home_url, "应更未更", 7, ""],
            ["不存在的单位", "", "空栏目", 1, ""],
            [site_a.unit.name, "http://elsewhere.example/", "空栏目", 1, ""],
            [site_a.unit.name, site_a.home_url, "", 1, ""],
            [site_a.unit.name, site_a.home_url, "空栏目", "三", ""],
        ]
    )
    outcome = run(data)
    assert not outcome.ok
    assert [str(e) for e in outcome.errors] == [
        "第3行 A列（单位）：单位“不存在的单位”不存在",
        "第4行 B列（网站网址）：该单位没有网址为 http://elsewhere.example/ 的网站",
        "第5行 C列（指标代码或问题）：必填",
        "第6行 D列（数量）：“三”不是正整数",
    ]
    assert not Finding.objects.exists()


@pytest.mark.django_db
def test_csv_in_gbk_and_wrong_files(site_a):
    text = ",".join(HEADERS) + f"\n{site_a.unit.name},{site_a.home_url},空栏目,4,\n"
    assert run(text.encode("gbk"), name="v.csv").created == 1
    assert [str(e) for e in run(b"\x89PNG....", name="v.png").errors] == [
        "只接受 .xlsx 或 .csv 文件"
    ]
    assert [str(e) for e in run(b"not a zip", name="v.xlsx").errors] == [
        "文件不是有效的 Excel（.xlsx）文件"
    ]
    missing = str(run("单位,数量\n".encode(), name="v.csv").errors[0])
    assert missing.startswith("第1行缺少列：网站网址")


@pytest.mark.django_db
def test_the_upload_page_previews_then_imports_and_logs(client, staff, site_a):
    client.force_login(staff)
    data = xlsx([[site_a.unit.name, site_a.home_url, "空栏目", 4, "4个空栏目"]])
    upload = io.BytesIO(data)
    upload.name = "vendor.xlsx"
    response = client.post(
        "/findings/import/",
        {"file": upload, "period": "2026-11", "monitoring_point": "2026-11-23"},
    )
    assert response.status_code == 302
    preview = client.get(response["Location"])
    assert "将新增 1 条" in preview.content.decode()
    assert not Finding.objects.exists()
    client.post(response["Location"])
    assert Finding.objects.get().count == 4
    assert AuditLogEntry.objects.filter(action="findings_import").exists()
