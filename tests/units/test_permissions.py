"""Who may open which page: a matrix over every URL, and the access helpers underneath."""

import datetime as dt
from urllib.parse import quote

import pytest
from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.http import Http404
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from audits.models import (
    Evidence,
    Finding,
    InspectionRun,
    Observation,
    Period,
    Rectification,
    RuleSet,
    Verdict,
)
from core.models import Upload
from newmedia.models import Account, AccountEvent
from newmedia.registry.export import build_workbook
from notices.models import Circular, Office
from units.access import OFFICE_STAFF, get_visible_or_404, visible_to, visible_units
from units.models import Column, Membership, Unit, Website

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "staff", "lead", "operator_a")


@pytest.fixture(autouse=True)
def _fast_passwords(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.GOVWATCH_PRIVATE_ROOT = tmp_path / "private"


PERIOD = "2026-11"


@pytest.fixture
def world(unit_a, unit_b, site_a, site_b):
    """Two units with a website, an account, a verdict and a finding each; an inspection run;
    a pending registry upload and a pending findings upload."""
    account_a = Account.objects.create(unit=unit_a, platform="wechat", name="梅渚发布")
    account_b = Account.objects.create(unit=unit_b, platform="weibo", name="人社在线")
    period = Period.for_code(PERIOD)
    run = InspectionRun.objects.create(
        period=period, monitoring_point=dt.date(2026, 11, 23), trigger="staff"
    )
    observations = {
        key: Observation.objects.create(
            run=run,
            website=site,
            column=site.columns.first(),
            kind="column" if key == "a" else "home",
            url=f"{site.home_url}col/1/" if key == "a" else site.home_url,
            outcome="dated",
            observed_at=dt.datetime(2026, 11, 23, 9, tzinfo=dt.UTC),
        )
        for key, site in (("a", site_a), ("b", site_b))
    }
    rule_set = RuleSet.objects.order_by("pk").first()
    verdicts, findings = {}, {}
    for key, site in (("a", site_a), ("b", site_b)):
        verdicts[key] = Verdict.objects.create(
            unit=site.unit,
            website=site,
            period=period,
            monitoring_point=dt.date(2026, 11, 23),
            rule_set=rule_set,
            rule_set_version=rule_set.version,
            proposed_result=Verdict.Result.CLEAN,
            computed_at=dt.datetime(2026, 11, 23, 10, tzinfo=dt.UTC),
        )
        findings[key] = Finding.objects.create(
            unit=site.unit,
            website=site,
            period=period,
            monitoring_point=dt.date(2026, 11, 23),
            key=f"test:{key}",
            kind="manual",
            indicator="D",
            severity="deduction",
            title=f"问题{key}",
            reason="测试",
            status=Finding.Status.CONFIRMED,
        )
    registry_upload = Upload.objects.create(
        filename="模板.xlsx", sha256="0" * 64, data=build_workbook(with_data=False)
    )
    findings_upload = Upload.objects.create(
        kind=Upload.Kind.FINDINGS,
        filename="问题.csv",
        sha256="",
        data="单位,网站网址,指标代码或问题,数量,说明\n".encode(),
        options={"period": PERIOD, "monitoring_point": "2026-11-23"},
    )
    rectifications, evidence, checks = {}, {}, {}
    for key, site in (("a", site_a), ("b", site_b)):
        rectifications[key] = Rectification.objects.create(finding=findings[key], note="已更新栏目")
        item = Evidence(
            rectification=rectifications[key],
            name="截图.png",
            content_type="image/png",
            size=8,
            sha256="0" * 64,
        )
        item.file.save("t.png", ContentFile(b"\x89PNG\r\n\x1a\n"), save=False)
        item.save()
        evidence[key] = item
        checks[key] = InspectionRun.objects.create(
            scope="site",
            website=site,
            monitoring_point=dt.date(2026, 11, 23),
            trigger=InspectionRun.Trigger.SELF_CHECK,
        )
    circular = Circular.objects.create(
        office=Office.current(),
        period=period,
        title="关于2026年11月检查情况的通报",
        recipients="各单位",
        overall="总体",
        problems="问题",
        next_steps="下一步",
        issuer="县政府办公室",
        issued_on=dt.date(2026, 11, 30),
    )
    posts_upload = Upload.objects.create(
        kind=Upload.Kind.POSTS,
        filename="发布.csv",
        sha256="",
        data="单位,平台,账号名称,发布时间,标题\n".encode(),
    )
    return {
        "posts_upload": posts_upload,
        "circular": circular,
        "rectification_a": rectifications["a"],
        "evidence_a": evidence["a"],
        "evidence_b": evidence["b"],
        "check_a": checks["a"],
        "check_b": checks["b"],
        "finding_b": findings["b"],
        "unit_a": unit_a,
        "unit_b": unit_b,
        "site_a": site_a,
        "site_b": site_b,
        "account_a": account_a,
        "account_b": account_b,
        "run": run,
        "observation_a": observations["a"],
        "observation_b": observations["b"],
        "verdict_a": verdicts["a"],
        "verdict_b": verdicts["b"],
        "finding_a": findings["a"],
        "upload": registry_upload,
        "findings_upload": findings_upload,
    }


def page(label, method, name, args=(), **expected):
    """One row of the matrix. Expected answers by role: a status code, or a redirect given as
    (url name, args). Anonymous users are sent to the login page unless stated."""
    return pytest.param(method, name, args, expected, id=label)


LOGIN = ("login", ())
OFFICE = {"staff": 200, "lead": 200, "operator_a": 403}
EVERYONE = {"staff": 200, "lead": 200, "operator_a": 200}
NOT_OTHERS = {**EVERYONE, "operator_a": 404}
POST_ONLY = {"staff": 405, "lead": 405}
GONE = {"staff": 404, "lead": 404, "operator_a": 404}


def office_then(target, args=()):
    return {"staff": (target, args), "lead": (target, args), "operator_a": 403}


SITE_A = ("site_a", PERIOD)
D = "dashboard:"
MATRIX = [
    # dashboard: the office's screens; a unit operator gets 403 (its home is the portal)
    page("home", "get", D + "home", staff=200, lead=200, operator_a=("portal:home", ())),
    page("imports", "get", D + "imports", staff=200, lead=200, operator_a=("portal:home", ())),
    page("unit_list", "get", D + "unit_list", **OFFICE),
    page("unit_detail", "get", D + "unit_detail", ("unit_a",), **OFFICE),
    page("website_list", "get", D + "website_list", **OFFICE),
    page("website_detail", "get", D + "website_detail", ("site_a",), **OFFICE),
    page("account_list", "get", D + "account_list", **OFFICE),
    page(
        "columns_add",
        "post",
        D + "columns_add",
        ("site_a",),
        **office_then(D + "website_detail", ("site_a",)),
    ),
    page("registry_template", "get", D + "registry_template", **OFFICE),
    page("registry_export", "get", D + "registry_export", **OFFICE),
    page("registry_upload", "get", D + "registry_upload", **OFFICE),
    page("registry_preview", "get", D + "registry_preview", ("upload",), **OFFICE),
    page(
        "registry_confirm",
        "post",
        D + "registry_confirm",
        ("upload",),
        **office_then(D + "unit_list"),
    ),
    page(
        "registry_confirm get",
        "get",
        D + "registry_confirm",
        ("upload",),
        **{**OFFICE, **POST_ONLY},
    ),
    page("run_list", "get", D + "run_list", **OFFICE),
    page("run_detail", "get", D + "run_detail", ("run",), **OFFICE),
    page("run_progress", "get", D + "run_progress", ("run",), **OFFICE),
    page(
        "run_cancel", "post", D + "run_cancel", ("run",), **office_then(D + "run_detail", ("run",))
    ),
    page("run_cancel get", "get", D + "run_cancel", ("run",), **{**OFFICE, **POST_ONLY}),
    page("run_retry", "post", D + "run_retry", ("run",), **office_then(D + "run_detail", ("run",))),
    page("verdict_list", "get", D + "verdict_list", **OFFICE),
    page("website_period", "get", D + "website_period", SITE_A, **OFFICE),
    page("account_period", "get", D + "account_period", ("account_a", PERIOD), **OFFICE),
    page(
        "findings_confirm_all",
        "post",
        D + "findings_confirm_all",
        SITE_A,
        **office_then(D + "website_period", SITE_A),
    ),
    page("finding_add", "get", D + "finding_add", SITE_A, **OFFICE),
    page(
        "finding_review",
        "post",
        D + "finding_review",
        ("finding_a",),
        **office_then(D + "website_period", SITE_A),
    ),
    page(
        "verdict_decide",
        "post",
        D + "verdict_decide",
        ("verdict_a",),
        **office_then(D + "website_period", SITE_A),
    ),
    page("observation", "get", D + "observation_detail", ("observation_a",), **OFFICE),
    page(
        "bonus_enter",
        "post",
        D + "bonus_enter",
        SITE_A,
        **office_then(D + "website_period", SITE_A),
    ),
    page(
        "period_designate",
        "post",
        D + "period_designate",
        (PERIOD,),
        staff=302,
        lead=302,
        operator_a=403,
    ),
    page("period_lock", "post", D + "period_lock", (PERIOD,), staff=403, lead=302, operator_a=403),
    page(
        "verdicts_adopt",
        "post",
        D + "verdicts_adopt",
        (PERIOD,),
        staff=302,
        lead=302,
        operator_a=403,
    ),
    page("findings_upload", "get", D + "findings_upload", **OFFICE),
    page("findings_preview", "get", D + "findings_preview", ("findings_upload",), **OFFICE),
    page("review_queue", "get", D + "review_queue", **OFFICE),
    page("review_bulk", "post", D + "review_bulk", staff=302, lead=302, operator_a=403),
    page("audit_log", "get", D + "audit_log", **OFFICE),
    page("newmedia_import", "get", D + "newmedia_import", **OFFICE),
    page("newmedia_template", "get", D + "newmedia_template", ("posts",), **OFFICE),
    page("newmedia_preview", "get", D + "newmedia_preview", ("posts_upload",), **OFFICE),
    page(
        "newmedia_confirm",
        "post",
        D + "newmedia_confirm",
        ("posts_upload",),
        **office_then(D + "account_list"),
    ),
    page("rectification_list", "get", D + "rectification_list", **OFFICE),
    page(
        "rectification_decide",
        "post",
        D + "rectification_decide",
        ("rectification_a",),
        **office_then(D + "rectification_list"),
    ),
    page("evidence (office)", "get", D + "evidence", ("evidence_a",), **OFFICE),
    page("circular_list", "get", D + "circular_list", **OFFICE),
    page("circular_edit", "get", D + "circular_edit", ("circular",), **OFFICE),
    page("circular_preview", "get", D + "circular_preview", ("circular",), **OFFICE),
    page("circular_draft_pdf", "get", D + "circular_draft_pdf", ("circular",), **OFFICE),
    page(
        "circular_approve",
        "post",
        D + "circular_approve",
        ("circular",),
        **office_then(D + "circular_edit", ("circular",)),
    ),
    page(
        "circular_publish",
        "post",
        D + "circular_publish",
        ("circular",),
        **office_then(D + "circular_edit", ("circular",)),
    ),
    page(
        "circular_correct",
        "post",
        D + "circular_correct",
        ("circular",),
        **office_then(D + "circular_edit", ("circular",)),
    ),
    # portal: a unit operator's own unit; another unit's objects answer 404
    page("portal", "get", "portal:home", **EVERYONE),
    page("portal site own", "get", "portal:website_detail", ("site_a",), **EVERYONE),
    page("portal site other", "get", "portal:website_detail", ("site_b",), **NOT_OTHERS),
    page("portal period own", "get", "portal:website_period", SITE_A, **EVERYONE),
    page("portal period other", "get", "portal:website_period", ("site_b", PERIOD), **NOT_OTHERS),
    page(
        "portal observation own", "get", "portal:observation_detail", ("observation_a",), **EVERYONE
    ),
    page(
        "portal observation other",
        "get",
        "portal:observation_detail",
        ("observation_b",),
        **NOT_OTHERS,
    ),
    page(
        "self_check own",
        "post",
        "portal:self_check",
        ("site_a",),
        staff=("portal:home", ()),
        lead=("portal:home", ()),
        operator_a=("portal:home", ()),
    ),
    page(
        "self_check other",
        "post",
        "portal:self_check",
        ("site_b",),
        staff=("portal:home", ()),
        lead=("portal:home", ()),
        operator_a=404,
    ),
    page(
        "self_check get",
        "get",
        "portal:self_check",
        ("site_a",),
        staff=405,
        lead=405,
        operator_a=405,
    ),
    page("portal account own", "get", "portal:account_detail", ("account_a",), **EVERYONE),
    page("portal account other", "get", "portal:account_detail", ("account_b",), **NOT_OTHERS),
    page("portal finding own", "get", "portal:finding_detail", ("finding_a",), **EVERYONE),
    page("portal finding other", "get", "portal:finding_detail", ("finding_b",), **NOT_OTHERS),
    page("portal evidence own", "get", "portal:evidence", ("evidence_a",), **EVERYONE),
    page("portal evidence other", "get", "portal:evidence", ("evidence_b",), **NOT_OTHERS),
    page("portal progress own", "get", "portal:run_progress", ("check_a",), **EVERYONE),
    page("portal progress other", "get", "portal:run_progress", ("check_b",), **NOT_OTHERS),
    # public pages: no login; a draft circular is not public
    page("circulars", "get", "notices:list", anonymous=200, **EVERYONE),
    page("verify", "get", "notices:verify", anonymous=200, **EVERYONE),
    *[
        page(f"draft {name}", "get", f"notices:{name}", ("circular",), anonymous=404, **GONE)
        for name in ("detail", "pdf", "xlsx", "verify_published")
    ],
    # authentication
    page("login", "get", "login", anonymous=200, staff=200, lead=200, operator_a=200),
    page("logout", "post", "logout", anonymous=LOGIN, staff=LOGIN, lead=LOGIN, operator_a=LOGIN),
]


def _named_patterns(patterns, prefix: str = "") -> set[str]:
    names = set()
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace != "admin":  # the admin is checked on its own below
                inner = f"{prefix}{pattern.namespace}:" if pattern.namespace else prefix
                names |= _named_patterns(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(prefix + pattern.name)
    return names


def test_the_matrix_covers_every_named_url_of_the_project():
    assert _named_patterns(get_resolver().url_patterns) == {p.values[1] for p in MATRIX}


def _login_as(client, request, role: str) -> User | None:
    if role == "anonymous":
        return None
    user = request.getfixturevalue(role)
    client.force_login(user)
    return user


def _reverse(world, name, args) -> str:
    return reverse(name, args=[world[a].pk if a in world else a for a in args])


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("method", "name", "args", "expected"), MATRIX)
def test_each_role_gets_the_expected_answer_from_each_page(
    client, request, world, role, method, name, args, expected
):
    _login_as(client, request, role)
    url = _reverse(world, name, args)

    response = getattr(client, method)(url)

    want = expected.get(role)
    if want is None:  # anonymous, by default
        assert response.status_code == 302
        assert response.url == f"{reverse('login')}?next={quote(url)}"
    elif isinstance(want, int):
        assert response.status_code == want
    else:
        assert response.status_code == 302
        assert response.url == _reverse(world, *want)


@pytest.mark.parametrize("role", ("staff", "lead"))
def test_office_users_with_the_admin_flag_open_the_admin(client, request, world, role):
    user = request.getfixturevalue(role)
    user.is_staff = True
    user.save()
    client.force_login(user)

    assert client.get("/admin/").status_code == 200


@pytest.mark.parametrize("role", ("anonymous", "operator_a"))
def test_the_admin_sends_others_to_its_login_page(client, request, world, role):
    _login_as(client, request, role)

    response = client.get("/admin/")

    assert response.status_code == 302
    assert response.url == "/admin/login/?next=/admin/"


def test_the_portal_shows_an_operator_its_own_unit_only(client, operator_a, world):
    client.force_login(operator_a)

    portal = client.get(reverse("portal:home")).content.decode()
    period = client.get(
        reverse("portal:website_period", args=[world["site_a"].pk, PERIOD])
    ).content.decode()

    assert "梅渚镇人民政府" in portal and "梅渚发布" in portal
    assert "县人社局" not in portal and "人社在线" not in portal
    assert "问题a" in period and "问题b" not in period


@pytest.mark.parametrize(
    ("name", "names"),
    [
        ("dashboard:unit_list", ("梅渚镇", "县人社局")),
        ("dashboard:website_list", ("梅渚镇人民政府", "县人社局网站")),
        ("dashboard:account_list", ("梅渚发布", "人社在线")),
        ("dashboard:verdict_list", ("梅渚镇人民政府", "县人社局网站")),
    ],
)
def test_list_pages_show_the_office_every_unit(client, staff, world, name, names):
    client.force_login(staff)

    html = client.get(reverse(name)).content.decode()

    assert all(n in html for n in names)


# --- bounded queries on the list pages ----------------------------------------------------------


@pytest.fixture
def many_units(db):
    rule_set = RuleSet.objects.order_by("pk").first()
    period = Period.for_code(PERIOD)
    units = []
    for i in range(20):
        unit = Unit.objects.create(name=f"单位{i:02d}", kind=Unit.Kind.DEPARTMENT, sort_order=i)
        site = Website.objects.create(
            unit=unit, name=f"网站{i:02d}", home_url=f"https://u{i}.example.gov.cn/"
        )
        for j in range(3):
            Column.objects.create(
                website=site, name=f"栏目{j}", url=f"{site.home_url}c{j}/", category="news"
            )
        Account.objects.create(unit=unit, platform="wechat", name=f"账号{i:02d}")
        Account.objects.create(unit=unit, platform="weibo", name=f"微博{i:02d}")
        Verdict.objects.create(
            unit=unit,
            website=site,
            period=period,
            monitoring_point=dt.date(2026, 11, 23),
            rule_set=rule_set,
            rule_set_version=rule_set.version,
            proposed_result=Verdict.Result.PASS,
            computed_at=dt.datetime(2026, 11, 23, 10, tzinfo=dt.UTC),
        )
        units.append(unit)
    return units


@pytest.fixture
def viewers(many_units, make_user):
    return {
        "staff": make_user("many_staff", role=OFFICE_STAFF),
        "operator": make_user("many_op", units=many_units),
    }


# Every page costs the session, the user and its groups (3 queries), then its own reads; none
# may issue a query per row. Bounds measured with the current code, 20 units of 2 accounts each.
@pytest.mark.parametrize(
    ("who", "name", "bound"),
    [
        # + the table's count, the page's keys (dashboard.pagination), then its rows
        ("staff", "dashboard:unit_list", 6),
        ("staff", "dashboard:website_list", 6),
        ("staff", "dashboard:account_list", 6),
        ("staff", "dashboard:verdict_list", 9),  # + periods, the page count and rows, summary, runs
        ("staff", "portal:home", 13),  # + units, sites, accounts, period, verdicts, findings,
        ("operator", "portal:home", 13),  # to fix, due soon, self-checks, circulars
    ],
)
def test_list_pages_issue_a_bounded_number_of_queries(
    client, viewers, many_units, who, name, bound, django_assert_max_num_queries
):
    client.force_login(viewers[who])

    with django_assert_max_num_queries(bound):
        response = client.get(reverse(name))

    assert response.status_code == 200
    html = response.content.decode()
    assert "网站19" in html or "账号19" in html or "单位19" in html


def test_the_dashboard_issues_a_bounded_number_of_queries(
    client, staff, many_units, django_assert_max_num_queries
):
    client.force_login(staff)

    # session, user, groups; 4 registry counts; period; rates; failing; due soon; running;
    # runs; trend (periods, aggregate): a fixed number, whatever the county's size.
    with django_assert_max_num_queries(16):
        assert client.get(reverse("dashboard:home")).status_code == 200


def test_detail_pages_issue_a_bounded_number_of_queries(
    client, staff, many_units, django_assert_max_num_queries
):
    client.force_login(staff)
    site = many_units[0].websites.get()

    with django_assert_max_num_queries(9):  # + unit, sites, accounts (tables), history
        url = reverse("dashboard:unit_detail", args=[many_units[0].pk])
        assert client.get(url).status_code == 200
    # + site, last office run, what it saw, the rule set and its items, columns, history,
    # discovery's proposals
    with django_assert_max_num_queries(12):
        assert client.get(reverse("dashboard:website_detail", args=[site.pk])).status_code == 200


def test_run_pages_issue_a_bounded_number_of_queries(
    client, staff, many_units, django_assert_max_num_queries
):
    runs = []
    for unit in many_units:
        run = InspectionRun.objects.create(
            scope="unit",
            unit=unit,
            period=Period.for_code("2026-11"),
            monitoring_point=dt.date(2026, 11, 1),
        )
        run.website = unit.websites.get()
        run.save()
        for column in run.website.columns.all():
            Observation.objects.create(
                run=runs[0] if runs else run,
                website=run.website,
                column=column,
                kind="column",
                url=column.url,
                outcome="dated",
                observed_at=dt.datetime(2026, 11, 1, tzinfo=dt.UTC),
            )
        runs.append(run)
    client.force_login(staff)

    with django_assert_max_num_queries(6):
        assert client.get(reverse("dashboard:run_list")).status_code == 200
    with django_assert_max_num_queries(9):  # + the page of observations by keys first
        assert client.get(reverse("dashboard:run_detail", args=[runs[0].pk])).status_code == 200


# --- units.access -------------------------------------------------------------------------------


@pytest.fixture
def unit_c(db) -> Unit:
    return Unit.objects.create(name="县气象局", kind=Unit.Kind.DEPARTMENT)


@pytest.fixture
def site_c(unit_c) -> Website:
    return Website.objects.create(unit=unit_c, name="县气象局网站", home_url="http://127.0.1.3/")


@pytest.fixture
def two_unit_operator(make_user, unit_a, unit_b) -> User:
    return make_user("op_ab", units=[unit_a, unit_b])


def test_an_operator_with_two_units_sees_exactly_those_units(
    two_unit_operator, unit_a, unit_b, unit_c
):
    assert set(visible_units(two_unit_operator)) == {unit_a, unit_b}
    assert set(visible_to(two_unit_operator, Unit.objects.all())) == {unit_a, unit_b}


def test_an_operator_with_two_units_sees_their_websites_once_each(
    two_unit_operator, site_a, site_b, site_c, make_user
):
    # Another member of the same units must not duplicate rows through the membership join.
    make_user("colleague", units=[site_a.unit, site_b.unit])

    websites = list(visible_to(two_unit_operator, Website.objects.all()))

    assert sorted(w.pk for w in websites) == sorted([site_a.pk, site_b.pk])


def test_visible_to_follows_a_longer_path_to_the_unit(two_unit_operator, site_a, site_c):
    Column.objects.create(website=site_c, name="气象", url="http://127.0.1.3/c/", category="news")
    own = site_a.columns.get()

    columns = visible_to(two_unit_operator, Column.objects.all(), "website__unit")

    assert list(columns) == [own]


def test_visible_to_reaches_account_events_through_their_account(two_unit_operator, unit_a, unit_c):
    mine = Account.objects.create(unit=unit_a, platform="wechat", name="梅渚发布")
    theirs = Account.objects.create(unit=unit_c, platform="wechat", name="气象发布")
    event = AccountEvent.objects.create(account=mine, kind="open", date=dt.date(2024, 1, 1))
    AccountEvent.objects.create(account=theirs, kind="open", date=dt.date(2024, 1, 1))

    events = visible_to(two_unit_operator, AccountEvent.objects.all(), "account__unit")

    assert list(events) == [event]


def test_get_visible_or_404_returns_own_objects_and_hides_others(
    two_unit_operator, unit_a, unit_b, unit_c, site_b, site_c
):
    assert get_visible_or_404(two_unit_operator, Unit.objects.all(), pk=unit_b.pk) == unit_b
    assert get_visible_or_404(two_unit_operator, Website.objects.all(), pk=site_b.pk) == site_b
    with pytest.raises(Http404):
        get_visible_or_404(two_unit_operator, Unit.objects.all(), pk=unit_c.pk)
    with pytest.raises(Http404):
        get_visible_or_404(two_unit_operator, Website.objects.all(), pk=site_c.pk)
    with pytest.raises(Http404):
        get_visible_or_404(two_unit_operator, Unit.objects.all(), pk=10**9)


def test_losing_a_membership_hides_the_unit(two_unit_operator, unit_a, unit_b):
    Membership.objects.filter(user=two_unit_operator, unit=unit_b).delete()

    assert list(visible_units(two_unit_operator)) == [unit_a]
    with pytest.raises(Http404):
        get_visible_or_404(two_unit_operator, Unit.objects.all(), pk=unit_b.pk)


def test_office_staff_lead_and_superuser_see_everything(staff, lead, unit_a, unit_b, site_a):
    root = User.objects.create_superuser("root", password="pw-root-123")
    for user in (staff, lead, root):
        assert set(visible_units(user)) == {unit_a, unit_b}
        assert list(visible_to(user, Website.objects.all())) == [site_a]
        assert get_visible_or_404(user, Unit.objects.all(), pk=unit_b.pk) == unit_b


def test_a_user_without_role_or_unit_sees_nothing(make_user, unit_a, site_a):
    nobody = make_user("nobody")

    assert not visible_units(nobody).exists()
    assert not visible_to(nobody, Website.objects.all()).exists()
    with pytest.raises(Http404):
        get_visible_or_404(nobody, Unit.objects.all(), pk=unit_a.pk)


def test_an_anonymous_user_sees_nothing(unit_a, site_a):
    from django.contrib.auth.models import AnonymousUser

    anonymous = AnonymousUser()

    assert not visible_units(anonymous).exists()
    assert not visible_to(anonymous, Unit.objects.all()).exists()
    assert not visible_to(anonymous, Website.objects.all()).exists()
    with pytest.raises(Http404):
        get_visible_or_404(anonymous, Website.objects.all(), pk=site_a.pk)
