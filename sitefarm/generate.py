"""Deterministic generation of a synthetic county from a seed.

Each site draws its content from its own random stream (seeded with the farm seed and the site
index); a few choices depend on the farm size (which sites are dead, slow or failing, and the
sites picked so that every encoding, meta-tag mode and profile occurs at least once).
"""

from __future__ import annotations

import itertools
import random
from dataclasses import replace
from datetime import date, timedelta

from . import names
from .model import (
    ALL_STYLES,
    CATEGORY_WINDOWS,
    DATE_BASES,
    ENCODINGS,
    EXTRA_STYLES,
    HIDDEN_STYLES,
    META_MODES,
    SINGLE_PAGE_STYLES,
    BadLink,
    Column,
    Farm,
    Item,
    Site,
)

# Weights for drawing list styles when the caller does not fix them (js_only comes separately).
STYLE_WEIGHTS = {
    "ul_date": 30,
    "table": 15,
    "jcms_xml": 15,
    "split_date": 10,
    "yearless": 8,
    "cards": 8,
    "json_api": 8,
}
HIDDEN_SHARE = 0.03  # share of columns only readable by running JS
SCENARIO_WEIGHTS = {"fresh": 70, "due_soon": 8, "overdue": 15, "empty": 7}
# Site profiles: a "stale_home" site has every news/notice column overdue (home page not
# updated); a "neglected" site has many stale and empty columns.
PROFILE_WEIGHTS = {"normal": 94, "stale_home": 3, "neglected": 3}
NEGLECTED_SCENARIO_WEIGHTS = {"fresh": 30, "due_soon": 5, "overdue": 40, "empty": 25}
ENCODING_WEIGHTS = {
    "utf-8": 60,
    "gbk": 20,
    "gbk_undeclared": 8,
    "utf8_as_gb2312": 8,
    "gbk_as_utf8": 4,
}
META_WEIGHTS = {"full": 45, "partial": 15, "missing": 30, "wrong_code": 10}

# Per category: (min gap, max gap) in days between consecutive items, (min, max) item count.
CATEGORY_SHAPE = {
    "news": ((1, 5), (12, 60)),
    "notice": ((3, 40), (5, 40)),
    "policy": ((7, 60), (3, 30)),
    "interpretation": ((7, 60), (3, 30)),
    "personnel": ((20, 120), (2, 15)),
    "plan": ((30, 180), (1, 10)),
    "static": ((60, 400), (1, 4)),
    "topic": ((10, 60), (3, 20)),
    "other": ((20, 150), (1, 15)),
}
YEARLESS_MAX_AGE = 330  # every year-less date lies within this many days before today
SINGLE_PAGE_MAX_ITEMS = 40  # a JSON endpoint returns the latest N items
DEAD_LINK_NET = "127.0.250"  # nothing ever listens here


class Dice(random.Random):
    """random.Random with cheaper randint and choice (one random() call each)."""

    def randint(self, a: int, b: int) -> int:
        return a + int(self.random() * (b - a + 1))

    def choice(self, seq):
        return seq[int(self.random() * len(seq))]


def host_for(index: int) -> str:
    """127.0.1.1, ..., 127.0.1.254, 127.0.2.1, ..."""
    return f"127.0.{1 + index // 254}.{1 + index % 254}"


