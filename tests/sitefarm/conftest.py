"""Fixtures and a few page readers shared by the sitefarm tests (no database needed)."""

from __future__ import annotations

import json
import re
from datetime import date

import pytest
import requests

from sitefarm.generate import generate_county
from sitefarm.model import ENCODINGS, STYLES
from sitefarm.render import ENCODING_SPECS
from sitefarm.server import FarmServer

TODAY = date(2026, 11, 23)
FULL_DATE = re.compile(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})")


@pytest.fixture(scope="module")
def style_farm():
    """6 healthy sites x 8 columns: every site has every list style, each encoding is used."""
    return generate_county(
        seed=7,
        n_sites=6,
        columns_per_site=len(STYLES),
        today=TODAY,
        styles=list(STYLES),
        encodings=list(ENCODINGS),
        faults=False,
    )


@pytest.fixture(scope="module")
def style_server(style_farm):
    with FarmServer(style_farm) as server:
        yield server


@pytest.fixture(scope="module")
def county_farm():
    """The realistic default mix: 40 sites, 12 columns, faults included."""
    return generate_county(seed=1, n_sites=40, columns_per_site=12, today=TODAY)


@pytest.fixture(scope="module")
def county_server(county_farm):
    with FarmServer(county_farm) as server:
        yield server


def get(url: str, **kwargs) -> requests.Response:
    kwargs.setdefault("timeout", 10)
    return requests.get(url, **kwargs)


def decode(body: bytes, encoding: str) -> str:
    """Decode with the codec the farm really used (not what the page claims)."""
    return body.decode(ENCODING_SPECS[encoding][0])


def list_block(html: str) -> str:
    """The column's own list, without header, sidebar and footer."""
    start = html.index('<div class="list-content"')
    return html[start : html.index('<div class="sidebar">', start)]


def parse_full_date(text: str) -> date:
    year, month, day = FULL_DATE.search(text).groups()
    return date(int(year), int(month), int(day))


def infer_year(month: int, day: int, today: date) -> date:
    """A year-less date is the latest such day not after today."""
    candidate = date(today.year, month, day)
    return candidate if candidate <= today else date(today.year - 1, month, day)


def listed_dates(html: str, style: str, today: date, fetch_json=None) -> list[date]:
    """The item dates a reader finds in a list page, one parser per style."""
    block = list_block(html)
    if style == "ul_date":
        return [parse_full_date(t) for t in re.findall(r'<span class="date">([^<]+)<', block)]
    if style == "table":
        return [parse_full_date(t) for t in re.findall(r'<td class="date">([^<]+)<', block)]
    if style == "jcms_xml":
        assert '<script type="text/xml">' in block and "<![CDATA[" in block
        return [parse_full_date(t) for t in re.findall(r'"bt-data-time">([^<]+)<', block)]
    if style == "split_date":
        pairs = re.findall(r'"day">(\d\d)</span><span class="ym">(\d{4})-(\d\d)<', block)
        return [date(int(y), int(m), int(d)) for d, y, m in pairs]
    if style == "yearless":
        pairs = re.findall(r'<span class="time">\[?(\d\d)-(\d\d)\]?</span>', block)
        return [infer_year(int(m), int(d), today) for m, d in pairs]
    if style == "cards":
        return [parse_full_date(t) for t in re.findall(r"发布时间：([^<]+)<", block)]
    if style == "json_api":
        endpoint = re.search(r'fetch\("([^"]+)"\)', block).group(1)
        data = json.loads(fetch_json(endpoint))
        return [parse_full_date(item["date"]) for item in data["items"]]
    raise AssertionError(f"no parser for {style}")


# ----- the opt-in parts: search, 办事服务, 互动交流, navigation-only homes, feeds -----

EXTRAS = dict(
    search=True,
    services=True,
    interaction=True,
    nav_home=3,
    accounts_per_unit=2,
    posts_per_account=12,
    feed_slow_ms=800,
)


@pytest.fixture(scope="module")
def extras_farm():
    """24 sites with every opt-in part (faults included, so every mode occurs)."""
    return generate_county(seed=1, n_sites=24, columns_per_site=8, today=TODAY, **EXTRAS)


@pytest.fixture(scope="module")
def extras_server(extras_farm):
    with FarmServer(extras_farm) as server:
        yield server


SESSION = requests.Session()  # keep-alive: much faster than a new connection per request


def sget(url: str, **kwargs) -> requests.Response:
    kwargs.setdefault("timeout", 10)
    return SESSION.get(url, **kwargs)


def healthy(site) -> bool:
    return not (site.dead or site.delay_ms or site.failure)


def site_html(server, site, path: str, **kwargs) -> tuple[int, str]:
    """Status and text of a page of a site, decoded with the codec the farm really used."""
    response = get(server.path_url(site, path), **kwargs)
    return response.status_code, decode(response.content, site.encoding)


def main_block(html: str) -> str:
    """The page's main part, without header (today's date), navigation and footer."""
    start = html.index('<div class="main w">')
    return html[start : html.index('<div class="footer">', start)]
