import ipaddress

import pytest

from audits.crawl import CrawlConfig, UnresolvableHost, UnsafeURL, check_url, resolve_url
from audits.crawl.safety import blocked_reason

NOTHING_ALLOWED = CrawlConfig()
EVERYTHING_LOCAL_ALLOWED = CrawlConfig(
    allow_hosts=frozenset(
        {
            "127.0.0.0/8",
            "::1",
            "0.0.0.0/32",
            "10.0.0.0/8",
            "192.168.0.0/16",
            "169.254.0.0/16",
            "::ffff:127.0.0.1",
            "localhost",
        }
    )
)

INTERNAL_URLS = [
    "http://127.0.0.1/",
    "http://2130706433/",  # decimal
    "http://0177.0.0.1/",  # octal
    "http://0x7f.1/",  # hex, short
    "http://0x7f000001/",
    "http://127.1/",  # short form
    "http://[::1]/",
    "http://[::ffff:127.0.0.1]/",  # IPv4-mapped
    "http://169.254.169.254/latest/meta-data/",
    "http://10.0.0.1/",
    "http://192.168.1.1/",
    "http://0.0.0.0/",
    "http://localhost:8000/",
    "https://LOCALHOST./admin",
]


@pytest.mark.parametrize("url", INTERNAL_URLS)
def test_it_refuses_internal_addresses_in_any_spelling(url):
    with pytest.raises(UnsafeURL):
        check_url(url, NOTHING_ALLOWED)


@pytest.mark.parametrize("url", INTERNAL_URLS)
def test_it_allows_internal_addresses_on_the_allow_list(url):
    check_url(url, EVERYTHING_LOCAL_ALLOWED)


@pytest.mark.parametrize(
    "url",
    [
        "http://[::127.0.0.1]/",  # IPv4-compatible
        "http://[2002:7f00:1::1]/",  # 6to4 wrapping 127.0.0.1
        "http://[2001:0:4136:e378:8000:63bf:f5ff:fffe]/",  # Teredo, client 10.0.0.1
        "http://[64:ff9b::a00:1]/",  # NAT64 of 10.0.0.1
        "http://100.100.100.200/",  # Alibaba Cloud metadata
        "http://100.64.0.1/",  # CGNAT
        "http://[fd00:ec2::254]/",  # AWS metadata over IPv6
        "http://[fe80::1]/",
        "http://224.0.0.1/",
        "http://240.0.0.1/",
    ],
)
def test_it_refuses_embedded_and_special_ranges(url):
    with pytest.raises(UnsafeURL):
        check_url(url, NOTHING_ALLOWED)


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "ftp://example.com/",
        "gopher://127.0.0.1/",
        "javascript:alert(1)",
        "//example.com/",
        "http://user:pass@example.com/",
        "http://user@example.com/",
        "http://example.com\\@127.0.0.1/",
        "http:///nohost",
        "http://exa mple.com/",
        "",
    ],
)
def test_it_refuses_bad_schemes_credentials_and_malformed_urls(url):
    with pytest.raises(UnsafeURL):
        check_url(url, EVERYTHING_LOCAL_ALLOWED)


def test_the_reason_is_in_chinese_and_names_the_address():
    with pytest.raises(UnsafeURL) as info:
        check_url("http://2130706433/", NOTHING_ALLOWED)
    assert "回环" in str(info.value)
    assert "127.0.0.1" in str(info.value)


def test_a_public_address_is_allowed_without_any_list():
    resolved = resolve_url("http://8.8.8.8/a?b=1#frag", NOTHING_ALLOWED)
    assert resolved.addresses == ("8.8.8.8",)
    assert resolved.path == "/a?b=1"
    assert resolved.key == "8.8.8.8:80"
    assert not resolved.allowed_by_list


def test_an_allowed_cidr_lets_only_its_own_range_through():
    config = CrawlConfig(allow_hosts=frozenset({"127.0.3.0/24"}))
    check_url("http://127.0.3.1/", config)
    with pytest.raises(UnsafeURL):
        check_url("http://127.0.0.1/", config)


def test_a_host_name_on_the_list_is_matched_exactly():
    config = CrawlConfig(allow_hosts=frozenset({"localhost"}))
    resolved = resolve_url("http://LocalHost:8080/x", config)
    assert resolved.allowed_by_list
    assert resolved.host_header == "localhost:8080"
    assert resolved.key == "localhost:8080"


def test_an_unknown_domain_is_unresolvable_not_unsafe():
    with pytest.raises(UnresolvableHost):
        check_url("http://no-such-host.invalid/", NOTHING_ALLOWED)


def test_blocked_reason_covers_metadata_and_mapped_addresses():
    assert blocked_reason(ipaddress.ip_address("169.254.169.254")) == "云服务器元数据地址"
    assert "127.0.0.1" in blocked_reason(ipaddress.ip_address("::ffff:127.0.0.1"))
    assert blocked_reason(ipaddress.ip_address("114.114.114.114")) is None


def test_a_bad_allow_list_entry_fails_at_start_up():
    with pytest.raises(ValueError, match="ALLOW_HOSTS"):
        CrawlConfig(allow_hosts=frozenset({"127.0.0.0/33"}))
