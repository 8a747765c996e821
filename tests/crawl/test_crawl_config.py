import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from audits.crawl.config import DEFAULT_USER_AGENT, CrawlConfig

ROOT = Path(__file__).resolve().parents[2]

# Django settings are configured in a child process so this test cannot disturb the
# settings of the test session (pytest-django may have configured them already).
_FROM_SETTINGS = """
import json, sys
from django.conf import settings
settings.configure()
from audits.crawl.config import CrawlConfig
out = []
for case in json.loads(sys.argv[1]):
    for name, value in case.items():
        setattr(settings, name, value)
    c = CrawlConfig.from_settings()
    out.append({
        "ua": c.user_agent, "allow": sorted(c.allow_hosts), "n": c.per_host_concurrency,
        "rate": c.per_host_rate, "backend": c.limiter_backend, "redis": c.redis_url,
        "lock_dir": c.lock_dir,
    })
    for name in case:
        delattr(settings, name)
print(json.dumps(out))
"""

CASES = {
    "nothing": {},
    "everything": {
        "GOVWATCH_CRAWL_USER_AGENT": "ua/1",
        "GOVWATCH_CRAWL_ALLOW_HOSTS": ["127.0.0.0/8", "Farm.Local"],
        "GOVWATCH_CRAWL_PER_HOST_CONCURRENCY": 3,
        "GOVWATCH_CRAWL_PER_HOST_RATE": 1.5,
        "GOVWATCH_VAR_DIR": "/srv/govwatch/var",
    },
    "redis": {"REDIS_URL": "redis://127.0.0.1:6379/0", "GOVWATCH_VAR_DIR": "/tmp/x"},
}


@pytest.fixture(scope="module")
def from_settings() -> dict[str, dict]:
    out = subprocess.run(
        [sys.executable, "-c", _FROM_SETTINGS, json.dumps(list(CASES.values()))],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        check=True,
    )
    return dict(zip(CASES, json.loads(out.stdout), strict=True))


def test_from_settings_with_nothing_set_uses_defaults(from_settings):
    c = from_settings["nothing"]
    assert c["ua"] == DEFAULT_USER_AGENT
    assert c["allow"] == []
    assert (c["n"], c["rate"], c["backend"]) == (2, 5.0, "local")


def test_from_settings_reads_the_govwatch_settings(from_settings):
    c = from_settings["everything"]
    assert c["ua"] == "ua/1"
    assert c["allow"] == ["127.0.0.0/8", "farm.local"]
    assert (c["n"], c["rate"]) == (3, 1.5)
    assert c["backend"] == "file"
    assert c["lock_dir"] == "/srv/govwatch/var/crawl-locks"


def test_from_settings_prefers_redis_when_it_is_configured(from_settings):
    c = from_settings["redis"]
    assert (c["backend"], c["redis"]) == ("redis", "redis://127.0.0.1:6379/0")


@pytest.mark.parametrize(
    "bad",
    [
        {"per_host_concurrency": 0},
        {"total_timeout": 0},
        {"limiter_backend": "memcached"},
        {"limiter_backend": "redis"},
        {"limiter_backend": "file"},
    ],
)
def test_a_bad_value_fails_at_start_up(bad):
    with pytest.raises(ValueError):
        CrawlConfig(**bad)


def test_the_config_is_frozen_and_hashable():
    c = CrawlConfig(allow_hosts=["127.0.0.1", " LOCALHOST "])
    assert c.allow_hosts == frozenset({"127.0.0.1", "localhost"})
    assert hash(c) == hash(CrawlConfig(allow_hosts=frozenset({"127.0.0.1", "localhost"})))
    with pytest.raises(AttributeError):
        c.user_agent = "x"  # type: ignore[misc]
