"""The dashboard's list pages cost a fixed number of queries whatever the number of rows, and the
review queue's filters and bulk acts do what they say.

Each page is measured on the same generated world at two sizes (3 and 30 units; the first unit
has as many websites and accounts as there are units, so its page grows too), built with
bulk_create. A page that issued a query per row would count differently at the two sizes; the
expected counts are exact (django_assert_num_queries), measured on the current code, with what
each query is for beside it; where the current code reads one more row per row, the expected
count is the page's without that, and the test fails until it is fixed.
"""

import datetime as dt
import io
import re
from dataclasses import dataclass, field
from urllib.parse import urlencode

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from audits.models import (
    Evidence,
    Exemption,
    Finding,
    InspectionRun,
    Observation,
    Period,
    Rectification,
    RuleSet,
    RunSite,
    Verdict,
    active_rule_set,
    rules_for,
)
from audits.services.findings import findings_for_website
from audits.services.runs import run_create
from audits.services.verdicts import verdict_refresh
from core.models import AuditLogEntry
from newmedia.models import Account
from notices.models import Circular, Office
from units.models import Column, Unit, Website

pytestmark = pytest.mark.django_db

POINT = dt.date(2026, 11, 23)
CODES = ["2025-12"] + [f"2026-{m:02d}" for m in range(1, 12)]  # 12 monthly periods
LATEST = CODES[-1]
COLUMNS_PER_SITE = 3
FINDINGS_PER_SITE = 20  # the queue has several pages at both sizes
RESULTS = ("clean", "pass", "fail", "veto")
SIZES = (3, 30)


@pytest.fixture(autouse=True)
def _fast_passwords(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.GOVWATCH_PRIVATE_ROOT = tmp_path / "private"


# --- the generated world ------------------------------------------------------------------------


@dataclass
class World:
    n: int
    periods: list
    units: list
    sites: list
    accounts: list
    run: InspectionRun
    findings: int = 0
    observations: int = 0
    extra: dict = field(default_factory=dict)

    @property
    def big_unit(self) -> Unit:
        return self.units[0]

    @property
    def big_site(self) -> Website:
        return self.sites[0]


def _aware(day: dt.date, hour: int = 9) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=dt.UTC)


