"""Per-host politeness shared by every worker: at most N requests in flight and R per second.

Three backends with one interface, ``with limiter.slot(key): ...``:

- :class:`RedisLimiter` for several worker processes or machines (``REDIS_URL`` set): a
  semaphore of expiring leases (a sorted set of tokens scored by expiry, taken with a Lua
  script) so that a killed worker cannot hold a slot for ever, and a rate gate (a per-host
  "next allowed time" reserved atomically in Lua).
- :class:`FileLimiter` for the embedded single-machine default: N ``flock``-ed slot files per
  host (the kernel drops the lock of a killed process) and a per-host timestamp file.
- :class:`LocalLimiter`: threads of one process (tests, scripts).

The key is the lower-case host name and port (``ResolvedURL.key`` / :func:`host_key`): many
department "sites" are directories of the portal's host, and must share its limit.
"""

from __future__ import annotations

import atexit
import contextlib
import fcntl
import hashlib
import os
import random
import re
import threading
import time
import uuid
import weakref
from collections.abc import Iterator
from typing import Protocol
from urllib.parse import urlsplit

from .config import CrawlConfig


class LimiterTimeout(Exception):
    """No slot became free for the host within the wait timeout."""


class Limiter(Protocol):
    def slot(self, key: str) -> contextlib.AbstractContextManager[None]: ...

    # Optional: hold every request to ``key`` back for ``seconds`` (a server's Retry-After).
    # def defer(self, key: str, seconds: float) -> None: ...


# The longest Retry-After honoured by holding a host back; a longer one is reported instead.
MAX_DEFER_SECONDS = 120.0


