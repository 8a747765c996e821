"""New media through the database: seed 002's problems reproduced from fixture data, judged by
`accounts_judge` at the end of a complete office run of 2021Q3 with the county-2019-local rule
set, reviewed, and shown in the circular's report; and the websites' interaction path — a farm
site's public message list read over real HTTP by `messages_read`, then W-V5.

Seed 002 (临沭县人民政府办公室, 沭政督字〔2021〕31号, 2021年第三季度, annex dated 9.14):
weekly updates missed by 交通运输局（微信公众号）、玉山镇（微信公众号）、店头镇（微博、微信公众号）;
生态环境分局今日头条账号和曹庄镇新浪微博账号长期不更新 (to be closed); originality low at
教体局（微博）; 县自然资源和规划局9月2日更改微信公众号名称 without filing."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from audits.models import (
    Finding,
    InspectionRun,
    Period,
    RuleSet,
    RunSite,
    Verdict,
    active_rule_set,
    rules_for,
)
from audits.services.accounts import accounts_judge
from audits.services.findings import findings_for_website
from audits.services.messages import messages_read
from audits.services.review import finding_review
from audits.services.runs import run_create
from audits.services.verdicts import verdict_refresh
from newmedia.models import Account, AccountEvent, Message, Post
from notices.drafting import overall_for, problems_for
from notices.report import build_report
from sitefarm.generate import generate_county
from sitefarm.server import FarmServer
from units.models import Unit, Website

CHINA = ZoneInfo("Asia/Shanghai")
POINT = dt.date(2021, 9, 14)  # 读网检查情况统计表 9.14
Q3 = (dt.date(2021, 7, 1), dt.date(2021, 9, 13))

WEEKLY = "未做到每周更新"
STALE = "超过2周未更新"
ZOMBIE = "长期不更新（僵尸账号），应予关停注销"
ORIGINALITY = "发布内容原创性不高"
RENAMED = "账号更改名称未按时报备"


def series(start, end, step, *, quiet=(), original=lambda k: True):
    """Post days from start to end every `step` days, none inside the `quiet` (from, to)."""
    out, day, k = [], start, 0
    while day <= end:
        if not (quiet and quiet[0] <= day <= quiet[1]):
            out.append((day, original(k)))
            k += 1
        day += dt.timedelta(days=step)
    return out


# (unit, unit kind, counts in rates, platform, account name, posts)
SEED_002 = [
    ("临沭街道", "subdistrict", True, "wechat", "临沭街道发布", series(*Q3, 3)),
    ("郑山街道", "subdistrict", True, "toutiao", "郑山街道", series(*Q3, 2)),
    ("县科技局", "department", True, "weibo", "临沭科技", series(*Q3, 4)),
    ("县交通运输局", "department", True, "wechat", "临沭交通",
     series(*Q3, 3, quiet=(dt.date(2021, 8, 3), dt.date(2021, 8, 15)))),
    ("玉山镇", "township", True, "wechat", "玉山镇发布",
     series(*Q3, 3, quiet=(dt.date(2021, 7, 10), dt.date(2021, 7, 20)))),
    ("店头镇", "township", True, "weibo", "店头镇发布",
     series(*Q3, 2, quiet=(dt.date(2021, 8, 20), dt.date(2021, 8, 29)))),
    ("店头镇", "township", True, "wechat", "店头镇微讯", series(dt.date(2021, 7, 1), POINT, 9)),
    # vertically managed (seed 001: listed, not counted)
    ("县生态环境分局", "department", False, "toutiao", "临沭生态环境",
     series(dt.date(2020, 10, 1), dt.date(2020, 12, 20), 5)),
    ("曹庄镇", "township", True, "weibo", "曹庄镇发布",
     series(dt.date(2020, 11, 1), dt.date(2021, 1, 5), 4)),
    ("县教体局", "department", True, "weibo", "临沭教体",
     series(*Q3, 3, original=lambda k: k % 5 == 0)),
    ("县自然资源和规划局", "department", True, "wechat", "临沭县自然资源和规划局", series(*Q3, 3)),
]  # fmt: skip

EXPECTED = {
    ("县交通运输局", "wechat"): {WEEKLY},
    ("玉山镇", "wechat"): {WEEKLY},
    ("店头镇", "weibo"): {WEEKLY},
    ("店头镇", "wechat"): {WEEKLY},
    ("县生态环境分局", "toutiao"): {STALE, ZOMBIE},
    ("曹庄镇", "weibo"): {STALE, ZOMBIE},
    ("县教体局", "weibo"): {ORIGINALITY},
    ("县自然资源和规划局", "wechat"): {RENAMED},
}
RESULTS = {
    ("临沭街道", "wechat"): "clean",
    ("郑山街道", "toutiao"): "clean",
    ("县科技局", "weibo"): "clean",
    ("县交通运输局", "wechat"): "pass",
    ("玉山镇", "wechat"): "pass",
    ("店头镇", "weibo"): "pass",
    ("店头镇", "wechat"): "pass",
    ("县生态环境分局", "toutiao"): "veto",
    ("曹庄镇", "weibo"): "veto",
    ("县教体局", "weibo"): "pass",
    ("县自然资源和规划局", "wechat"): "pass",
}


@pytest.fixture
def county(db):
    units = {}
    for order, (unit, kind, counts, platform, name, posts) in enumerate(SEED_002):
        if unit not in units:
            units[unit] = Unit.objects.create(
                name=unit, kind=kind, counts_in_rates=counts, sort_order=order
            )
        account = Account.objects.create(unit=units[unit], platform=platform, name=name)
        Post.objects.bulk_create(
            Post(
                account=account,
                guid=f"{platform}-{name}-{day.isoformat()}",
                published_at=dt.datetime.combine(day, dt.time(9, 30), tzinfo=CHINA),
                title=f"{unit}工作动态（{day:%m月%d日}）" if original else "【转载】权威发布",
                original=original,
                source=Post.Source.IMPORT,
            )
            for day, original in posts
        )
    bureau = Account.objects.get(name="临沭县自然资源和规划局")
    AccountEvent.objects.create(
        account=bureau, kind="change", date=dt.date(2021, 9, 2), new_name="临沭自然资源和规划"
    )
    # A WeChat account of 曹庄镇 cancelled (注销) long ago: not judged any more.
    Account.objects.create(
        unit=units["曹庄镇"], platform="wechat", name="曹庄镇微讯", status="cancelled"
    )
    return units


@pytest.fixture
def q3_run(county):
    assert active_rule_set().code == "county-2019-local"
    run = run_create(trigger="staff", monitoring_point=POINT, period="2021Q3")
    InspectionRun.objects.filter(pk=run.pk).update(status="done", finished_at=timezone.now())
    run.refresh_from_db()
    return run


def found(**filters) -> dict[tuple[str, str], set[str]]:
    out: dict[tuple[str, str], set[str]] = {}
    for f in Finding.objects.filter(account__isnull=False, **filters).select_related(
        "account__unit"
    ):
        out.setdefault((f.account.unit.name, f.account.platform), set()).add(f.title)
    return out


def results(field: str) -> dict[tuple[str, str], str]:
    return {
        (v.account.unit.name, v.account.platform): getattr(v, field)
        for v in Verdict.objects.filter(account__isnull=False).select_related("account__unit")
    }


def test_seed_002s_accounts_and_problems_are_found_exactly(q3_run):
    assert accounts_judge(q3_run) == 11  # the cancelled account is not judged
    assert found() == EXPECTED
    assert set(Finding.objects.values_list("status", flat=True)) == {"pending"}
    assert set(Finding.objects.values_list("period__code", flat=True)) == {"2021Q3"}
    assert set(Finding.objects.values_list("monitoring_point", flat=True)) == {POINT}
    zombie = Finding.objects.get(account__name="临沭生态环境", kind="account_stale")
    assert (zombie.indicator, zombie.severity) == ("M-V2", "veto")
    assert "最近一次发布于2020年12月20日" in zombie.reason
    renamed = Finding.objects.get(account__name="临沭县自然资源和规划局")
    assert "于2021年09月02日更改名称，未报备" in renamed.reason
    # Judging again changes nothing.
    accounts_judge(q3_run)
    assert Finding.objects.count() == sum(len(v) for v in EXPECTED.values())
    # Nothing is counted before a person confirms it; the projection says what would be.
    assert set(results("proposed_result").values()) == {"clean"}
    assert results("projected_result") == RESULTS
    assert not Verdict.objects.filter(account__name="曹庄镇微讯").exists()


def test_confirmed_findings_give_the_accounts_verdicts(q3_run, staff):
    accounts_judge(q3_run)
    for finding in Finding.objects.order_by("pk"):
        finding_review(finding, user=staff, status="confirmed", note="读网检查确认")
    assert results("proposed_result") == RESULTS
    verdict = Verdict.objects.get(account__name="曹庄镇发布")
    assert verdict.reasons == [STALE] and verdict.monitoring_run == q3_run
    assert verdict.rule_set.code == "county-2019-local"
    assert Verdict.objects.get(account__name="临沭教体").reasons == [ORIGINALITY]
    assert Verdict.objects.get(account__name="临沭交通").reasons == [WEEKLY]
    # The national rules have no weekly, originality or filing overlay: those accounts pass.
    national = RuleSet.objects.get(code="national-2019")
    from audits.services.accounts import account_verdict_refresh

    transport = Account.objects.get(name="临沭交通")
    assert account_verdict_refresh(transport, q3_run.period, national).proposed_result == "clean"


def test_account_verdicts_are_in_the_report_with_rates_per_platform(q3_run, staff):
    accounts_judge(q3_run)
    for finding in Finding.objects.order_by("pk"):
        finding_review(finding, user=staff, status="confirmed", note="读网检查确认")
    report = build_report(Period.for_code("2021Q3"))
    assert report.accounts_inspected == 11
    rows = {(a.unit, a.platform, a.name): (a.result, a.problems) for a in report.accounts}
    assert rows[("曹庄镇", "微博", "曹庄镇发布")] == ("veto", STALE)
    assert rows[("县生态环境分局", "头条", "临沭生态环境")] == ("veto", STALE)
    assert rows[("县自然资源和规划局", "微信", "临沭县自然资源和规划局")] == ("pass", RENAMED)
    assert rows[("临沭街道", "微信", "临沭街道发布")] == ("clean", "")
    assert len(rows) == 11
    rates = {r.channel: (r.passed, r.counted, r.rate, r.listed) for r in report.rates}
    assert rates == {
        "政务微信": (5, 5, 100.0, 5),
        "政务微博": (3, 4, 75.0, 4),
        # 生态环境分局 is vertically managed: listed, not counted
        "政务头条": (1, 1, 100.0, 2),
    }
    overall = overall_for(report)
    assert "政务新媒体账号11个" in overall and "政务微博合格3家，合格率75%" in overall
    problems = problems_for(report)
    assert "政务新媒体日常运维管理有待加强" in problems
    for unit, name in [
        ("县交通运输局", "临沭交通"),
        ("玉山镇", "玉山镇发布"),
        ("县教体局", "临沭教体"),
    ]:
        assert f"{unit}“{name}”" in problems
    assert "临沭街道发布" not in problems


# ----- the websites' interaction path: message lists over HTTP, then W-V5 --------------------------

TODAY = dt.date(2026, 11, 23)


@pytest.fixture(scope="module")
def message_farm():
    """8 healthy sites; 县政府办 ok (GBK, undeclared), 县教体局 and 县税务局 late replies,
    县人社局 and 县住建局 unanswered, two sites without a channel."""
    farm = generate_county(
        seed=3, n_sites=8, columns_per_site=2, today=TODAY, faults=False, interaction=True
    )
    with FarmServer(farm) as server:
        yield farm, server, {s["key"]: s for s in farm.interaction_truth()["sites"]}


def register_site(farm_site, server) -> Website:
    unit, _ = Unit.objects.get_or_create(name=farm_site.unit_name, defaults={"kind": "department"})
    return Website.objects.create(
        unit=unit,
        name=farm_site.site_name,
        home_url=server.url(farm_site),
        messages_url=server.path_url(farm_site, farm_site.mailbox_path)
        if farm_site.mailbox_path
        else "",
    )


@pytest.mark.django_db
@pytest.mark.parametrize("key", ["s001", "s002", "s005", "s006"])
def test_a_sites_message_list_is_read_as_the_farm_publishes_it(crawl_allowed, message_farm, key):
    farm, server, truth = message_farm
    site = farm.site(key)
    website = register_site(site, server)
    assert messages_read(website) == len(truth[key]["messages"])
    assert len(truth[key]["pages"]) >= 2  # paged lists are followed
    got = {
        m.url: (
            m.title,
            timezone.localtime(m.received_at).replace(tzinfo=None),
            timezone.localtime(m.replied_at).replace(tzinfo=None) if m.replied_at else None,
        )
        for m in Message.objects.filter(website=website)
    }
    want = {
        server.path_url(site, m["path"]): (
            m["title"],
            dt.datetime.fromisoformat(m["received_at"]),
            dt.datetime.fromisoformat(m["replied_at"]) if m["replied_at"] else None,
        )
        for m in truth[key]["messages"]
    }
    assert got == want
    # Read again: the same messages, not twice.
    messages_read(website)
    assert Message.objects.filter(website=website).count() == len(want)


@pytest.mark.django_db
def test_a_site_without_a_channel_reads_nothing(crawl_allowed, message_farm):
    farm, server, truth = message_farm
    site = next(s for s in farm.sites if s.interaction == "none")
    assert messages_read(register_site(site, server)) == 0
    assert not Message.objects.exists()


def interaction_findings(website, run) -> dict[str, Finding]:
    findings_for_website(run, website, rules_for(active_rule_set()))
    return {f.key: f for f in Finding.objects.filter(website=website, kind="interaction")}


@pytest.mark.django_db
@pytest.mark.parametrize("mode", ["unanswered", "late_replies", "ok"])
def test_w_v5_drafts_follow_the_farms_interaction_truth(crawl_allowed, message_farm, staff, mode):
    farm, server, truth = message_farm
    site = next(s for s in farm.sites if s.interaction == mode)
    t = truth[site.key]
    website = register_site(site, server)
    messages_read(website)
    run = run_create(trigger="staff", monitoring_point=TODAY, period="2026-11")
    found = interaction_findings(website, run)

    overdue = len(t["overdue_unanswered"])
    # The county's 24-hour rule: late replies within the year, and messages still waiting
    # (received before today; the monitoring point is the end of today).
    late = sum(1 for m in t["messages"] if m["late_reply"]) + sum(
        1 for m in t["messages"] if m["pending"]
    )
    if mode == "unanswered":
        assert overdue >= 1
        veto = found["interaction:unanswered"]
        assert (veto.indicator, veto.severity, veto.count) == ("W-V5", "veto", overdue)
        assert veto.title == f"{overdue}条留言超过3个月未答复"
        assert site.mailbox in veto.reason or "网站互动栏目" in veto.reason
        # The run is complete and covered the site: the period's counts come from it.
        RunSite.objects.create(run=run, website=website, status="done")
        InspectionRun.objects.filter(pk=run.pk).update(status="done", finished_at=timezone.now())
        finding_review(veto, user=staff, status="confirmed", note="留言列表截图为证")
        verdict = verdict_refresh(website, Period.for_code("2026-11"), TODAY)
        assert verdict.proposed_result == "veto"
        assert veto.title in verdict.reasons
    else:
        assert overdue == 0 and "interaction:unanswered" not in found
    if late:
        assert found["interaction:late"].count == late
        assert found["interaction:late"].indicator == "D"
    else:
        assert "interaction:late" not in found
    if mode == "late_replies":
        assert late >= len(t["late_replies"]) >= 1


def test_judging_evaluates_each_account_once_for_its_findings_and_its_verdict(
    q3_run, staff, monkeypatch
):
    from audits.services import accounts

    accounts_judge(q3_run)
    for finding in Finding.objects.order_by("pk"):
        finding_review(finding, user=staff, status="confirmed", note="读网检查确认")
    calls = []
    real = accounts.accounts_facts

    def counted(accounts_, *rest):
        accounts_ = list(accounts_)
        calls.extend(a.pk for a in accounts_)
        return real(accounts_, *rest)

    monkeypatch.setattr(accounts, "accounts_facts", counted)
    with CaptureQueriesContext(connection) as queries:
        assert accounts_judge(q3_run) == 11
    assert len(calls) == len(set(calls)) == 11  # once each, not once more for the verdict
    # The facts of all 11 in a fixed number of queries, not a few per account.
    facts = [q for q in queries.captured_queries if "newmedia_post" in q["sql"]]
    assert len(facts) == 1
    assert results("proposed_result") == RESULTS  # and the verdicts are the same
