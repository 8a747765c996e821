"""Site search over real HTTP: results agree with search_truth(), and every fault mode is real."""

from __future__ import annotations

import re
from urllib.parse import quote

import lxml.html
import pytest

from sitefarm.generate import generate_county
from sitefarm.model import SEARCH_MODES, SEARCH_PAGE_SIZE

from .conftest import EXTRAS, TODAY, decode, get, healthy, main_block, sget


def fetch(server, site, query: str, **params) -> tuple[int, str]:
    url = server.search_url(site, query)
    for name, value in params.items():
        url += f"&{name}={value}"
    response = sget(url)
    if response.status_code != 200:  # error pages are UTF-8
        return response.status_code, response.text
    return response.status_code, decode(response.content, site.encoding)


def results(html: str) -> list[str]:
    doc = lxml.html.fromstring(html)
    return doc.xpath('//ul[@class="result-list"]/li/h3/a/@href')


def total(html: str) -> int | None:
    found = re.search(r"共找到(\d+)条", html)
    return int(found.group(1)) if found else None


def search_sites(farm, mode=None):
    return [s for s in farm.sites if s.search and healthy(s) and (mode is None or s.search == mode)]


def test_every_mode_occurs_on_a_reachable_site(extras_farm):
    assert {s.search for s in search_sites(extras_farm)} == set(SEARCH_MODES)
    shapes = {s.search_url.split("?")[0].removeprefix(s.prefix) for s in extras_farm.sites}
    assert shapes == {"/search", "/jrobot/search.do", "/was5/web/search"}
    assert all("{q}" in s.search_url for s in extras_farm.sites)


def test_served_results_agree_with_the_truth(extras_farm, extras_server):
    truth = {s["key"]: s for s in extras_farm.search_truth()["sites"]}
    checked = found = 0
    for site in search_sites(extras_farm):
        for case in truth[site.key]["cases"]:
            status, html = fetch(extras_server, site, case["query"])
            if site.search == "dead":
                assert status == 500
                continue
            assert status == 200
            assert f"搜索“{case['query']}”的结果" in html  # the query is always echoed
            hrefs = results(html)
            assert hrefs == case["first_page"] and len(hrefs) <= SEARCH_PAGE_SIZE
            if case["total"]:
                assert total(html) == case["total"]
            if case["item_path"]:
                assert (case["item_path"] in hrefs) == case["found"]
                found += case["found"]
            checked += 1
    assert checked > 30 and found > 10


def test_results_are_items_whose_titles_contain_the_query(extras_farm, extras_server):
    site = search_sites(extras_farm, "ok")[0]
    titles = {i.path: i for c in site.columns for i in c.items}
    query = site.columns[0].items[0].title[:4]
    status, html = fetch(extras_server, site, query)
    doc = lxml.html.fromstring(html)
    rows = doc.xpath('//ul[@class="result-list"]/li')
    assert status == 200 and rows
    for row in rows:
        href = row.xpath("./h3/a/@href")[0]
        assert query in row.xpath("string(./h3/a)") == titles[href].title
        assert row.xpath('string(.//span[@class="result-url"])').endswith(href)
        assert titles[href].date.isoformat().replace("-", "") in re.sub(
            r"\D", "", row.xpath('string(.//span[@class="result-date"])')
        )
        assert row.xpath('string(./p[@class="snippet"])').endswith("……")
    if site.search_sort == "date":
        dates = [titles[h].date for h in results(html)]
        assert dates == sorted(dates, reverse=True)


def test_second_page(extras_farm, extras_server):
    for site in search_sites(extras_farm, "ok"):
        query = site.unit_name[:2]
        result = extras_farm.search_results(site.key, query)
        if result.pages < 2:
            continue
        status, html = fetch(extras_server, site, query, **{site.search_page_param: 2})
        assert status == 200
        assert results(html) == extras_farm.search_results(site.key, query, 2).paths
        assert set(results(html)).isdisjoint(result.paths)
        return
    pytest.fail("no query with two pages of results")


def test_no_match_page_echoes_the_query(extras_farm, extras_server):
    site = search_sites(extras_farm, "ok")[0]
    status, html = fetch(extras_server, site, "查无此项<b>&")
    assert status == 200
    assert "没有找到与“查无此项&lt;b&gt;&amp;”相关的结果" in html
    assert "搜索“查无此项&lt;b&gt;&amp;”的结果" in html
    assert results(html) == [] and total(html) is None


def test_misses_recent_finds_older_items_or_nothing(extras_farm, extras_server):
    site = search_sites(extras_farm, "misses_recent")[0]
    items = sorted(
        (i for c in site.columns for i in c.items), key=lambda i: (i.date, i.path), reverse=True
    )
    newest = items[0]
    status, html = fetch(extras_server, site, newest.title)
    assert status == 200 and f"搜索“{newest.title}”的结果" in html
    hrefs = results(html)
    assert newest.path not in hrefs
    by_path = {i.path: i for i in items}
    cutoff = newest.date.toordinal() - site.search_lag_days
    assert all(by_path[h].date.toordinal() <= cutoff for h in hrefs)
    if not hrefs:
        assert f"没有找到与“{newest.title}”相关的结果" in html
    # the same query on an ok site finds the newest item at once
    ok = search_sites(extras_farm, "ok")[0]
    ok_newest = max((i for c in ok.columns for i in c.items), key=lambda i: (i.date, i.path))
    assert ok_newest.path in results(fetch(extras_server, ok, ok_newest.title)[1])


def test_echo_only_never_has_results(extras_farm, extras_server):
    site = search_sites(extras_farm, "echo_only")[0]
    for item in [c.items[0] for c in site.columns if c.items][:3]:
        status, html = fetch(extras_server, site, item.title)
        assert status == 200 and f"搜索“{item.title}”的结果" in html
        assert results(html) == [] and total(html) is None and "没有找到" not in html
        block = main_block(html)
        assert item.path not in block
        for column in site.columns:
            assert f'href="{column.path}"' in block


def test_dead_search_is_500(extras_farm, extras_server):
    site = search_sites(extras_farm, "dead")[0]
    assert fetch(extras_server, site, "通知")[0] == 500


def test_gbk_encoded_query_and_empty_query(extras_farm, extras_server):
    site = search_sites(extras_farm, "ok")[0]
    query = site.columns[0].items[0].title
    url = extras_server.path_url(site, site.search_url.replace("{q}", quote(query.encode("gbk"))))
    html = decode(get(url).content, site.encoding)
    assert f"搜索“{query}”的结果" in html
    status, html = fetch(extras_server, site, "")
    assert status == 200 and "请输入搜索关键词" in html


def test_header_form_points_at_the_search_page(extras_farm, extras_server):
    site = search_sites(extras_farm, "ok")[0]
    home = decode(get(extras_server.url(site)).content, site.encoding)
    doc = lxml.html.fromstring(home)
    form = doc.xpath('//form[@class="search"]')[0]
    assert form.get("action") == site.search_path
    assert form.xpath(f'.//input[@name="{site.search_param}"]')


def test_search_truth_is_deterministic():
    one = generate_county(seed=4, n_sites=12, columns_per_site=6, today=TODAY, **EXTRAS)
    two = generate_county(seed=4, n_sites=12, columns_per_site=6, today=TODAY, **EXTRAS)
    assert one.search_truth() == two.search_truth()
    assert (
        one.search_truth()
        != generate_county(
            seed=5, n_sites=12, columns_per_site=6, today=TODAY, **EXTRAS
        ).search_truth()
    )
