import datetime as dt
import ssl
import warnings

import pytest
from cryptography import x509

from audits.crawl import Fetcher, link_state

from .servers import ZH, make_config, server_tls


def _not_after(cert_path):
    return x509.load_pem_x509_certificate(cert_path.read_bytes()).not_valid_after_utc


def test_a_self_signed_certificate_is_recorded_and_the_page_still_checked(servers, certs):
    farm = servers("127.0.0.1", tls=server_tls(certs.self_signed))
    with Fetcher(make_config()) as f:
        result = f.fetch(farm.url("/page"))
    assert result.ok
    assert ZH in result.text
    assert "自签名" in result.tls_problem
    assert result.cert_not_after == _not_after(certs.self_signed[0])
    assert link_state(result) == "ok"


def test_a_trusted_certificate_has_no_problem(servers, certs):
    farm = servers("127.0.0.1", tls=server_tls(certs.good))
    with Fetcher(make_config(allow_hosts=frozenset({"localhost"}), ca_bundle=str(certs.ca))) as f:
        by_name = f.fetch(farm.url("/page", host="localhost"))
    with Fetcher(make_config(ca_bundle=str(certs.ca))) as f:
        by_ip = f.fetch(farm.url("/page"))
    for result in (by_name, by_ip):
        assert result.ok
        assert result.tls_problem is None
        assert result.cert_not_after > dt.datetime.now(dt.UTC)


def test_a_certificate_for_another_name_is_a_mismatch(servers, certs):
    farm = servers("127.0.0.1", tls=server_tls(certs.wrong_name))
    config = make_config(allow_hosts=frozenset({"localhost"}), ca_bundle=str(certs.ca))
    with Fetcher(config) as f:
        result = f.fetch(farm.url("/page", host="localhost"))
    assert result.ok
    assert "不匹配" in result.tls_problem
    # The name sent in SNI and Host is the real host name, not the pinned address.
    assert farm.host_headers[-1] == f"localhost:{farm.port}"


def test_an_expired_certificate_is_recorded(servers, certs):
    farm = servers("127.0.0.1", tls=server_tls(certs.expired))
    with Fetcher(make_config(ca_bundle=str(certs.ca))) as f:
        result = f.fetch(farm.url("/page"))
    assert result.ok
    assert "过期" in result.tls_problem
    assert result.cert_not_after < dt.datetime.now(dt.UTC)


def test_a_server_that_does_not_speak_tls_is_a_tls_error(farm):
    with Fetcher(make_config()) as f:
        result = f.fetch(f"https://127.0.0.1:{farm.port}/page")
    assert result.error_kind == "tls"
    assert result.status is None
    assert link_state(result) == "unknown"


def test_a_server_stuck_on_tls_1_0_is_reached_in_compatibility_mode(servers, certs):
    ctx = server_tls(certs.self_signed)
    try:
        ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            ctx.minimum_version = ssl.TLSVersion.TLSv1
            ctx.maximum_version = ssl.TLSVersion.TLSv1
    except (ValueError, ssl.SSLError) as exc:
        pytest.skip(f"this OpenSSL cannot serve TLS 1.0: {exc}")
    farm = servers("127.0.0.1", tls=ctx)
    with Fetcher(make_config()) as f:
        result = f.fetch(farm.url("/page"))
    if result.error_kind == "tls":
        pytest.skip(f"this OpenSSL cannot speak TLS 1.0 even when asked: {result.error}")
    assert result.ok
    assert "兼容模式" in result.tls_problem
