import datetime as dt
import socket
from urllib.parse import unquote

import pytest

from audits.crawl import Fetcher, link_state

from .servers import ZH, make_config


@pytest.fixture
def fetcher():
    with Fetcher(make_config()) as f:
        yield f


def test_it_fetches_a_normal_page(fetcher, farm):
    result = fetcher.fetch(farm.url("/page"))
    assert result.ok
    assert result.status == 200
    assert result.error_kind is None
    assert ZH in result.text
    assert result.encoding == "utf-8"
    assert result.bytes == len(result.body) > 0
    assert result.address == "127.0.0.1"
    assert result.fetched_at.tzinfo == dt.UTC
    assert result.redirects == ()
    assert link_state(result) == "ok"


def test_it_sends_the_real_host_name_and_an_honest_user_agent(servers):
    farm = servers("127.0.3.1")
    with Fetcher(make_config(user_agent="govwatch-test/1.0 (+测试)")) as f:
        result = f.fetch(farm.url("/page"))
    assert result.ok
    assert farm.host_headers[-1] == f"127.0.3.1:{farm.port}"
    assert farm.user_agents[-1] == "govwatch-test/1.0 (+%E6%B5%8B%E8%AF%95)"


def test_a_path_in_chinese_is_sent_percent_encoded_once(servers):
    farm = servers("127.0.3.1")
    with Fetcher(make_config()) as f:
        f.fetch(farm.url("/新闻动态/列表.html?类别=通知&page=2"))
        f.fetch(farm.url("/already%20encoded/%E5%88%97.html"))
    hits = [k for k in farm.hits if "列" in unquote(k)]
    assert "GET /%E6%96%B0%E9%97%BB%E5%8A%A8%E6%80%81/%E5%88%97%E8%A1%A8.html" in hits
    assert "GET /already%20encoded/%E5%88%97.html" in hits  # not encoded twice


@pytest.mark.parametrize(
    ("path", "how"),
    [
        ("/gbk-declared", "header"),
        ("/gbk-meta", "meta"),
        ("/gbk-undeclared", "detected"),
        ("/utf8-as-gb2312", "declared gb2312 but bytes are valid UTF-8"),
    ],
)
def test_it_decodes_chinese_pages_however_they_are_labelled(fetcher, farm, path, how):
    result = fetcher.fetch(farm.url(path))
    assert result.ok
    assert ZH in result.text
    assert result.encoding_how == how


def test_gbk_labelled_utf8_is_corrected(fetcher, farm):
    result = fetcher.fetch(farm.url("/gbk-as-utf8"))
    assert ZH in result.text
    assert result.encoding == "gb18030"


def test_gzip_is_decoded_and_binary_is_not(fetcher, farm):
    assert ZH in fetcher.fetch(farm.url("/gzip")).text
    pdf = fetcher.fetch(farm.url("/pdf"))
    assert pdf.ok and pdf.text == "" and pdf.body.startswith(b"%PDF")
    assert pdf.content_type == "application/pdf"


def test_it_follows_relative_redirects(fetcher, farm):
    result = fetcher.fetch(farm.url("/relative"))
    assert result.ok
    assert result.final_url == farm.url("/page?from=relative")
    assert result.redirects == (farm.url("/page?from=relative"),)


def test_five_redirects_are_followed(fetcher, farm):
    result = fetcher.fetch(farm.url("/hops/5"))
    assert result.ok
    assert len(result.redirects) == 5
    assert result.final_url == farm.url("/hops/0")


def test_six_redirects_are_too_many(fetcher, farm):
    result = fetcher.fetch(farm.url("/hops/6"))
    assert not result.ok
    assert result.error_kind == "too_many_redirects"
    assert len(result.redirects) == 5
    assert farm.count("/hops/0") == 0
    assert link_state(result) == "unknown"


def test_a_redirect_into_a_forbidden_address_is_refused_at_the_hop(servers):
    allowed = servers("127.0.3.1")
    internal = servers("127.0.0.1")
    target = internal.url("/page")
    with Fetcher(make_config(allow_hosts=frozenset({"127.0.3.0/24"}))) as f:
        result = f.fetch(allowed.url(f"/redirect-to?url={target}"))
    assert result.error_kind == "unsafe_url"
    assert "回环" in result.error
    assert result.redirects == (target,)
    assert sum(internal.hits.values()) == 0


def test_cookies_set_during_a_redirect_are_sent_back(fetcher, farm):
    result = fetcher.fetch(farm.url("/cookie-loop"))
    assert result.ok
    assert farm.count("/cookie-loop") == 2


def test_a_huge_body_is_cut_at_the_cap(farm):
    with Fetcher(make_config(max_bytes=100_000)) as f:
        result = f.fetch(farm.url("/huge?size=3000000"))
    assert result.status == 200
    assert result.truncated
    assert result.bytes == 100_000
    assert result.error_kind == "too_large"
    assert not result.ok
    assert link_state(result) == "ok"


def test_a_trickling_body_is_cut_at_the_deadline(farm):
    with Fetcher(make_config(total_timeout=0.4)) as f:
        result = f.fetch(farm.url("/trickle"))
    assert result.error_kind == "timeout"
    # A timeout is retried once, no more.
    assert result.attempts == 2
    assert farm.count("/trickle") == 2
    assert result.elapsed_ms < 1500
    assert link_state(result) == "unknown"


def test_a_server_that_never_answers_times_out(farm):
    with Fetcher(make_config(read_timeout=0.2, retries=0)) as f:
        result = f.fetch(farm.url("/slow?s=1.5"))
    assert result.error_kind == "timeout"
    assert result.status is None


