"""Outbound HTTP for inspections: URL safety, politeness, fetching and decoding.

This package is the only place in govwatch that talks to other servers.
"""

from .config import CrawlConfig
from .encoding import decode_html
from .fetch import Fetcher, FetchResult, link_state
from .politeness import FileLimiter, LimiterTimeout, LocalLimiter, RedisLimiter, make_limiter
from .safety import BadURL, UnresolvableHost, UnsafeURL, check_url, resolve_url

__all__ = [
    "BadURL",
    "CrawlConfig",
    "FetchResult",
    "Fetcher",
    "FileLimiter",
    "LimiterTimeout",
    "LocalLimiter",
    "RedisLimiter",
    "UnresolvableHost",
    "UnsafeURL",
    "check_url",
    "decode_html",
    "link_state",
    "make_limiter",
    "resolve_url",
]
