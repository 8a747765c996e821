"""办事服务 (W-V6) over real HTTP: lists, guides and their faults agree with service_truth()."""

from __future__ import annotations

import lxml.html

from sitefarm.generate import generate_county
from sitefarm.model import SERVICE_ELEMENTS, SERVICE_MODES, VAGUE_VALUES

from .conftest import EXTRAS, TODAY, decode, healthy, main_block, sget


def page(server, site, path):
    response = sget(server.path_url(site, path))
    if response.status_code != 200:
        return response.status_code, None
    return 200, lxml.html.fromstring(main_block(decode(response.content, site.encoding)) + "</div>")


def guide_fields(doc) -> dict[str, str]:
    """Labelled fields of a guide page, from either layout (table rows or paragraphs)."""
    fields = {}
    for row in doc.xpath('//table[@class="guide-table"]/tr'):
        fields[row.xpath("string(./th)").rstrip("：")] = row.xpath("string(./td)").strip()
    for para in doc.xpath('//p[@class="guide-item"]'):
        label = para.xpath("string(./strong)")
        fields[label.rstrip("：")] = para.text_content()[len(label) :].strip()
    return fields


def test_modes_and_truth_shape(extras_farm):
    truth = extras_farm.service_truth()
    assert truth["elements"] == list(SERVICE_ELEMENTS)
    sites = {s["key"]: s for s in truth["sites"]}
    assert len(sites) == len(extras_farm.sites)
    reachable = {s["mode"] for s in truth["sites"] if s["site_reachable"]}
    assert reachable == set(SERVICE_MODES)
    for site in extras_farm.sites:
        t = sites[site.key]
        assert t["has_services"] == (site.services_mode != "none") == bool(t["items"])
        if site.services_mode == "poor":
            assert t["poor_items"] >= 5
    items = [i for s in truth["sites"] for i in s["items"]]
    assert {i["guide"] for i in items} == {"ok", "none", "dead"}
    assert any(i["vague"] for i in items if i["guide"] == "ok")
    assert any(0 < len(i["missing"]) < 4 for i in items if i["guide"] == "ok")


def test_lists_and_guides_as_served(extras_farm, extras_server):
    truth = {s["key"]: s for s in extras_farm.service_truth()["sites"]}
    checked = {"ok": 0, "none": 0, "dead": 0}
    for site in extras_farm.sites:
        if not healthy(site):
            continue
        t = truth[site.key]
        home = decode(sget(extras_server.url(site)).content, site.encoding)
        if not t["has_services"]:
            assert "办事服务" not in main_block(home)
            assert page(extras_server, site, f"{site.prefix}/bsfw/index.html")[0] == 404
            continue
        assert f'href="{t["list_path"]}"' in home
        status, doc = page(extras_server, site, t["list_path"])
        assert status == 200
        rows = doc.xpath('//table[@class="service-list"]/tr[td]')
        assert len(rows) == len(t["items"])
        for row, item in zip(rows, t["items"], strict=True):
            assert row.xpath('string(./td[@class="name"])') == item["name"]
            links = set(row.xpath(".//a/@href"))
            checked[item["guide"]] += 1
            if item["guide"] == "none":
                assert not links and item["guide_path"] is None and item["missing"] is None
                continue
            assert links == {item["guide_path"]}
            status, guide = page(extras_server, site, item["guide_path"])
            if item["guide"] == "dead":
                assert status == 404 and item["missing"] is None
                continue
            assert status == 200 and guide.xpath("string(//h1)") == item["name"]
            fields = guide_fields(guide)
            missing = [e for e in SERVICE_ELEMENTS if not fields.get(e)]
            assert missing == item["missing"]
            vague = [e for e, v in fields.items() if v in VAGUE_VALUES]
            assert vague == item["vague"]
            if "办理时间" in vague:
                assert fields["办理时间"] in ("另行通知", "工作日", "详见公告")
    assert all(checked.values()), checked


def test_missing_elements_are_absent_or_blank(extras_farm):
    kinds = set()
    for site in extras_farm.sites:
        for item in site.services:
            labels = dict(item.fields)
            for element in item.missing:
                kinds.add("blank" if element in labels else "absent")
                assert not labels.get(element, "").strip()
    assert kinds == {"blank", "absent"}


def test_services_are_deterministic_and_opt_in():
    one = generate_county(seed=6, n_sites=12, columns_per_site=4, today=TODAY, **EXTRAS)
    two = generate_county(seed=6, n_sites=12, columns_per_site=4, today=TODAY, **EXTRAS)
    assert one.service_truth() == two.service_truth()
    plain = generate_county(seed=6, n_sites=12, columns_per_site=4, today=TODAY)
    assert plain.service_truth()["sites"] == [] and not any(s.services for s in plain.sites)
