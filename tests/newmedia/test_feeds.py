"""Accounts' feeds over real HTTP: the site farm's RSSHub-style bridge serves RSS 2.0, Atom 1.0 and
JSON Feed with faults (dead, refused, slow, malformed, wrong encoding, stale, zombie, low
originality, renamed), and `audits.services.accounts.feed_ingest` reads them through the safe
fetcher into Post rows and one observation per 6-hour slot. The farm's truth says what each feed
holds (`AccountSet.truth()`)."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
import requests
from django.db import IntegrityError, transaction
from openpyxl import Workbook

from audits.models import Observation, active_rule_set, rules_for
from audits.services.accounts import account_drafts, feed_ingest
from newmedia.feeds import parse_feed
from newmedia.imports import POST_HEADERS, import_posts
from newmedia.models import Account, Post
from sitefarm.feeds import generate_accounts
from sitefarm.model import PLATFORM_LABELS
from sitefarm.server import FarmServer
from tests.conftest import FARM_HOSTS

TODAY = dt.date(2026, 11, 23)
DEAD_NET = "127.0.250.0/24"  # the farm's "refused" feeds live here: nothing listens
CHINESE = re.compile(r"[\u4e00-\u9fff]")
# One 6-hour slot (slots start at 00, 06, 12, 18 UTC) and the next one.
SLOT_A = dt.datetime(2026, 11, 23, 0, 30, tzinfo=dt.UTC)
SLOT_A_LATER = dt.datetime(2026, 11, 23, 5, 59, tzinfo=dt.UTC)
SLOT_B = dt.datetime(2026, 11, 23, 6, 0, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def accounts():
    """60 accounts (12 units x 5 platforms); with this seed every fault occurs, truncated
    feeds in all three formats, GBK-declared and GBK-as-UTF-8 feeds in RSS and Atom."""
    return generate_accounts(seed=29, n_accounts=60, posts_per_account=10, today=TODAY, slow_ms=200)


@pytest.fixture(scope="module")
def bridge(accounts):
    with FarmServer(None, accounts=accounts, bridge_port=0) as server:
        yield server


@pytest.fixture(scope="module")
def truth(accounts, bridge) -> dict[int, dict]:
    return {t["index"]: t for t in accounts.truth(port=bridge.bridge_port)["accounts"]}


@pytest.fixture
def fetch_allowed(settings):
    """The farm's ranges and its dead range may be fetched; the limiter lets the tests run."""
    settings.GOVWATCH_CRAWL_ALLOW_HOSTS = [*FARM_HOSTS, DEAD_NET]
    settings.GOVWATCH_CRAWL_PER_HOST_RATE = 1000.0
    settings.GOVWATCH_CRAWL_PER_HOST_CONCURRENCY = 4
    return settings


def pick(truth, *, fault="ok", detail=None, fmt=None, encoding=None, n=0) -> dict:
    found = [
        t
        for t in truth.values()
        if t["fault"] == fault
        and (detail is None or t["fault_detail"] == detail)
        and (fmt is None or t["format"] == fmt)
        and (encoding is None or t["encoding"] == encoding)
    ]
    if len(found) <= n:
        pytest.fail(f"the farm has no account {fault}/{detail} {fmt} {encoding} #{n}")
    return found[n]


def register(unit, t: dict, **fields) -> Account:
    values = {"account_id": t["id"], "feed_url": t["feed_url"], **fields}
    return Account.objects.create(unit=unit, platform=t["platform"], name=t["name"], **values)


def stored(account) -> dict[str, tuple]:
    return {p.guid: (p.published_at, p.title, p.url) for p in Post.objects.filter(account=account)}


def expected(t: dict) -> dict[str, tuple]:
    return {
        p["guid"]: (dt.datetime.fromisoformat(p["published_at"]), p["title"], p["url"])
        for p in t["posts"]
    }


