"""互动交流 (W-V5) over real HTTP: message lists and details agree with interaction_truth()."""

from __future__ import annotations

from datetime import datetime

import lxml.html

from sitefarm.generate import generate_county
from sitefarm.model import INTERACTION_MODES

from .conftest import EXTRAS, TODAY, decode, healthy, main_block, sget


def doc_of(server, site, path):
    response = sget(server.path_url(site, path))
    assert response.status_code == 200, path
    return lxml.html.fromstring(main_block(decode(response.content, site.encoding)) + "</div>")


def stamp(text: str) -> str | None:
    text = text.strip()
    return datetime.strptime(text, "%Y-%m-%d %H:%M:%S").isoformat(sep=" ") if text else None


def test_modes_and_faults_in_the_truth(extras_farm):
    truth = extras_farm.interaction_truth()
    assert (truth["late_hours"], truth["overdue_days"], truth["lookback_days"]) == (24, 90, 365)
    sites = {s["key"]: s for s in truth["sites"]}
    assert {s["mode"] for s in truth["sites"] if s["site_reachable"]} == set(INTERACTION_MODES)
    assert sites[extras_farm.portal.key]["mailbox"] == "县长信箱"
    for s in truth["sites"]:
        if s["mode"] == "none":
            assert s["list_path"] is None and s["messages"] == []
            continue
        assert bool(s["overdue_unanswered"]) == (s["mode"] == "unanswered")
        assert bool(s["late_replies"]) == (s["mode"] == "late_replies")
        for m in s["messages"]:
            received = datetime.fromisoformat(m["received_at"])
            age = (TODAY - received.date()).days
            if m["replied_at"] is None:
                assert m["reply_unit"] is None
                # never on the boundary: pending (< 30 days), overdue (100-300), or old (> 400)
                assert age < 30 or 100 <= age <= 300 or age > 400
            else:
                assert m["reply_hours"] > 0 and m["reply_unit"]
                assert (m["reply_hours"] > 24) == m["late_reply"]


def test_lists_and_details_as_served(extras_farm, extras_server):
    truth = {s["key"]: s for s in extras_farm.interaction_truth()["sites"]}
    checked = 0
    for site in extras_farm.sites:
        if not healthy(site):
            continue
        t = truth[site.key]
        home = decode(sget(extras_server.url(site)).content, site.encoding)
        if t["mode"] == "none":
            assert "互动交流" not in main_block(home)
            assert (
                sget(extras_server.path_url(site, f"{site.prefix}/hdjl/xx/index.html")).status_code
                == 404
            )
            continue
        assert f'href="{t["list_path"]}"' in home and t["mailbox"] in home
        served = []
        for path in t["pages"]:
            doc = doc_of(extras_server, site, path)
            for row in doc.xpath('//table[@class="message-list"]/tr[td]'):
                served.append(
                    {
                        "path": row.xpath('./td[@class="title"]/a/@href')[0],
                        "title": row.xpath('string(./td[@class="title"])'),
                        "received_at": stamp(row.xpath('string(./td[@class="ask-time"])')),
                        "replied_at": stamp(row.xpath('string(./td[@class="reply-time"])')),
                        "reply_unit": row.xpath('string(./td[@class="reply-unit"])') or None,
                    }
                )
        keys = ("path", "title", "received_at", "replied_at", "reply_unit")
        assert served == [{k: m[k] for k in keys} for m in t["messages"]]
        for m in t["messages"][:2] + [m for m in t["messages"] if m["overdue_unanswered"]][:1]:
            detail = doc_of(extras_server, site, m["path"])
            assert detail.xpath("string(//h1)") == m["title"]
            assert stamp(detail.xpath('string(//td[@class="ask-time"])')) == m["received_at"]
            assert stamp(detail.xpath('string(//td[@class="reply-time"])')) == m["replied_at"]
            if m["replied_at"] is None:
                assert "办理中" in detail.text_content()
            checked += 1
        late = [
            s
            for s in served
            if s["replied_at"]
            and (
                datetime.fromisoformat(s["replied_at"]) - datetime.fromisoformat(s["received_at"])
            ).total_seconds()
            > 24 * 3600
        ]
        assert [s["path"] for s in late] == t["late_replies"]
    assert checked > 20


def test_interaction_is_deterministic_and_opt_in():
    one = generate_county(seed=6, n_sites=12, columns_per_site=4, today=TODAY, **EXTRAS)
    two = generate_county(seed=6, n_sites=12, columns_per_site=4, today=TODAY, **EXTRAS)
    assert one.interaction_truth() == two.interaction_truth()
    plain = generate_county(seed=6, n_sites=12, columns_per_site=4, today=TODAY)
    assert plain.interaction_truth()["sites"] == []