def generate_county(
    seed: int = 1,
    n_sites: int = 40,
    columns_per_site: int = 12,
    today: date | None = None,
    *,
    styles: list[str] | None = None,
    encodings: list[str] | None = None,
    faults: bool = True,
    max_items: int | None = None,
    county: str = names.COUNTY,
    search: bool = False,
    services: bool = False,
    interaction: bool = False,
    nav_home: int = 0,
    accounts_per_unit: int = 0,
    posts_per_account: int = 30,
    bridge_host: str | None = None,
    feed_slow_ms: int = 3000,
) -> Farm:
    """Build a farm.

    styles: if given, column j of site i gets styles[(i + j) % len(styles)] (no random styles);
        besides STYLES the opt-in EXTRA_STYLES (yearless_old, pinned, yearless_pinned).
    encodings: if given, site i is encoded with encodings[i % len(encodings)].
    faults: if False, no site is dead, slow or failing and no page carries broken links.
    max_items: cap on items per column (keeps 500-site farms small).

    Opt-in parts (none changes the sites, columns, items or ground_truth() of the farm):
    search: every site gets a search page (search.py; modes ok/misses_recent/echo_only/dead).
    services: every site gets a 办事服务 mode and 事项 with guides (services.py).
    interaction: every site gets a 互动交流 mode and messages (interaction.py).
    nav_home: this many sites get a navigation-only home page with channel pages.
    accounts_per_unit: new-media accounts per site's unit, served by a bridge (feeds.py), with
        posts_per_account posts each; bridge_host (default 127.0.3.1) and feed_slow_ms.
    """
    if n_sites < 1 or n_sites > 254 * 200:
        raise ValueError("n_sites out of range")
    for style in styles or ():
        if style not in ALL_STYLES:
            raise ValueError(f"unknown style {style!r}")
    for encoding in encodings or ():
        if encoding not in ENCODINGS:
            raise ValueError(f"unknown encoding {encoding!r}")
    today = today or date.today()
    county_code = f"3418{21 + seed % 70:02d}"
    units = names.county_units(n_sites, county)
    settings = [_site_settings(seed, i, unit, encodings) for i, unit in enumerate(units)]
    for s in settings:
        s["county"] = county
    if encodings is None:
        _ensure_variety(settings)
    if faults:
        _assign_faults(seed, settings)
    sites = tuple(
        _build_site(
            seed, i, unit, settings[i], county_code, columns_per_site, today, styles, max_items
        )
        for i, unit in enumerate(units)
    )
    farm = Farm(seed=seed, today=today, county=county, sites=sites)
    if search or services or interaction or nav_home:
        farm = replace(
            farm,
            sites=_extras(farm, seed, search, services, interaction, nav_home, county, today),
        )
    if accounts_per_unit:
        from .feeds import DEFAULT_BRIDGE_HOST, generate_accounts

        host = bridge_host or DEFAULT_BRIDGE_HOST
        if any(site.host == host for site in sites):
            raise ValueError(f"bridge host {host} is a site's host")
        accounts = generate_accounts(
            seed,
            n_sites * accounts_per_unit,
            posts_per_account,
            today,
            per_unit=accounts_per_unit,
            county=county,
            bridge_host=host,
            slow_ms=feed_slow_ms,
        )
        farm = replace(farm, accounts=accounts)
    return farm


def _extras(farm, seed, search, services, interaction, nav_home, county, today) -> tuple:
    """The sites with the opt-in parts added (each from its own random streams)."""
    from . import interaction as interaction_module
    from . import search as search_module
    from . import services as services_module

    sites = list(farm.sites)
    if search:
        sites = search_module.assign(seed, sites)
    if services:
        sites = services_module.assign(seed, sites, county)
    if interaction:
        sites = interaction_module.assign(seed, sites, today)
    if nav_home:
        sites = _nav_home(seed, sites, nav_home)
    return tuple(sites)


def _nav_home(seed: int, sites: list, count: int) -> list:
    """Navigation-only home pages on `count` sites (never the portal): healthy stale_home sites
    first, so that a stale navigation-only home occurs, then others in a seeded order."""
    rng = Dice(f"{seed}:navhome:{len(sites)}")
    candidates = [
        k
        for k, s in enumerate(sites)
        if not s.is_portal
        and any(c.is_first_level and c.style not in HIDDEN_STYLES for c in s.columns)
    ]
    rng.shuffle(candidates)

    def rank(k: int) -> int:
        site = sites[k]
        healthy = not (site.dead or site.failure or site.delay_ms)
        return 0 if site.profile == "stale_home" and healthy else 1 if healthy else 2

    candidates.sort(key=rank)
    for k in candidates[:count]:
        sites[k] = replace(sites[k], home_mode="nav_only")
    return sites