@pytest.mark.parametrize(
    ("code", "state"), [(404, "dead"), (410, "dead"), (403, "unknown"), (429, "unknown")]
)
def test_client_errors_are_not_retried(fetcher, farm, code, state):
    result = fetcher.fetch(farm.url(f"/status/{code}"))
    assert result.status == code
    assert result.error_kind == "http_error"
    assert str(code) in result.error
    assert farm.count(f"/status/{code}") == 1
    assert link_state(result) == state


@pytest.mark.parametrize("code", [502, 503, 504])
def test_gateway_errors_are_retried_twice(fetcher, farm, code):
    result = fetcher.fetch(farm.url(f"/status/{code}"))
    assert result.status == code
    assert result.attempts == 3
    assert farm.count(f"/status/{code}") == 3
    assert link_state(result) == "unknown"


def test_a_500_is_not_retried(fetcher, farm):
    result = fetcher.fetch(farm.url("/status/500"))
    assert farm.count("/status/500") == 1
    assert link_state(result) == "unknown"


def test_a_transient_503_recovers_on_retry(fetcher, farm):
    result = fetcher.fetch(farm.url("/flaky"))
    assert result.ok
    assert result.attempts == 2


def test_a_connection_hung_up_is_a_reset_and_retried(fetcher, farm):
    result = fetcher.fetch(farm.url("/reset"))
    assert result.error_kind == "reset"
    assert farm.count("/reset") == 3
    assert link_state(result) == "unknown"


def test_connection_refused_is_dead(fetcher, free_port):
    result = fetcher.fetch(f"http://127.0.0.1:{free_port}/")
    assert result.error_kind == "refused"
    assert result.attempts == 3
    assert "拒绝" in result.error
    assert link_state(result) == "dead"


def test_an_unknown_domain_is_a_dns_failure(fetcher):
    result = fetcher.fetch("http://no-such-host.invalid/")
    assert result.error_kind in ("dns", "dns_temporary")
    assert link_state(result) == ("dead" if result.error_kind == "dns" else "unknown")


def test_an_unsafe_url_is_reported_not_raised(farm):
    with Fetcher(make_config(allow_hosts=frozenset())) as f:
        result = f.fetch(farm.url("/page"))
    assert result.error_kind == "unsafe_url"
    assert sum(farm.hits.values()) == 0
    assert link_state(result) == "unknown"


def test_odd_spellings_of_an_allowed_address_reach_it(fetcher, farm):
    result = fetcher.fetch(f"http://2130706433:{farm.port}/page")
    assert result.ok
    assert farm.host_headers[-1] == f"2130706433:{farm.port}"


def test_an_allowed_host_name_is_fetched_by_name(farm):
    with Fetcher(make_config(allow_hosts=frozenset({"localhost"}))) as f:
        result = f.fetch(farm.url("/page", host="localhost"))
    assert result.ok
    assert farm.host_headers[-1] == f"localhost:{farm.port}"


def test_the_connection_goes_to_the_checked_address_even_if_dns_changes(servers, monkeypatch):
    """DNS rebinding: the first answer is checked; a later, different answer is never used."""
    public = servers("127.0.3.1")
    # The internal server listens on the same port, so a second lookup would reach it.
    internal = servers("127.0.0.1", port=public.port)
    real_getaddrinfo = socket.getaddrinfo
    answers = iter(["127.0.3.1"])

    def rebinding_getaddrinfo(host, port, *args, **kwargs):
        if host == "rebind.test":
            return real_getaddrinfo(next(answers, "127.0.0.1"), port, *args, **kwargs)
        return real_getaddrinfo(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", rebinding_getaddrinfo)
    config = make_config(allow_hosts=frozenset({"127.0.3.0/24"}))
    with Fetcher(config) as f:
        result = f.fetch(f"http://rebind.test:{public.port}/page")
    assert result.ok
    assert result.address == "127.0.3.1"
    assert public.host_headers == [f"rebind.test:{public.port}"]
    assert sum(internal.hits.values()) == 0


def test_head_or_get_uses_head_when_it_works(fetcher, farm):
    result = fetcher.head_or_get(farm.url("/page"))
    assert result.ok and result.body == b""
    assert farm.count("/page", "HEAD") == 1
    assert farm.count("/page", "GET") == 0


def test_head_or_get_falls_back_to_get_when_head_is_refused(fetcher, farm):
    result = fetcher.head_or_get(farm.url("/head-405"))
    assert result.ok
    assert result.status == 200
    assert result.body == b""
    assert farm.count("/head-405", "HEAD") == 1
    assert farm.count("/head-405", "GET") == 1


def test_head_or_get_confirms_a_404_with_get(fetcher, farm):
    result = fetcher.head_or_get(farm.url("/status/404"))
    assert link_state(result) == "dead"
    assert farm.count("/status/404", "GET") == 1


def test_a_redirect_to_a_dead_port_makes_the_link_dead(fetcher, farm, free_port):
    result = fetcher.fetch(farm.url(f"/redirect-to?url=http://127.0.0.1:{free_port}/gone"))
    assert result.error_kind == "refused"
    assert result.status == 302  # the last response that was received
    assert result.final_url == f"http://127.0.0.1:{free_port}/gone"
    assert link_state(result) == "dead"


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        (None, "bad_url"),
        ("http://[::1", "bad_url"),
        ("http://a..b/", "bad_url"),
        ("http://127.0.0.1:99999/", "bad_url"),
        ("file:///etc/passwd", "unsafe_url"),
        ("http://user:pw@127.0.0.1/", "unsafe_url"),
    ],
)
def test_malformed_and_forbidden_urls_are_reported_not_raised(fetcher, url, kind):
    result = fetcher.fetch(url)
    assert result.error_kind == kind
    assert result.status is None
    assert link_state(result) == "unknown"
