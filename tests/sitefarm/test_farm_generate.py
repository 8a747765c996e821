"""Generation without a network: determinism, realistic mix, names, windows, encodings."""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import date, timedelta

from sitefarm.generate import generate_county
from sitefarm.model import CATEGORY_WINDOWS, ENCODINGS
from sitefarm.render import Page, encode
from sitefarm.server import FarmServer

from .conftest import TODAY, infer_year, list_block


def all_pages(farm, port=8800):
    """Every page of every site as (path, status, bytes), rendered without a socket."""
    server = FarmServer(farm, port=port)
    for site in farm.sites:
        for path in sorted(server._site_routes(site)):
            status, _, body = server.page(site, path)
            yield site.key, path, status, body


def test_same_seed_same_bytes_and_truth():
    one = generate_county(seed=11, n_sites=12, columns_per_site=10, today=TODAY)
    two = generate_county(seed=11, n_sites=12, columns_per_site=10, today=TODAY)
    assert one.ground_truth(include_items=True) == two.ground_truth(include_items=True)
    assert list(all_pages(one)) == list(all_pages(two))
    other = generate_county(seed=12, n_sites=12, columns_per_site=10, today=TODAY)
    assert other.ground_truth() != one.ground_truth()


def test_ground_truth_is_json_and_complete(county_farm):
    truth = json.loads(json.dumps(county_farm.ground_truth(port=8800)))
    assert truth["today"] == "2026-11-23" and truth["port"] == 8800
    assert len(truth["sites"]) == 40
    site = truth["sites"][0]
    assert {"host", "home_path", "site_code", "columns", "flags", "bad_links"} <= set(site)
    column = site["columns"][0]
    assert {"path", "name", "category", "newest", "status", "item_count", "pages"} <= set(column)


def test_realistic_mix_and_windows():
    farm = generate_county(seed=2, n_sites=200, columns_per_site=20, today=TODAY)
    columns = [c for s in farm.sites for c in s.columns]
    status = Counter(c.truth_status for c in columns)
    total = len(columns)
    assert status["dated"] / total > 0.8
    assert 0.03 < status["empty"] / total < 0.15
    assert 0.005 < status["undeterminable"] / total < 0.06
    scenarios = Counter(c.scenario for c in columns)
    assert scenarios["overdue"] > scenarios["due_soon"] > 0
    for column in columns:
        for item in column.items:
            assert item.date <= TODAY and item.written <= item.date
            assert item.meta_date is None or item.meta_date <= TODAY
        assert [i.date for i in column.items] == sorted(
            (i.date for i in column.items), reverse=True
        )
        newest = column.items[0].date if column.items else None
        window = CATEGORY_WINDOWS[column.category]
        if newest is None or window is None:
            continue
        age = (TODAY - newest).days
        if column.scenario == "overdue":
            assert age > window + 3
        elif column.scenario == "due_soon":
            assert window - 7 <= age <= window - 2
        elif column.scenario == "fresh":
            assert age <= window // 2


def test_names_kinds_codes_and_hosts(county_farm):
    sites = county_farm.sites
    names = {s.unit_name: s for s in sites}
    assert {"县教体局", "梅渚镇", "县税务局", "县气象局", "郎步街道", "示范经开区管委会"} <= set(
        names
    )
    assert not names["县税务局"].counts_in_rates and not names["县气象局"].counts_in_rates
    assert names["县教体局"].counts_in_rates
    assert {s.unit_kind for s in sites} == {"department", "township", "subdistrict", "devzone"}
    assert sites[0].is_portal and sites[0].site_name == "示范县人民政府"
    codes = [s.site_code for s in sites]
    assert len(set(codes)) == len(codes) and all(re.fullmatch(r"\d{10}", c) for c in codes)
    own = [s.host for s in sites if not s.shared_host]
    assert len(set(own)) == len(own) and own[0] == "127.0.1.1"
    assert all(s.host == "127.0.1.1" for s in sites if s.shared_host)
    column_names = {c.name for s in sites for c in s.columns}
    assert {"工作动态", "通知公告", "政策文件", "人事信息", "规划计划", "机构职能"} <= column_names
    assert {e for e in ENCODINGS} == {s.encoding for s in sites}
    assert {"full", "partial", "missing", "wrong_code"} == {s.meta_tags for s in sites}
    flags = [(s.dead, s.delay_ms > 15000, s.failure) for s in sites]
    assert any(f[0] for f in flags) and any(f[1] for f in flags) and any(f[2] for f in flags)


def test_hosts_roll_over_after_254():
    farm = generate_county(seed=1, n_sites=300, columns_per_site=1, today=TODAY, max_items=2)
    hosts = [s.host for s in farm.sites]
    assert hosts[253] == "127.0.1.254" and hosts[254] == "127.0.2.1"


def test_yearless_dates_across_new_year():
    today = date(2026, 1, 5)
    farm = generate_county(
        seed=4, n_sites=3, columns_per_site=6, today=today, styles=["yearless"], faults=False
    )
    spanning = 0
    for site in farm.sites:
        page = Page(farm, site, 8800)
        for column in site.columns:
            assert column.style == "yearless"
            for item in column.items:
                assert timedelta(0) <= today - item.date <= timedelta(days=330)
            html = page.column_page(column, 0)
            shown = re.findall(r'<span class="time">\[?(\d\d)-(\d\d)\]?</span>', list_block(html))
            inferred = [infer_year(int(m), int(d), today) for m, d in shown]
            assert inferred == [item.date for item in column.page_items(0)]
            if {d.year for d in inferred} == {2025, 2026}:
                spanning += 1
    assert spanning > 0


def test_gbk_pages_hold_every_character():
    farm = generate_county(
        seed=9, n_sites=2, columns_per_site=8, today=TODAY, encodings=["gbk"], faults=False
    )
    site = farm.sites[0]
    page = Page(farm, site, 8800)
    for column in site.columns:
        html = page.column_page(column, 0)
        body, content_type = encode(html, column.encoding)
        assert content_type == "text/html; charset=GBK"
        assert body.decode("gbk").replace("&#169;", "©") == html
