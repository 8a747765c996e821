"""The farm over real HTTP: styles, encodings, truth, faults, shutdown."""

from __future__ import annotations

import re
import socket
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import pytest
import requests

from sitefarm.generate import generate_county
from sitefarm.model import STYLES
from sitefarm.server import FarmServer

from .conftest import FULL_DATE, TODAY, decode, get, list_block, listed_dates


def test_every_style_is_served_and_matches_the_truth(style_farm, style_server):
    seen = set()
    for site in style_farm.sites:
        for column in site.columns:
            response = get(style_server.column_url(site, column))
            assert response.status_code == 200
            html = decode(response.content, column.encoding)
            seen.add(column.style)
            if column.truth_status == "undeterminable":
                block = list_block(html)
                assert not FULL_DATE.search(block)
                assert not re.search(r"\d\d-\d\d", block)
                assert all(item.path not in html for item in column.items)
                continue
            dates = listed_dates(
                html,
                column.style,
                style_farm.today,
                lambda path, s=site: get(style_server.path_url(s, path)).content,
            )
            if column.truth_status == "empty":
                assert dates == []
                if column.style != "json_api":
                    assert column.empty_text in html
                continue
            assert max(dates) == column.truth_newest
            assert dates == [item.date for item in column.page_items(0)]
    assert seen == set(STYLES)


def test_ul_li_pages_of_the_default_county_match_the_truth(county_farm, county_server):
    checked = 0
    for site in county_farm.sites:
        if site.dead or site.delay_ms or site.failure:
            continue
        for column in site.columns:
            if column.style != "ul_date":
                continue
            html = decode(get(county_server.column_url(site, column)).content, column.encoding)
            found = re.findall(
                r'<span class="date">(\d{4})\D(\d{1,2})\D(\d{1,2})', list_block(html)
            )
            newest = max((date(*map(int, ymd)) for ymd in found), default=None)
            assert newest == column.truth_newest, (site.key, column.key)
            checked += 1
    assert checked > 20


def test_pagination_newest_first(style_farm, style_server):
    site, column = next(
        (s, c) for s in style_farm.sites for c in s.columns if c.n_pages > 2 and c.style == "table"
    )
    first = decode(get(style_server.column_url(site, column)).content, column.encoding)
    assert f'href="{column.page_path(1)}"' in first
    second = get(style_server.column_url(site, column, 1))
    assert second.status_code == 200
    dates_1 = listed_dates(first, "table", TODAY)
    dates_2 = listed_dates(decode(second.content, column.encoding), "table", TODAY)
    assert min(dates_1) >= max(dates_2)
    beyond = style_server.path_url(site, f"{column.dir}index_{column.n_pages}.html")
    assert get(beyond).status_code == 404


def test_gbk_bytes_really_are_gbk(style_farm, style_server):
    by_encoding = {site.encoding: site for site in style_farm.sites}

    def fetch(encoding):
        site = by_encoding[encoding]
        column = next(c for c in site.columns if c.style == "ul_date")
        return get(style_server.column_url(site, column)), column

    response, column = fetch("gbk")
    assert response.headers["Content-Type"] == "text/html; charset=GBK"
    with pytest.raises(UnicodeDecodeError):
        response.content.decode("utf-8")
    text = response.content.decode("gbk")
    assert column.name in text and 'charset=gbk"' in text

    response, column = fetch("gbk_undeclared")
    assert "charset" not in response.headers["Content-Type"]
    assert b"charset" not in response.content
    assert column.name in response.content.decode("gbk")

    response, column = fetch("utf8_as_gb2312")  # UTF-8 bytes, meta claims gb2312
    assert column.name in response.content.decode("utf-8")
    assert b'content="text/html; charset=gb2312"' in response.content

    response, column = fetch("gbk_as_utf8")  # GBK bytes, header claims utf-8
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    with pytest.raises(UnicodeDecodeError):
        response.content.decode("utf-8")
    assert column.name in response.content.decode("gbk")


def test_json_endpoint(style_farm, style_server):
    site = style_farm.sites[0]
    column = next(c for c in site.columns if c.style == "json_api")
    html = decode(get(style_server.column_url(site, column)).content, column.encoding)
    assert f'fetch("{column.api_path}")' in html
    data = get(style_server.path_url(site, column.api_path)).json()
    assert data["total"] == column.item_count == len(data["items"])
    assert {"title", "url", "date"} <= set(data["items"][0]) if data["items"] else True


