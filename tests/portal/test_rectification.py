"""Rectification (整改) in the database and through the portal and dashboard views: a confirmed
finding gets its 整改时限 and a reminder in the same transaction; the unit reports with evidence;
staff accept (销号) or reject (整改不彻底); a re-inspection closes what it sees fixed; what is left
carries over to the next period's verdict. Self-checks: limited per unit per day, one at a time
per site, in no period."""

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from audits.models import (
    Finding,
    InspectionRun,
    Observation,
    Period,
    Rectification,
    RunSite,
    Verdict,
    active_rule_set,
    rules_for,
)
from audits.services.findings import findings_for_run, findings_for_website
from audits.services.rectification import rectification_review, rectification_submit
from audits.services.review import finding_review
from audits.services.runs import run_create, self_check_start
from audits.services.verdicts import verdict_refresh
from core.models import AuditLogEntry, OutboxMessage
from units.models import Website

pytestmark = pytest.mark.django_db

POINT = dt.date(2026, 11, 23)
OCTOBER = dt.date(2026, 10, 23)
STALE = dt.date(2026, 9, 1)  # “工作动态” (14-day window) is overdue at both points


# --- helpers, also used by the other portal tests and the browser test -------------------------


def png(size=(40, 24), color=(200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "PNG")
    return out.getvalue()


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
    """The run ends with its sites done: a period's counts come from its complete runs."""
    for website_id in run.observations.values_list("website_id", flat=True).distinct():
        RunSite.objects.get_or_create(run=run, website_id=website_id, defaults={"status": "done"})
    InspectionRun.objects.filter(pk=run.pk).update(status="done", finished_at=timezone.now())


def office_run(site, *, period="2026-11", point=POINT, newest=STALE, outcome="dated"):
    """A finished office run for the period that saw the site's “工作动态” as given."""
    run = run_create(trigger="staff", monitoring_point=point, period=period)
    observe(run, site, kind="home", outcome="ok", newest=point, evidence={"list_status": "dated"})
    column = site.columns.get(name="工作动态")
    if outcome == "dated":
        observe(run, site, column=column, newest=newest)
    else:
        observe(run, site, column=column, outcome=outcome, newest=None, item_count=None)
    return run


def pending_finding(site, *, period="2026-11", point=POINT) -> Finding:
    run = office_run(site, period=period, point=point)
    findings_for_run(run)
    complete(run)
    return Finding.objects.get(website=site, period__code=period, kind="column_overdue")


def confirmed_finding(site, staff, *, period="2026-11", point=POINT) -> Finding:
    """A machine finding (“工作动态” overdue) of the period, confirmed by staff."""
    finding = pending_finding(site, period=period, point=point)
    finding_review(finding, user=staff, status="confirmed", note="")
    finding.refresh_from_db()
    return finding


def evidence_png(name="更新截图.png", content_type="image/png"):
    return SimpleUploadedFile(name, png(), content_type=content_type)


FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # users are made per test


@pytest.fixture(autouse=True)
def _private_root(settings, tmp_path):
    settings.GOVWATCH_PRIVATE_ROOT = tmp_path / "private"
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = FAST_HASHERS


@pytest.fixture
def mailed_unit(unit_a):
    unit_a.email = "gongkai@meizhu.gov.cn"
    unit_a.save()
    return unit_a


def finding_url(finding) -> str:
    return reverse("portal:finding_detail", args=[finding.pk])


def page_text(response) -> str:
    return response.content.decode()


# --- confirmation: deadline and reminder in one transaction ------------------------------------


@pytest.mark.parametrize(
    ("days", "expected"),
    [({"column_overdue": 7, "default": 20}, 7), ({"default": 20}, 20)],
    ids=["per-kind", "default"],
)
def test_confirming_sets_the_deadline_from_the_rule_set_and_queues_a_reminder(
    site_a, staff, mailed_unit, days, expected
):
    rule_set = active_rule_set()
    rule_set.rectification_days = days
    rule_set.save()
    mailed_unit.webhook_kind = "dingtalk"
    mailed_unit.webhook_url = "https://oapi.dingtalk.com/robot/send?access_token=abc"
    mailed_unit.webhook_secret = "SECabc"
    mailed_unit.save()

    finding = confirmed_finding(site_a, staff)

    assert finding.deadline == timezone.localdate() + dt.timedelta(days=expected)
    rows = {m.channel: m for m in OutboxMessage.objects.filter(key__startswith="confirmed:")}
    assert set(rows) == {"email", "webhook"}
    email = rows["email"]
    assert email.key == f"confirmed:{finding.pk}:email"
    assert (email.status, email.attempts, email.recipient) == (
        "pending",
        0,
        "gongkai@meizhu.gov.cn",
    )
    assert email.unit_id == mailed_unit.pk
    assert email.subject.startswith("【整改通知】") and finding.title in email.subject
    assert f"{finding.deadline:%Y年%m月%d日}前完成整改" in email.body
    webhook = rows["webhook"]
    assert webhook.recipient == mailed_unit.webhook_url
    assert webhook.extra == {"kind": "dingtalk", "secret": "SECabc"}


def test_the_reminder_exists_exactly_when_the_confirmation_does(site_a, staff, mailed_unit):
    finding = pending_finding(site_a)
    with pytest.raises(RuntimeError), transaction.atomic():
        finding_review(finding, user=staff, status="confirmed", note="")
        assert OutboxMessage.objects.count() == 1  # written inside the transaction…
        raise RuntimeError("the request fails after the confirmation")
    finding.refresh_from_db()
    # … and gone with it.
    assert (finding.status, finding.deadline) == ("pending", None)
    assert not OutboxMessage.objects.exists()
    assert not AuditLogEntry.objects.filter(action="finding_confirmed").exists()

    finding_review(finding, user=staff, status="confirmed", note="")
    assert OutboxMessage.objects.filter(key=f"confirmed:{finding.pk}:email").count() == 1


def test_a_dismissed_finding_gets_no_deadline_and_no_reminder(site_a, staff, mailed_unit):
    finding = pending_finding(site_a)
    finding_review(finding, user=staff, status="dismissed", note="监测前已更新，截图为证")
    finding.refresh_from_db()
    assert finding.deadline is None
    assert not OutboxMessage.objects.exists()


# --- the unit reports, staff decide ------------------------------------------------------------


def test_the_unit_reports_with_evidence_and_staff_accept_it(
    client, site_a, staff, operator_a, mailed_unit
):
    finding = confirmed_finding(site_a, staff)
    client.force_login(operator_a)
    response = client.post(
        finding_url(finding),
        {"note": "已于11月25日更新该栏目3条信息", "files": [evidence_png()]},
    )
    assert response.status_code == 302 and response["Location"] == finding_url(finding)
    finding.refresh_from_db()
    assert finding.rectification == "submitted"
    report = Rectification.objects.get(finding=finding)
    assert (report.status, report.note, report.submitted_by) == (
        "submitted",
        "已于11月25日更新该栏目3条信息",
        operator_a,
    )
    assert report.evidence.count() == 1
    entry = AuditLogEntry.objects.get(action="rectification_submit")
    assert (entry.actor, entry.unit_id, entry.object_id) == (operator_a, mailed_unit.pk, finding.pk)
    assert entry.before == {"rectification": "open"}
    assert entry.after == {"rectification": "submitted", "files": ["更新截图.png"]}

    page = page_text(client.get(finding_url(finding)))
    assert "已提交整改" in page and "已于11月25日更新该栏目3条信息" in page
    assert "报送整改情况</h2>" not in page  # nothing to report while it is under review

    client.force_login(staff)
    listing = page_text(client.get(reverse("dashboard:rectification_list")))
    assert f'id="rectification-{report.pk}"' in listing and "更新截图.png" in listing
    response = client.post(
        reverse("dashboard:rectification_decide", args=[report.pk]), {"decision": "accept"}
    )
    assert response.status_code == 302
    finding.refresh_from_db()
    report.refresh_from_db()
    assert (finding.rectification, report.status, report.reviewed_by) == (
        "closed",
        "accepted",
        staff,
    )
    assert finding.closed_at is not None
    entry = AuditLogEntry.objects.get(action="rectification_accept")
    assert (entry.actor, entry.before, entry.after["rectification"]) == (
        staff,
        {"rectification": "submitted"},
        "closed",
    )

    client.force_login(operator_a)
    page = page_text(client.get(finding_url(finding)))
    assert "已销号" in page
    home = page_text(client.get(reverse("portal:home")))
    assert finding_url(finding) not in home.split('id="to-fix"')[-1].split("</table>")[0]


def test_staff_reject_with_a_reason_and_the_unit_reports_again(
    client, site_a, staff, operator_a, mailed_unit
):
    finding = confirmed_finding(site_a, staff)
    client.force_login(operator_a)
    client.post(finding_url(finding), {"note": "已更新", "files": [evidence_png()]})
    first = Rectification.objects.get()

    client.force_login(staff)
    decide = reverse("dashboard:rectification_decide", args=[first.pk])
    response = client.post(decide, {"decision": "reject", "note": "  "}, follow=True)
    assert "退回整改必须填写理由" in page_text(response)
    finding.refresh_from_db()
    assert finding.rectification == "submitted"

    client.post(decide, {"decision": "reject", "note": "截图未显示更新日期"})
    finding.refresh_from_db()
    first.refresh_from_db()
    assert (finding.rectification, first.status, first.review_note) == (
        "rejected",
        "rejected",
        "截图未显示更新日期",
    )
    entry = AuditLogEntry.objects.get(action="rectification_reject")
    assert (entry.actor, entry.after) == (
        staff,
        {"rectification": "rejected", "note": "截图未显示更新日期"},
    )
    told = OutboxMessage.objects.get(key=f"rejected:{first.pk}:email")
    assert "整改不彻底" in told.body and "截图未显示更新日期" in told.body

    # A decided report cannot be decided again.
    response = client.post(decide, {"decision": "accept"}, follow=True)
    assert "该整改报告已经审核" in page_text(response)
    finding.refresh_from_db()
    assert finding.rectification == "rejected"

    client.force_login(operator_a)
    page = page_text(client.get(finding_url(finding)))
    assert "整改不彻底" in page and "截图未显示更新日期" in page
    assert "报送整改情况</h2>" in page
    home = page_text(client.get(reverse("portal:home")))
    to_fix = home.split('id="to-fix"')[1].split("</table>")[0]
    assert finding_url(finding) in to_fix and "整改不彻底" in to_fix

    response = client.post(
        finding_url(finding), {"note": "已补充带日期的截图", "files": [evidence_png("第二次.png")]}
    )
    assert response.status_code == 302
    finding.refresh_from_db()
    assert finding.rectification == "submitted"
    assert Rectification.objects.filter(finding=finding).count() == 2
    assert AuditLogEntry.objects.filter(action="rectification_submit").count() == 2


def test_a_unit_cannot_report_for_another_units_finding_nor_decide(
    client, site_a, staff, operator_a, operator_b
):
    finding = confirmed_finding(site_a, staff)
    client.force_login(operator_b)
    response = client.post(finding_url(finding), {"note": "别人的问题", "files": [evidence_png()]})
    assert response.status_code == 404
    assert not Rectification.objects.exists()

    client.force_login(operator_a)
    client.post(finding_url(finding), {"note": "已更新"})
    report = Rectification.objects.get()
    response = client.post(
        reverse("dashboard:rectification_decide", args=[report.pk]), {"decision": "accept"}
    )
    assert response.status_code == 403
    finding.refresh_from_db()
    assert finding.rectification == "submitted"


def test_a_finding_still_under_review_offers_no_report(client, site_a, operator_a):
    finding = pending_finding(site_a)
    client.force_login(operator_a)
    assert "报送整改情况</h2>" not in page_text(client.get(finding_url(finding)))
    response = client.post(finding_url(finding), {"note": "已更新"})
    assert response.status_code == 200
    assert not Rectification.objects.exists()
    finding.refresh_from_db()
    assert finding.rectification == "open"


def test_a_report_refused_because_the_finding_closed_meanwhile_says_why(
    client, site_a, staff, operator_a
):
    """The operator opens the form; before it is sent, a re-inspection closes the finding. The
    report is refused, and the page must say so rather than drop it silently."""
    finding = confirmed_finding(site_a, staff)
    client.force_login(operator_a)
    assert "报送整改情况</h2>" in page_text(client.get(finding_url(finding)))
    run = office_run(site_a, newest=POINT - dt.timedelta(days=1))
    findings_for_website(run, site_a, rules_for(active_rule_set()))
    finding.refresh_from_db()
    assert finding.rectification == "closed"
    response = client.post(finding_url(finding), {"note": "已于11月25日更新"})
    assert not Rectification.objects.exists()
    assert response.status_code == 200
    assert "该问题当前不需要报送整改情况" in page_text(response)


def test_a_report_needs_a_note(site_a, staff, operator_a):
    finding = confirmed_finding(site_a, staff)
    with pytest.raises(ValueError, match="请填写整改情况"):
        rectification_submit(finding, user=operator_a, note="   ", files=[])
    finding.refresh_from_db()
    assert finding.rectification == "open"


# --- re-inspection closes what it sees fixed ---------------------------------------------------


def test_a_reinspection_that_sees_the_column_updated_closes_the_finding(
    client, site_a, staff, operator_a
):
    finding = confirmed_finding(site_a, staff, period="2026-10", point=OCTOBER)
    # The unit has reported; the machine sees it done before staff get to it.
    rectification_submit(finding, user=operator_a, note="已更新", files=[])
    run = office_run(site_a, newest=POINT - dt.timedelta(days=2))
    findings_for_website(run, site_a, rules_for(active_rule_set()))
    finding.refresh_from_db()
    assert finding.rectification == "closed"
    assert finding.closed_at is not None
    assert finding.evidence["closed_by_run"] == run.pk
    entry = AuditLogEntry.objects.get(action="rectification_auto_close")
    assert (entry.actor, entry.object_id, entry.detail["run"]) == (None, finding.pk, run.pk)
    assert entry.before == {"rectification": "submitted"}

    client.force_login(operator_a)
    page = page_text(client.get(finding_url(finding)))
    assert f"监测任务 #{run.pk} 复查时已看到该问题整改，已自动销号。" in page


@pytest.mark.parametrize(
    ("outcome", "newest"),
    [("error", None), ("needs_manual", None), ("dated", STALE)],
    ids=["fetch-error", "needs-manual", "still-stale"],
)
def test_a_reinspection_that_cannot_tell_or_still_sees_it_closes_nothing(
    site_a, staff, outcome, newest
):
    finding = confirmed_finding(site_a, staff, period="2026-10", point=OCTOBER)
    run = office_run(site_a, outcome=outcome, newest=newest)
    findings_for_website(run, site_a, rules_for(active_rule_set()))
    finding.refresh_from_db()
    assert finding.rectification == "open"
    assert finding.closed_at is None
    assert not AuditLogEntry.objects.filter(action="rectification_auto_close").exists()


# --- carry-over into the next period's verdict -------------------------------------------------


@pytest.mark.parametrize(
    ("state", "reason"),
    [("open", "上月问题未整改"), ("rejected", "上月问题整改不彻底"), ("closed", None)],
)
def test_last_periods_rectification_state_carries_over(site_a, staff, operator_a, state, reason):
    rule_set = active_rule_set()
    assert rule_set.code == "county-2019-local" and rule_set.unfixed_last_period_fails
    october = confirmed_finding(site_a, staff, period="2026-10", point=OCTOBER)
    assert october.pk in Verdict.objects.get(period__code="2026-10").finding_ids
    if state != "open":
        report = rectification_submit(october, user=operator_a, note="已更新", files=[])
        rectification_review(
            report, user=staff, accept=state == "closed", note="" if state == "closed" else "未更新"
        )
    october.refresh_from_db()
    assert october.rectification == state

    # November: the column is still stale, and staff confirm it again.
    confirmed_finding(site_a, staff, period="2026-11", point=POINT)
    verdict = verdict_refresh(site_a, Period.for_code("2026-11"), POINT)
    assert verdict.rule_set.code == "county-2019-local"
    carried = [r for r in verdict.reasons if r.startswith("上月")]
    if reason is None:
        assert carried == []
        assert verdict.proposed_result == "pass"
    else:
        assert carried == [reason]
        assert verdict.proposed_result == "fail"
        assert verdict.carried_keys == [october.key]


# --- self-checks -------------------------------------------------------------------------------


@pytest.fixture
def site_a2(unit_a):
    return Website.objects.create(
        unit=unit_a, name="梅渚镇党建网", home_url="http://127.0.1.3:8800/", site_code="3418210003"
    )


def _self_check(client, site):
    return page_text(
        client.post(reverse("portal:self_check", args=[site.pk]), follow=True)
    ).replace("\n", "")


def _finish_all():
    InspectionRun.objects.update(status="done", finished_at=timezone.now())


def test_self_checks_are_limited_per_unit_per_day_and_one_at_a_time(
    client, settings, site_a, site_a2, site_b, operator_a, operator_b
):
    settings.GOVWATCH_SELF_CHECKS_PER_DAY = 2
    client.force_login(operator_a)
    assert "已开始自查（任务 #" in _self_check(client, site_a)
    run = InspectionRun.objects.get()
    assert (run.trigger, run.period, run.website, run.created_by) == (
        "self_check",
        None,
        site_a,
        operator_a,
    )
    assert AuditLogEntry.objects.filter(action="self_check", actor=operator_a).count() == 1

    # One at a time per site.
    assert "该网站已有正在进行的检查，请稍候。" in _self_check(client, site_a)
    assert InspectionRun.objects.count() == 1

    _finish_all()
    assert "已开始自查" in _self_check(client, site_a2)  # the unit's second one today
    _finish_all()
    refused = "本单位今天已自查 2 次，每天最多 2 次，请明天再试。"
    assert refused in _self_check(client, site_a)
    assert refused in _self_check(client, site_a2)  # the limit is the unit's, not the site's
    assert InspectionRun.objects.count() == 2

    client.force_login(operator_b)  # another unit has its own allowance
    assert "已开始自查" in _self_check(client, site_b)

    # Yesterday's self-checks do not count today.
    yesterday = timezone.now() - dt.timedelta(days=1)
    InspectionRun.objects.filter(website__unit=site_a.unit).update(created_at=yesterday)
    client.force_login(operator_a)
    assert "已开始自查" in _self_check(client, site_a)


def test_a_unit_cannot_self_check_another_units_site(client, site_b, operator_a):
    client.force_login(operator_a)
    response = client.post(reverse("portal:self_check", args=[site_b.pk]))
    assert response.status_code == 404
    assert not InspectionRun.objects.exists()


def test_a_self_check_belongs_to_no_period_and_is_never_counted(site_a, operator_a):
    periods = Period.objects.count()
    run = self_check_start(site_a, user=operator_a)
    assert run.period is None and run.trigger == "self_check"
    observe(run, site_a, kind="home", outcome="ok", newest=POINT)
    observe(run, site_a, column=site_a.columns.get(), newest=STALE)
    complete(run)
    assert findings_for_run(run) == 0
    assert not Finding.objects.exists()
    assert not Verdict.objects.exists()
    assert Period.objects.count() == periods


def test_run_progress_answers_the_units_own_run_only(
    client, site_a, site_b, operator_a, operator_b
):
    own = self_check_start(site_a, user=operator_a)
    InspectionRun.objects.filter(pk=own.pk).update(status="running", pages_done=3, pages_total=9)
    other = self_check_start(site_b, user=operator_b)
    office = run_create(trigger="staff", monitoring_point=POINT, period="2026-11")

    client.force_login(operator_a)
    response = client.get(reverse("portal:run_progress", args=[own.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "status": "running",
        "status_display": "进行中",
        "pages_done": 3,
        "pages_total": 9,
    }
    assert client.get(reverse("portal:run_progress", args=[other.pk])).status_code == 404
    assert client.get(reverse("portal:run_progress", args=[office.pk])).status_code == 404
