"""Rendering JavaScript-only pages in real headless Chromium, over real HTTP.

Every request a rendered page makes goes through the URL-safety check and the Fetcher (with its
per-host limiter); an internal address is refused as for any fetch.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import threading
from pathlib import Path

import pytest

from audits.crawl.browser import Renderer, render_page
from audits.crawl.fetch import Fetcher
from audits.crawl.politeness import LocalLimiter
from audits.inspection import read_column, reading_evidence

from .servers import make_config

pytestmark = pytest.mark.skipif(
    not os.path.exists("/usr/bin/chromium"), reason="needs Debian's Chromium"
)
FARM = "127.0.1.7"
TODAY = dt.date(2026, 11, 23)


class CountingLimiter(LocalLimiter):
    """A LocalLimiter that records the key of every slot taken."""

    def __init__(self) -> None:
        super().__init__(concurrency=2)
        self.keys: list[str] = []
        self.guard = threading.Lock()

    @contextlib.contextmanager
    def slot(self, key: str):
        with self.guard:
            self.keys.append(key)
        with super().slot(key):
            yield


def _fetcher(**overrides) -> tuple[Fetcher, CountingLimiter]:
    limiter = CountingLimiter()
    config = make_config(allow_hosts=frozenset({"127.0.1.0/24"}), render_js=True, **overrides)
    return Fetcher(config, limiter=limiter), limiter


def test_a_script_reaching_for_an_internal_address_is_blocked(servers):
    site = servers(FARM)
    internal = servers("127.0.0.1")  # loopback, not allow-listed: must never be reached
    probe = internal.url("/secret/")
    fetcher, limiter = _fetcher()
    with fetcher:
        rendered = render_page(fetcher, site.url(f"/js-list?probe={probe}"))
    assert rendered.ok, rendered.error
    assert "县政府召开第0次常务会议" in rendered.html  # the allowed JSON loaded
    assert internal.hits == {}  # neither fetch(), the WebSocket nor the image got through
    blocked = [r for r in rendered.blocked if "127.0.0.1" in r.url]
    assert blocked and "拒绝访问" in blocked[0].reason
    assert site.count("/api/list.json") == 1
    # the page's own requests took per-host slots like any fetch
    assert limiter.keys.count(f"{FARM}:{site.port}") >= 2


def test_read_column_renders_a_javascript_only_list(servers):
    site = servers(FARM)
    fetcher, _ = _fetcher()
    with fetcher:
        reading = read_column(fetcher, site.url("/js-list"), TODAY)
    assert reading.outcome == "dated" and reading.result.newest == dt.date(2026, 11, 20)
    assert "浏览器渲染" in reading.reason
    evidence = reading_evidence(reading)
    assert evidence["rendered"]["ok"] is True
    assert any(r["url"].endswith("/api/list.json") for r in evidence["rendered"]["requests"])
    # The page itself was not fetched twice: the browser was handed the first answer.
    assert site.count("/js-list") == 1


def test_without_rendering_a_javascript_only_list_needs_manual(servers):
    site = servers(FARM)
    config = make_config(allow_hosts=frozenset({"127.0.1.0/24"}), render_js=False)
    with Fetcher(config) as fetcher:
        reading = read_column(fetcher, site.url("/js-list"), TODAY)
    assert reading.outcome == "needs_manual" and reading.result.newest is None
    assert reading.rendered is None and site.count("/api/list.json") == 0


def test_a_page_that_cannot_load_in_time_is_not_rendered(servers):
    site = servers(FARM)
    fetcher, _ = _fetcher(render_timeout=1.0, total_timeout=5.0)
    own = Renderer(max_pages=1)
    try:
        with fetcher:
            rendered = own.render(fetcher, site.url("/slow?s=3"))
    finally:
        own.close()
    assert not rendered.ok and "秒" in rendered.error


def test_a_page_whose_network_never_quiets_is_read_when_its_time_is_up(servers):
    site = servers(FARM)
    fetcher, _ = _fetcher(render_timeout=2.0)
    with fetcher:
        rendered = render_page(fetcher, site.url("/js-forever"))
    assert rendered.ok and '<ul id="list">' in rendered.html


def test_a_reused_tab_carries_no_cookie_or_storage_to_the_next_page(servers):
    """Tabs are kept between pages (a fresh one costs a renderer process); what a page leaves,
    cookies and the storage of every origin it touched, is wiped before the next."""
    site = servers(FARM)
    fetcher, _ = _fetcher()
    own = Renderer(max_pages=1)
    try:
        with fetcher:
            first = own.render(fetcher, site.url("/js-state"))
            second = own.render(fetcher, site.url("/js-state"))
        tabs = len(own._idle)
    finally:
        own.close()
    assert first.ok and second.ok, (first.error, second.error)
    assert 'id="found">cookie=;local=;session=</p>' in first.html
    assert 'id="found">cookie=;local=;session=</p>' in second.html
    assert tabs == 1  # the same tab served both pages


def test_a_list_fetched_shortly_after_load_is_waited_for(servers):
    site = servers(FARM)
    fetcher, _ = _fetcher()
    with fetcher:
        rendered = render_page(fetcher, site.url("/js-late"))
    assert rendered.ok and "县政府召开第0次常务会议" in rendered.html


def test_a_list_a_script_posts_for_to_its_own_site_is_read(servers):
    """大汉 jpage-style columns POST for their list: the request is sent through the Fetcher
    with its body and type; a POST to another site is not sent."""
    site = servers(FARM)
    other = servers("127.0.1.8")  # allow-listed, but another site
    fetcher, limiter = _fetcher()
    with fetcher:
        reading = read_column(fetcher, site.url(f"/js-post?other={other.url('/collect')}"), TODAY)
    assert reading.outcome == "dated", reading.reason
    assert reading.result.newest == dt.date(2026, 11, 18)
    assert site.posts == [
        ("/dataproxy.jsp", "application/x-www-form-urlencoded", b"col=1&appid=1&perpage=15")
    ]
    assert other.posts == [] and other.hits == {}
    notes = reading_evidence(reading)["rendered"]["requests"]
    assert any(n["url"].endswith("/collect") and "其他网站" in n["reason"] for n in notes)
    assert limiter.keys.count(f"{FARM}:{site.port}") >= 2  # the POST took a per-host slot too


def test_a_post_to_an_internal_address_is_refused_like_any_request(servers):
    site = servers(FARM)
    internal = servers("127.0.0.1")
    fetcher, _ = _fetcher()
    with fetcher:
        result = fetcher.post(internal.url("/dataproxy.jsp"), b"col=1", "text/plain")
        page = fetcher.post(site.url("/dataproxy.jsp"), b"col=1", "text/plain")
    assert result.status is None and internal.posts == []
    assert page.status == 200 and site.posts[0][1] == "text/plain"


def _descendants(pid: int) -> list[int]:
    """Every process below pid (from /proc's children lists, thread by thread)."""
    found, todo = [], [pid]
    while todo:
        parent = todo.pop()
        for task in os.listdir(f"/proc/{parent}/task"):
            with contextlib.suppress(OSError):
                with open(f"/proc/{parent}/task/{task}/children") as f:
                    kids = [int(k) for k in f.read().split()]
                found += kids
                todo += kids
    return found


def test_a_worker_pinned_to_one_core_leaves_its_chromium_on_every_core(servers):
    """GOVWATCH_WORKER_CPU pins a worker's threads; the browser they start is not pinned."""
    site = servers(FARM)
    fetcher, _ = _fetcher()
    every = os.sched_getaffinity(0)
    seen = {}

    def pinned_worker_thread() -> None:
        os.sched_setaffinity(0, {min(every)})  # this thread only, as the worker's threads are
        own = Renderer(max_pages=1)
        try:
            with fetcher:
                seen["ok"] = own.render(fetcher, site.url("/js-list")).ok
            seen["browser"] = [
                os.sched_getaffinity(pid)
                for pid in _descendants(os.getpid())
                if "chrom" in Path(f"/proc/{pid}/comm").read_text()
            ]
            seen["caller"] = os.sched_getaffinity(0)
            seen["loop"] = os.sched_getaffinity(own._thread.native_id)
        finally:
            own.close()

    worker = threading.Thread(target=pinned_worker_thread)
    worker.start()
    worker.join(60)
    # the worker's Python, its renderer's loop thread included, stays on its core
    assert seen["ok"] and seen["caller"] == seen["loop"] == {min(every)}
    assert seen["browser"] and all(cpus == every for cpus in seen["browser"])