def body_text(t: dict) -> str:
    """The feed as a reader gets it over HTTP (not through the app's fetcher)."""
    response = requests.get(t["feed_url"], timeout=10)
    assert response.status_code == 200
    codec = "utf-8" if t["encoding"] == "utf-8" else "gbk"
    return response.content.decode(codec)


# ----- every format is read as the truth says --------------------------------------------------


@pytest.mark.parametrize("fmt", ["rss", "atom", "json"])
def test_parse_feed_reads_guids_times_titles_and_links_of_every_format(bridge, truth, fmt):
    t = pick(truth, fmt=fmt, encoding="utf-8")
    reading = parse_feed(body_text(t))
    assert reading.title == t["feed_title"]
    assert reading.warnings == ()
    got = [(p.guid, p.published_at, p.title, p.url) for p in reading.posts]
    want = [
        (p["guid"], dt.datetime.fromisoformat(p["published_at"]), p["title"], p["url"])
        for p in t["posts"]
    ]
    assert got == want


@pytest.mark.parametrize("fmt", ["rss", "atom", "json"])
def test_parse_feed_reads_the_original_flags_the_feed_carries(bridge, truth, fmt):
    """The bridge marks each post 原创 or 转载 (RSS <category>, Atom <category term>, JSON Feed
    tags), as the truth's `original` says; half of the reposts also start with 【转载】."""
    t = next(
        t
        for t in truth.values()
        if t["format"] == fmt
        and t["encoding"] == "utf-8"
        and t["fault"] in ("ok", "low_original")
        and 0 < t["original_share"] < 1
    )
    reading = parse_feed(body_text(t))
    got = [p.original for p in reading.posts]
    want = [p["original"] for p in t["posts"]]
    assert got == want, (
        f"{sum(got)} of {len(got)} read as original, {sum(want)} are; reposts titled "
        f"{[p['title'] for p in t['posts'] if not p['original']][:3]}"
    )


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["rss", "atom"])
def test_feed_ingest_stores_the_truths_posts_through_the_safe_fetcher(
    fetch_allowed, bridge, truth, unit_a, fmt
):
    t = pick(truth, fmt=fmt, encoding="utf-8")
    account = register(unit_a, t)
    observation = feed_ingest(account, now=SLOT_A)
    assert observation.outcome == Observation.Outcome.OK, observation.reason
    assert (observation.http_status, observation.item_count) == (200, 10)
    assert observation.newest_date == dt.date.fromisoformat(t["newest_date"])
    assert observation.reason == "读取 10 条，新增 10 条"
    assert observation.evidence["feed_title"] == t["feed_title"]
    assert stored(account) == expected(t)
    assert set(Post.objects.filter(account=account).values_list("source", flat=True)) == {"feed"}


@pytest.mark.django_db
@pytest.mark.parametrize("detail", ["ok", "truncated"])
def test_a_json_feed_is_read_through_the_safe_fetcher(fetch_allowed, bridge, truth, unit_a, detail):
    """JSON Feed is served as application/feed+json (its registered type)."""
    if detail == "ok":
        t = pick(truth, fmt="json")
    else:
        t = pick(truth, fault="malformed", detail="truncated", fmt="json")
    account = register(unit_a, t)
    observation = feed_ingest(account, now=SLOT_A)
    if detail == "ok":
        assert observation.outcome == Observation.Outcome.OK, (
            f"a fault-free JSON Feed gave “{observation.reason}” "
            f"(encoding {observation.encoding!r}, {observation.bytes} bytes read)"
        )
        assert stored(account) == expected(t)
    else:
        assert observation.outcome == Observation.Outcome.ERROR
        assert observation.reason.startswith("JSON 订阅源格式错误"), observation.reason


