"""The existing farm did not change: digests of ground truth and of every page, computed on the
code before the search, list, service, interaction, home and feed additions were made."""

from __future__ import annotations

import hashlib
import json

from sitefarm.generate import generate_county
from sitefarm.server import FarmServer

from .conftest import TODAY

# The list styles and encodings as they were (new styles are opt-in and not in this tuple).
OLD_STYLES = [
    "ul_date",
    "table",
    "jcms_xml",
    "split_date",
    "yearless",
    "cards",
    "json_api",
    "js_only",
]
OLD_ENCODINGS = ["utf-8", "gbk", "gbk_undeclared", "utf8_as_gb2312", "gbk_as_utf8"]

COUNTY_TRUTH = "4864f93f69ab6c61862386551d3ef0c40439523038db89de6a7e6373cbd120d2"
COUNTY_PAGES = "c998ad0a976db3b8eb040c7b8740845b04d0896bbb94363dc5615647b0669385"
STYLES_TRUTH = "777d95c7ae4952bf7952c2d7387c5781e311b91f70e7fea3ae1f8262c05901a5"
STYLES_PAGES = "d4a774eeb93457fd1238a27b7438428ff42786d81dc6aeb678d14ea092452c0e"
BIG_TRUTH = "d660edc3e16a7458188ae99eb94e2acb8eff2874182806a333c53d7b05e4f1d2"


def truth_digest(truth: dict) -> str:
    text = json.dumps(truth, ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


def pages_digest(farm, port: int = 8800) -> str:
    server = FarmServer(farm, port=port)
    digest = hashlib.sha256()
    for site in farm.sites:
        for path in sorted(server._site_routes(site)):
            status, headers, body = server.page(site, path)
            digest.update(f"{site.key} {path} {status} {sorted(headers.items())}\n".encode())
            digest.update(body)
    return digest.hexdigest()


def test_default_county_truth_and_pages_unchanged():
    farm = generate_county(seed=1, n_sites=40, columns_per_site=12, today=TODAY)
    assert truth_digest(farm.ground_truth(include_items=True, port=8800)) == COUNTY_TRUTH
    assert pages_digest(farm) == COUNTY_PAGES


def test_every_old_style_truth_and_pages_unchanged():
    farm = generate_county(
        seed=7,
        n_sites=6,
        columns_per_site=len(OLD_STYLES),
        today=TODAY,
        styles=OLD_STYLES,
        encodings=OLD_ENCODINGS,
        faults=False,
    )
    assert truth_digest(farm.ground_truth(include_items=True)) == STYLES_TRUTH
    assert pages_digest(farm) == STYLES_PAGES


def test_large_county_truth_unchanged():
    farm = generate_county(seed=2, n_sites=120, columns_per_site=20, today=TODAY, max_items=30)
    assert truth_digest(farm.ground_truth(include_items=True)) == BIG_TRUTH


def test_opt_in_parts_leave_the_ground_truth_alone():
    """Search, services, interaction and accounts add pages and truth of their own only."""
    farm = generate_county(
        seed=1,
        n_sites=40,
        columns_per_site=12,
        today=TODAY,
        search=True,
        services=True,
        interaction=True,
        accounts_per_unit=3,
    )
    assert truth_digest(farm.ground_truth(include_items=True, port=8800)) == COUNTY_TRUTH
    with_feeds = generate_county(
        seed=1, n_sites=40, columns_per_site=12, today=TODAY, accounts_per_unit=2
    )
    assert pages_digest(with_feeds) == COUNTY_PAGES  # accounts live on the bridge only