def test_home_navigation_and_information_index(style_farm, style_server):
    for site in style_farm.sites:
        home = decode(get(style_server.url(site)).content, site.encoding)
        for column in site.columns:
            if column.is_first_level:
                assert f'href="{column.path}"' in home
        newest = site.home_newest
        if newest is not None:
            block = home[home.index('class="home-news"') : home.index('class="home-columns"')]
            assert max(listed_home_dates(block)) == newest
        if site.xxgk_path:
            assert f'href="{site.xxgk_path}"' in home
            index = decode(get(style_server.path_url(site, site.xxgk_path)).content, site.encoding)
            for column in site.columns:
                if not column.is_first_level:
                    assert f'href="{column.path}"' in index


def listed_home_dates(block: str) -> list[date]:
    return [
        date(int(y), int(m), int(d))
        for y, m, d in re.findall(r'class="date">(\d{4})\D(\d{1,2})\D(\d{1,2})', block)
    ]


def test_traps_are_on_the_page(county_farm, county_server):
    site = next(
        s for s in county_farm.sites if s.header_today and not (s.dead or s.delay_ms or s.failure)
    )
    html = decode(get(county_server.url(site)).content, site.encoding)
    assert "今天是2026年11月23日 星期一" in html
    assert "© " in html or "&#169;" in html
    assert "-2026 " in html and site.icp in html and site.phone in html
    column = site.columns[0]
    page = decode(get(county_server.column_url(site, column)).content, column.encoding)
    assert "热点推荐" in page and "点击排行" in page


def test_article_pages_and_meta_tags(county_farm, county_server):
    healthy = [s for s in county_farm.sites if not (s.dead or s.delay_ms or s.failure)]
    full = next(s for s in healthy if s.meta_tags == "full" and s.pubdate_mismatch)
    column, item = next((c, i) for c in full.columns for i in c.items if i.meta_date)
    html = decode(get(county_server.item_url(full, item)).content, column.encoding)
    assert f'<meta name="SiteIDCode" content="{full.site_code}">' in html
    assert f'<meta name="PubDate" content="{item.pub_meta}">' in html
    assert item.meta_date.isoformat() in item.pub_meta and item.meta_date != item.date
    assert f"发布时间：{item.date.isoformat()} {item.time[:5]}" in html

    wrong = next(s for s in healthy if s.meta_tags == "wrong_code")
    html = decode(get(county_server.url(wrong)).content, wrong.encoding)
    code = re.search(r'name="SiteIDCode" content="(\d+)"', html).group(1)
    assert code != wrong.site_code and len(code) == 10
    assert f"网站标识码：{wrong.site_code}" in html

    missing = next(s for s in healthy if s.meta_tags == "missing")
    html = decode(get(county_server.url(missing)).content, missing.encoding)
    assert 'name="SiteName"' not in html

    second_level = next(
        (s, c, c.items[0])
        for s in healthy
        for c in s.columns
        if not c.is_first_level and c.items and c.style != "js_only"
    )
    site, column, item = second_level
    html = decode(get(county_server.item_url(site, item)).content, column.encoding)
    assert "成文日期：" in html and "发布日期：" in html and "索引号：" in html
    assert re.search(r"\d{8}\w{10}/\d{6}-\d{5}", html)


def test_bad_links_dead_host_403_and_429(county_farm, county_server):
    links = {
        link.expect: (site, link)
        for site in county_farm.sites
        if not (site.dead or site.delay_ms or site.failure)
        for link in site.bad_links
    }
    assert set(links) == {"404", "dead", "403", "429"}
    for expect, (site, link) in links.items():
        home = decode(get(county_server.url(site)).content, site.encoding)
        if expect == "dead":
            href = f"http://{link.host}:{county_server.port}{link.path}"
            assert f'href="{href}"' in home
            with pytest.raises(requests.ConnectionError):
                get(href, timeout=3)
            with socket.socket() as sock, pytest.raises(ConnectionRefusedError):
                sock.connect((link.host, county_server.port))
            continue
        assert f'href="{link.path}"' in home
        response = get(county_server.path_url(site, link.path))
        assert response.status_code == int(expect)
        if expect == "429":
            assert response.headers["Retry-After"] == "120"


def test_dead_site_is_not_listened_on(county_farm, county_server):
    dead = next(s for s in county_farm.sites if s.dead)
    with pytest.raises(requests.ConnectionError):
        get(county_server.url(dead), timeout=3)


def test_unknown_path_is_404(county_farm, county_server):
    assert get(county_server.url(county_farm.portal) + "no/such/page.html").status_code == 404


