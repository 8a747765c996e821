"""Circulars made from the platform's own data: seed 004's annex 1 through the vendor path,
seed 001's 总体情况 and 存在问题, the 文号 sequence, and what publication freezes."""

import datetime as dt
import re
import threading

import pytest
from django.db import connection

from audits.models import Finding, Period, RuleSet, Verdict
from audits.scoring import propose_verdict
from audits.services.imports import findings_upload_apply, findings_upload_store
from audits.services.review import findings_review_bulk
from notices import drafting, services
from notices.annexes import build_annexes
from notices.models import Circular, DocNumber, Office
from notices.report import build_report
from notices.storage import write_once_storage
from tests.audits.seeds import seed_001_annex1, seed_004_annex1
from tests.audits.test_scoring_seeds import LOCAL, VERTICAL, findings_from_001
from units.models import Unit, Website

pytestmark = pytest.mark.django_db


@pytest.fixture
def seed_004(staff, settings, tmp_path):
    """The 51 websites of seed 004, their problems imported as a vendor's file, reviewed."""
    settings.MEDIA_ROOT = tmp_path
    lines = ["单位,网站网址,指标代码或问题,数量,说明"]
    for n, row in enumerate(seed_004_annex1(), start=1):
        unit = Unit.objects.create(name=row.name, kind=Unit.Kind.DEPARTMENT, sort_order=n)
        site = Website.objects.create(
            unit=unit, name=row.name, home_url=f"http://site{n}.example.gov.cn/"
        )
        for phrase in filter(None, re.split(r"[、,，]", row.problems)):
            lines.append(f"{unit.name},{site.home_url},{phrase.strip()},,{row.problems}")
    period = Period.for_code("2019-10")
    upload = findings_upload_store(
        user=staff,
        filename="vendor.csv",
        data="\n".join(lines).encode("utf-8"),
        period=period,
        point=dt.date(2019, 10, 20),
    )
    assert findings_upload_apply(upload, user=staff).ok
    findings_review_bulk(
        Finding.objects.filter(period=period), user=staff, status="confirmed", note="复核"
    )
    return period


def test_seed_004s_annex_1_comes_out_of_a_vendors_file(seed_004):
    report = build_report(seed_004)
    (annex,) = build_annexes(report, ["websites"])
    rows = {row[1]: row for row in annex.rows}
    assert len(rows) == 51
    assert annex.columns[:6] == ("序号", "责任单位", "网站名称", "网址", "检查结果", "问题描述")
    xiejiaji = rows["亚博游戏官网:谢家集区政府"]
    assert xiejiaji[4] == "单否" and "10个应更未更" in xiejiaji[5]
    ecology = rows["亚博游戏官网:生态环境局"]
    assert ecology[4] == "单否" and "17个空栏目" in ecology[5]
    maoji = rows["亚博游戏官网:毛集实验区政府"]
    assert maoji[4] == "合格" and "7个应更未更" in maoji[5]
    assert "1个链接无法访问" in rows["亚博游戏官网:粮食和物资储备局"][5]
    assert "3个事项无办事指南" in rows["亚博游戏官网:人民政府"][5]
    assert rows["亚博游戏官网:财政局"][4] == "无问题"  # seed 004 prints 合格 for a clean site
    rate = report.website_rate
    assert (rate.passed, rate.counted, round(rate.rate)) == (49, 51, 96)
    assert "政府网站合格49家，合格率96.1%" in drafting.overall_for(report)


@pytest.fixture
def seed_001(db):
    """Seed 001's 44 units, their December verdicts as the rules give them, and November's
    verdicts for the two units the circular says failed "连续多月"."""
    rule_set = RuleSet.objects.get(code="county-2019-local")
    december, november = Period.for_code("2022-12"), Period.for_code("2022-11")
    for n, row in enumerate(seed_001_annex1()):
        unit = Unit.objects.create(
            name=row.name,
            kind=Unit.Kind.DEPARTMENT,
            counts_in_rates=row.name not in VERTICAL,
            sort_order=n,
        )
        site = Website.objects.create(unit=unit, name=row.name, home_url=f"http://s{n}.example/")
        findings, previous = findings_from_001(row.problems)
        proposal = propose_verdict(findings, LOCAL, previous_keys=previous)
        for period, carried, reasons in (
            (december, list(proposal.carried), list(proposal.reasons)),
            (november, ["overdue:x"], ["上月问题整改不彻底"]),
        ):
            if period == november and row.name not in ("县人社局", "县公安局"):
                continue
            rows = []
            if period == december:
                rows = [
                    Finding.objects.create(
                        unit=unit,
                        website=site,
                        period=period,
                        monitoring_point=period.end,
                        key=f.key,
                        kind=f.kind,
                        indicator=f.indicator,
                        severity=f.severity,
                        title=f.title,
                        reason=f.title,
                        status="confirmed" if f.severity == "problem" else "pending",
                    )
                    for f in findings
                ]
            Verdict.objects.create(
                unit=unit,
                website=site,
                period=period,
                monitoring_point=period.end,
                rule_set=rule_set,
                rule_set_version=1,
                proposed_result=proposal.result if period == december else "fail",
                reasons=reasons,
                carried_keys=carried,
                finding_ids=[f.pk for f in rows if f.status == "confirmed"],
                computed_at=dt.datetime(2022, 12, 27, tzinfo=dt.UTC),
            )
    return december


