"""Retry-After over real HTTP: a throttled host is held back (for every request to it), then
asked again; a host that stays throttled is "throttled", never an outage. Redis leases of long
requests are renewed."""

from __future__ import annotations

import datetime as dt
import threading

import pytest

from audits.crawl.fetch import Fetcher, link_state, parse_retry_after
from audits.crawl.politeness import LimiterTimeout, LocalLimiter, RedisLimiter

from .servers import make_config
from .test_crawl_politeness import prefix, redis_url  # noqa: F401 - fixtures


def test_retry_after_is_read_as_seconds_or_a_date():
    now = dt.datetime(2026, 11, 23, 8, 0, tzinfo=dt.UTC)
    assert parse_retry_after("7") == 7.0
    assert parse_retry_after("Mon, 23 Nov 2026 08:00:30 GMT", now) == 30.0
    assert parse_retry_after("soon") is None and parse_retry_after(None) is None


def test_a_429_with_retry_after_holds_the_host_back_then_succeeds(farm):
    limiter = LocalLimiter(concurrency=2)
    deferred: list[tuple[str, float]] = []
    original = limiter.defer

    def defer(key: str, seconds: float) -> None:
        deferred.append((key, seconds))
        original(key, seconds)

    limiter.defer = defer
    with Fetcher(make_config(), limiter) as fetcher:
        result = fetcher.fetch(farm.url("/retry-after?n=1&after=1"))
        waits = fetcher.host_waits(f"127.0.0.1:{farm.port}")
    assert result.ok and result.status == 200 and result.attempts == 2
    assert farm.count("/retry-after") == 2
    assert deferred == [(f"127.0.0.1:{farm.port}", 1.0)]
    assert waits.retry_after == 1 and waits.retry_after_seconds == 1.0 and waits.requests == 2


def test_a_host_that_stays_throttled_is_throttled_not_down(farm):
    with Fetcher(make_config(retries=1), LocalLimiter()) as fetcher:
        result = fetcher.fetch(farm.url("/retry-after?n=5&after=0&status=503"))
    assert result.status == 503 and result.error_kind == "throttled"
    assert "Retry-After" in result.error and "在线" in result.error
    assert farm.count("/retry-after") == 2  # asked once more, no further
    assert link_state(result) == "unknown"


def test_a_retry_after_longer_than_allowed_is_not_waited_for(farm):
    with Fetcher(make_config(max_retry_after=5), LocalLimiter()) as fetcher:
        result = fetcher.fetch(farm.url("/retry-after?n=5&after=3600"))
    assert result.status == 429 and result.error_kind == "http_error"
    assert farm.count("/retry-after") == 1


def test_a_429_without_retry_after_is_still_not_retried(farm):
    with Fetcher(make_config(), LocalLimiter()) as fetcher:
        result = fetcher.fetch(farm.url("/status/429"))
    assert result.error_kind == "http_error" and farm.count("/status/429") == 1


def test_a_redis_deferral_holds_every_worker_back(redis_url, prefix):  # noqa: F811
    first = RedisLimiter(redis_url, concurrency=2, prefix=prefix)
    second = RedisLimiter(redis_url, concurrency=2, prefix=prefix)
    first.defer("example.gov.cn:80", 30)
    assert second.redis.pttl(second._key("defer", "example.gov.cn:80")) > 20_000


def test_a_long_request_keeps_its_redis_lease(redis_url, prefix):  # noqa: F811
    """Lease 0.3 s: without renewal a second taker would get the only slot after 0.3 s."""
    holder = RedisLimiter(redis_url, concurrency=1, lease_seconds=0.3, prefix=prefix)
    other = RedisLimiter(redis_url, concurrency=1, wait_timeout=1.2, prefix=prefix)
    key = "example.gov.cn:80"
    held, done = threading.Event(), threading.Event()

    def hold() -> None:
        with holder.slot(key):
            held.set()
            done.wait(30)  # until the other taker has given up

    thread = threading.Thread(target=hold)
    thread.start()
    try:
        assert held.wait(10)
        with pytest.raises(LimiterTimeout), other.slot(key):
            pass
    finally:
        done.set()
        thread.join(10)
    assert holder.renewals >= 2
    with other.slot(key):  # released at once when the request ends
        pass