def test_shared_host_sites(county_farm, county_server):
    shared = [s for s in county_farm.sites if s.shared_host]
    assert shared
    portal = county_farm.portal
    for site in shared:
        assert site.host == portal.host and site.home_path.startswith("/bm/")
        home = decode(get(county_server.url(site)).content, site.encoding)
        assert site.site_name in home
        column = site.columns[0]
        assert column.path.startswith(site.home_path)
        assert get(county_server.column_url(site, column)).status_code == 200
    no_slash = county_server.url(shared[0]).rstrip("/")
    response = get(no_slash, allow_redirects=False)
    assert response.status_code == 301 and response.headers["Location"] == shared[0].home_path


@pytest.fixture
def small_farm():
    farm = generate_county(seed=5, n_sites=4, columns_per_site=3, today=TODAY, faults=False)
    farm = farm.replace_site("s002", delay_ms=1500)
    farm = farm.replace_site("s003", failure="http500", fail_every=1)
    return farm.replace_site("s004", failure="reset", fail_every=1)


def test_slow_and_failing_hosts(small_farm):
    with FarmServer(small_farm) as server:
        fast, slow, broken, reset = small_farm.sites
        assert get(server.url(fast), timeout=1).status_code == 200
        with pytest.raises(requests.Timeout):
            get(server.url(slow), timeout=0.5)
        assert get(server.url(slow), timeout=5).status_code == 200
        assert get(server.url(broken)).status_code == 500
        with pytest.raises(requests.ConnectionError) as info:
            get(server.url(reset))
        assert "reset" in str(info.value).lower()


def test_fail_every_nth_request():
    farm = generate_county(seed=5, n_sites=2, columns_per_site=2, today=TODAY, faults=False)
    farm = farm.replace_site("s002", failure="http500", fail_every=3)
    with FarmServer(farm) as server:
        codes = [get(server.url(farm.sites[1])).status_code for _ in range(6)]
    assert codes == [200, 200, 500, 200, 200, 500]


def test_latency_is_concurrent_not_serial():
    farm = generate_county(seed=5, n_sites=20, columns_per_site=2, today=TODAY, faults=False)
    with FarmServer(farm, latency_ms=300) as server:
        started = time.monotonic()
        get(server.url(farm.sites[0]))
        assert time.monotonic() - started >= 0.3
        urls = [server.url(site) for site in farm.sites if not site.shared_host] * 4
        started = time.monotonic()
        with ThreadPoolExecutor(max_workers=len(urls)) as pool:
            codes = list(pool.map(lambda url: get(url).status_code, urls))
        assert codes == [200] * len(urls)
        assert time.monotonic() - started < 3  # serially this would take 0.3 s x len(urls)


def test_hosts_and_urls(county_farm, county_server):
    portal = county_farm.portal
    assert county_server.url(portal) == f"http://127.0.1.1:{county_server.port}/"
    column = portal.columns[0]
    assert county_server.column_url(portal, column) == (
        f"http://127.0.1.1:{county_server.port}{column.path}"
    )
    live = {s.host for s in county_farm.sites if not s.dead}
    assert set(county_server.hosts) == live


def test_fixed_port_and_clean_stop():
    farm = generate_county(seed=5, n_sites=3, columns_per_site=2, today=TODAY, faults=False)
    server = FarmServer(farm).start()
    thread = server._thread
    port = server.port
    url = server.url(farm.sites[0])
    session = requests.Session()  # keeps a connection open across stop()
    assert session.get(url, timeout=5).status_code == 200
    server.stop()
    assert not thread.is_alive()
    with pytest.raises(requests.ConnectionError):
        get(url, timeout=2)
    with pytest.raises(requests.ConnectionError):
        session.get(url, timeout=2)
    again = FarmServer(farm, port=port).start()  # the same port is free again at once
    try:
        assert again.port == port
        assert get(url).status_code == 200
    finally:
        again.stop()


def test_head_and_http10():
    farm = generate_county(seed=5, n_sites=1, columns_per_site=1, today=TODAY, faults=False)
    with FarmServer(farm) as server:
        response = requests.head(server.url(farm.sites[0]), timeout=5)
        assert response.status_code == 200 and int(response.headers["Content-Length"]) > 0
        with socket.create_connection((farm.sites[0].host, server.port), timeout=5) as sock:
            sock.sendall(b"GET / HTTP/1.0\r\n\r\n")
            data = b""
            while chunk := sock.recv(65536):
                data += chunk
        assert data.startswith(b"HTTP/1.1 200 OK") and b"</html>" in data
