"""New-media feeds behind the bridge: RSS 2.0, Atom 1.0 and JSON Feed agree with the truth, every
fault is real (parsers really fail, GBK bytes really are GBK), and the set scales lazily."""

from __future__ import annotations

import json
import time
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime

import pytest
import requests
from lxml import etree

from sitefarm import feeds
from sitefarm.feeds import generate_accounts
from sitefarm.model import FEED_FORMATS, PLATFORMS
from sitefarm.server import FarmServer

from .conftest import TODAY, sget

ATOM = "{http://www.w3.org/2005/Atom}"
CHINA = timezone(timedelta(hours=8))
STRICT = etree.XMLParser(recover=False, resolve_entities=False)


@pytest.fixture(scope="module")
def accounts():
    """60 accounts, 5 per unit (every platform), every fault at a fixed position."""
    return generate_accounts(seed=2, n_accounts=60, posts_per_account=10, today=TODAY, slow_ms=800)


@pytest.fixture(scope="module")
def bridge(accounts):
    with FarmServer(None, accounts=accounts, bridge_port=0) as server:
        yield server


def parse(body: bytes, fmt: str) -> tuple[str, list[dict]]:
    """(feed title, posts) as a reader gets them, with strict parsers."""
    if fmt == "json":
        data = json.loads(body.decode("utf-8"))
        assert data["version"] == "https://jsonfeed.org/version/1.1"
        posts = [
            {
                "guid": i["id"],
                "published_at": datetime.fromisoformat(i["date_published"]),
                "title": i["title"],
                "url": i["url"],
                "original": i["tags"] == ["原创"],
                "author": i["authors"][0]["name"],
            }
            for i in data["items"]
        ]
        return data["title"], posts
    root = etree.fromstring(body, STRICT)
    if fmt == "rss":
        assert root.tag == "rss" and root.get("version") == "2.0"
        channel = root.find("channel")
        posts = [
            {
                "guid": item.findtext("guid"),
                "published_at": parsedate_to_datetime(item.findtext("pubDate")),
                "title": item.findtext("title"),
                "url": item.findtext("link"),
                "original": item.findtext("category") == "原创",
                "author": item.findtext("author"),
            }
            for item in channel.findall("item")
        ]
        return channel.findtext("title"), posts
    assert root.tag == ATOM + "feed"
    posts = [
        {
            "guid": entry.findtext(ATOM + "id"),
            "published_at": datetime.fromisoformat(entry.findtext(ATOM + "published")),
            "title": entry.findtext(ATOM + "title"),
            "url": entry.find(ATOM + "link").get("href"),
            "original": entry.find(ATOM + "category").get("term") == "原创",
            "author": entry.findtext(f"{ATOM}author/{ATOM}name"),
        }
        for entry in root.findall(ATOM + "entry")
    ]
    return root.findtext(ATOM + "title"), posts


def truth_posts(truth: dict) -> list[dict]:
    return [
        {**p, "published_at": datetime.fromisoformat(p["published_at"])} for p in truth["posts"]
    ]


def by_fault(accounts, fault, detail=None):
    return [
        a for a in accounts if a.fault == fault and (detail is None or a.fault_detail == detail)
    ]


def test_every_fault_platform_and_format_occurs(accounts):
    kinds = {(a.fault, a.fault_detail) for a in accounts}
    assert kinds >= set(feeds.FORCED) - {("ok", "gbk")}
    assert any(a.encoding == "gbk" and a.fault == "ok" for a in accounts)
    assert {a.platform for a in accounts} == set(PLATFORMS)
    assert {a.feed_format for a in accounts} == set(FEED_FORMATS)
    assert {a.pub_zone for a in accounts if a.feed_format == "rss"} == {"GMT", "+0800"}
    ids = [(a.platform, a.account_id) for a in accounts]
    assert len(set(ids)) == len(ids)
    names = {a.name for a in accounts}
    assert "示范发布" in names and any(n.endswith("镇发布") for n in names)
    assert any(n.endswith("在线") for n in names)


def test_readable_feeds_agree_with_the_truth(accounts, bridge):
    truth = accounts.truth(port=bridge.bridge_port)
    readable = 0
    for t in truth["accounts"]:
        if t["fault"] in ("dead", "malformed", "wrong_encoding", "slow"):
            continue
        assert t["feed_url"] == bridge.feed_url(accounts.account(t["index"]))
        response = sget(t["feed_url"])
        assert response.status_code == 200
        title, posts = parse(response.content, t["format"])
        assert title == t["feed_title"]
        assert posts == truth_posts(t)
        newest = max(p["published_at"] for p in posts)
        assert newest.astimezone(CHINA).date().isoformat() == t["newest_date"]
        share = sum(p["original"] for p in posts) / len(posts)
        assert round(share, 3) == t["original_share"]
        readable += 1
    assert readable > 30


def test_update_and_originality_faults(accounts):
    truth = {t["index"]: t for t in accounts.truth(include_posts=False)["accounts"]}
    for account in accounts:
        t = truth[account.index]
        if account.fault == "stale":
            assert 15 <= t["days_since_newest"] <= 61
        elif account.fault == "zombie":
            assert t["days_since_newest"] > 180
        elif account.fault != "dead":
            assert t["days_since_newest"] < 14
        if account.fault == "low_original":
            assert t["original_share"] <= 0.3
        elif account.fault == "ok":
            assert t["original_share"] >= 0.6
        assert (t["feed_title"] != t["name"]) == (account.fault == "renamed")


