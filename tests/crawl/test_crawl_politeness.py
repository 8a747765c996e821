"""Per-host limits, counted at the server: a host never sees more than N requests at once."""

import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest

from audits.crawl import Fetcher, FileLimiter, LimiterTimeout, LocalLimiter, RedisLimiter
from audits.crawl.config import CrawlConfig
from audits.crawl.politeness import host_key, make_limiter

from .servers import InFlight, make_config

ROOT = Path(__file__).resolve().parents[2]


def _hammer(fetcher: Fetcher, url: str, n: int) -> list:
    results: list = []
    lock = threading.Lock()

    def one() -> None:
        r = fetcher.fetch(url)
        with lock:
            results.append(r)

    threads = [threading.Thread(target=one) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return results


def test_the_key_is_host_and_port():
    assert host_key("http://WWW.Example.gov.cn/a/b") == "www.example.gov.cn:80"
    assert host_key("https://www.example.gov.cn/") == "www.example.gov.cn:443"
    assert host_key("http://[::1]:8080/") == "[::1]:8080"


def test_eight_threads_on_one_host_never_have_more_than_two_in_flight(farm):
    fetcher = Fetcher(make_config(), LocalLimiter(concurrency=2))
    results = _hammer(fetcher, farm.url("/slow?s=0.1"), 8)
    assert all(r.ok for r in results)
    assert farm.count("/slow") == 8
    assert farm.inflight.peak == 2


def test_different_hosts_proceed_in_parallel(servers):
    both = InFlight()
    a = servers("127.0.4.1", inflight=both)
    b = servers("127.0.4.2", inflight=both)
    fetcher = Fetcher(make_config(), LocalLimiter(concurrency=1))
    threads = [
        threading.Thread(target=fetcher.fetch, args=(server.url("/slow?s=0.3"),))
        for server in (a, b, a, b)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert a.inflight.peak == 1
    assert b.inflight.peak == 1
    assert both.peak == 2


def test_the_rate_gate_spaces_requests_to_one_host(farm):
    fetcher = Fetcher(make_config(per_host_rate=20.0))
    results = _hammer(fetcher, farm.url("/page"), 5)
    assert all(r.ok for r in results)
    starts = sorted(farm.starts)
    # Four gaps of 1/20 s, less some scheduling jitter.
    assert starts[-1] - starts[0] > 0.17


def test_a_limiter_that_stays_full_gives_up_with_busy(farm):
    limiter = LocalLimiter(concurrency=1, wait_timeout=0.1)
    fetcher = Fetcher(make_config(), limiter)
    with limiter.slot(f"127.0.0.1:{farm.port}"):
        result = fetcher.fetch(farm.url("/page"))
    assert result.error_kind == "busy"
    assert farm.count("/page") == 0


def test_make_limiter_follows_the_config(tmp_path):
    assert isinstance(make_limiter(CrawlConfig()), LocalLimiter)
    file_config = CrawlConfig(limiter_backend="file", lock_dir=str(tmp_path))
    assert isinstance(make_limiter(file_config), FileLimiter)


# -- across processes ------------------------------------------------------------------------

_CHILD = """
import sys, threading
from audits.crawl import Fetcher, FileLimiter, RedisLimiter
from audits.crawl.config import CrawlConfig
backend, where, url, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
if backend == "file":
    limiter = FileLimiter(where, concurrency=2)
else:
    limiter = RedisLimiter(where, concurrency=2, prefix=sys.argv[5])
config = CrawlConfig(allow_hosts={"127.0.0.0/8"}, per_host_rate=0, retries=0)
fetcher = Fetcher(config, limiter)
print("ready", flush=True)
sys.stdin.readline()
statuses = []
threads = [threading.Thread(target=lambda: statuses.append(fetcher.fetch(url).status))
           for _ in range(n)]
[t.start() for t in threads]
[t.join() for t in threads]
print(" ".join(map(str, statuses)), flush=True)
"""

_HOLDER = """
import signal, sys
from audits.crawl import FileLimiter, RedisLimiter
backend, where, key = sys.argv[1], sys.argv[2], sys.argv[3]
if backend == "file":
    limiter = FileLimiter(where, concurrency=1)
else:
    limiter = RedisLimiter(where, concurrency=1, lease_seconds=0.5, prefix=sys.argv[4])
with limiter.slot(key):
    print("held", flush=True)
    signal.pause()  # hold the slot until the test kills this process
"""


def _python(code: str, *args: str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-c", code, *args],
        cwd=ROOT,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )


def _two_processes_eight_requests(backend: str, where: str, url: str, *extra: str) -> list[str]:
    children = [_python(_CHILD, backend, where, url, "4", *extra) for _ in range(2)]
    try:
        for child in children:
            assert child.stdout.readline().strip() == "ready"
        for child in children:  # start both at once
            child.stdin.write("go\n")
            child.stdin.flush()
        return [child.communicate(timeout=60)[0].split() for child in children]
    finally:
        for child in children:
            if child.poll() is None:
                child.kill()


def _killed_holder_releases(backend: str, where: str, limiter, *extra: str) -> float:
    """A child takes the only slot and is killed; return how long the next taker waited."""
    key = "example.gov.cn:80"
    holder = _python(_HOLDER, backend, where, key, *extra)
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(LimiterTimeout), limiter.slot(key):
            pass
        os.kill(holder.pid, signal.SIGKILL)
        holder.wait(10)
    finally:
        if holder.poll() is None:
            holder.kill()
    limiter.wait_timeout = 10
    started = time.monotonic()
    with limiter.slot(key):
        return time.monotonic() - started


def test_the_file_limiter_holds_across_processes(farm, tmp_path):
    statuses = _two_processes_eight_requests("file", str(tmp_path), farm.url("/slow?s=0.15"))
    assert statuses == [["200"] * 4, ["200"] * 4]
    assert farm.count("/slow") == 8
    assert farm.inflight.peak == 2


def test_a_killed_holder_of_a_file_slot_releases_it_at_once(tmp_path):
    limiter = FileLimiter(tmp_path, concurrency=1, wait_timeout=0.1)
    assert _killed_holder_releases("file", str(tmp_path), limiter) < 1.0


def test_the_file_rate_gate_is_shared(tmp_path):
    first = FileLimiter(tmp_path, concurrency=4, rate=20.0)
    second = FileLimiter(tmp_path, concurrency=4, rate=20.0)
    started = time.monotonic()
    for limiter in (first, second, first, second, first):
        with limiter.slot("example.gov.cn:80"):
            pass
    assert time.monotonic() - started > 0.19  # four gaps of 1/20 s


# -- Redis -------------------------------------------------------------------------------------


@pytest.fixture
def redis_url():
    url = os.environ.get("REDIS_URL")
    if not url:
        pytest.fail(
            "REDIS_URL is not set: the Redis limiter needs a real Redis (make test starts one)"
        )
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError as exc:
        pytest.fail(f"no Redis server reachable at REDIS_URL={url}: {exc}")
    return url


@pytest.fixture
def prefix(redis_url):
    """A key prefix of our own, so tests never see each other's (or the app's) keys."""
    import redis

    value = f"govwatch-test:{uuid.uuid4().hex}"
    yield value
    client = redis.Redis.from_url(redis_url)
    for key in client.scan_iter(f"{value}:*"):
        client.delete(key)


def test_the_redis_limiter_holds_across_processes(farm, redis_url, prefix):
    url = farm.url("/slow?s=0.15")
    statuses = _two_processes_eight_requests("redis", redis_url, url, prefix)
    assert statuses == [["200"] * 4, ["200"] * 4]
    assert farm.inflight.peak == 2


def test_the_redis_limiter_holds_across_threads(farm, redis_url, prefix):
    limiter = RedisLimiter(redis_url, concurrency=2, prefix=prefix)
    results = _hammer(Fetcher(make_config(), limiter), farm.url("/slow?s=0.1"), 8)
    assert all(r.ok for r in results)
    assert farm.inflight.peak == 2


def test_a_killed_holder_of_a_redis_lease_loses_it_when_it_expires(redis_url, prefix):
    limiter = RedisLimiter(redis_url, concurrency=1, wait_timeout=0.1, prefix=prefix)
    waited = _killed_holder_releases("redis", redis_url, limiter, prefix)
    assert waited < 2.0


def test_the_redis_rate_gate_is_shared(redis_url, prefix):
    first = RedisLimiter(redis_url, concurrency=4, rate=20.0, prefix=prefix)
    second = RedisLimiter(redis_url, concurrency=4, rate=20.0, prefix=prefix)
    started = time.monotonic()
    for limiter in (first, second, first, second, first):
        with limiter.slot("example.gov.cn:80"):
            pass
    assert time.monotonic() - started > 0.19


def test_a_request_costs_one_round_trip_and_its_lease_goes_back_with_the_next(redis_url, prefix):
    limiter = RedisLimiter(redis_url, concurrency=2, linger_seconds=30, prefix=prefix)
    client, sem = limiter.redis, f"{prefix}:sem:example.gov.cn:80"
    with limiter.slot("example.gov.cn:80"):
        pass  # warm up: the script is loaded
    sent, real = [], client.execute_command
    client.execute_command = lambda *args, **kw: sent.append(args[0]) or real(*args, **kw)
    for _ in range(10):
        with limiter.slot("example.gov.cn:80"):
            assert real("ZCARD", sem) == 1  # the last request's lease went back with this one's
    assert sent == ["EVALSHA"] * 10  # one round trip a request, no release of its own
    assert client.zcard(sem) == 1  # the finished request still counts, until released
    limiter.release_finished()
    assert client.zcard(sem) == 0


def test_a_finished_lease_no_request_follows_is_given_back_after_the_linger(redis_url, prefix):
    mine = RedisLimiter(redis_url, concurrency=1, linger_seconds=0.1, prefix=prefix)
    other = RedisLimiter(redis_url, concurrency=1, wait_timeout=5, prefix=prefix)  # another worker
    with mine.slot("example.gov.cn:80"):
        pass
    started = time.monotonic()
    with other.slot("example.gov.cn:80"):
        waited = time.monotonic() - started
    assert 0.05 < waited < 1.0  # the linger (0.1 s), not the lease (60 s)
    assert mine.redis.zcard(f"{prefix}:sem:example.gov.cn:80") == 1  # other's, finished