def _weighted(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _site_settings(seed: int, index: int, unit: names.Unit, encodings) -> dict:
    rng = Dice(f"{seed}:site:{index}")
    base = _weighted(rng, {"iso": 55, "slash": 15, "dot": 15, "cn": 15})
    time = _weighted(rng, {"": 70, "_hm": 20, "_hms": 10})
    meta = _weighted(rng, META_WEIGHTS)
    settings = {
        "rng_seed": f"{seed}:site:{index}:content",
        "shared": unit.kind == "department" and not unit.is_portal and rng.random() < 0.15,
        "encoding": encodings[index % len(encodings)]
        if encodings
        else _weighted(rng, ENCODING_WEIGHTS),
        "mixed_encoding": rng.random() < 0.1,
        "date_format": base + time,
        "primary_style": _weighted(rng, STYLE_WEIGHTS),
        "path_style": "col" if rng.random() < 0.6 else "slug",
        "page_size": rng.choice([10, 15, 20, 20, 25]),
        "profile": _weighted(rng, PROFILE_WEIGHTS) if index else "normal",
        "meta_tags": meta,
        "pubdate_mismatch": meta != "missing" and rng.random() < 0.2,
        "header_today": rng.random() < 0.75,
        "copyright_start": rng.randint(2003, 2016),
        "phone": f"0563-70{rng.randint(10000, 99999)}",
        "icp": f"皖ICP备{rng.randint(5000000, 19999999):08d}号-{rng.randint(1, 3)}",
        "credit_digits": f"{rng.randint(0, 999999999):09d}{rng.choice('ABCDEFGHJKLMNPQRTUWXY0123456789')}",
        "bad_links": [],
        "dead": False,
        "delay_ms": 0,
        "failure": "",
        "fail_every": 0,
    }
    return settings


def _ensure_variety(settings: list[dict]) -> None:
    """In farms of 10+ sites make sure every encoding, meta mode and a shared host appear."""
    if len(settings) < 10:
        return
    slots = itertools.cycle(range(len(settings) - 1, 0, -1))  # from the end, never the portal
    for encoding in ENCODINGS:
        if not any(s["encoding"] == encoding for s in settings):
            settings[next(slots)]["encoding"] = encoding
    for mode in META_MODES:
        if not any(s["meta_tags"] == mode for s in settings):
            s = settings[next(slots)]
            s["meta_tags"] = mode
            s["pubdate_mismatch"] = s["pubdate_mismatch"] and mode != "missing"
    if not any(s["pubdate_mismatch"] for s in settings):
        s = settings[next(slots)]
        s["meta_tags"], s["pubdate_mismatch"] = "full", True
    if not any(s["profile"] == "stale_home" for s in settings):
        settings[next(slots)]["profile"] = "stale_home"
    if len(settings) >= 20 and not any(s["profile"] == "neglected" for s in settings):
        settings[next(slots)]["profile"] = "neglected"
    if not any(s["shared"] for s in settings):
        settings[1]["shared"] = True  # settings[1] is always a department


def _assign_faults(seed: int, settings: list[dict]) -> None:
    rng = Dice(f"{seed}:faults:{len(settings)}")
    n = len(settings)
    candidates = [i for i, s in enumerate(settings) if i > 0 and not s["shared"]]
    rng.shuffle(candidates)

    def take(count: int) -> list[int]:
        picked = candidates[:count]
        del candidates[:count]
        return picked

    for i in take(max(1 if n >= 20 else 0, round(n * 0.02))):
        settings[i]["dead"] = True
    for i in take(max(1 if n >= 20 else 0, round(n * 0.005))):
        settings[i]["delay_ms"] = 18_000  # beyond the 15 s probe timeout
    for i in take(round(n * 0.03)):
        settings[i]["delay_ms"] = rng.randint(2_000, 6_000)
    for kind in ("http500", "reset"):
        for i in take(max(1 if n >= 30 else 0, round(n * 0.01))):
            settings[i]["failure"], settings[i]["fail_every"] = kind, 1
    if n >= 40:
        for i, (kind, every) in zip(take(2), [("http500", 10), ("reset", 25)], strict=False):
            settings[i]["failure"], settings[i]["fail_every"] = kind, every
    # Broken links on roughly a third of the (remaining and healthy) sites.
    kinds = ("404", "dead", "403", "429")
    for s in settings:
        if s["dead"] or rng.random() >= 0.35:
            continue
        chosen = [kind for kind in kinds if rng.random() < 0.5] or [rng.choice(kinds)]
        s["bad_links"] = chosen
    present = {kind for s in settings for kind in s["bad_links"]}
    if n >= 2 and present != set(kinds):
        target = next(s for s in settings[1:] if not s["dead"])
        target["bad_links"] = sorted(set(target["bad_links"]) | set(kinds), key=kinds.index)


def _build_site(
    seed: int,
    index: int,
    unit: names.Unit,
    settings: dict,
    county_code: str,
    columns_per_site: int,
    today: date,
    styles: list[str] | None,
    max_items: int | None,
) -> Site:
    rng = Dice(settings["rng_seed"])
    shared = settings["shared"]
    host = host_for(0) if shared else host_for(index)
    home_path = f"/bm/{unit.abbr or f'u{index}'}/" if shared else "/"
    prefix = home_path.rstrip("/")
    specs = names.column_specs(unit, columns_per_site, rng)
    columns = []
    for j, spec in enumerate(specs):
        style = styles[(index + j) % len(styles)] if styles else None
        columns.append(
            _build_column(rng, unit, index, j, spec, style, settings, prefix, today, max_items)
        )
    return Site(
        key=f"s{index + 1:03d}",
        index=index,
        host=host,
        home_path=home_path,
        unit_name=unit.name,
        unit_kind=unit.kind,
        site_name=unit.site_name,
        site_code=f"{county_code}{index + 1:04d}",
        counts_in_rates=unit.counts_in_rates,
        columns=tuple(columns),
        is_portal=unit.is_portal,
        shared_host=shared,
        encoding=settings["encoding"],
        date_format=settings["date_format"],
        credit_code=f"11{county_code}{settings['credit_digits']}",
        dead=settings["dead"],
        delay_ms=settings["delay_ms"],
        failure=settings["failure"],
        fail_every=settings["fail_every"],
        profile=settings["profile"],
        meta_tags=settings["meta_tags"],
        pubdate_mismatch=settings["pubdate_mismatch"],
        header_today=settings["header_today"],
        bad_links=_bad_links(settings["bad_links"], index, prefix),
        copyright_start=settings["copyright_start"],
        phone=settings["phone"],
        icp=settings["icp"],
    )


def _bad_links(kinds: list[str], index: int, prefix: str) -> tuple[BadLink, ...]:
    links = {
        "404": BadLink("原政务公开专栏", f"{prefix}/old/zwgk/index.html", "404"),
        "dead": BadLink("原门户网站", "/", "dead", host=f"{DEAD_LINK_NET}.{1 + index % 254}"),
        "403": BadLink("附件下载", f"{prefix}/attach/0/{1000 + index}.pdf", "403"),
        "429": BadLink("站内搜索", f"{prefix}/search/index.html", "429"),
    }
    return tuple(links[kind] for kind in kinds)


def _build_column(
    rng: random.Random,
    unit: names.Unit,
    site_index: int,
    j: int,
    spec: tuple[str, str, str, str],
    style: str | None,
    settings: dict,
    prefix: str,
    today: date,
    max_items: int | None,
) -> Column:
    name, category, slug, level = spec
    number = (site_index + 1) * 1000 + j + 1
    is_first = level == "first" or (level == "any" and rng.random() < 0.5)
    if style in EXTRA_STYLES:
        from . import lists

        list_rng = Dice(f"{settings['rng_seed']}:list:{number}")
        return lists.build_column(
            list_rng, unit, number, spec, is_first, style, settings, prefix, today, max_items,
            _make_item,
        )  # fmt: skip
    scenario = _draw_scenario(rng, category, settings["profile"])
    if style is None:
        if rng.random() < HIDDEN_SHARE:
            style = "js_only"
        elif rng.random() < 0.6:
            style = settings["primary_style"]
        else:
            style = _weighted(rng, STYLE_WEIGHTS)
    if style in HIDDEN_STYLES:
        scenario = "hidden"
    max_age = YEARLESS_MAX_AGE if style == "yearless" else None
    age = _newest_age(rng, category, scenario)
    if max_age is not None and age > max_age:  # year-less lists only show the last months
        window = CATEGORY_WINDOWS[category] or 60
        age, scenario = rng.randint(0, min(max_age // 2, max(1, window // 2))), "fresh"
    dates = [] if scenario == "empty" else _item_dates(rng, category, age, today, max_age)
    limit = min(max_items or 10**6, SINGLE_PAGE_MAX_ITEMS if style in SINGLE_PAGE_STYLES else 999)
    dates = dates[:limit]

    if settings["path_style"] == "col":
        path = f"{prefix}/col/col{number}/index.html"
    else:
        path = f"{prefix}/{slug}/index.html" if is_first else f"{prefix}/xxgk/{slug}/index.html"
    column_dir = path.rsplit("/", 1)[0] + "/"
    items = []
    for k, day in enumerate(dates):
        item_id = number * 1000 + len(dates) - k
        if settings["path_style"] == "col":
            item_path = f"{prefix}/art/{day.year}/{day.month}/{day.day}/art_{number}_{item_id}.html"
        else:
            ym = f"{day.year}{day.month:02d}"
            item_path = f"{column_dir}{ym}/t{ym}{day.day:02d}_{item_id}.html"
        items.append(_make_item(rng, unit, category, day, item_path, settings, today))

    encoding = settings["encoding"]
    if settings["mixed_encoding"] and not is_first:  # the 信息公开 platform is another system
        encoding = "gbk" if encoding == "utf-8" else "utf-8"
    return Column(
        key=f"col{number}",
        number=number,
        path=path,
        name=name,
        category=category,
        style=style,
        date_format=_column_date_format(rng, style, settings["date_format"]),
        encoding=encoding,
        items=tuple(items),
        is_first_level=is_first,
        page_size=settings["page_size"],
        scenario=scenario,
        empty_text=rng.choice(["暂无信息", "暂无数据", "暂无内容"]),
    )


def _draw_scenario(rng: random.Random, category: str, profile: str) -> str:
    weights = NEGLECTED_SCENARIO_WEIGHTS if profile == "neglected" else SCENARIO_WEIGHTS
    scenario = _weighted(rng, weights)
    if profile == "stale_home" and category in ("news", "notice") and scenario != "empty":
        return "overdue"
    if category == "topic":
        return "closed" if scenario != "empty" else "empty"
    if category == "static" and scenario in ("due_soon", "overdue"):
        return "fresh"
    return scenario


def _newest_age(rng: random.Random, category: str, scenario: str) -> int:
    window = CATEGORY_WINDOWS[category]
    if scenario == "closed":
        return rng.randint(200, 1500)
    if window is None:  # static
        return rng.randint(20, 700)
    if scenario == "due_soon":
        return rng.randint(window - 7, window - 2)
    if scenario == "overdue":
        return rng.randint(window + 5, window + min(2 * window, 400))
    return rng.randint(0, max(1, window // 2))  # fresh (and hidden)


def _item_dates(
    rng: random.Random, category: str, newest_age: int, today: date, max_age: int | None
) -> list[date]:
    """Dates newest first, the newest `newest_age` days before today."""
    (gap_min, gap_max), (count_min, count_max) = CATEGORY_SHAPE[category]
    age = newest_age
    dates = []
    for _ in range(rng.randint(count_min, count_max)):
        if max_age is not None and age > max_age:
            break
        dates.append(today - timedelta(days=age))
        age += rng.randint(gap_min, gap_max)
    return dates


def _make_item(
    rng: random.Random,
    unit: names.Unit,
    category: str,
    day: date,
    path: str,
    settings: dict,
    today: date,
) -> Item:
    meta_date = None
    if settings["pubdate_mismatch"] and rng.random() < 0.25:
        later = day + timedelta(days=rng.randint(30, 1500))
        meta_date = later if later <= today else day - timedelta(days=rng.randint(100, 1500))
    roll = rng.random() * 10 * 3600  # one draw: time of day and the 成文日期 lag
    return Item(
        title=names.make_title(rng, category, unit, day, settings["county"]),
        path=path,
        date=day,
        time=_clock(8 * 3600 + int(roll)),
        written=day - _WRITTEN_LAG[int((roll % 1) * len(_WRITTEN_LAG))],
        meta_date=meta_date,
    )


_WRITTEN_LAG = [timedelta(days=n) for n in (0, 0, 1, 2, 3, 5, 7, 10)]


def _clock(seconds: int) -> str:
    return f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


def _column_date_format(rng: random.Random, style: str, site_format: str) -> str:
    if style == "yearless":
        return rng.choice(["md", "md_bracket"])
    if style == "split_date":
        return "split"
    if style == "js_only":
        return "iso"
    if rng.random() < 0.8:
        return site_format
    return rng.choice(DATE_BASES) + rng.choice(["", "", "_hm", "_hms"])
