"""Reviewing a website's findings for a period, adjudicating it, and screenshots for people."""

import datetime as dt
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import Page, expect

from audits.models import Finding, InspectionRun, Observation, RunSite, Verdict
from audits.services.findings import findings_for_run
from audits.services.runs import run_create
from audits.services.verdicts import verdict_refresh
from core.models import AuditLogEntry
from units.models import Column

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

POINT = dt.date(2026, 11, 23)
PERIOD = "2026-11"
SCREENSHOTS = Path(settings.GOVWATCH_VAR_DIR) / "screenshots"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def observe(run, site, *, column=None, kind="column", outcome="dated", newest=None, **kw):
    return Observation.objects.create(
        run=run,
        website=site,
        column=column,
        kind=kind,
        url=column.url if column else site.home_url,
        outcome=outcome,
        observed_at=timezone.now(),
        newest_date=newest,
        item_count=kw.pop("item_count", 10),
        **kw,
    )


@pytest.fixture
def period_findings(site_a, site_b, staff):
    """A done run for 2026-11 whose observations give site A three pending findings:
    “工作动态” 30 days stale, “通知公告” empty, “政策文件” 400 days stale. Site B is clean."""
    run = run_create(
        trigger=InspectionRun.Trigger.STAFF, monitoring_point=POINT, period=PERIOD, user=staff
    )
    for site in (site_a, site_b):
        observe(
            run, site, kind="home", outcome="ok", newest=POINT, evidence={"list_status": "dated"}
        )
    observe(
        run, site_a, column=site_a.columns.get(name="工作动态"), newest=POINT - dt.timedelta(30)
    )
    notices = Column.objects.create(
        website=site_a,
        name="通知公告",
        url=site_a.home_url + "tzgg/",
        category="notice",
        is_first_level=True,
    )
    observe(run, site_a, column=notices, outcome="empty", item_count=0)
    policy = Column.objects.create(
        website=site_a, name="政策文件", url=site_a.home_url + "zcwj/", category="policy"
    )
    observe(run, site_a, column=policy, newest=POINT - dt.timedelta(400))
    assert findings_for_run(run) == 3
    for site in (site_a, site_b):
        RunSite.objects.create(run=run, website=site, status=RunSite.Status.DONE)
    InspectionRun.objects.filter(pk=run.pk).update(status=InspectionRun.Status.DONE)
    for site in (site_a, site_b):
        verdict_refresh(site, run.period, POINT)
    return {f.title: f for f in Finding.objects.filter(website=site_a, period__code=PERIOD)}


def finding_row(page: Page, finding: Finding):
    return page.locator(f"#finding-{finding.pk}")


def proposal(page: Page):
    return page.locator(".card p").filter(has_text="建议结果").locator(".badge")