def host_key(url: str) -> str:
    """Politeness key for a URL: ``host:port`` (lower case, default port filled in)."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    port = parts.port or {"http": 80, "https": 443}.get(parts.scheme.lower(), 0)
    if ":" in host:
        host = f"[{host}]"
    return f"{host}:{port}"


def make_limiter(config: CrawlConfig) -> Limiter:
    """The limiter the configuration asks for."""
    common = {
        "concurrency": config.per_host_concurrency,
        "rate": config.per_host_rate,
        "wait_timeout": config.slot_wait_timeout,
    }
    if config.limiter_backend == "redis":
        assert config.redis_url
        # A slot is held for one request, which the fetcher bounds by total_timeout.
        lease = config.total_timeout + config.connect_timeout + 30.0
        return RedisLimiter(config.redis_url, lease_seconds=lease, **common)
    if config.limiter_backend == "file":
        assert config.lock_dir
        return FileLimiter(config.lock_dir, **common)
    return LocalLimiter(**common)


def _poll_sleep(deadline: float, base: float) -> None:
    # Jitter keeps waiting workers from polling in lock-step.
    pause = base * (0.5 + random.random())
    time.sleep(max(0.0, min(pause, deadline - time.monotonic())))


class LocalLimiter:
    """Per-host limits among the threads of one process."""

    def __init__(self, concurrency: int = 2, rate: float = 0.0, wait_timeout: float = 120.0):
        self.concurrency = concurrency
        self.rate = rate
        self.wait_timeout = wait_timeout
        self._lock = threading.Lock()
        self._semaphores: dict[str, threading.BoundedSemaphore] = {}
        self._next_allowed: dict[str, float] = {}
        self._deferred: dict[str, float] = {}

    def defer(self, key: str, seconds: float) -> None:
        """No request to ``key`` starts for ``seconds`` (a server's Retry-After)."""
        until = time.monotonic() + min(seconds, MAX_DEFER_SECONDS)
        with self._lock:
            self._deferred[key] = max(self._deferred.get(key, 0.0), until)

    @contextlib.contextmanager
    def slot(self, key: str) -> Iterator[None]:
        with self._lock:
            until = self._deferred.get(key, 0.0)
        if until > time.monotonic():
            time.sleep(until - time.monotonic())
        with self._lock:
            sem = self._semaphores.setdefault(key, threading.BoundedSemaphore(self.concurrency))
        if not sem.acquire(timeout=self.wait_timeout):
            raise LimiterTimeout(key)
        try:
            self._wait_for_rate(key)
            yield
        finally:
            sem.release()

    def _wait_for_rate(self, key: str) -> None:
        if self.rate <= 0:
            return
        with self._lock:
            now = time.monotonic()
            start = max(now, self._next_allowed.get(key, 0.0))
            self._next_allowed[key] = start + 1.0 / self.rate
        if start > now:
            time.sleep(start - now)


class FileLimiter:
    """Per-host limits among the processes of one machine, with ``flock`` on files."""

    def __init__(
        self,
        lock_dir: str | os.PathLike[str],
        concurrency: int = 2,
        rate: float = 0.0,
        wait_timeout: float = 120.0,
        poll_interval: float = 0.02,
    ):
        self.lock_dir = os.fspath(lock_dir)
        self.concurrency = concurrency
        self.rate = rate
        self.wait_timeout = wait_timeout
        self.poll_interval = poll_interval
        os.makedirs(self.lock_dir, exist_ok=True)

    def _path(self, key: str, suffix: str) -> str:
        digest = hashlib.sha1(key.encode("utf-8")).hexdigest()[:10]
        safe = re.sub(r"[^a-z0-9.-]+", "_", key.lower())[:80]
        return os.path.join(self.lock_dir, f"{safe}-{digest}.{suffix}")

    def defer(self, key: str, seconds: float) -> None:
        """No request to ``key`` starts for ``seconds``, in any process of this machine."""
        until = time.time() + min(seconds, MAX_DEFER_SECONDS)
        fd = os.open(self._path(key, "defer"), os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            try:
                current = float(os.pread(fd, 64, 0).decode("ascii").strip() or 0)
            except ValueError:
                current = 0.0
            os.ftruncate(fd, 0)
            os.pwrite(fd, repr(max(current, until)).encode("ascii"), 0)
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)

    def _wait_deferred(self, key: str) -> None:
        path = self._path(key, "defer")
        try:
            with open(path, "rb") as fh:
                until = float(fh.read(64).decode("ascii").strip() or 0)
        except (OSError, ValueError):
            return
        left = until - time.time()
        if left > 0:
            time.sleep(min(left, MAX_DEFER_SECONDS))

    @contextlib.contextmanager
    def slot(self, key: str) -> Iterator[None]:
        self._wait_deferred(key)
        fd = self._acquire(key)
        try:
            self._wait_for_rate(key)
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)

    def _acquire(self, key: str) -> int:
        deadline = time.monotonic() + self.wait_timeout
        paths = [self._path(key, f"slot{i}") for i in range(self.concurrency)]
        while True:
            # Start at a random slot so waiters do not all fight over slot 0.
            offset = random.randrange(len(paths))
            for i in range(len(paths)):
                fd = os.open(paths[(offset + i) % len(paths)], os.O_RDWR | os.O_CREAT, 0o644)
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    os.close(fd)
                    continue
                except BaseException:
                    os.close(fd)
                    raise
                return fd
            if time.monotonic() >= deadline:
                raise LimiterTimeout(key)
            _poll_sleep(deadline, self.poll_interval)

    def _wait_for_rate(self, key: str) -> None:
        if self.rate <= 0:
            return
        fd = os.open(self._path(key, "rate"), os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            raw = os.pread(fd, 64, 0)
            try:
                next_allowed = float(raw.decode("ascii").strip() or 0)
            except ValueError:
                next_allowed = 0.0
            # Wall-clock time: it is compared across processes.
            now = time.time()
            start = max(now, next_allowed)
            data = repr(start + 1.0 / self.rate).encode("ascii")
            os.ftruncate(fd, 0)
            os.pwrite(fd, data, 0)
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)
        if start > now:
            time.sleep(start - now)


