"""The verdict rules of the issue through the database: one monitoring run per period, bulk
review that leaves vetoes to one-by-one review, vendor findings that reach verdicts without
counting twice, first-level columns from the registry, navigation-only home pages, possible
更新不实, the portal bonus, carry-over from rectification states, and locking."""

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from audits.models import Finding, InspectionRun, Observation, Period, RunSite, Verdict
from audits.services.findings import findings_for_run
from audits.services.imports import findings_upload_apply, findings_upload_store
from audits.services.periods import bonus_enter, period_designate_run, period_lock
from audits.services.review import finding_add_manual, finding_review, findings_review_bulk
from audits.services.runs import run_create
from audits.services.verdicts import (
    monitoring_run_for,
    verdict_decide,
    verdict_refresh,
    verdicts_refresh,
)
from core.models import AuditLogEntry
from newmedia.registry.export import build_workbook
from newmedia.registry.importer import import_registry
from tests.audits.seeds import seed_001_annex1
from units.models import Column, Website

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """The role fixtures create users; a fast hasher keeps these tests quick."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


POINT = dt.date(2026, 11, 23)
DAY_1 = dt.date(2026, 11, 9)
STALE = dt.date(2025, 9, 1)  # over a year before both monitoring points


# --- helpers ---------------------------------------------------------------------------------


def observe(run, site, *, column=None, kind="column", outcome="dated", newest=None, **kw):
    return Observation.objects.create(
        run=run,
        website=site,
        column=column,
        kind=kind,
        url=kw.pop("url", column.url if column else site.home_url),
        outcome=outcome,
        observed_at=timezone.now(),
        newest_date=newest,
        item_count=kw.pop("item_count", 10),
        evidence=kw.pop("evidence", {}),
        **kw,
    )


def complete(run):
    """The run ends with each site it observed done."""
    for website_id in run.observations.values_list("website_id", flat=True).distinct():
        RunSite.objects.get_or_create(run=run, website_id=website_id, defaults={"status": "done"})
    InspectionRun.objects.filter(pk=run.pk).update(status="done", finished_at=timezone.now())
    run.refresh_from_db()
    return run


def add_columns(site, n, category="other", prefix="c"):
    return [
        Column.objects.create(
            website=site,
            name=f"栏目{prefix}{i}",
            url=f"{site.home_url}{prefix}{i}/",
            category=category,
        )
        for i in range(n)
    ]


def confirm_pending(user, **filters):
    for f in Finding.objects.filter(status=Finding.Status.PENDING, **filters):
        finding_review(f, user=user, status="confirmed", note="")


def inspect(site, columns, *, point, period, stale, user, fresh=None):
    """One complete office run in which the columns in `stale` are over a year old and the
    others fresh; every finding it raises is confirmed."""
    run = run_create(trigger="staff", monitoring_point=point, period=period)
    for c in columns:
        observe(run, site, column=c, newest=STALE if c in stale else fresh or point)
    findings_for_run(run)
    complete(run)
    confirm_pending(user, run=run)
    return run


def verdict_of(site, period) -> Verdict:
    return Verdict.objects.get(website=site, period=Period.for_code(period))


# --- one monitoring point per period -----------------------------------------------------------


@pytest.fixture
def two_runs(site_a, staff):
    """Day 1: columns 0-5 overdue; day 2: columns 6-11 overdue. 12 together, 6 in each run."""
    period = Period.for_code("2026-11")
    columns = add_columns(site_a, 12)
    first = inspect(site_a, columns, point=DAY_1, period=period, stale=columns[:6], user=staff)
    second = inspect(site_a, columns, point=POINT, period=period, stale=columns[6:], user=staff)
    return period, first, second, columns


def test_it_counts_only_the_last_complete_run_of_the_period(two_runs, site_a):
    period, first, second, _ = two_runs
    confirmed = Finding.objects.filter(period=period, status="confirmed", kind="column_overdue")
    assert confirmed.count() == 12  # all confirmed, spread over two runs
    assert monitoring_run_for(site_a, period) == second
    verdict = verdict_refresh(site_a, period)
    assert verdict.proposed_result == "pass"  # 12 summed over the runs would be 单否
    assert "6个应更未更" in verdict.reasons
    assert not any(r.startswith("12个") for r in verdict.reasons)
    assert (verdict.monitoring_run, verdict.monitoring_point) == (second, POINT)
    assert sorted(verdict.finding_ids) == sorted(
        confirmed.filter(run=second).values_list("pk", flat=True)
    )


def test_a_later_run_with_the_same_findings_moves_the_verdict_without_rewriting_it(
    two_runs, site_a, site_b, staff
):
    period, _, second, columns = two_runs
    for c in add_columns(site_b, 2):
        observe(second, site_b, column=c, newest=STALE)
    findings_for_run(second)
    complete(second)  # site B is one of its sites too
    confirm_pending(staff, run=second)
    before = {v.website_id: v for v in Verdict.objects.filter(period=period)}
    third = inspect(site_a, columns, point=POINT, period=period, stale=columns[6:], user=staff)
    for c in site_b.columns.all():
        observe(third, site_b, column=c, newest=POINT)  # site B's columns are fresh again
    findings_for_run(third)
    complete(third)
    with CaptureQueriesContext(connection) as ctx:
        verdicts_refresh([site_a, site_b], period)
    case = [q for q in ctx.captured_queries if q["sql"].startswith('UPDATE "audits_verdict"')]
    assert len(case) == 2  # site A's proposal is the same: moved alone; site B's is rewritten
    assert sum("CASE" in q["sql"] for q in case) == 1
    a, b = verdict_of(site_a, "2026-11"), verdict_of(site_b, "2026-11")
    assert (a.monitoring_run, a.monitoring_point) == (third, POINT)
    assert a.computed_at > before[site_a.pk].computed_at
    assert (a.proposed_result, a.reasons) == (
        before[site_a.pk].proposed_result,
        before[site_a.pk].reasons,
    )
    assert sorted(a.finding_ids) == sorted(before[site_a.pk].finding_ids)
    assert b.monitoring_run == third
    assert b.finding_ids == [] and before[site_b.pk].finding_ids


def test_designating_the_first_run_makes_it_count_and_is_logged(two_runs, site_a, lead):
    period, first, second, columns = two_runs
    period_designate_run(period, first, user=lead)
    verdict = verdict_of(site_a, "2026-11")
    assert (verdict.monitoring_run, verdict.monitoring_point) == (first, DAY_1)
    counted = Finding.objects.filter(pk__in=verdict.finding_ids)
    assert {f.column for f in counted} == set(columns[:6])
    assert verdict.proposed_result == "pass" and "6个应更未更" in verdict.reasons
    entry = AuditLogEntry.objects.get(action="period_monitoring_run")
    assert entry.actor == lead
    assert (entry.before, entry.after) == ({"monitoring_run": None}, {"monitoring_run": first.pk})

    period_designate_run(period, None, user=lead)  # back to the last complete run
    verdict.refresh_from_db()
    assert verdict.monitoring_run == second
    assert AuditLogEntry.objects.filter(action="period_monitoring_run").count() == 2


def test_designating_an_earlier_run_after_later_ones_keeps_its_findings_to_judge(site_a, lead):
    """Daily runs go on past the monitoring point; staff designate the run of the 9th at the
    end of the month, before reviewing anything. The problems that run saw must still be
    there to confirm, and count."""
    period = Period.for_code("2026-11")
    columns = add_columns(site_a, 12)
    first = run_create(trigger="staff", monitoring_point=DAY_1, period=period)
    second = run_create(trigger="staff", monitoring_point=POINT, period=period)
    for run, stale in ((first, columns[:6]), (second, columns[6:])):
        for c in columns:
            observe(run, site_a, column=c, newest=STALE if c in stale else run.monitoring_point)
        findings_for_run(run)
        complete(run)
    verdict_refresh(site_a, period)
    period_designate_run(period, first, user=lead)
    seen_first = Finding.objects.filter(column__in=columns[:6], kind="column_overdue")
    assert seen_first.count() == 6, "the designated run's findings were deleted"
    confirm_pending(lead)
    verdict = verdict_of(site_a, "2026-11")
    assert verdict.monitoring_run == first
    counted = Finding.objects.filter(pk__in=verdict.finding_ids)
    assert {f.column for f in counted} == set(columns[:6])
    assert "6个应更未更" in verdict.reasons


def test_a_self_check_never_counts_even_when_it_is_the_latest_run(two_runs, site_a, lead):
    period, _, second, columns = two_runs
    # A unit's self-check that somehow carries the period, later than every office run,
    # sees all 12 columns overdue.
    check = InspectionRun.objects.create(
        period=period,
        monitoring_point=dt.date(2026, 11, 28),
        trigger=InspectionRun.Trigger.SELF_CHECK,
        scope=InspectionRun.Scope.SITE,
        website=site_a,
    )
    for c in columns:
        observe(check, site_a, column=c, newest=STALE)
    complete(check)
    assert monitoring_run_for(site_a, period) == second
    assert verdict_refresh(site_a, period).proposed_result == "pass"
    with pytest.raises(ValueError, match="政务公开办发起"):
        period_designate_run(period, check, user=lead)
    assert run_create(trigger="self_check", website=site_a).period is None


def test_an_unfinished_run_or_a_failed_site_does_not_count(two_runs, site_a, staff):
    period, _, second, columns = two_runs
    running = run_create(trigger="staff", monitoring_point=dt.date(2026, 11, 26), period=period)
    failed = run_create(trigger="staff", monitoring_point=dt.date(2026, 11, 27), period=period)
    for run in (running, failed):
        for c in columns:
            observe(run, site_a, column=c, newest=STALE)
    RunSite.objects.create(run=running, website=site_a, status="done")
    RunSite.objects.create(run=failed, website=site_a, status="failed")
    InspectionRun.objects.filter(pk=failed.pk).update(status="done")
    assert monitoring_run_for(site_a, period) == second
    with pytest.raises(ValueError, match="已完成"):
        period_designate_run(period, running, user=staff)


# --- bulk review: vetoes one by one, each verdict recomputed once -----------------------------


def probes_week(site, fail_every: int):
    tz = timezone.get_current_timezone()
    for d in range(7, 0, -1):
        day = dt.datetime.combine(POINT - dt.timedelta(days=d), dt.time.min, tzinfo=tz)
        for i in range(24):
            at = day + dt.timedelta(hours=i, minutes=7)
            Observation.objects.create(
                website=site,
                kind="probe",
                url=site.home_url,
                slot=at,
                observed_at=at,
                outcome="error" if i % fail_every == 0 else "ok",
            )


GAMBLING = {
    "hits": [
        {
            "kind": "gambling",
            "word": "亚博游戏官网",
            "correction": "",
            "context": "亚博游戏官网:人民政府办公室关于对2019年10月……",
        }
    ],
    "hidden_links": [],
}


def test_bulk_review_leaves_vetoes_and_unsure_findings_for_one_by_one_review(site_a, staff):
    period = Period.for_code("2026-11")
    run = run_create(trigger="staff", monitoring_point=POINT, period=period)
    probes_week(site_a, fail_every=8)  # 12.5 % failed: W-V2
    observe(
        run,
        site_a,
        kind="home",
        outcome="ok",
        newest=POINT - dt.timedelta(days=30),  # W-V3
        evidence={"list_status": "dated", "content": GAMBLING},  # W-V1 candidate
    )
    missing = ["设定依据", "申请条件", "办理材料", "收费标准"]
    observe(
        run,
        site_a,
        kind="services",
        outcome="ok",
        url=site_a.home_url + "bsfw/",
        evidence={
            "items": [
                {
                    "title": f"事项{i}",
                    "guide_url": f"{site_a.home_url}bsfw/zn/{i}.html",
                    "state": "ok",
                    "missing": missing,
                    "vague_time": False,
                }
                for i in range(5)
            ]
        },
    )  # W-V6 veto, and a deduction
    observe(
        run,
        site_a,
        kind="article",
        outcome="ok",
        url=site_a.home_url + "art/1.html",
        newest=dt.date(2017, 5, 15),
        evidence={"meta_date": "2022-04-24", "listed_date": "2017-05-15"},
    )  # possible 更新不实: W-V1
    stale = add_columns(site_a, 6)
    for c in stale:
        observe(run, site_a, column=c, newest=STALE)
    (empty,) = add_columns(site_a, 1, prefix="e")
    observe(run, site_a, column=empty, outcome="empty", item_count=0)
    (unsure,) = add_columns(site_a, 1, prefix="m")
    observe(run, site_a, column=unsure, outcome="needs_manual", reason="列表由脚本生成")
    findings_for_run(run)
    complete(run)
    Finding.objects.create(
        unit=site_a.unit,
        website=site_a,
        period=period,
        monitoring_point=POINT,
        key="import:W-V2::第三方监测首页无法访问",
        kind="imported_veto",
        indicator="W-V2",
        severity="veto",
        title="W-V2",
        reason="第三方监测首页无法访问",
        source="import",
    )

    # A W-V1 finding staff reclassified as a plain problem is still reviewed on its own.
    Finding.objects.create(
        unit=site_a.unit,
        website=site_a,
        period=period,
        monitoring_point=POINT,
        key="leader:县长",
        kind="leader",
        indicator="W-V1",
        severity="problem",
        title="领导姓名职务表述错误：“付县长”",
        reason="应为“副县长”",
    )

    done = findings_review_bulk(
        Finding.objects.filter(period=period), user=staff, status="confirmed", note="批量确认"
    )

    left = set(Finding.objects.filter(status="pending").values_list("indicator", "kind"))
    assert left == {
        ("W-V2", "unavailable"),
        ("W-V2", "imported_veto"),
        ("W-V3", "home_stale"),
        ("W-V1", "gambling"),
        ("W-V1", "date_suspect"),
        ("W-V1", "leader"),
        ("W-V6", "service_guide"),
        ("W-V4", "column_manual"),
    }
    confirmed = Finding.objects.filter(status="confirmed")
    assert done == confirmed.count() == 8  # 6 overdue, 1 empty, 1 guide deduction
    assert set(confirmed.values_list("severity", flat=True)) <= {"problem", "deduction"}
    assert AuditLogEntry.objects.filter(action="finding_confirmed").count() == 8
    verdict = verdict_of(site_a, "2026-11")
    assert verdict.proposed_result == "pass"  # the vetoes wait for their own review
    assert verdict.projected_result == "veto"
    assert verdict.pending_count == 6  # the unsure column is a task, not a pending problem


def _verdict_writes(queries) -> int:
    return sum(
        1
        for q in queries
        if q["sql"].startswith(('UPDATE "audits_verdict"', 'INSERT INTO "audits_verdict"'))
    )


def test_bulk_review_recomputes_each_verdict_once(site_a, site_b, staff):
    period = Period.for_code("2026-11")
    run = run_create(trigger="staff", monitoring_point=POINT, period=period)
    for site, n in ((site_a, 10), (site_b, 2)):
        for c in add_columns(site, n):
            observe(run, site, column=c, newest=STALE)
    findings_for_run(run)
    complete(run)
    verdict_refresh(site_a, period)
    before = verdict_of(site_a, "2026-11").computed_at

    with CaptureQueriesContext(connection) as ctx:
        assert (
            findings_review_bulk(
                Finding.objects.filter(period=period), user=staff, status="confirmed", note=""
            )
            == 12
        )
    assert _verdict_writes(ctx.captured_queries) == 2  # one per website, not one per finding
    a, b = verdict_of(site_a, "2026-11"), verdict_of(site_b, "2026-11")
    assert a.computed_at > before
    assert (a.proposed_result, b.proposed_result) == ("veto", "pass")
    assert "10个应更未更" in a.reasons and len(b.finding_ids) == 2


# --- vendor findings reach verdicts, counted once ---------------------------------------------


def vendor_csv(*rows) -> bytes:
    lines = ["单位,网站网址,指标代码或问题,数量,说明", *(",".join(map(str, r)) for r in rows)]
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def vendor_import(user, data: bytes, filename="第三方监测问题清单.csv", period="2026-11"):
    upload = findings_upload_store(
        user=user, filename=filename, data=data, period=Period.for_code(period), point=POINT
    )
    return upload, findings_upload_apply(upload, user=user)


def test_an_imported_file_gives_the_period_a_verdict_to_judge(site_a, staff):
    _, report = vendor_import(staff, vendor_csv(["梅渚镇", site_a.home_url, "7个应更未更", "", ""]))
    assert report.ok, report.errors
    verdict = verdict_of(site_a, "2026-11")
    assert (verdict.proposed_result, verdict.pending_count) == ("clean", 1)
    assert verdict.projected_result == "pass" and "7个应更未更" in verdict.projected_reasons
    assert verdict.monitoring_point == POINT
    assert AuditLogEntry.objects.filter(action="findings_import").exists()

    finding_review(Finding.objects.get(), user=staff, status="confirmed", note="")
    verdict.refresh_from_db()
    assert verdict.proposed_result == "pass" and "7个应更未更" in verdict.reasons


def test_the_import_page_leads_to_a_verdict(client, site_a, staff):
    client.force_login(staff)
    data = vendor_csv(["梅渚镇", "", "4个空栏目", "", "第三方12月监测"])
    response = client.post(
        reverse("dashboard:findings_upload"),
        {
            "file": SimpleUploadedFile("vendor.csv", data, content_type="text/csv"),
            "period": "2026-11",
            "monitoring_point": "2026-11-23",
        },
    )
    assert response.status_code == 302
    assert not Verdict.objects.exists()  # the preview writes nothing
    response = client.post(response["Location"])
    assert response.status_code == 302
    verdict = verdict_of(site_a, "2026-11")
    assert verdict.projected_result == "pass" and "4个空栏目" in verdict.projected_reasons


def test_a_row_without_a_url_belongs_to_the_units_only_website(site_a, staff):
    Website.objects.create(
        unit=site_a.unit, name="梅渚镇旧网站", home_url="http://old.mz.example/", status="closed"
    )
    _, report = vendor_import(staff, vendor_csv(["梅渚镇", "", "4个空栏目", "", ""]))
    assert report.ok, report.errors
    finding = Finding.objects.get()
    assert (finding.website, finding.count, finding.indicator) == (site_a, 4, "W-V4c")
    assert Verdict.objects.filter(website=site_a).exists()


def test_a_unit_with_two_websites_must_say_which(site_b, staff):
    Website.objects.create(
        unit=site_b.unit, name="县人社局就业服务网", home_url="http://jy.rsj.example/"
    )
    upload, report = vendor_import(
        staff,
        vendor_csv(
            ["县人社局", site_b.home_url, "应更未更", 2, ""],
            ["县人社局", "", "应更未更", 3, "未写网址"],
        ),
    )
    assert not report.ok
    assert [str(e) for e in report.errors] == [
        "第3行 B列（网站网址）：该单位有多个网站，请填写网站网址"
    ]
    assert not Finding.objects.exists() and not Verdict.objects.exists()
    upload.refresh_from_db()
    assert upload.applied_at is None


@pytest.mark.parametrize(
    ("vendor", "result", "phrase"),
    [
        ("10个应更未更", "veto", "10个应更未更"),
        ("9个应更未更", "pass", "9个应更未更"),
        ("5个应更未更", "pass", "8个应更未更"),
    ],
)
def test_an_imported_count_and_the_machines_findings_count_once(
    site_a, staff, vendor, result, phrase
):
    period = Period.for_code("2026-11")
    columns = add_columns(site_a, 8)
    inspect(site_a, columns, point=POINT, period=period, stale=columns, user=staff)
    assert verdict_of(site_a, "2026-11").reasons == ["8个应更未更"]
    _, report = vendor_import(staff, vendor_csv(["梅渚镇", site_a.home_url, vendor, "", ""]))
    assert report.ok, report.errors
    confirm_pending(staff, source="import")
    verdict = verdict_of(site_a, "2026-11")
    assert verdict.proposed_result == result
    assert phrase in verdict.reasons, verdict.reasons
    assert not any(r.startswith(("17个", "18个", "13个")) for r in verdict.reasons)


def test_an_imported_row_naming_a_column_the_machine_found_counts_once(site_a, staff):
    period = Period.for_code("2026-11")
    columns = add_columns(site_a, 10)
    inspect(site_a, columns, point=POINT, period=period, stale=columns[:9], user=staff)
    _, report = vendor_import(
        staff,
        vendor_csv(
            ["梅渚镇", columns[0].url, "应更未更", "", "栏目超过1年未更新"],
        ),
    )
    assert report.ok, report.errors
    assert Finding.objects.get(source="import").column == columns[0]
    confirm_pending(staff, source="import")
    verdict = verdict_of(site_a, "2026-11")
    assert (verdict.proposed_result, verdict.reasons) == ("pass", ["9个应更未更"])

    # A column the machine found fresh, named by the vendor, is one more.
    _, report = vendor_import(staff, vendor_csv(["梅渚镇", columns[9].url, "应更未更", "", ""]))
    confirm_pending(staff, source="import")
    verdict.refresh_from_db()
    assert verdict.proposed_result == "veto" and "10个应更未更" in verdict.reasons


# --- 领导信息, first-level columns from the registry, navigation-only home pages --------------


def test_a_stale_leaders_column_is_over_a_year_and_counts_toward_w_v4b(site_a, staff):
    (row,) = [r for r in seed_001_annex1() if r.name == "梅渚镇"]
    assert "“政府领导—领导简介”栏目超过1年未更新" in row.problems
    leaders = Column.objects.create(
        website=site_a, name="政府领导—领导简介", url=site_a.home_url + "zfld/", category="leaders"
    )
    others = add_columns(site_a, 9)
    period = Period.for_code("2026-11")
    run = run_create(trigger="staff", monitoring_point=POINT, period=period)
    observe(run, site_a, column=leaders, newest=POINT - dt.timedelta(days=366))
    for c in others:
        observe(run, site_a, column=c, newest=STALE)
    findings_for_run(run)
    complete(run)
    finding = Finding.objects.get(column=leaders)
    assert finding.title == "“政府领导—领导简介”栏目超过1年未更新"
    assert finding.indicator == "W-V4b"
    confirm_pending(staff)
    verdict = verdict_of(site_a, "2026-11")
    assert verdict.proposed_result == "veto" and "10个应更未更" in verdict.reasons


MZ = "https://mz.example.gov.cn/"


def registry_workbook(columns: list[list], drop: tuple[str, ...] = ()) -> bytes:
    book = load_workbook(io.BytesIO(build_workbook(with_data=False)))
    book["单位"].append(["梅渚镇", "乡镇", None, None, None, "是", 1])
    sites = book["网站"]
    site_row = ["梅渚镇", "梅渚镇人民政府", MZ, "3418210001", "门户网站", "运行", None, "是", None]
    sites.append(site_row[: sites.max_column])
    sheet = book["栏目"]
    for header in drop:
        sheet.delete_cols(next(c.column for c in sheet[1] if c.value == header))
    for row in columns:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_blank_first_level_cell_is_read_from_the_hierarchy(staff):
    columns = [
        # 首页网址, 栏目名称, 栏目网址, 栏目类别, 更新周期, 一级栏目, 上级栏目网址, 豁免, 豁免理由
        [MZ, "通知公告", MZ + "tzgg/", "通知公告", None, None, None, None, None],
        [MZ, "政务公开", MZ + "zwgk/", "其他", None, None, None, None, None],
        [MZ, "政策文件", MZ + "zwgk/zcwj/", "政策文件", None, None, MZ + "zwgk/", None, None],
        [MZ, "公示公告", MZ + "gsgg/", "通知公告", None, "否", None, None, None],
    ]
    report = import_registry(registry_workbook(columns), dry_run=False)
    assert report.ok, report.errors
    first = dict(Column.objects.values_list("name", "is_first_level"))
    assert first == {"通知公告": True, "政务公开": True, "政策文件": False, "公示公告": False}

    # The first-level 通知公告 column, half a year stale, counts in W-V4(a); the
    # second-level 政策文件 column in W-V4(b).
    site = Website.objects.get(home_url=MZ)
    run = run_create(trigger="staff", monitoring_point=POINT, period="2026-11")
    for name in ("通知公告", "政策文件"):
        observe(run, site, column=site.columns.get(name=name), newest=POINT - dt.timedelta(200))
    findings_for_run(run)
    indicators = dict(Finding.objects.values_list("column__name", "indicator"))
    assert indicators == {"通知公告": "W-V4a", "政策文件": "W-V4b"}


def test_without_the_first_level_column_new_columns_take_it_from_the_hierarchy():
    columns = [
        [MZ, "通知公告", MZ + "tzgg/", "通知公告", None, None, None, None],
        [MZ, "县政府文件", MZ + "tzgg/xzfwj/", "政策文件", None, MZ + "tzgg/", None, None],
    ]
    report = import_registry(registry_workbook(columns, drop=("一级栏目",)), dry_run=False)
    assert report.ok, report.errors
    assert dict(Column.objects.values_list("name", "is_first_level")) == {
        "通知公告": True,
        "县政府文件": False,
    }


def test_a_navigation_home_page_is_judged_on_its_second_level_pages(site_a, site_b):
    news_b = Column.objects.create(
        website=site_b, name="工作动态", url=site_b.home_url + "gzdt/", category="news"
    )
    run = run_create(trigger="staff", monitoring_point=POINT, period="2026-11")
    for site, column, newest in (
        (site_a, site_a.columns.get(), POINT - dt.timedelta(days=5)),
        (site_b, news_b, POINT - dt.timedelta(days=20)),
    ):
        observe(
            run,
            site,
            kind="home",
            outcome="ok",
            item_count=0,
            evidence={"list_status": "needs_manual"},  # a navigation entry: no list of its own
        )
        observe(run, site, column=column, newest=newest)
    findings_for_run(run)
    assert not Finding.objects.filter(website=site_a, indicator="W-V3").exists()
    stale = Finding.objects.get(website=site_b, indicator="W-V3")
    assert (stale.kind, stale.severity) == ("home_stale", "veto")
    assert stale.title == "首页及二级页面超过2周未更新"


# --- possible 更新不实: a W-V1 candidate, pending until staff confirm ---------------------------


def test_a_suspect_date_is_a_pending_veto_until_staff_confirm_it(site_a, staff):
    period = Period.for_code("2026-11")
    run = run_create(trigger="staff", monitoring_point=POINT, period=period)
    observe(
        run,
        site_a,
        kind="article",
        outcome="ok",
        url=site_a.home_url + "art/2017/5/15/art_1.html",
        newest=dt.date(2017, 5, 15),
        evidence={"meta_date": "2022-04-24", "listed_date": "2017-05-15"},
    )
    observe(run, site_a, column=site_a.columns.get(), newest=POINT - dt.timedelta(days=2))
    findings_for_run(run)
    complete(run)
    suspect = Finding.objects.get(kind="date_suspect")
    assert (suspect.indicator, suspect.severity, suspect.status) == ("W-V1", "veto", "pending")
    verdict = verdict_refresh(site_a, period)
    assert (verdict.proposed_result, verdict.projected_result) == ("clean", "veto")

    assert findings_review_bulk(Finding.objects.all(), user=staff, status="confirmed", note="") == 0
    finding_review(suspect, user=staff, status="confirmed", note="发布日期确系事后修改")
    verdict.refresh_from_db()
    assert verdict.proposed_result == "veto"
    assert suspect.title in verdict.reasons


# --- the portal bonus ----------------------------------------------------------------------


def manual_deduction(site, period, user, item, count, title):
    return finding_add_manual(
        site,
        period,
        user=user,
        indicator="D",
        severity="deduction",
        title=title,
        reason=title,
        item=item,
        count=count,
    )


def test_the_bonus_is_for_portals_only_with_a_reason_and_at_most_30(site_a, site_b, staff):
    period = Period.for_code("2026-11")
    with pytest.raises(ValueError, match="门户网站"):
        bonus_enter(site_b, period, points=5, reason="政务服务创新", user=staff)
    Website.objects.filter(pk=site_a.pk).update(kind=Website.Kind.PORTAL)
    site_a.refresh_from_db()
    for points, reason in ((31, "创新"), (-1, "创新"), (10, "  ")):
        with pytest.raises(ValueError):
            bonus_enter(site_a, period, points=points, reason=reason, user=staff)
    assert not AuditLogEntry.objects.filter(action="bonus_enter").exists()
    bonus_enter(
        site_a, period, points=30, reason="政务服务“一网通办”创新做法被省里推广", user=staff
    )
    entry = AuditLogEntry.objects.get(action="bonus_enter")
    assert entry.after == {"points": 30, "reason": "政务服务“一网通办”创新做法被省里推广"}
    assert entry.actor == staff


def test_the_bonus_raises_the_score_only_above_80(site_a, staff):
    Website.objects.filter(pk=site_a.pk).update(kind=Website.Kind.PORTAL)
    site_a.refresh_from_db()
    period = Period.for_code("2026-11")
    manual_deduction(site_a, period, staff, "manual", 10, "栏目设置不合理")  # 10 points
    manual_deduction(site_a, period, staff, "broken_link_home", 5, "首页链接无法访问")  # 5
    manual_deduction(site_a, period, staff, "typo", 8, "错别字")  # 4
    last = manual_deduction(site_a, period, staff, "typo", 2, "错别字（转载稿）")  # 1
    assert verdict_of(site_a, "2026-11").proposed_score == 80
    bonus_enter(site_a, period, points=10, reason="开设特色专栏", user=staff)
    assert verdict_of(site_a, "2026-11").proposed_score == 80  # 80 is not above 80

    finding_review(last, user=staff, status="dismissed", note="系转载原文用字，不属错别字")
    assert verdict_of(site_a, "2026-11").proposed_score == 91  # 81 + 10

    Website.objects.filter(pk=site_a.pk).update(kind=Website.Kind.DEPARTMENT)
    site_a.refresh_from_db()
    assert verdict_refresh(site_a, period).proposed_score == 81  # no bonus off portals


# --- carry-over, judged on last period's rectification states ---------------------------------


def judged_month(site, code, point, stale, user):
    return inspect(site, stale, point=point, period=Period.for_code(code), stale=stale, user=user)


@pytest.mark.parametrize(
    ("state", "result", "carry"),
    [
        ("closed", "pass", None),
        ("open", "fail", "上月问题未整改"),
        ("submitted", "fail", "上月问题整改不彻底"),
        ("rejected", "fail", "上月问题整改不彻底"),
    ],
)
def test_carry_over_follows_last_months_rectification_state(site_a, staff, state, result, carry):
    column = site_a.columns.get()
    judged_month(site_a, "2026-10", dt.date(2026, 10, 23), [column], staff)
    Finding.objects.filter(period__code="2026-10").update(rectification=state)
    judged_month(site_a, "2026-11", POINT, [column], staff)  # the column is stale again
    verdict = verdict_of(site_a, "2026-11")
    assert verdict.proposed_result == result
    wording = [r for r in verdict.reasons if "整改" in r]
    assert wording == ([carry] if carry else [])
    assert bool(verdict.carried_keys) == bool(carry)


def test_a_problem_fixed_while_another_is_still_there_is_not_thorough(site_a, staff):
    """Seed 001 县人社局: 整改不彻底, 部分栏目信息超期未更新的问题仍然存在."""
    (row,) = [r for r in seed_001_annex1() if r.name == "县人社局"]
    assert row.result == "不合格" and "上月问题整改不彻底" in row.problems
    fixed, still = add_columns(site_a, 2)
    judged_month(site_a, "2026-10", dt.date(2026, 10, 23), [fixed, still], staff)
    Finding.objects.filter(period__code="2026-10", column=fixed).update(rectification="closed")
    inspect(
        site_a,
        [fixed, still],
        point=POINT,
        period=Period.for_code("2026-11"),
        stale=[still],
        user=staff,
    )
    verdict = verdict_of(site_a, "2026-11")
    assert verdict.proposed_result == "fail"
    assert "上月问题整改不彻底" in verdict.reasons


def test_a_quarter_says_last_quarter(site_a, staff):
    column = site_a.columns.get()
    judged_month(site_a, "2026Q3", dt.date(2026, 9, 20), [column], staff)
    judged_month(site_a, "2026Q4", dt.date(2026, 12, 20), [column], staff)
    verdict = verdict_of(site_a, "2026Q4")
    assert verdict.proposed_result == "fail"
    assert "上季度问题未整改" in verdict.reasons


# --- locking ---------------------------------------------------------------------------------


@pytest.fixture
def judged(site_a, staff):
    period = Period.for_code("2026-11")
    inspect(
        site_a,
        [site_a.columns.get()],
        point=POINT,
        period=period,
        stale=[site_a.columns.get()],
        user=staff,
    )
    return period, verdict_of(site_a, "2026-11")


def test_only_the_lead_locks_and_only_a_fully_decided_period(judged, staff, lead):
    period, verdict = judged
    with pytest.raises(PermissionError):
        period_lock(period, user=staff)
    with pytest.raises(ValueError, match="1 个检查结果尚未认定"):
        period_lock(period, user=lead)
    period.refresh_from_db()
    assert not period.is_locked
    verdict_decide(verdict, user=staff)
    period_lock(period, user=lead)
    period.refresh_from_db()
    assert period.is_locked and period.locked_by == lead
    assert AuditLogEntry.objects.filter(action="period_lock", actor=lead).exists()


def test_a_locked_periods_verdicts_and_reviews_no_longer_move(judged, site_a, staff, lead):
    period, verdict = judged
    verdict_decide(verdict, user=staff)
    period_lock(period, user=lead)
    verdict.refresh_from_db()
    stamp, proposed = verdict.computed_at, verdict.proposed_result
    assert proposed == "pass"
    # A veto appears afterwards (written straight to the table: no service accepts it now).
    Finding.objects.create(
        unit=site_a.unit,
        website=site_a,
        period=period,
        monitoring_point=POINT,
        key="manual:late",
        kind="manual",
        indicator="W-V1",
        severity="veto",
        title="严重表述错误",
        reason="严重表述错误",
        source="manual",
        status="confirmed",
    )
    pending = Finding.objects.create(
        unit=site_a.unit,
        website=site_a,
        period=period,
        monitoring_point=POINT,
        key="import:应更未更::late",
        kind="column_overdue",
        indicator="W-V4b",
        severity="problem",
        title="应更未更",
        reason="应更未更",
        source="import",
    )
    period = Period.objects.get(pk=period.pk)
    again = verdict_refresh(site_a, period)
    assert (again.pk, again.proposed_result, again.computed_at) == (verdict.pk, proposed, stamp)
    again.refresh_from_db()
    assert (again.proposed_result, again.computed_at) == (proposed, stamp)
    with pytest.raises(ValueError, match="已锁定"):
        finding_review(Finding.objects.get(pk=pending.pk), user=staff, status="confirmed", note="")
    with pytest.raises(ValueError, match="已锁定"):
        findings_review_bulk(Finding.objects.all(), user=staff, status="confirmed", note="")
    pending.refresh_from_db()
    assert pending.status == "pending"
    with pytest.raises(ValueError, match="已锁定"):
        period_designate_run(period, None, user=lead)
    with pytest.raises(ValueError, match="已锁定"):
        manual_deduction(site_a, period, staff, "manual", 1, "补录")


def test_after_locking_only_the_lead_corrects_a_result_with_a_reason(judged, staff, lead):
    period, verdict = judged
    verdict_decide(verdict, user=staff)
    period_lock(period, user=lead)
    verdict = Verdict.objects.select_related("period").get(pk=verdict.pk)
    with pytest.raises(ValueError, match="负责人"):
        verdict_decide(verdict, user=staff, result="fail", reason="复核发现漏报")
    with pytest.raises(ValueError, match="理由"):
        verdict_decide(verdict, user=lead, result="fail", reason=" ")
    with pytest.raises(ValueError, match="理由"):
        verdict_decide(verdict, user=lead)  # even adopting the proposal again
    verdict.refresh_from_db()
    assert verdict.result == "pass"
    verdict_decide(verdict, user=lead, result="fail", reason="经复核，上月问题实际未整改")
    verdict.refresh_from_db()
    assert (verdict.final, verdict.override_reason) == ("fail", "经复核，上月问题实际未整改")
    entry = AuditLogEntry.objects.get(action="verdict_correction")
    assert entry.actor == lead
    assert entry.before["result"] == "pass" and entry.after["result"] == "fail"
    assert entry.detail["reason"] == "经复核，上月问题实际未整改"


# --- the run's finish counts what the site's findings were made from -------------------------


def _run_with_stored_drafts(site, columns, *, point, period, stale, user):
    run = run_create(trigger="staff", monitoring_point=point, period=period)
    RunSite.objects.create(run=run, website=site, status="running")
    for c in columns:
        observe(run, site, column=c, newest=STALE if c in stale else point)
    findings_for_run(run)
    RunSite.objects.filter(run=run).update(status="done")
    complete(run)
    confirm_pending(user, run=run)
    return run


def test_the_finish_counts_the_drafts_the_findings_were_made_from(site_a, staff, monkeypatch):
    from audits.services import verdicts

    period = Period.for_code("2026-11")
    columns = add_columns(site_a, 8)
    run = _run_with_stored_drafts(
        site_a, columns, point=POINT, period=period, stale=columns[:3], user=staff
    )
    stored = RunSite.objects.get(run=run, website=site_a).drafts
    assert sum(1 for k in stored["counts"] if k.startswith("column_overdue")) == 3
    assert all(isinstance(n, int) and n >= 1 for n in stored["counts"].values())
    fresh = verdict_refresh(site_a, period)  # evaluates the site again
    expected = (fresh.proposed_result, fresh.reasons, sorted(fresh.finding_ids))

    def evaluated(*args):
        raise AssertionError("the finish evaluated the site again")

    monkeypatch.setattr(verdicts, "site_drafts", evaluated)
    assert verdicts.verdicts_for_run(run) == 1
    again = verdict_of(site_a, "2026-11")
    assert (again.proposed_result, again.reasons, sorted(again.finding_ids)) == expected
    assert sum("超过1年未更新" in r for r in again.reasons) == 3


def test_stored_drafts_of_another_run_or_other_rules_are_not_used(site_a, staff, lead, monkeypatch):
    from audits.services import verdicts

    period = Period.for_code("2026-11")
    columns = add_columns(site_a, 8)
    first = _run_with_stored_drafts(
        site_a, columns, point=DAY_1, period=period, stale=columns[:2], user=staff
    )
    second = _run_with_stored_drafts(
        site_a, columns, point=POINT, period=period, stale=columns[:5], user=staff
    )
    period_designate_run(period, first, user=lead)  # the first run is the monitoring point
    calls = []
    real = verdicts.site_drafts
    monkeypatch.setattr(verdicts, "site_drafts", lambda *a: calls.append(a[0]) or real(*a))
    verdicts.verdicts_for_run(second)  # its drafts are not the monitoring run's
    reasons = verdict_of(site_a, "2026-11").reasons
    assert calls == [first] and sum("超过1年未更新" in r for r in reasons) == 2
    # Drafts stored under other rules are evaluated again under the active ones.
    site = RunSite.objects.get(run=first, website=site_a)
    site.drafts = {**site.drafts, "rules": ["other", 99]}
    site.save()
    calls.clear()
    verdicts.verdicts_for_run(first)
    assert calls == [first]


def _county_run(n_sites, *, period, user, unit, prefix):
    """One office run over n sites, some of whose 12 columns are over a year old (none, a few,
    enough for a veto); findings confirmed, drafts stored as the site tasks store them."""
    run = run_create(trigger="staff", monitoring_point=POINT, period=period)
    sites = []
    for i in range(n_sites):
        site = Website.objects.create(
            unit=unit, name=f"站点{prefix}{i}", home_url=f"http://127.0.{prefix}.{i + 1}:8800/"
        )
        columns = add_columns(site, 12)
        stale = columns[: (0, 11, 2, 10, 1, 5, 3)[i % 7]]
        RunSite.objects.create(run=run, website=site, status="running")
        for c in columns:
            observe(run, site, column=c, newest=STALE if c in stale else POINT)
        sites.append(site)
    findings_for_run(run)
    RunSite.objects.filter(run=run).update(status="done")
    complete(run)
    confirm_pending(user, run=run)
    return run, sites


def test_the_finishs_queries_do_not_grow_with_the_sites(unit_a, staff):
    from audits.services import verdicts

    counts = []
    Period.for_code("2026-09")  # both periods below have a previous one to carry problems from
    for code, n in (("2026-10", 2), ("2026-11", 7)):
        period = Period.for_code(code)
        run, sites = _county_run(n, period=period, user=staff, unit=unit_a, prefix=n)
        Verdict.objects.filter(period=period).delete()
        with CaptureQueriesContext(connection) as ctx:
            assert verdicts.verdicts_for_run(run) == n
        counts.append(len(ctx.captured_queries))
        # the same verdicts as refreshing each site alone
        batch = {v.website_id: (v.proposed_result, v.reasons, sorted(v.finding_ids))
                 for v in Verdict.objects.filter(period=period)}  # fmt: skip
        Verdict.objects.filter(period=period).delete()
        for site in sites:
            verdict_refresh(site, period)
        alone = {v.website_id: (v.proposed_result, v.reasons, sorted(v.finding_ids))
                 for v in Verdict.objects.filter(period=period)}  # fmt: skip
        assert batch == alone and len(batch) == n
        assert {"clean", "veto"} <= {r for r, _, _ in batch.values()}
    assert counts[0] == counts[1], counts


def test_a_refresh_keeps_a_persons_decision_and_moves_the_proposal(site_a, staff):
    period = Period.for_code("2026-11")
    columns = add_columns(site_a, 12)
    inspect(site_a, columns, point=POINT, period=period, stale=columns[:1], user=staff)
    verdict = verdict_of(site_a, "2026-11")
    verdict_decide(verdict, user=staff, result="fail", reason="人工认定")
    inspect(site_a, columns, point=POINT, period=period, stale=columns[:11], user=staff)
    verdict = verdict_of(site_a, "2026-11")
    assert (verdict.result, verdict.override_reason) == ("fail", "人工认定")
    assert verdict.proposed_result == "veto"