def test_staff_reviews_findings_and_overrides_the_verdict(
    page, live_server, login, staff, site_a, period_findings
):
    stale = period_findings["“工作动态”栏目超过2周未更新"]
    empty = period_findings["“通知公告”栏目为空栏目"]
    verdict = Verdict.objects.get(website=site_a, period__code=PERIOD)
    assert (verdict.proposed_result, verdict.pending_count) == ("clean", 3)

    login(page, staff)
    page.goto(f"{live_server.url}/review/{site_a.pk}/{PERIOD}/")
    expect(page.locator("h1")).to_have_text("梅渚镇人民政府 · 2026年11月")
    expect(page.locator("main h2")).to_have_text("问题（3）")
    expect(proposal(page)).to_have_text("无问题")
    expect(page.locator(".card")).to_contain_text("尚未认定")
    expect(page.locator(".card")).to_contain_text("待复核问题 3 条")

    # Confirm one: the proposal moves from 无问题 to 合格.
    finding_row(page, stale).get_by_role("button", name="确认").click()
    expect(page.locator(".message.success")).to_contain_text(f"确认：{stale.title}")
    expect(finding_row(page, stale).locator(".badge.confirmed")).to_have_text("已确认")
    expect(finding_row(page, stale).get_by_role("button")).to_have_count(0)
    expect(proposal(page)).to_have_text("合格")
    # Up to three overdue columns are named, as seed 001 writes them (more: "N个应更未更").
    expect(page.locator(".card")).to_contain_text(stale.title)
    expect(page.locator(".card")).to_contain_text("待复核问题 2 条")

    # Dismissing needs a reason.
    finding_row(page, empty).get_by_role("button", name="排除").click()
    expect(page.locator(".message.error")).to_have_text("排除问题必须填写理由。")
    expect(finding_row(page, empty).locator(".badge.pending")).to_have_text("待复核")
    assert Finding.objects.get(pk=empty.pk).status == Finding.Status.PENDING

    finding_row(page, empty).locator("input[name=note]").fill("栏目已于监测前发布信息，截图为证")
    finding_row(page, empty).get_by_role("button", name="排除").click()
    expect(finding_row(page, empty).locator(".badge.dismissed")).to_have_text("已排除")
    expect(finding_row(page, empty)).to_contain_text("栏目已于监测前发布信息，截图为证")
    expect(page.locator(".card")).to_contain_text("待复核问题 1 条")
    expect(proposal(page)).to_have_text("合格")

    verdict.refresh_from_db()
    assert (verdict.proposed_result, verdict.pending_count) == ("pass", 1)
    assert verdict.finding_ids == [stale.pk]

    # Overriding the proposal (合格) with 不合格 needs a written reason.
    decide = page.locator(f"form[action='/verdicts/{verdict.pk}/decide/']")
    expect(decide.locator("select[name=result]")).to_have_value("pass")
    decide.locator("select[name=result]").select_option("fail")
    decide.get_by_role("button", name="认定").click()
    expect(page.locator(".message.error")).to_have_text("改判必须填写理由")
    expect(page.locator(".card")).to_contain_text("尚未认定")
    verdict.refresh_from_db()
    assert verdict.result == ""

    reason = "网站内容与实际工作严重脱节，经负责人研究改判"
    decide = page.locator(f"form[action='/verdicts/{verdict.pk}/decide/']")
    decide.locator("select[name=result]").select_option("fail")
    decide.locator("textarea[name=reason]").fill(reason)
    decide.get_by_role("button", name="认定").click()
    expect(page.locator(".message.success")).to_have_text("已认定：不合格")
    expect(page.locator(".card")).to_contain_text(f"改判理由：{reason}")
    expect(page.locator(".card b")).to_have_text("不合格")
    expect(proposal(page)).to_have_text("合格")

    verdict.refresh_from_db()
    assert (verdict.result, verdict.override_reason, verdict.decided_by) == ("fail", reason, staff)

    # Every act is in the audit log, by the person who did it; the refused ones are not.
    actions = list(
        AuditLogEntry.objects.order_by("at", "pk").values_list("action", "actor__username")
    )
    assert actions == [
        ("finding_confirmed", "staff"),
        ("finding_dismissed", "staff"),
        ("verdict_override", "staff"),
    ]
    dismissed = AuditLogEntry.objects.get(action="finding_dismissed")
    assert dismissed.detail["finding"] == empty.pk
    assert dismissed.detail["note"] == "栏目已于监测前发布信息，截图为证"
    override = AuditLogEntry.objects.get(action="verdict_override")
    assert override.detail["proposed"] == "pass"
    assert override.detail["result"] == "fail"
    assert override.detail["reason"] == reason

    # The list of the period shows the decision.
    page.goto(f"{live_server.url}/verdicts/?period={PERIOD}")
    row = page.locator("table.table tr").filter(has=page.get_by_role("link", name=site_a.name))
    expect(row.locator(".badge").first).to_have_text("不合格")
    expect(row).to_contain_text("（改判）")


def test_the_review_message_says_confirmed_once(
    page, live_server, login, staff, site_a, period_findings
):
    stale = period_findings["“工作动态”栏目超过2周未更新"]
    login(page, staff)
    page.goto(f"{live_server.url}/review/{site_a.pk}/{PERIOD}/")
    finding_row(page, stale).get_by_role("button", name="确认").click()
    expect(page.locator(".message.success")).to_have_text(f"已确认：{stale.title}", timeout=3_000)


def test_screenshots_of_the_verdict_list_and_the_review_page(
    page, live_server, login, staff, site_a, period_findings
):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    login(page, staff)

    page.goto(f"{live_server.url}/verdicts/?period={PERIOD}")
    expect(page.locator("h1")).to_have_text("检查结果 2026年11月")
    expect(page.get_by_role("link", name=site_a.name)).to_be_visible()
    expect(page.get_by_role("link", name="县人社局网站")).to_be_visible()
    list_png = SCREENSHOTS / "verdict_list.png"
    page.screenshot(path=str(list_png), full_page=True)

    page.get_by_role("link", name=site_a.name).click()
    expect(page.locator("h1")).to_have_text(f"{site_a.name} · 2026年11月")
    expect(page.locator("tr[id^=finding-]")).to_have_count(3)
    review_png = SCREENSHOTS / "website_review.png"
    page.screenshot(path=str(review_png), full_page=True)

    for png in (list_png, review_png):
        data = png.read_bytes()
        assert data.startswith(PNG_MAGIC), png
        assert len(data) > 10_000, (png, len(data))
