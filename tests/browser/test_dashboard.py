"""The office's day in a real browser: staff filter the review queue and confirm findings in
bulk, override a website's verdict with a reason, adopt the remaining proposals; the lead locks
the period; the audit log shows every act and who did it. The overview is screenshotted."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from audits.models import (
    Finding,
    InspectionRun,
    Observation,
    Period,
    RuleSet,
    RunSite,
    Verdict,
)
from audits.services.findings import findings_for_run
from audits.services.runs import run_create
from audits.services.verdicts import verdict_decide, verdict_refresh
from core.models import AuditLogEntry
from units.models import Column

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

POINT = dt.date(2026, 11, 23)
PERIOD = "2026-11"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
REASON = "该网站首页长期转载无关内容，经负责人研究改判不合格"


@pytest.fixture(autouse=True)
def _platform_rows(transactional_db):
    """The roles and rule sets the migrations install, again (idempotent): a transactional
    test that ran earlier in the session may have flushed them (see test_rectification.py)."""
    from audits.defaults import defaults_install

    defaults_install()


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
    """A done run for 2026-11: site A (梅渚镇) has three routine findings (“工作动态” 30 days
    stale, “通知公告” empty, “政策文件” 400 days stale), site B (县人社局) one (“工作动态” 30
    days stale). Both sites have verdicts for the five months before, for the trend."""
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
    news_b = Column.objects.create(
        website=site_b, name="工作动态", url=site_b.home_url + "gzdt/", category="news"
    )
    observe(run, site_b, column=news_b, newest=POINT - dt.timedelta(30))
    assert findings_for_run(run) == 4
    for site in (site_a, site_b):
        RunSite.objects.create(run=run, website=site, status=RunSite.Status.DONE)
    InspectionRun.objects.filter(pk=run.pk).update(
        status=InspectionRun.Status.DONE, finished_at=timezone.now()
    )
    for site in (site_a, site_b):
        verdict_refresh(site, run.period, POINT)
    rule_set = RuleSet.objects.order_by("pk").first()
    for month, results in zip(range(6, 11), ("pass", "fail", "pass", "clean", "veto"), strict=True):
        period = Period.for_code(f"2026-{month:02d}")
        for site, result in ((site_a, results), (site_b, "pass")):
            Verdict.objects.create(
                unit=site.unit,
                website=site,
                period=period,
                monitoring_point=period.end,
                rule_set=rule_set,
                rule_set_version=rule_set.version,
                proposed_result=result,
                result=result,
                computed_at=timezone.now(),
            )
    findings = Finding.objects.filter(period__code=PERIOD).select_related("website")
    return {(f.website.name, f.title): f for f in findings}


def row(page: Page, finding: Finding):
    return page.locator(f"#finding-{finding.pk}")


def queue_rows(page: Page):
    return page.locator("tr[id^=finding-]")


def test_staff_review_in_bulk_override_adopt_and_the_lead_locks(
    page, live_server, login, staff, lead, site_a, site_b, period_findings, tmp_path
):
    a_stale = period_findings[("梅渚镇人民政府", "“工作动态”栏目超过2周未更新")]
    a_empty = period_findings[("梅渚镇人民政府", "“通知公告”栏目为空栏目")]
    a_policy = period_findings[("梅渚镇人民政府", "“政策文件”栏目超过半年未更新")]
    b_stale = period_findings[("县人社局网站", "“工作动态”栏目超过2周未更新")]
    login(page, staff)

    # The queue opens on the latest period's pending findings: all four.
    page.goto(f"{live_server.url}/review/")
    expect(page.locator("h1")).to_have_text("问题复核")
    expect(queue_rows(page)).to_have_count(4)

    # Filtered by the unit's name (part of it), only 梅渚镇's three are left.
    page.fill("form.filters input[name=unit]", "梅渚")
    page.get_by_role("button", name="筛选").click()
    expect(queue_rows(page)).to_have_count(3)
    expect(row(page, b_stale)).to_have_count(0)
    assert "unit=%E6%A2%85%E6%B8%9A" in page.url

    # Two of them confirmed in bulk: the queue comes back with the same filter, one left.
    row(page, a_stale).locator("input[name=select]").check()
    row(page, a_empty).locator("input[name=select]").check()
    page.get_by_role("button", name="确认所选").click()
    expect(page.locator(".message.success")).to_have_text("已确认 2 条问题。")
    expect(page.locator("form.filters input[name=unit]")).to_have_value("梅渚")
    expect(queue_rows(page)).to_have_count(1)
    expect(row(page, a_policy)).to_be_visible()

    # The other unit's site, filtered by the website's name: confirmed too.
    page.fill("form.filters input[name=unit]", "")
    page.fill("form.filters input[name=website]", "人社局")
    page.get_by_role("button", name="筛选").click()
    expect(queue_rows(page)).to_have_count(1)
    row(page, b_stale).locator("input[name=select]").check()
    page.get_by_role("button", name="确认所选").click()
    expect(page.locator(".message.success")).to_have_text("已确认 1 条问题。")
    expect(queue_rows(page)).to_have_count(0)
    statuses = dict(Finding.objects.values_list("pk", "status"))
    assert [statuses[f.pk] for f in (a_stale, a_empty, b_stale, a_policy)] == [
        "confirmed",
        "confirmed",
        "confirmed",
        "pending",
    ]

    # From the remaining finding's row to the website's page for the period: override.
    page.fill("form.filters input[name=website]", "")
    page.get_by_role("button", name="筛选").click()
    expect(queue_rows(page)).to_have_count(1)
    row(page, a_policy).get_by_role("link", name="该网站本期").click()
    expect(page.locator("h1")).to_have_text("梅渚镇人民政府 · 2026年11月")
    verdict_a = Verdict.objects.get(website=site_a, period__code=PERIOD)
    decide = page.locator(f"form[action='/verdicts/{verdict_a.pk}/decide/']")
    decide.locator("select[name=result]").select_option("fail")
    decide.locator("textarea[name=reason]").fill(REASON)
    decide.get_by_role("button", name="认定").click()
    expect(page.locator(".message.success")).to_have_text("已认定：不合格")
    expect(page.locator(".card")).to_contain_text(f"改判理由：{REASON}")

    # The verdict list: site B has no pending finding left, its proposal is adopted with the
    # others; the lock button is the lead's, staff do not see it.
    page.goto(f"{live_server.url}/verdicts/?period={PERIOD}")
    expect(page.locator(".period-panel")).to_contain_text("1 个检查结果尚未认定")
    expect(page.get_by_role("button", name="锁定本周期")).to_have_count(0)
    page.get_by_role("button", name="采纳全部没有待复核问题的建议结果").click()
    expect(page.locator(".message.success")).to_have_text("已采纳 1 个没有待复核问题的建议结果。")
    verdict_b = Verdict.objects.get(website=site_b, period__code=PERIOD)
    assert (verdict_b.result, verdict_b.decided_by) == (verdict_b.proposed_result, staff)
    assert verdict_b.result == "pass"

    # The lead locks the period.
    page.get_by_role("button", name="退出").click()
    login(page, lead)
    page.goto(f"{live_server.url}/verdicts/?period={PERIOD}")
    lock = page.get_by_role("button", name="锁定本周期")
    expect(lock).to_be_enabled()
    lock.click()
    expect(page.locator(".message.success")).to_have_text("2026年11月已锁定：检查结果不再变动。")
    expect(page.locator(".period-panel")).to_contain_text("已锁定（lead，")
    assert Period.objects.get(code=PERIOD).locked_by == lead

    # The audit log shows each act with who did it.
    page.goto(f"{live_server.url}/audit-log/")
    expect(page.locator("h1")).to_have_text("操作日志")
    log_rows = page.locator("table.log tbody tr")
    expected = [
        ("finding_confirmed", "staff", 3),
        ("verdict_override", "staff", 1),
        ("verdict_adopt", "staff", 1),
        ("period_lock", "lead", 1),
    ]
    for action, who, count in expected:
        rows = log_rows.filter(has=page.locator("td", has_text=re.compile(f"^{action}$")))
        expect(rows).to_have_count(count)
        for i in range(count):
            expect(rows.nth(i).locator("td").nth(1)).to_have_text(who)
    expect(log_rows).to_have_count(6)
    override = log_rows.filter(has=page.locator("td", has_text=re.compile("^verdict_override$")))
    expect(override).to_contain_text("梅渚镇人民政府 2026年11月 不合格")
    assert list(
        AuditLogEntry.objects.order_by("at", "pk").values_list("action", "actor__username")
    ) == [
        ("finding_confirmed", "staff"),
        ("finding_confirmed", "staff"),
        ("finding_confirmed", "staff"),
        ("verdict_override", "staff"),
        ("verdict_adopt", "staff"),
        ("period_lock", "lead"),
    ]

    # The overview after the period is settled: rates, failing sites, the trend; screenshot.
    page.goto(f"{live_server.url}/")
    expect(page.locator("h1")).to_have_text("工作台")
    expect(page.locator("#rates")).to_contain_text("政府网站合格率（1/2）")
    expect(page.locator("#failing")).to_contain_text("梅渚镇人民政府")
    expect(page.locator(".trend-table")).to_contain_text("2026年11月")
    page.wait_for_function(
        "() => { const c = document.getElementById('trend'); return c && c.width > 0 "
        "&& window.Chart && Chart.getChart(c) }"
    )
    png = tmp_path / "overview.png"
    page.screenshot(path=str(png), full_page=True)
    data = png.read_bytes()
    assert data.startswith(PNG_MAGIC)
    assert len(data) > 10_000
    print(f"overview screenshot: {png}")


def test_the_audit_log_shows_the_reasons_as_written(
    page, live_server, login, staff, site_a, period_findings
):
    """The reason of an override is what the log is for; the 修改后 and 详情 columns show the
    JSON with every Chinese character escaped (\\u8be5\\u7f51…): tables.JSONColumn dumps
    with ensure_ascii."""
    verdict = Verdict.objects.get(website=site_a, period__code=PERIOD)
    verdict_decide(verdict, user=staff, result="fail", reason=REASON)
    login(page, staff)
    page.goto(f"{live_server.url}/audit-log/?action=verdict_override")
    entry = page.locator("table.log tbody tr")
    expect(entry).to_have_count(1)
    expect(entry).to_contain_text("verdict_override")
    expect(entry).to_contain_text(REASON)
