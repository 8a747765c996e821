"""Availability probes (W-V2): every home page at least 20 times a day, spread over the day.

A probe is one row keyed by (website, time slot): a probe delivered twice counts once. The slot
and a per-site offset inside it spread the probes so that a county's sites, many on one host,
are not all probed in the same second.
"""

import dataclasses
import datetime as dt
import functools
import zlib

from django.utils import timezone

from audits.crawl.config import CrawlConfig
from audits.crawl.fetch import Fetcher
from audits.models import Observation
from units.models import Website

PROBE_INTERVAL = dt.timedelta(minutes=30)  # 48 probes a day; the rule asks for at least 20
PROBE_LIMIT_MS = 15_000  # W-V2: a probe fails if the home page has not loaded within 15 s


def probe_slot(now: dt.datetime) -> dt.datetime:
    seconds = int(PROBE_INTERVAL.total_seconds())
    stamp = int(now.timestamp()) // seconds * seconds
    return dt.datetime.fromtimestamp(stamp, tz=dt.UTC)


def probe_offset(website_id: int) -> int:
    """Seconds after the slot's start at which this site is probed: stable, spread."""
    return zlib.crc32(str(website_id).encode()) % int(PROBE_INTERVAL.total_seconds())


def probe_config(config: CrawlConfig) -> CrawlConfig:
    """The national method: one attempt per probe within 15 s. The crawler's retries of
    transient errors would turn a timeout followed by a success into "up"."""
    limit = PROBE_LIMIT_MS / 1000
    return dataclasses.replace(
        config,
        retries=0,
        total_timeout=limit,
        read_timeout=min(config.read_timeout, limit),
        connect_timeout=min(config.connect_timeout, limit),
    )


@functools.lru_cache(maxsize=4)
def _probe_fetcher(config: CrawlConfig) -> Fetcher:
    return Fetcher(probe_config(config))


def probe_website(website_id: int, slot: dt.datetime, fetcher: Fetcher | None = None) -> bool:
    """Probe one home page for one slot. Returns False when the slot was already probed."""
    if Observation.objects.filter(website_id=website_id, kind="probe", slot=slot).exists():
        return False
    website = Website.objects.get(pk=website_id)
    fetcher = fetcher or _probe_fetcher(CrawlConfig.from_settings())
    page = fetcher.fetch(website.home_url)
    if page.error_kind == "unsafe_url":
        return False  # a registry mistake, not downtime: the site page shows the refusal
    # A server that answers "too many requests, come back later" (429/503 with Retry-After) is
    # up: our own politeness must not turn into a W-V2 outage.
    answered = page.ok or page.error_kind == "throttled"
    ok = answered and (page.elapsed_ms or 0) <= PROBE_LIMIT_MS
    _, created = Observation.objects.get_or_create(
        website=website,
        kind=Observation.Kind.PROBE,
        slot=slot,
        defaults={
            "url": website.home_url,
            "outcome": Observation.Outcome.OK if ok else Observation.Outcome.ERROR,
            "observed_at": page.fetched_at or timezone.now(),
            "http_status": page.status,
            "elapsed_ms": page.elapsed_ms,
            "bytes": page.bytes,
            "reason": "" if ok else (page.error or f"HTTP {page.status}"),
            "evidence": {"error_kind": page.error_kind, "attempts": 1},
        },
    )
    return created