# One round trip to start a request (the run path's CPU, issue 12): KEYS[1] the host's defer
# key (Retry-After), KEYS[2] its lease set (tokens scored by expiry, ms, Redis clock), KEYS[3]
# its next allowed start time. ARGV: limit, lease in ms, token, rate interval in ms (0: none),
# then the tokens of this process's finished requests to the host, released first.
# Returns {-1, ms} while the host is deferred, {0, 0} when every slot is taken, else the lease is
# granted and {1, ms}: how long to wait for the reserved start time.
_ACQUIRE_LUA = """
if #ARGV > 4 then redis.call('ZREM', KEYS[2], unpack(ARGV, 5)) end
local left = redis.call('PTTL', KEYS[1])
if left > 0 then return {-1, left} end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
if redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[1]) then return {0, 0} end
redis.call('ZADD', KEYS[2], now + tonumber(ARGV[2]), ARGV[3])
redis.call('PEXPIRE', KEYS[2], tonumber(ARGV[2]) * 2)
local interval = tonumber(ARGV[4])
if interval <= 0 then return {1, 0} end
local nxt = tonumber(redis.call('GET', KEYS[3]) or '0')
local start = now
if nxt > now then start = nxt end
redis.call('SET', KEYS[3], string.format('%d', start + interval), 'PX', start - now + interval + 1000)
return {1, start - now}
"""


# KEYS[1]: the lease set; ARGV: lease in ms, token. Extends a lease still held (a request that
# runs long keeps its slot; a killed holder's lease expires, nothing renews it).
_RENEW_LUA = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
if redis.call('ZSCORE', KEYS[1], ARGV[2]) then
  redis.call('ZADD', KEYS[1], 'XX', now + tonumber(ARGV[1]), ARGV[2])
  redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[1]) * 2)
  return 1