def build_world(n: int, staff) -> World:
    """n units; the first has n websites and n accounts, the others one website each. Every
    website has 3 columns (the first: n), is seen by one done office run of the latest period
    (a home and a column observation each), has 20 findings there and a verdict in each of the
    12 periods; plus n more runs, 10 n audit-log entries, n circulars, n rectifications."""
    rule_set = RuleSet.objects.order_by("pk").first()
    periods = [Period.for_code(code) for code in CODES]
    latest = periods[-1]
    units = Unit.objects.bulk_create(
        Unit(
            name=f"测试单位{i:03d}",
            kind=Unit.Kind.TOWNSHIP if i % 2 else Unit.Kind.DEPARTMENT,
            sort_order=i,
            counts_in_rates=i % 7 != 6,
            contact_person=f"联系人{i}",
        )
        for i in range(n)
    )
    owners = [units[0]] * n + units[1:]
    sites = Website.objects.bulk_create(
        Website(
            unit=unit,
            name=f"测试网站{i:03d}",
            home_url=f"https://s{i}.example.gov.cn/",
            site_code=f"34182{i:05d}",
            kind=Website.Kind.PORTAL if i == 0 else Website.Kind.DEPARTMENT,
        )
        for i, unit in enumerate(owners)
    )
    columns = Column.objects.bulk_create(
        Column(
            website=site,
            name=f"栏目{j:02d}",
            url=f"{site.home_url}c{j}/",
            category=("news", "notice", "policy", "personnel", "topic")[j % 5],
            is_first_level=j < 2,
            is_exempt=j % 5 == 4,
            exempt_reason="专题" if j % 5 == 4 else "",
        )
        for s, site in enumerate(sites)
        for j in range(n if s == 0 else COLUMNS_PER_SITE)
    )
    accounts = Account.objects.bulk_create(
        Account(unit=units[0], platform=("wechat", "weibo", "douyin")[i % 3], name=f"账号{i:03d}")
        for i in range(n)
    )
    now = timezone.now()
    run = InspectionRun.objects.create(
        scope=InspectionRun.Scope.ALL,
        period=latest,
        monitoring_point=POINT,
        trigger=InspectionRun.Trigger.STAFF,
        status=InspectionRun.Status.DONE,
        created_by=staff,
        started_at=now,
        finished_at=now,
        sites_total=len(sites),
        sites_done=len(sites),
    )
    RunSite.objects.bulk_create(
        RunSite(
            run=run,
            website=site,
            status=RunSite.Status.FAILED if i % 10 == 9 else RunSite.Status.DONE,
            error="连接超时" if i % 10 == 9 else "",
        )
        for i, site in enumerate(sites)
    )
    observed = _aware(POINT)
    home = [
        Observation(
            run=run,
            website=site,
            kind=Observation.Kind.HOME,
            url=site.home_url,
            outcome=Observation.Outcome.OK,
            observed_at=observed,
            newest_date=POINT - dt.timedelta(days=i % 20),
            evidence={
                "list_status": "dated",
                "proposed_columns": [
                    {"url": f"{site.home_url}new{k}/", "name": f"新栏目{k}", "category": "news"}
                    for k in range(n if i == 0 else 1)
                ],
            },
        )
        for i, site in enumerate(sites)
    ]
    column_obs = [
        Observation(
            run=run,
            website_id=c.website_id,
            column=c,
            kind=Observation.Kind.COLUMN,
            url=c.url,
            outcome=Observation.Outcome.EMPTY if k % 9 == 8 else Observation.Outcome.DATED,
            observed_at=observed,
            newest_date=None if k % 9 == 8 else POINT - dt.timedelta(days=k % 40),
            item_count=0 if k % 9 == 8 else 15,
            reason="读取 ul.list 中 15 条 li 的日期",
            evidence={"items": [{"title": f"条目{t}", "date": "2026-11-01"} for t in range(3)]},
        )
        for k, c in enumerate(columns)
    ]
    observations = Observation.objects.bulk_create(home + column_obs)

    first_column = {}
    for c in columns:
        first_column.setdefault(c.website_id, c)
    findings = []
    for i, site in enumerate(sites):
        column = first_column[site.pk]
        for j in range(FINDINGS_PER_SITE):
            kind, indicator, severity = (
                ("home_stale", "W-V3", "veto")
                if j == 0
                else ("column_due_soon", "W-V4", "warning")
                if j == 1
                else ("gambling", "W-V1", "veto")
                if j == 2 and i % 4 == 0
                else ("column_empty", "W-V4c", "problem")
                if j % 5 == 3
                else ("column_overdue", "W-V4a", "problem")
            )
            findings.append(
                Finding(
                    unit_id=site.unit_id,
                    website=site,
                    column=column if kind.startswith("column") else None,
                    run=run,
                    period=latest,
                    monitoring_point=POINT,
                    key=f"{kind}:{j}",
                    kind=kind,
                    indicator=indicator,
                    severity=severity,
                    title=f"{site.name}问题{j:02d}",
                    reason=f"机器读取的最新日期距监测时间点 {30 + j} 天【亚博】",
                    url=column.url if kind.startswith("column") else site.home_url,
                    evidence={"newest": "2026-10-01", "age_days": 30 + j, "days_left": j},
                    source=("machine", "machine", "import", "manual")[j % 4],
                    status=(
                        Finding.Status.CONFIRMED
                        if j % 7 == 6
                        else Finding.Status.DISMISSED
                        if j % 11 == 10
                        else Finding.Status.PENDING
                    ),
                    reviewed_by=staff if j % 7 == 6 else None,
                    deadline=POINT + dt.timedelta(days=j) if j % 7 == 6 else None,
                )
            )
    for account in accounts:
        findings.append(
            Finding(
                unit_id=account.unit_id,
                account=account,
                period=latest,
                monitoring_point=POINT,
                key="account_stale",
                kind="account_stale",
                indicator="M-V2",
                severity="veto",
                title=f"{account.name}两周未更新",
                reason="最近一次发布在监测时间点前 20 天",
                status=Finding.Status.CONFIRMED,
                reviewed_by=staff,
                deadline=POINT + dt.timedelta(days=10),
            )
        )
    for unit in units:
        findings.append(
            Finding(
                unit=unit,
                period=latest,
                monitoring_point=POINT,
                key="import:D::网站未备案",
                kind="imported",
                indicator="D",
                severity="deduction",
                title="第三方：网站未备案",
                reason="第三方监测报告",
                source=Finding.Source.IMPORT,
            )
        )
    findings = Finding.objects.bulk_create(findings)

    verdicts = [
        Verdict(
            unit_id=site.unit_id,
            website=site,
            period=period,
            monitoring_point=min(period.end, POINT),
            monitoring_run=run if period == latest else None,
            rule_set=rule_set,
            rule_set_version=rule_set.version,
            proposed_result=RESULTS[(i + p) % 4],
            proposed_score=80.0 + (i % 20),
            reasons=["1个应更未更"] if (i + p) % 4 else [],
            finding_ids=[],
            pending_count=(i % 3) if period == latest else 0,
            projected_result=RESULTS[(i + p + 1) % 4],
            projected_reasons=["若全部确认：单否"],
            computed_at=now,
            result="" if period == latest and i % 2 else RESULTS[(i + p) % 4],
            decided_by=None if period == latest and i % 2 else staff,
        )
        for p, period in enumerate(periods)
        for i, site in enumerate(sites)
    ] + [
        Verdict(
            unit_id=account.unit_id,
            account=account,
            period=latest,
            monitoring_point=POINT,
            rule_set=rule_set,
            rule_set_version=rule_set.version,
            proposed_result=RESULTS[i % 4],
            computed_at=now,
        )
        for i, account in enumerate(accounts)
    ]
    Verdict.objects.bulk_create(verdicts)

    InspectionRun.objects.bulk_create(
        InspectionRun(
            scope=InspectionRun.Scope.UNIT if i % 3 else InspectionRun.Scope.SITE,
            unit=units[i % n] if i % 3 else None,
            website=None if i % 3 else sites[i % len(sites)],
            period=None if i % 5 == 4 else periods[i % 12],
            monitoring_point=POINT - dt.timedelta(days=i),
            trigger=InspectionRun.Trigger.SELF_CHECK if i % 5 == 4 else InspectionRun.Trigger.STAFF,
            status=("queued", "running", "done", "failed", "cancelled")[i % 5],
            created_by=staff,
            pages_total=100,
            pages_done=i,
        )
        for i in range(n)
    )

    AuditLogEntry.objects.bulk_create(
        AuditLogEntry(
            actor=staff if i % 3 else None,
            action=("finding_confirmed", "verdict_adopt", "registry_import")[i % 3],
            unit_id=units[i % n].pk,
            target=f"对象{i}",
            before={"status": "pending"},
            after={"status": "confirmed", "note": "批量确认"},
            detail={"finding": i},
        )
        for i in range(10 * n)
    )

    office = Office.objects.first() or Office.objects.create()
    circulars = Circular.objects.bulk_create(
        Circular(
            office=office,
            period=periods[i % 12],
            status=("draft", "approved", "published")[i % 3],
            title=f"关于{periods[i % 12].label}政府网站检查情况的通报（{i}）",
            recipients="各镇人民政府",
            overall="总体情况",
            problems="存在问题",
            next_steps="下一步",
            issuer="县人民政府办公室",
            issued_on=POINT,
            doc_year=2026 if i % 3 == 2 else None,
            doc_serial=i if i % 3 == 2 else None,
            doc_number=f"政办督字〔2026〕{i}号" if i % 3 == 2 else "",
            published_at=now if i % 3 == 2 else None,
        )
        for i in range(n)
    )
    for c in circulars[1::4]:
        c.corrects = circulars[0]
    Circular.objects.bulk_update(circulars[1::4], ["corrects"])

    confirmed = [f for f in findings if f.status == Finding.Status.CONFIRMED]
    # Half of them about a website, half about an account (the page names the subject).
    chosen = [f for f in confirmed if f.website_id][: n - n // 2] + [
        f for f in confirmed if f.account_id
    ][: n // 2]
    rectifications = Rectification.objects.bulk_create(
        Rectification(finding=f, note=f"已整改{i}", submitted_by=staff)
        for i, f in enumerate(chosen)
    )
    Evidence.objects.bulk_create(
        Evidence(
            rectification=r,
            file=f"evidence/2026/11/{r.pk}-{k}.png",
            name=f"截图{k}.png",
            content_type="image/png",
            size=1000,
            sha256="0" * 64,
        )
        for r in rectifications
        for k in range(2)
    )
    return World(
        n=n,
        periods=periods,
        units=units,
        sites=sites,
        accounts=accounts,
        run=run,
        findings=len(findings),
        observations=len(observations),
    )


@pytest.fixture(params=SIZES, ids=lambda n: f"{n}units")
def world(request, staff) -> World:
    return build_world(request.param, staff)


def _pending_pages(world: World) -> int:
    pending = Finding.objects.filter(period__code=LATEST, status=Finding.Status.PENDING).count()
    return -(-pending // 50)  # the queue shows 50 a page


# Every page costs the session, the user and its groups (3 queries), then its own reads.
PAGES = {
    # + 4 registry counts; latest period; rates per channel; the trend (latest period, its
    # periods, one aggregate); failing; due soon; running runs; recent runs. Today it also
    # reads each due-soon row's unit ({{ f.unit }}; selectors.due_soon joins only website
    # and period): up to 15 more.
    "home": (lambda w: reverse("dashboard:home"), 16),
    # + latest period (the default filter); the period filter's value; count; the page's keys
    # (dashboard.pagination); its rows with unit, site, account, period, column joined; their
    # observations; the period options
    "queue": (lambda w: reverse("dashboard:review_queue"), 10),
    # the same without the default's latest period
    "queue_filtered": (
        lambda w: (
            reverse("dashboard:review_queue")
            + f"?unit={w.big_unit.name}&status=pending&period={LATEST}"
        ),
        9,
    ),
    "queue_deep": (
        lambda w: (
            reverse("dashboard:review_queue")
            + f"?status=pending&period={LATEST}&page={_pending_pages(w)}"
        ),
        9,
    ),
    # + the period filter's value; every row at once (no pagination, no evidence)
    "queue_xlsx": (
        lambda w: reverse("dashboard:review_queue") + f"?period={LATEST}&_export=xlsx",
        5,
    ),
    # + latest period; verdicts with their joins; periods for the select; the period's runs
    "verdict_list": (
        lambda w: reverse("dashboard:verdict_list"),
        9,
    ),  # + the page count and the summary counted in the database
    # + count; the page's keys; its rows with actor and type joined
    "audit_log": (lambda w: reverse("dashboard:audit_log"), 6),
    # + count; the page's rows with unit, site, period joined
    "run_list": (lambda w: reverse("dashboard:run_list"), 5),
    # + the run; count; the page's keys; its observations with site and column; outcomes;
    # failed sites
    "run_detail": (lambda w: reverse("dashboard:run_detail", args=[w.run.pk]), 9),
    # + the unit; its websites; its accounts; its history
    "unit_detail": (lambda w: reverse("dashboard:unit_detail", args=[w.big_unit.pk]), 7),
    # + the site; last office run; what it saw; the active rule set; columns; history; the
    # discovery's home observation and the registered URLs (its proposals)
    "website_detail": (lambda w: reverse("dashboard:website_detail", args=[w.big_site.pk]), 12),
    # + periods for the form; count; the page's rows with period and corrected circular
    "circular_list": (lambda w: reverse("dashboard:circular_list"), 6),
    # + count; the page's rows with finding, unit, site, period, users; their evidence. Today
    # it also reads the account of each account finding ({{ r.finding.subject }}; the view
    # does not join finding__account): one more per such row.
    "rectification_list": (lambda w: reverse("dashboard:rectification_list"), 6),
}


@pytest.mark.parametrize("page", list(PAGES))
def test_list_pages_run_a_fixed_number_of_queries(
    client, staff, world, page, django_assert_num_queries
):
    url_of, expected = PAGES[page]
    url = url_of(world)
    client.force_login(staff)
    assert client.get(url).status_code == 200  # warm: content types, rule-set caches

    with django_assert_num_queries(expected):
        response = client.get(url)

    assert response.status_code == 200


def test_the_pages_show_what_the_world_holds(client, staff, world):
    """The measured pages are not empty: each shows rows that grow with the world."""
    client.force_login(staff)
    n = world.n

    def html(page):
        return client.get(PAGES[page][0](world)).content.decode()

    queue = html("queue")
    assert queue.count('id="finding-') == 50
    pending = Finding.objects.filter(period__code=LATEST, status="pending").count()
    pages = _pending_pages(world)
    assert pages >= 2
    assert html("queue_deep").count('id="finding-') == pending - 50 * (pages - 1)
    filtered = response_rows(client, PAGES["queue_filtered"][0](world))
    assert filtered and all(f.unit_id == world.big_unit.pk for f in filtered)
    # the first unit's sites' pending findings, and its own (imported, naming no site)
    assert len(filtered) == n * (FINDINGS_PER_SITE - 3) + 1
    assert html("unit_detail").count("测试网站") >= n
    assert html("website_detail").count('class="fresh-') >= n
    assert html("run_detail").count("<tr><td>测试网站") == min(100, world.observations)
    assert html("audit_log").count("对象") >= min(100, 10 * n)
    assert html("rectification_list").count('id="rectification-') == n
    assert html("circular_list").count("的通报（") == n
    assert html("verdict_list").count("/review/") >= len(world.sites)


def response_rows(client, url) -> list[Finding]:
    """Every finding the queue's filters let through (not only the page shown)."""
    response = client.get(url)
    assert response.status_code == 200
    return list(response.context["filter"].qs)


def test_the_queue_exports_every_filtered_row_to_excel(client, staff, world):
    client.force_login(staff)
    response = client.get(PAGES["queue_xlsx"][0](world))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("单位", "对象", "检查周期")
    assert len(rows) - 1 == Finding.objects.filter(period__code=LATEST).count() == world.findings
    assert {r[2] for r in rows[1:]} == {LATEST}


# --- the queue's order -----------------------------------------------------------------------


def test_the_queue_lists_the_newest_findings_first(client, staff):
    """FindingQueueTable.Meta.order_by = ("-pk",) says newest first; django-tables2 drops an
    order_by alias that is not a column of the table, so the rows come in the model's default
    order (unit sort order, website, account, severity, key) instead."""
    build_world(3, staff)
    client.force_login(staff)
    html = client.get(reverse("dashboard:review_queue") + f"?period={LATEST}").content.decode()
    shown = [int(pk) for pk in re.findall(r'id="finding-(\d+)"', html)]
    newest = Finding.objects.filter(period__code=LATEST).order_by("-pk")
    assert shown == list(newest.values_list("pk", flat=True)[:50])


# --- the queue's filters -----------------------------------------------------------------------


@pytest.fixture
def small_world(staff) -> World:
    world = build_world(3, staff)
    october = world.periods[-2]
    site = world.sites[3]
    Finding.objects.bulk_create(
        Finding(
            unit_id=site.unit_id,
            website=site,
            period=october,
            monitoring_point=october.end,
            key=f"column_overdue:old{j}",
            kind="column_overdue",
            indicator="W-V4a",
            severity="problem",
            title=f"上月问题{j}",
            reason="上月",
            source="machine",
        )
        for j in range(3)
    )
    return world


FILTERS = {
    "unit": (lambda w: w.units[1].name, lambda f, w: f.unit_id == w.units[1].pk),
    "unit-partial": (lambda w: "位001", lambda f, w: "位001" in f.unit.name),
    "website": (lambda w: w.sites[2].name, lambda f, w: f.website_id == w.sites[2].pk),
    "website-partial": (
        lambda w: "网站00",
        lambda f, w: f.website_id is not None and "网站00" in f.website.name,
    ),
    "indicator": (lambda w: "W-V3", lambda f, w: f.indicator == "W-V3"),
    "severity": (lambda w: "warning", lambda f, w: f.severity == "warning"),
    "status": (lambda w: "confirmed", lambda f, w: f.status == "confirmed"),
    "source": (lambda w: "import", lambda f, w: f.source == "import"),
    "period": (lambda w: CODES[-2], lambda f, w: f.period.code == CODES[-2]),
}


@pytest.mark.parametrize("name", list(FILTERS))
def test_each_queue_filter_narrows_the_rows(client, staff, small_world, name):
    value_of, keep = FILTERS[name]
    param = name.split("-")[0]
    everything = list(Finding.objects.select_related("unit", "website", "period"))
    expected = {f.pk for f in everything if keep(f, small_world)}
    assert expected and len(expected) < len(everything)
    client.force_login(staff)

    url = reverse("dashboard:review_queue") + "?" + urlencode({param: value_of(small_world)})
    found = {f.pk for f in response_rows(client, url)}

    assert found == expected
    html = client.get(url).content.decode()
    shown = {int(pk) for pk in re.findall(r'id="finding-(\d+)"', html)}
    assert shown and shown <= expected
    assert len(shown) == min(50, len(expected))


def test_queue_filters_combine(client, staff, small_world):
    client.force_login(staff)
    unit = small_world.units[0]
    query = {"unit": unit.name, "severity": "veto", "status": "pending", "period": LATEST}
    found = response_rows(client, reverse("dashboard:review_queue") + "?" + urlencode(query))
    expected = Finding.objects.filter(
        unit=unit, severity="veto", status="pending", period__code=LATEST
    )
    assert found and {f.pk for f in found} == set(expected.values_list("pk", flat=True))


def test_the_queue_without_a_query_shows_the_latest_periods_pending_findings(
    client, staff, small_world
):
    client.force_login(staff)
    found = response_rows(client, reverse("dashboard:review_queue"))
    assert {(f.period.code, f.status) for f in found} == {(LATEST, "pending")}
    assert len(found) == Finding.objects.filter(period__code=LATEST, status="pending").count()


# --- bulk review from the queue ------------------------------------------------------------------


def _finding(site, key, indicator, severity, kind="column_overdue", **kw) -> Finding:
    return Finding.objects.create(
        unit=site.unit,
        website=site,
        period=Period.for_code(LATEST),
        monitoring_point=POINT,
        key=key,
        kind=kind,
        indicator=indicator,
        severity=severity,
        title=kw.pop("title", key),
        reason="机器发现",
        url=site.home_url,
        **kw,
    )


def test_bulk_confirm_from_the_queue_confirms_routine_findings_and_leaves_vetoes(
    client, staff, site_a, site_b
):
    routine = [
        _finding(site_a, "overdue", "W-V4a", "problem"),
        _finding(site_a, "empty", "W-V4c", "problem", kind="column_empty"),
        _finding(site_a, "guide", "W-V6", "deduction", kind="service_guide"),
        _finding(site_b, "overdue", "W-V4a", "problem"),
    ]
    single = [
        _finding(site_a, "home", "W-V3", "veto", kind="home_stale"),
        _finding(site_b, "down", "W-V2", "veto", kind="unavailable"),
        _finding(site_a, "leader", "W-V1", "problem", kind="leader"),  # W-V1: one by one
        _finding(site_a, "unsure", "W-V4", "manual", kind="column_manual"),
    ]
    query = f"status=pending&period={LATEST}"
    client.force_login(staff)

    response = client.post(
        reverse("dashboard:review_bulk"),
        {"select": [f.pk for f in routine + single], "action": "confirm", "query": query},
        follow=True,
    )

    assert response.redirect_chain == [(f"/review/?{query}", 302)]
    text = response.content.decode()
    assert "已确认 4 条问题；4 条未处理（单项否决和安全类候选问题须逐条确认，或已复核）。" in text
    for f in routine:
        f.refresh_from_db()
        assert (f.status, f.reviewed_by, f.review_note) == ("confirmed", staff, "批量确认")
    for f in single:
        f.refresh_from_db()
        assert (f.status, f.reviewed_by) == ("pending", None)
    entries = AuditLogEntry.objects.filter(action="finding_confirmed")
    assert sorted(e.detail["finding"] for e in entries) == sorted(f.pk for f in routine)
    assert {(e.actor, e.before["status"], e.after["status"]) for e in entries} == {
        (staff, "pending", "confirmed")
    }
    assert not AuditLogEntry.objects.exclude(action="finding_confirmed").exists()
    # What was left is still in the queue, with its row.
    for f in single:
        assert f'id="finding-{f.pk}"' in text
    for f in routine:
        assert f'id="finding-{f.pk}"' not in text


# --- a dismissal that becomes an exemption -----------------------------------------------------

OCTOBER_POINT = dt.date(2026, 10, 23)
EXEMPT_UNTIL = dt.date(2027, 3, 31)


def _inspect(site, code: str, point: dt.date, stale: list[Column]) -> InspectionRun:
    """A done office run: the home page fresh, `stale` columns 30 days old, the rest fresh."""
    run = run_create(trigger="staff", monitoring_point=point, period=code)
    at = timezone.now()

    def observe(**kw):
        Observation.objects.create(run=run, website=site, observed_at=at, item_count=10, **kw)

    observe(kind="home", url=site.home_url, outcome="ok", newest_date=point,
            evidence={"list_status": "dated"})  # fmt: skip
    for column in site.columns.order_by("pk"):
        newest = point - dt.timedelta(days=30 if column in stale else 1)
        observe(kind="column", column=column, url=column.url, outcome="dated", newest_date=newest)
    kept = findings_for_website(run, site, rules_for(active_rule_set()))
    RunSite.objects.create(run=run, website=site, status=RunSite.Status.DONE)
    InspectionRun.objects.filter(pk=run.pk).update(status="done", finished_at=timezone.now())
    run.kept = kept
    return run


def test_bulk_dismiss_with_a_date_exempts_that_column_in_later_periods(client, staff, site_a):
    news = site_a.columns.get(name="工作动态")
    other = Column.objects.create(
        website=site_a, name="要闻", url=site_a.home_url + "yw/", category="news"
    )
    october = _inspect(site_a, "2026-10", OCTOBER_POINT, stale=[news])
    (dismissed,) = october.kept
    assert (dismissed.kind, dismissed.column, dismissed.status) == (
        "column_overdue",
        news,
        "pending",
    )
    client.force_login(staff)
    reason = "该栏目按年度发布，本年度信息已集中发布"

    client.post(
        reverse("dashboard:review_bulk"),
        {
            "select": [dismissed.pk],
            "action": "dismiss",
            "note": reason,
            "exempt_until": EXEMPT_UNTIL.isoformat(),
            "exempt_scope": "column",
        },
    )

    dismissed.refresh_from_db()
    assert (dismissed.status, dismissed.review_note) == ("dismissed", reason)
    exemption = Exemption.objects.get()
    assert (exemption.website, exemption.column, exemption.kind) == (site_a, news, "column_overdue")
    assert (exemption.until, exemption.reason, exemption.source) == (
        EXEMPT_UNTIL,
        reason,
        dismissed,
    )
    assert exemption.created_by == staff
    assert list(AuditLogEntry.objects.order_by("pk").values_list("action", flat=True)) == [
        "finding_dismissed",
        "exemption_grant",
    ]

    # November: the same column is 30 days old again, and so is another one.
    november = _inspect(site_a, LATEST, POINT, stale=[news, other])
    by_column = {f.column: f for f in november.kept}
    exempt, counted = by_column[news], by_column[other]
    assert exempt.status == Finding.Status.EXEMPT
    assert exempt.get_status_display() == "已豁免"
    assert exempt.review_note == f"豁免至2027-03-31：{reason}"
    assert counted.status == Finding.Status.PENDING
    verdict = verdict_refresh(site_a, november.period, POINT)
    assert verdict.pending_count == 1  # the exempt one is not even pending
    assert verdict.projected_reasons == [counted.title] == ["“要闻”栏目超过2周未更新"]

    # Confirming the period's findings in bulk leaves the exempt one as it is; it never counts.
    client.post(
        reverse("dashboard:review_bulk"),
        {"select": [exempt.pk, counted.pk], "action": "confirm"},
    )
    exempt.refresh_from_db()
    counted.refresh_from_db()
    assert (exempt.status, counted.status) == ("exempt", "confirmed")
    verdict.refresh_from_db()
    assert verdict.finding_ids == [counted.pk]
    assert (verdict.proposed_result, verdict.reasons) == ("pass", [counted.title])

    # The queue shows it as 已豁免 when asked for exempt findings.
    html = client.get(reverse("dashboard:review_queue") + "?status=exempt").content.decode()
    assert f'id="finding-{exempt.pk}"' in html and "已豁免" in html


# --- the overview's columns due soon -----------------------------------------------------------


def _due_soon(site, days_left: list[int]) -> list[Finding]:
    period = Period.for_code(LATEST)
    return Finding.objects.bulk_create(
        Finding(
            unit=site.unit,
            website=site,
            period=period,
            monitoring_point=POINT,
            key=f"column_due_soon:{site.home_url}c{i}/",
            kind="column_due_soon",
            indicator="W-V4",
            severity="warning",
            title=f"“栏目{i:03d}”栏目即将超过2周未更新",
            reason="即将超期",
            evidence={"days_left": left},
        )
        for i, left in enumerate(days_left)
    )


def _due_soon_rows(client) -> list[list[str]]:
    html = client.get(reverse("dashboard:home")).content.decode()
    body = html.split('id="due-soon"', 1)[1].split("</table>", 1)[0]
    return [
        [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td>(.*?)</td>", tr)]
        for tr in re.findall(r"<tr>(.*?)</tr>", body, re.S)
        if "<td>" in tr
    ]


def test_the_overview_lists_the_columns_with_the_fewest_days_left(client, staff, site_a):
    """selectors.due_soon takes the first 500 rows by (period end, pk) and only then sorts them
    by days left: in a province (15,000 sites) the most urgent column is easily not among them."""
    (*_, urgent) = _due_soon(site_a, [9] * 600 + [1])
    client.force_login(staff)
    rows = _due_soon_rows(client)
    assert len(rows) == 15
    assert rows[0][:2] == ["1", urgent.title]


def test_a_column_due_today_shows_zero_days_left(client, staff, site_a):
    """days_left is 0 when the column falls due on the monitoring day; the template's
    `|default:"—"` turns that 0 into a dash."""
    (today,) = _due_soon(site_a, [0])
    client.force_login(staff)
    assert _due_soon_rows(client) == [["0", today.title, site_a.unit.name]]


def test_keys_first_pages_match_plain_offset_pages_in_any_sort(client, staff):
    """dashboard.pagination.KeysFirstPaginator fetches a page by its keys first: each page,
    sorted by the unit column both ways, shows the units a plain OFFSET page would, in order,
    and no row twice."""
    build_world(3, staff)
    client.force_login(staff)
    base = reverse("dashboard:review_queue") + f"?period={LATEST}&status=pending"
    pending = Finding.objects.filter(period__code=LATEST, status="pending")
    for sort, order in (
        ("unit", ("unit__sort_order", "unit__name")),
        ("-unit", ("-unit__sort_order", "-unit__name")),
    ):
        names = list(pending.order_by(*order).values_list("unit__name", flat=True))
        assert len(names) > 50 and len(set(names[:50] + names[50:100])) > 1
        seen: set[int] = set()
        for page in (1, 2):
            html = client.get(f"{base}&sort={sort}&page={page}").content.decode()
            shown = [int(pk) for pk in re.findall(r'id="finding-(\d+)"', html)]
            units = dict(pending.filter(pk__in=shown).values_list("pk", "unit__name"))
            assert [units[pk] for pk in shown] == names[(page - 1) * 50 : page * 50]
            assert not seen & set(shown)
            seen |= set(shown)
