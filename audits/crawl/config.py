"""Crawler configuration: one frozen value object, so the crawler is testable without Django."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import cached_property

from core.netsafety import IPNetwork, allowed_networks, looks_like_ip

DEFAULT_USER_AGENT = (
    "govwatch/0.1 (+county government website inspection; contact via county office)"
)

LIMITER_BACKENDS = ("redis", "file", "local")


@dataclass(frozen=True)
class CrawlConfig:
    user_agent: str = DEFAULT_USER_AGENT
    connect_timeout: float = 5.0
    read_timeout: float = 15.0
    # Wall-clock budget for one attempt at a page, redirects and body included.
    total_timeout: float = 15.0
    max_bytes: int = 5 * 1024 * 1024
    max_redirects: int = 5
    # Transient failures only (connection errors, 502/503/504; a timeout at most once).
    retries: int = 2
    retry_backoff: tuple[float, ...] = (0.5, 1.0)
    # A 429/503 whose Retry-After asks for at most this many seconds is honoured (the host is held
    # back, the request tried again); a longer one is reported as throttled at once.
    max_retry_after: float = 60.0
    # Hostnames, IP addresses or CIDR ranges that may be fetched although they are
    # loopback/private (the test and demo site farms live on 127.0.0.0/8).
    allow_hosts: frozenset[str] = field(default_factory=frozenset)
    per_host_concurrency: int = 2
    # Requests per second per host; 0 disables the rate gate.
    per_host_rate: float = 5.0
    limiter_backend: str = "local"
    redis_url: str | None = None
    lock_dir: str | None = None
    # How long a request may wait for a free per-host slot before giving up.
    slot_wait_timeout: float = 120.0
    # CA bundle used to verify certificates; None means the certifi bundle.
    ca_bundle: str | None = None
    # Render pages whose list is built by JavaScript in headless Chromium (browser.py): at most
    # render_pages at once per process, each within render_timeout seconds.
    render_js: bool = False
    render_pages: int = 2
    render_timeout: float = 20.0

    def __post_init__(self) -> None:
        hosts = self.allow_hosts
        if isinstance(hosts, str):
            hosts = [h for h in hosts.split(",")]
        normalized = frozenset(h.strip().lower() for h in hosts if h and h.strip())
        object.__setattr__(self, "allow_hosts", normalized)
        object.__setattr__(self, "retry_backoff", tuple(float(x) for x in self.retry_backoff))
        for name in ("connect_timeout", "read_timeout", "total_timeout", "slot_wait_timeout"):
            if not getattr(self, name) > 0:
                raise ValueError(f"CrawlConfig.{name} must be > 0, got {getattr(self, name)!r}")
        if self.max_bytes <= 0:
            raise ValueError(f"CrawlConfig.max_bytes must be > 0, got {self.max_bytes!r}")
        if self.max_redirects < 0 or self.retries < 0:
            raise ValueError("CrawlConfig.max_redirects and retries must be >= 0")
        if self.per_host_concurrency < 1:
            raise ValueError(
                f"CrawlConfig.per_host_concurrency must be >= 1, got {self.per_host_concurrency!r}"
            )
        if self.per_host_rate < 0:
            raise ValueError(f"CrawlConfig.per_host_rate must be >= 0, got {self.per_host_rate!r}")
        if self.limiter_backend not in LIMITER_BACKENDS:
            raise ValueError(
                f"CrawlConfig.limiter_backend must be one of {LIMITER_BACKENDS}, "
                f"got {self.limiter_backend!r}"
            )
        if self.limiter_backend == "redis" and not self.redis_url:
            raise ValueError("CrawlConfig.limiter_backend='redis' needs redis_url")
        if self.limiter_backend == "file" and not self.lock_dir:
            raise ValueError("CrawlConfig.limiter_backend='file' needs lock_dir")
        # Parse once so that a bad entry fails at start-up, not at the first fetch.
        _ = self.allowed_networks

    @cached_property
    def allowed_networks(self) -> tuple[IPNetwork, ...]:
        """The allow-list entries that are IP addresses or CIDR ranges."""
        return allowed_networks(self.allow_hosts)

    @cached_property
    def allowed_hostnames(self) -> frozenset[str]:
        """The allow-list entries that are host names (matched exactly, case-insensitively)."""
        return frozenset(
            h.rstrip(".") for h in self.allow_hosts if not looks_like_ip(h.strip("[]"))
        )

    @classmethod
    def from_settings(cls) -> CrawlConfig:
        """Build the configuration from Django settings; every setting is optional."""
        from django.conf import settings

        redis_url = getattr(settings, "REDIS_URL", None) or None
        var_dir = getattr(settings, "GOVWATCH_VAR_DIR", None)
        lock_dir = os.path.join(str(var_dir), "crawl-locks") if var_dir else None
        if redis_url:
            backend = "redis"
        elif lock_dir:
            backend = "file"
        else:
            # Without a shared store the limits hold within one process only.
            backend = "local"
        allow = getattr(settings, "GOVWATCH_CRAWL_ALLOW_HOSTS", None) or ()
        if isinstance(allow, str):
            allow = allow.split(",")
        return cls(
            user_agent=getattr(settings, "GOVWATCH_CRAWL_USER_AGENT", None) or DEFAULT_USER_AGENT,
            allow_hosts=frozenset(str(h) for h in allow),
            per_host_concurrency=int(getattr(settings, "GOVWATCH_CRAWL_PER_HOST_CONCURRENCY", 2)),
            per_host_rate=float(getattr(settings, "GOVWATCH_CRAWL_PER_HOST_RATE", 5.0)),
            limiter_backend=backend,
            redis_url=redis_url,
            lock_dir=lock_dir,
            render_js=render_js_setting(),
            render_pages=int(getattr(settings, "GOVWATCH_RENDER_PAGES", 2)),
            render_timeout=float(getattr(settings, "GOVWATCH_RENDER_TIMEOUT", 20.0)),
        )


# Debian's headless shell first: the "old" headless Chromium, without the browser's UI, costs
# about half the CPU a page of the full browser in headless mode (bench/bench_render.py).
CHROMIUM_CANDIDATES = (
    "/usr/lib/chromium/chromium-headless-shell",  # package chromium-headless-shell
    "/usr/bin/chromium",
)


def chromium_path() -> str | None:
    """The browser the renderer drives: GOVWATCH_CHROMIUM, else Debian's headless shell, else
    Debian's Chromium; None when it is missing."""
    chosen = os.environ.get("GOVWATCH_CHROMIUM")
    for path in (chosen,) if chosen else CHROMIUM_CANDIDATES:
        if os.path.exists(path):
            return path
    return None


def render_js_setting() -> bool:
    """GOVWATCH_RENDER_JS: True/False from the settings; unset (None): on when Chromium is
    installed."""
    from django.conf import settings

    value = getattr(settings, "GOVWATCH_RENDER_JS", None)
    if value is None:
        return chromium_path() is not None
    return bool(value) and chromium_path() is not None