# ----- encodings -----------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "fault, encoding, fmt",
    [
        ("ok", "gbk", "rss"),  # GBK, declared only in the XML prolog
        ("ok", "gbk", "atom"),
        ("wrong_encoding", "gbk_as_utf8", "rss"),  # GBK bytes, header and prolog say UTF-8
        ("wrong_encoding", "gbk_as_utf8", "atom"),
    ],
)
def test_gbk_feeds_decode_right_through_the_fetcher(
    fetch_allowed, bridge, truth, unit_a, fault, encoding, fmt
):
    t = pick(truth, fault=fault, encoding=encoding, fmt=fmt)
    account = register(unit_a, t)
    observation = feed_ingest(account, now=SLOT_A)
    assert observation.outcome == Observation.Outcome.OK, observation.reason
    assert observation.evidence["feed_title"] == t["feed_title"]
    assert stored(account) == expected(t)
    assert "\ufffd" not in "".join(
        Post.objects.filter(account=account).values_list("title", flat=True)
    )


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["rss", "atom"])
def test_a_fault_free_gbk_feed_is_not_reported_as_malformed(
    fetch_allowed, bridge, truth, unit_a, fmt
):
    """A well-formed feed in GBK, declared so in its prolog, is a correct feed: staff must not
    be told it is 格式不规范."""
    t = pick(truth, encoding="gbk", fmt=fmt)
    observation = feed_ingest(register(unit_a, t), now=SLOT_A)
    assert observation.outcome == Observation.Outcome.OK
    assert observation.reason == "读取 10 条，新增 10 条", observation.reason


# ----- faults ------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "detail, fmt", [("truncated", "rss"), ("truncated", "atom"), ("unescaped_amp", None)]
)
def test_malformed_xml_is_said_in_chinese_and_only_true_posts_are_kept(
    fetch_allowed, bridge, truth, unit_a, detail, fmt
):
    t = pick(truth, fault="malformed", detail=detail, fmt=fmt)
    account = register(unit_a, t)
    observation = feed_ingest(account, now=SLOT_A)  # no exception
    if observation.outcome == Observation.Outcome.OK:
        assert "订阅源格式不规范" in observation.reason, observation.reason
    else:
        assert observation.outcome == Observation.Outcome.ERROR
        assert observation.reason.startswith("订阅源格式错误"), observation.reason
    kept, want = stored(account), expected(t)
    assert all(want.get(guid) == post for guid, post in kept.items()), "a half-read post was kept"
    if detail == "truncated":
        assert 0 < len(kept) < len(want)
    else:  # the raw "&" is in a title; everything else is well-formed
        assert kept == want
        assert any("&" in title for _, title, _ in kept.values())


@pytest.mark.django_db
def test_a_page_that_is_no_feed_is_a_chinese_error_observation(fetch_allowed, bridge, unit_a):
    account = Account.objects.create(
        unit=unit_a, platform="wechat", name="梅渚镇发布", feed_url=bridge.bridge_url
    )
    observation = feed_ingest(account, now=SLOT_A)
    assert observation.outcome == Observation.Outcome.ERROR
    assert observation.reason.startswith(("订阅源格式错误", "不是 RSS")), observation.reason
    assert CHINESE.search(observation.reason)
    assert not Post.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("detail", ["http500", "refused"])
def test_a_dead_or_refused_feed_is_an_error_observation_and_a_manual_check(
    fetch_allowed, bridge, truth, unit_a, detail
):
    t = pick(truth, fault="dead", detail=detail)
    account = register(unit_a, t)
    observation = feed_ingest(account, now=SLOT_A)
    assert observation.outcome == Observation.Outcome.ERROR
    assert observation.reason.startswith("订阅源无法读取："), observation.reason
    assert CHINESE.search(observation.reason.removeprefix("订阅源无法读取："))
    assert observation.http_status == (500 if detail == "http500" else None)
    assert not Post.objects.exists()
    # With no post known, the checks ask a person instead of vetoing the account.
    drafts = account_drafts(account, TODAY, rules_for(active_rule_set()))
    assert [(d.key, d.severity) for d in drafts] == [("account:manual", "manual")]