end
return 0
"""


def _release_at_exit(ref) -> None:
    limiter = ref()
    if limiter is not None:
        limiter.release_finished()


class RedisLimiter:
    """Per-host limits among all workers on all machines that share one Redis.

    A held lease is renewed every third of its length by a background thread of the holder, so a
    long request keeps its slot however long it runs, while a killed holder's lease expires one
    lease length after its last renewal.

    A finished request's lease is not given back in a round trip of its own: the next request
    of this process to the same host releases it in the script that takes its own lease, and the
    background thread releases what is left after ``linger_seconds``. Until then the finished
    request still counts against the host's limit, so the limit is never exceeded; a request
    costs one round trip instead of two.
    """

    def __init__(
        self,
        redis_url_or_client: object,
        concurrency: int = 2,
        rate: float = 0.0,
        wait_timeout: float = 120.0,
        lease_seconds: float = 60.0,
        poll_interval: float = 0.02,
        prefix: str = "govwatch:crawl",
        linger_seconds: float = 0.1,
    ):
        if isinstance(redis_url_or_client, str):
            import redis

            self.redis = redis.Redis.from_url(redis_url_or_client)
        else:
            self.redis = redis_url_or_client
        self.concurrency = concurrency
        self.rate = rate
        self.wait_timeout = wait_timeout
        self.lease_ms = max(1, int(lease_seconds * 1000))
        self.poll_interval = poll_interval
        self.prefix = prefix
        self._acquire_script = self.redis.register_script(_ACQUIRE_LUA)
        self._renew_script = self.redis.register_script(_RENEW_LUA)
        self.linger = linger_seconds
        self._held: dict[str, str] = {}  # token -> lease set key
        self._finished: dict[str, dict[str, float]] = {}  # lease set key -> {token: ended}
        self._held_lock = threading.Lock()
        self._renewer: threading.Thread | None = None
        self._renewer_pid = 0
        self.renewals = 0

    def _start_renewer(self) -> None:
        # (after a fork the thread is gone: a child starts its own)
        if self._renewer is not None and self._renewer_pid == os.getpid():
            return
        self._renewer_pid = os.getpid()
        self._renewer = threading.Thread(target=self._renew_loop, name="lease-renewer", daemon=True)
        self._renewer.start()
        atexit.register(_release_at_exit, weakref.ref(self))

    def _renew_loop(self) -> None:
        pause = threading.Event()
        renew_every = self.lease_ms / 3000.0
        renewed = time.monotonic()
        while True:
            pause.wait(min(renew_every, max(self.linger, 0.01)))
            self.release_finished(older_than=self.linger)
            if time.monotonic() - renewed < renew_every:
                continue
            renewed = time.monotonic()
            with self._held_lock:
                held = list(self._held.items())
            for token, sem_key in held:
                with contextlib.suppress(Exception):  # Redis away: the lease just expires
                    if self._renew_script(keys=[sem_key], args=[self.lease_ms, token]):
                        self.renewals += 1

    def release_finished(self, older_than: float = 0.0) -> None:
        """Give back the leases of finished requests (those that ended ``older_than`` seconds
        ago or earlier) that no later request to their host has released yet."""
        cutoff = time.monotonic() - older_than
        with self._held_lock:
            due = {}
            for sem_key, tokens in list(self._finished.items()):
                old = [t for t, ended in tokens.items() if ended <= cutoff]
                for t in old:
                    del tokens[t]
                if not tokens:
                    del self._finished[sem_key]
                if old:
                    due[sem_key] = old
        for sem_key, tokens in due.items():
            with contextlib.suppress(Exception):  # Redis away: the leases just expire
                self.redis.zrem(sem_key, *tokens)

    def defer(self, key: str, seconds: float) -> None:
        """No request to ``key`` starts for ``seconds``, on any worker sharing this Redis."""
        ms = max(1, int(min(seconds, MAX_DEFER_SECONDS) * 1000))
        defer_key = self._key("defer", key)
        current = self.redis.pttl(defer_key)
        if current is None or current < ms:
            self.redis.set(defer_key, "1", px=ms)

    def _key(self, kind: str, key: str) -> str:
        return f"{self.prefix}:{kind}:{key.lower()}"

    @contextlib.contextmanager
    def slot(self, key: str) -> Iterator[None]:
        sem_key = self._key("sem", key)
        keys = [self._key("defer", key), sem_key, self._key("rate", key)]
        interval_ms = max(1, round(1000.0 / self.rate)) if self.rate > 0 else 0
        token = uuid.uuid4().hex
        deadline = time.monotonic() + self.wait_timeout
        while True:
            # what this process's requests to the host have finished meanwhile goes back too
            with self._held_lock:
                release = list(self._finished.pop(sem_key, ()))
            try:
                granted, ms = self._acquire_script(
                    keys=keys, args=[self.concurrency, self.lease_ms, token, interval_ms, *release]
                )
            except BaseException:
                self._finish(sem_key, release)  # not released: the background thread will
                raise
            if granted == 1:
                break
            if time.monotonic() >= deadline:
                raise LimiterTimeout(key)
            if granted == -1:  # deferred (Retry-After): wait it out, then try again
                time.sleep(
                    max(0.0, min(ms / 1000.0, MAX_DEFER_SECONDS, deadline - time.monotonic()))
                )
            else:
                _poll_sleep(deadline, self.poll_interval)
        with self._held_lock:
            self._held[token] = sem_key
            self._start_renewer()
        try:
            if ms > 0:
                time.sleep(ms / 1000.0)  # the start time reserved for this request
            yield
        finally:
            with self._held_lock:
                self._held.pop(token, None)
            self._finish(sem_key, [token])

    def _finish(self, sem_key: str, tokens: list[str]) -> None:
        if not tokens:
            return
        now = time.monotonic()
        with self._held_lock:
            self._finished.setdefault(sem_key, {}).update(dict.fromkeys(tokens, now))
            self._start_renewer()