def test_seed_001s_overall_rates_count_41_of_44_units(seed_001):
    report = build_report(seed_001)
    rate = report.website_rate
    assert (rate.passed, rate.counted, rate.listed, rate.rate) == (36, 41, 44, 87.8)
    text = drafting.overall_for(report)
    assert "政府网站合格36家，合格率87.8%（计入合格率41家，3家垂直管理单位列出但不计入）" in text
    assert "政务新媒体本期暂无监测数据" in text


def test_seed_001s_problems_name_the_units_in_its_wording(seed_001):
    text = drafting.problems_for(build_report(seed_001))
    first = text.splitlines()[0]
    assert first.startswith("一是部分单位网站问题未得到有效整改。")
    assert "县自然资源和规划局(县林业局)、梅渚镇未对上月通报指出的问题进行整改" in first
    assert "县人社局、县公安局、郎溪经开区管委会整改不彻底" in first
    assert "其中县人社局、县公安局连续多月" in first
    assert "存在1个及以上栏目超期未更新" in text
    assert "县住建局(县人防办)" in text and "即将到期" not in first


def test_an_empty_new_media_annex_says_so():
    period = Period.for_code("2026-11")
    annex = build_annexes(build_report(period), ["accounts"])[0]
    assert annex.rows == () and "暂无政务新媒体监测数据" in annex.note


def test_a_draft_shows_the_next_number_and_takes_none(staff):
    office = Office.current()
    circular = services.circular_draft(Period.for_code("2026-11"), user=staff)
    assert circular.doc_number == "" and circular.status == "draft"
    assert services.next_doc_number(office, 2026) == f"{office.doc_prefix}〔2026〕1号"
    doc = services.document_for(circular)
    assert doc.draft and doc.doc_number == ""
    assert not DocNumber.objects.filter(last__gt=0).exists()


@pytest.mark.django_db(transaction=True)
def test_numbers_taken_concurrently_are_consecutive_and_never_repeat():
    if connection.vendor != "postgresql":
        pytest.fail("the 文号 concurrency test needs PostgreSQL (make test provides it)")
    office = Office.current()
    taken, errors = [], []

    def take():
        from django.db import transaction

        try:
            with transaction.atomic():
                taken.append(services._take_number(office, 2031))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=take) for _ in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert sorted(taken) == list(range(1, 13))


def test_a_number_is_not_used_when_publication_fails(staff, lead, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    period = Period.for_code("2026-11")
    period.locked_at = dt.datetime(2026, 11, 30, tzinfo=dt.UTC)
    period.save()
    circular = services.circular_draft(period, user=staff)
    services.circular_approve(circular, user=lead)

    class BrokenSigner:
        pass

    with pytest.raises(Exception):  # noqa: B017 - any signing failure
        services.circular_publish(circular, user=lead, signer=BrokenSigner())
    circular.refresh_from_db()
    assert circular.status == "approved" and circular.doc_number == ""
    assert DocNumber.objects.filter(last__gt=0).count() == 0


def test_a_published_circular_cannot_be_saved_again_nor_its_file_replaced(
    staff, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path
    circular = services.circular_draft(Period.for_code("2026-11"), user=staff)
    Circular.objects.filter(pk=circular.pk).update(status="published")
    circular.refresh_from_db()
    circular.title = "改过的标题"
    with pytest.raises(ValueError, match="不能修改"):
        circular.save()
    with pytest.raises(ValueError):
        services.circular_update(circular, user=staff, title="又改")
    with pytest.raises(ValueError):
        circular.delete()
    from django.core.files.base import ContentFile

    name = write_once_storage.save("2026/1-x.pdf", ContentFile(b"%PDF-1.7 first"))
    with pytest.raises(FileExistsError):
        write_once_storage.save(name, ContentFile(b"%PDF-1.7 second"))
    with pytest.raises(PermissionError):
        write_once_storage.delete(name)
    assert write_once_storage.open(name).read() == b"%PDF-1.7 first"