@pytest.mark.django_db
def test_a_slow_feed_is_read(fetch_allowed, bridge, truth, unit_a):
    t = pick(truth, fault="slow")
    account = register(unit_a, t)
    observation = feed_ingest(account, now=SLOT_A)
    assert observation.outcome == Observation.Outcome.OK
    assert observation.elapsed_ms >= 200
    assert stored(account) == expected(t)


# ----- idempotence ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_ingesting_twice_adds_no_post_twice(fetch_allowed, bridge, truth, unit_a):
    t = pick(truth, fmt="rss", encoding="utf-8")
    account = register(unit_a, t)
    feed_ingest(account, now=SLOT_A)
    again = feed_ingest(account, now=SLOT_B)
    assert again.reason == "读取 10 条，新增 0 条"
    assert Post.objects.filter(account=account).count() == 10
    assert stored(account) == expected(t)
    post = Post.objects.filter(account=account).first()
    with pytest.raises(IntegrityError), transaction.atomic():
        Post.objects.create(
            account=account,
            guid=post.guid,
            published_at=post.published_at,
            title="同一条",
            source=Post.Source.IMPORT,
        )


@pytest.mark.django_db
def test_the_observation_is_one_per_account_and_6_hour_slot(fetch_allowed, bridge, truth, unit_a):
    t = pick(truth, fmt="atom", encoding="utf-8")
    account = register(unit_a, t)
    first = feed_ingest(account, now=SLOT_A)
    redelivered = feed_ingest(account, now=SLOT_A_LATER)
    assert redelivered.pk == first.pk
    assert redelivered.observed_at == SLOT_A_LATER
    assert redelivered.reason == "读取 10 条，新增 0 条"
    assert Observation.objects.filter(account=account).count() == 1
    later = feed_ingest(account, now=SLOT_B)
    assert later.pk != first.pk
    assert Observation.objects.filter(account=account, kind="feed").count() == 2
    assert Post.objects.filter(account=account).count() == 10


@pytest.mark.django_db
def test_a_post_from_the_feed_and_the_same_post_imported_are_one_post(
    fetch_allowed, bridge, truth, unit_a
):
    """README: "The same post twice is one post", whether it came from the feed or a file.
    On Douyin, Toutiao and apps the feed's guid is not the post's URL."""
    t = next(
        t
        for t in truth.values()
        if t["fault"] == "ok" and t["platform"] == "douyin" and t["format"] != "json"
    )
    account = register(unit_a, t)
    feed_ingest(account, now=SLOT_A)
    assert Post.objects.filter(account=account).count() == 10
    book = Workbook()
    sheet = book.active
    sheet.append(list(POST_HEADERS))
    for p in t["posts"]:
        when = dt.datetime.fromisoformat(p["published_at"])  # +08:00, the county's time
        sheet.append(
            [
                unit_a.name,
                PLATFORM_LABELS[t["platform"]],
                t["name"],
                when.strftime("%Y-%m-%d %H:%M:%S"),
                p["title"],
                p["url"],
                "是" if p["original"] else "否",
            ]
        )
    data = io.BytesIO()
    book.save(data)
    report = import_posts(data.getvalue(), "发布记录.xlsx", dry_run=False)
    assert report.ok, [str(e) for e in report.errors]
    count = Post.objects.filter(account=account).count()
    assert count == 10, f"the same 10 posts are now {count} (the import created {report.created})"


# ----- no SSRF through a feed URL -------------------------------------------------------------------


@pytest.fixture
def loopback_bridge():
    """A bridge on 127.0.0.1, which is not allow-listed (the test's own address)."""
    accounts = generate_accounts(seed=3, n_accounts=1, posts_per_account=3, today=TODAY,
                                 bridge_host="127.0.0.1")  # fmt: skip
    with FarmServer(None, accounts=accounts, bridge_port=0) as server:
        yield server, accounts.account(0)


