"""W-V2's method over real HTTP: one attempt per probe within 15 s, errors count as failures."""

from audits.crawl.fetch import Fetcher
from audits.probes import PROBE_LIMIT_MS, probe_config

from .servers import make_config


def test_a_failure_that_a_retry_would_hide_is_a_failed_probe(servers):
    # /flaky answers 503 to its first request and 200 afterwards.
    crawled, probed = servers(), servers()

    assert Fetcher(make_config()).fetch(crawled.url("/flaky")).ok  # the crawler retries …
    assert crawled.count("/flaky") == 2

    result = Fetcher(probe_config(make_config())).fetch(probed.url("/flaky"))
    assert not result.ok and result.status == 503  # … a probe counts its one attempt
    assert probed.count("/flaky") == 1


def test_the_probe_limit_is_15_seconds_in_one_attempt():
    config = probe_config(make_config(total_timeout=60.0, read_timeout=30.0, retries=3))
    assert config.retries == 0
    assert config.total_timeout == PROBE_LIMIT_MS / 1000 == 15
    assert config.read_timeout <= 15 and config.connect_timeout <= 15