def test_malformed_feeds_fail_strict_parsers(accounts, bridge):
    for account in by_fault(accounts, "malformed"):
        body = sget(bridge.feed_url(account)).content
        if account.feed_format == "json":
            with pytest.raises(json.JSONDecodeError):
                json.loads(body.decode("utf-8", "replace"))
        else:
            with pytest.raises(etree.XMLSyntaxError):
                etree.fromstring(body, STRICT)
        if account.fault_detail == "unescaped_amp":
            assert "（图文&视频）".encode() in body  # a raw "&", not "&amp;"
            recovered = etree.fromstring(body, etree.XMLParser(recover=True))
            assert recovered is not None
        else:
            assert not body.rstrip().endswith((b"</rss>", b"</feed>", b"}"))
    assert {a.fault_detail for a in by_fault(accounts, "malformed")} == {
        "truncated",
        "unescaped_amp",
    }


def test_gbk_declared_as_utf8_and_gbk_declared_correctly(accounts, bridge):
    (wrong,) = by_fault(accounts, "wrong_encoding")[:1]
    response = sget(bridge.feed_url(wrong))
    assert response.headers["Content-Type"].endswith("charset=utf-8")
    assert response.content.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    with pytest.raises(UnicodeDecodeError):
        response.content.decode("utf-8")
    assert wrong.feed_title in response.content.decode("gbk")
    with pytest.raises(etree.XMLSyntaxError):
        etree.fromstring(response.content, STRICT)

    right = next(a for a in accounts if a.encoding == "gbk" and a.fault == "ok")
    response = sget(bridge.feed_url(right))
    assert "charset" not in response.headers["Content-Type"]
    assert response.content.startswith(b'<?xml version="1.0" encoding="GBK"?>')
    with pytest.raises(UnicodeDecodeError):
        response.content.decode("utf-8")
    title, posts = parse(response.content, right.feed_format)  # the prolog is honoured
    assert title == right.name
    assert posts == truth_posts(accounts.account_truth(right.index))


def test_dead_and_slow_feeds(accounts, bridge):
    refused = by_fault(accounts, "dead", "refused")[0]
    assert refused.feed_host != accounts.bridge_host
    with pytest.raises(requests.ConnectionError):
        requests.get(bridge.feed_url(refused), timeout=3)
    failing = by_fault(accounts, "dead", "http500")[0]
    assert sget(bridge.feed_url(failing)).status_code == 500
    slow = by_fault(accounts, "slow")[0]
    assert slow.delay_ms == 800
    with pytest.raises(requests.Timeout):
        requests.get(bridge.feed_url(slow), timeout=0.3)
    started = time.monotonic()
    response = requests.get(bridge.feed_url(slow), timeout=5)
    assert response.status_code == 200 and time.monotonic() - started >= 0.8
    parse(response.content, slow.feed_format)


def test_bridge_index_and_unknown_paths(accounts, bridge):
    assert sget(bridge.bridge_url).status_code == 200
    account = accounts.account(3)
    for path in ("/wechat/gh_ffffff000000", "/weibo/x", f"/douyin{account.feed_path}", "/rss"):
        assert sget(f"http://{accounts.bridge_host}:{bridge.bridge_port}{path}").status_code == 404
    other = next(a for a in accounts if a.platform != account.platform)
    wrong_platform = f"/{other.platform}/{account.account_id}"
    assert (
        sget(f"http://{accounts.bridge_host}:{bridge.bridge_port}{wrong_platform}").status_code
        == 404
    )


def test_farm_accounts_belong_to_its_units(extras_farm, extras_server):
    accounts = extras_farm.accounts
    assert len(accounts) == 2 * len(extras_farm.sites)
    truth = extras_farm.feed_truth(include_posts=False, port=extras_server.bridge_port)
    for t in truth["accounts"]:
        site = extras_farm.site(t["site_key"])
        assert site.unit_name == t["unit_name"]
    assert extras_server.bridge_port == extras_server.port  # the bridge shares the farm's port
    first = accounts.account(0)
    assert first.name == "示范发布" and first.platform == "wechat" and first.fault == "ok"
    title, posts = parse(sget(extras_server.feed_url(first)).content, first.feed_format)
    assert title == "示范发布" and len(posts) == 12


def test_two_thousand_accounts_are_lazy():
    feeds._account.cache_clear()
    feeds._posts.cache_clear()
    started = time.monotonic()
    big = generate_accounts(seed=1, n_accounts=2000, posts_per_account=50, today=TODAY)
    assert time.monotonic() - started < 0.5
    assert feeds._account.cache_info().currsize == 0
    with FarmServer(None, accounts=big, bridge_port=0) as server:
        for index in (1999, 1000, 7):
            account = big.account(index)
            if account.fault in ("dead", "malformed", "wrong_encoding", "slow"):
                continue
            title, posts = parse(sget(server.feed_url(account)).content, account.feed_format)
            assert len(posts) == 50 and title == account.feed_title
    assert feeds._account.cache_info().currsize <= 10
    assert feeds._posts.cache_info().currsize <= 10
    for index in range(0, 2000, 37):  # the id leads back to the account without a table
        account = big.account(index)
        assert big.find(account.feed_path) is account


def test_feeds_are_deterministic():
    one = generate_accounts(seed=5, n_accounts=30, posts_per_account=8, today=TODAY)
    two = generate_accounts(seed=5, n_accounts=30, posts_per_account=8, today=TODAY)
    assert one.truth() == two.truth()
    for index in range(30):
        assert feeds.feed_response(one, index, 8800) == feeds.feed_response(two, index, 8800)
    other = generate_accounts(seed=6, n_accounts=30, posts_per_account=8, today=TODAY)
    assert other.truth() != one.truth()