@pytest.mark.django_db
def test_a_feed_url_at_127_0_0_1_is_refused_by_the_safe_fetcher(
    crawl_allowed, loopback_bridge, unit_a
):
    server, farm_account = loopback_bridge
    url = server.feed_url(farm_account)
    account = Account.objects.create(
        unit=unit_a, platform=farm_account.platform, name=farm_account.name, feed_url=url
    )
    observation = feed_ingest(account, now=SLOT_A)
    assert observation.outcome == Observation.Outcome.ERROR
    assert "地址不安全" in observation.reason and "回环" in observation.reason, observation.reason
    assert observation.http_status is None  # refused before any connection
    assert server.requests == 0, "the fetcher connected to 127.0.0.1"
    assert not Post.objects.exists()
    # Something does answer there: the refusal is the fetcher's, not a dead address.
    assert requests.get(url, timeout=10).status_code == 200


@pytest.mark.django_db
def test_a_bridge_setting_at_127_0_0_1_is_refused_too(
    settings, crawl_allowed, loopback_bridge, unit_a
):
    server, farm_account = loopback_bridge
    settings.GOVWATCH_FEED_BRIDGE_URL = f"http://127.0.0.1:{server.bridge_port}/"
    account = Account.objects.create(
        unit=unit_a,
        platform=farm_account.platform,
        name=farm_account.name,
        account_id=farm_account.account_id,
    )
    observation = feed_ingest(account, now=SLOT_A)
    assert observation.url == server.feed_url(farm_account)
    assert observation.outcome == Observation.Outcome.ERROR and "地址不安全" in observation.reason
    assert (observation.http_status, server.requests) == (None, 0)


@pytest.mark.django_db
def test_an_account_without_a_feed_url_is_read_on_the_bridge(
    settings, fetch_allowed, bridge, truth, unit_a
):
    t = pick(truth, fmt="rss", encoding="utf-8", n=1)
    settings.GOVWATCH_FEED_BRIDGE_URL = bridge.bridge_url
    account = register(unit_a, t, feed_url="")
    observation = feed_ingest(account, now=SLOT_A)
    assert observation.url == t["feed_url"]
    assert observation.outcome == Observation.Outcome.OK
    assert stored(account) == expected(t)


# ----- the farm's account faults reach the checks ---------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "fault, present, absent",
    [
        ("ok", set(), {"account:stale", "account:zombie", "account:renamed"}),
        ("stale", {"account:stale"}, {"account:zombie", "account:renamed"}),
        ("zombie", {"account:stale", "account:zombie"}, {"account:renamed"}),
        ("renamed", {"account:renamed"}, {"account:stale", "account:zombie"}),
    ],
)
def test_the_farms_faults_become_the_right_drafts(
    fetch_allowed, bridge, truth, unit_a, fault, present, absent
):
    t = next(t for t in truth.values() if t["fault"] == fault and t["format"] != "json")
    account = register(unit_a, t)
    assert feed_ingest(account, now=SLOT_A).outcome == Observation.Outcome.OK
    keys = {d.key for d in account_drafts(account, TODAY, rules_for(active_rule_set()))}
    assert present <= keys and not absent & keys, keys


@pytest.mark.django_db
def test_a_low_originality_feed_is_named(fetch_allowed, bridge, truth, unit_a):
    t = next(t for t in truth.values() if t["fault"] == "low_original" and t["format"] != "json")
    assert t["original_share"] < 0.3
    account = register(unit_a, t)
    assert feed_ingest(account, now=SLOT_A).outcome == Observation.Outcome.OK
    keys = {d.key for d in account_drafts(account, TODAY, rules_for(active_rule_set()))}
    share = Post.objects.filter(account=account, original=True).count() / 10
    assert "account:originality" in keys, (
        f"truth: {t['original_share']:.0%} original; stored: {share:.0%} original"
    )
