"""Checks: pure functions from observed facts, a rule set and the monitoring point to drafts of
findings. No I/O and no ORM here, so each is tested with plain data and any date.

`SITE_CHECKS` is the one list of what is checked on a website; the runs (from stored
observations, audits/services/findings.py) and `inspect_site` (from what it just read) both
build a `SiteFacts` and call `evaluate_site`, so they can never check different things.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from audits.checks.accounts import MessageFact, check_interaction
from audits.checks.base import Draft
from audits.checks.columns import ColumnFact, check_columns
from audits.checks.content import PageContent, check_content
from audits.checks.services import ServicesFact, check_services
from audits.checks.site import (
    DateFact,
    HomeFact,
    LinkFact,
    MetaProblem,
    ProbeFact,
    SearchFact,
    TlsFact,
    check_availability,
    check_dates,
    check_home,
    check_links,
    check_meta,
    check_search,
    check_tls,
)
from audits.rules import Rules


@dataclass(frozen=True)
class SiteFacts:
    """Everything seen of one website for one monitoring point. A part left at its default
    was not looked at this time (links are checked weekly, probes come from their own task)."""

    home: HomeFact | None = None
    tls: TlsFact | None = None
    columns: tuple[ColumnFact, ...] = ()
    meta_problems: tuple[MetaProblem, ...] = ()
    pages: tuple[PageContent, ...] = ()
    links: tuple[LinkFact, ...] = ()
    searches: tuple[SearchFact, ...] = ()
    probes: tuple[ProbeFact, ...] = ()
    services: ServicesFact | None = None
    dates: tuple[DateFact, ...] = ()
    messages: tuple[MessageFact, ...] = ()  # the site's interaction channels (县长信箱 …)
    tz: dt.tzinfo = dt.UTC


SiteCheck = Callable[[SiteFacts, dt.date, Rules], list[Draft]]


def _columns(f: SiteFacts, point: dt.date, rules: Rules) -> list[Draft]:
    return check_columns(list(f.columns), point, rules)


def _home(f: SiteFacts, point: dt.date, rules: Rules) -> list[Draft]:
    return check_home(f.home, point, rules) if f.home else []


def _tls(f: SiteFacts, point: dt.date, rules: Rules) -> list[Draft]:
    return check_tls(f.tls, point, rules) if f.tls else []


def _meta(f: SiteFacts, point: dt.date, rules: Rules) -> list[Draft]:
    return check_meta(list(f.meta_problems))


def _content(f: SiteFacts, point: dt.date, rules: Rules) -> list[Draft]:
    return check_content(list(f.pages))


def _links(f: SiteFacts, point: dt.date, rules: Rules) -> list[Draft]:
    return check_links(list(f.links))


def _search(f: SiteFacts, point: dt.date, rules: Rules) -> list[Draft]:
    return check_search(list(f.searches))


def _availability(f: SiteFacts, point: dt.date, rules: Rules) -> list[Draft]:
    return check_availability(list(f.probes), point, rules, f.tz)


def _services(f: SiteFacts, point: dt.date, rules: Rules) -> list[Draft]:
    return check_services(f.services, rules)


def _dates(f: SiteFacts, point: dt.date, rules: Rules) -> list[Draft]:
    return check_dates(list(f.dates))


def _interaction(f: SiteFacts, point: dt.date, rules: Rules) -> list[Draft]:
    return check_interaction(list(f.messages), point, rules, f.tz) if f.messages else []


SITE_CHECKS: tuple[SiteCheck, ...] = (
    _columns,
    _home,
    _tls,
    _meta,
    _content,
    _links,
    _search,
    _availability,
    _services,
    _dates,
    _interaction,
)


def evaluate_site(facts: SiteFacts, point: dt.date, rules: Rules) -> list[Draft]:
    return [draft for check in SITE_CHECKS for draft in check(facts, point, rules)]


__all__ = [
    "SITE_CHECKS",
    "ColumnFact",
    "DateFact",
    "Draft",
    "HomeFact",
    "LinkFact",
    "MessageFact",
    "MetaProblem",
    "PageContent",
    "ProbeFact",
    "SearchFact",
    "ServicesFact",
    "SiteFacts",
    "TlsFact",
    "evaluate_site",
]
