"""Navigation-only home pages (W-V3 home rule): no dated item on the home page, the newest date is
on the second-level channel pages, as home_truth() and ground_truth() say."""

from __future__ import annotations

import re
from datetime import date

import lxml.html

from sitefarm.generate import generate_county

from .conftest import FULL_DATE, TODAY, decode, healthy, main_block, sget


def dates_in(html: str) -> list[date]:
    return [date(*map(int, m)) for m in FULL_DATE.findall(html)]


def test_nav_only_homes_as_served(extras_farm, extras_server):
    truth = {s["key"]: s for s in extras_farm.home_truth()["sites"]}
    ground = {s["key"]: s for s in extras_farm.ground_truth()["sites"]}
    nav_sites = [s for s in extras_farm.sites if s.home_mode == "nav_only"]
    assert len(nav_sites) == 3 and not any(s.is_portal for s in nav_sites)
    stale = 0
    for site in nav_sites:
        t = truth[site.key]
        assert ground[site.key]["home_mode"] == "nav_only"
        assert ground[site.key]["home_newest"] is None
        assert ground[site.key]["nav_newest"] == t["nav_newest"] == t["newest"]
        home = decode(sget(extras_server.url(site)).content, site.encoding)
        block = main_block(home)
        assert not dates_in(block) and not re.search(r"\b\d\d-\d\d\b", block)
        assert "最新动态" not in block
        links = lxml.html.fromstring(block + "</div>").xpath('//div[@class="home-entry"]//a/@href')
        assert links == t["channels"] and links
        newest = []
        for path in links:
            response = sget(extras_server.path_url(site, path))
            assert response.status_code == 200
            channel = main_block(decode(response.content, site.encoding))
            newest += dates_in(channel)
            for key in next(ch for ch in site.channels if ch.path == path).column_keys:
                assert f'href="{site.column(key).path}"' in channel
        assert max(newest).isoformat() == t["nav_newest"]
        # the same newest date as the first-level columns a reader reaches from the home page
        readable = [c for c in site.columns if c.is_first_level and c.truth_newest]
        assert max(c.truth_newest for c in readable).isoformat() == t["nav_newest"]
        stale += (TODAY - max(newest)).days > 14
    assert stale >= 1  # a stale_home site is picked first: a W-V3 failure


def test_list_homes_keep_their_newest(extras_farm):
    for site in extras_farm.home_truth()["sites"]:
        if site["home_mode"] == "list":
            assert site["channels"] == [] and site["nav_newest"] is None
            assert site["newest"] == site["home_newest"]


def test_nav_only_only_where_asked():
    farm = generate_county(seed=1, n_sites=24, columns_per_site=8, today=TODAY, nav_home=0)
    assert {s.home_mode for s in farm.sites} == {"list"}
    assert all("home_mode" not in s for s in farm.ground_truth()["sites"])
    picked = generate_county(seed=1, n_sites=24, columns_per_site=8, today=TODAY, nav_home=2)
    again = generate_county(seed=1, n_sites=24, columns_per_site=8, today=TODAY, nav_home=2)
    assert picked.home_truth() == again.home_truth()
    assert [s.home_mode for s in picked.sites].count("nav_only") == 2
    assert all(healthy(s) for s in picked.sites if s.home_mode == "nav_only")
