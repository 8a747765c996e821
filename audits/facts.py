"""From stored observations to the facts the checks read (the database side of the checks).

`inspect_site` builds the same `SiteFacts` from what it has just read, without storing it.
"""

import datetime as dt

from django.utils import timezone

from audits.checks import (
    ColumnFact,
    DateFact,
    HomeFact,
    LinkFact,
    MessageFact,
    MetaProblem,
    PageContent,
    ProbeFact,
    SearchFact,
    ServicesFact,
    SiteFacts,
    TlsFact,
)
from audits.checks.services import GuideFact
from audits.extract.meta import check_meta_tags
from audits.models import InspectionRun, Observation
from audits.rules import Rules
from newmedia.models import Message
from units.models import Website

_PAGE_KINDS = {"home": "home", "column": "list", "article": "article"}


def site_facts(
    run: InspectionRun, website: Website, rules: Rules, observations: list | None = None
) -> SiteFacts:
    """The facts of one website in a run, from its observations: ``observations`` when the
    caller holds them all (the run path, which has just written them), else read back."""
    if observations is None:
        observations = run.observations.filter(website=website).select_related("column")
    # Newest first, as the model orders them, ties by kind and URL: the same facts (and the same
    # example URL in a finding's reason) from memory as from the database, run after run.
    obs = sorted(observations, key=lambda o: (-o.observed_at.timestamp(), o.kind, o.url))
    point = run.monitoring_point
    windows = dict(rules.windows)
    home = next((o for o in obs if o.kind == Observation.Kind.HOME), None)
    links = [o for o in obs if o.kind == Observation.Kind.LINK]
    columns = [o for o in obs if o.kind == Observation.Kind.COLUMN and o.column is not None]
    second_level = max((o.newest_date for o in columns if o.newest_date), default=None)
    services = next((o for o in obs if o.kind == Observation.Kind.SERVICES), None)
    return SiteFacts(
        home=_home_fact(home, second_level) if home else None,
        tls=_tls_fact(home) if home else None,
        columns=tuple(
            ColumnFact(
                name=o.column.name,
                url=o.column.url,
                category=o.column.category,
                window_days=o.column.window_in(windows),
                is_first_level=o.column.is_first_level,
                is_exempt=o.column.is_exempt,
                outcome=o.outcome,
                newest=o.newest_date,
                http_status=o.http_status,
                reason=o.reason,
            )
            for o in columns
        ),
        meta_problems=tuple(_meta_problems(obs, website)),
        pages=tuple(
            PageContent(
                o.url,
                tuple(o.evidence["content"].get("hits", ())),
                tuple(o.evidence["content"].get("hidden_links", ())),
            )
            for o in obs
            if "content" in o.evidence
        ),
        links=tuple(_link_facts(links)),
        searches=tuple(
            SearchFact(o.evidence.get("query", ""), o.url, o.evidence.get("found"))
            for o in obs
            if o.kind == Observation.Kind.SEARCH
        ),
        probes=tuple(_probes(website, point, rules)),
        services=_services_fact(services, website),
        dates=tuple(_date_facts(obs)),
        messages=tuple(_messages(website, point, rules)),
        tz=timezone.get_current_timezone(),
    )


def _home_fact(o: Observation, second_level: dt.date | None) -> HomeFact:
    return HomeFact(
        url=o.url,
        ok=o.outcome == Observation.Outcome.OK,
        outcome=o.evidence.get("list_status") or "needs_manual",
        newest=o.newest_date,
        item_count=o.item_count or 0,
        second_level_newest=second_level,
    )


def _services_fact(o: Observation | None, website: Website) -> ServicesFact | None:
    if o is None:
        return None
    found = o.outcome != Observation.Outcome.UNKNOWN
    return ServicesFact(
        list_url=o.url if found else None,
        ok=o.outcome == Observation.Outcome.OK,
        items=tuple(
            GuideFact(i["title"], i["guide_url"], i["state"], tuple(i["missing"]), i["vague_time"])
            for i in o.evidence.get("items", ())
        ),
        has_services=website.has_services,
    )


def _date_facts(obs: list[Observation]):
    for o in obs:
        if o.kind == Observation.Kind.ARTICLE and o.outcome == Observation.Outcome.OK:
            meta, listed = o.evidence.get("meta_date"), o.evidence.get("listed_date")
            yield DateFact(
                url=o.url,
                visible=o.newest_date,
                meta=dt.date.fromisoformat(meta) if meta else None,
                listed=dt.date.fromisoformat(listed) if listed else None,
            )
        elif o.kind == Observation.Kind.COLUMN and o.evidence.get("future_dates"):
            yield DateFact(url=o.url, future=tuple(o.evidence["future_dates"]))


def _tls_fact(home: Observation) -> TlsFact:
    not_after = home.evidence.get("cert_not_after")
    return TlsFact(
        url=home.url,
        problem=home.evidence.get("tls_problem"),
        not_after=dt.datetime.fromisoformat(not_after) if not_after else None,
    )


def _meta_problems(obs: list[Observation], website: Website):
    for o in obs:
        page_kind = _PAGE_KINDS.get(o.kind)
        if page_kind and "meta" in o.evidence and o.outcome != Observation.Outcome.ERROR:
            for problem in check_meta_tags(
                o.evidence["meta"], page_kind, website.site_code or None
            ):
                if problem.level == "error":
                    yield MetaProblem(problem.code, problem.message, o.url)


def _link_facts(links: list[Observation]):
    """Each link with its state in the site's previous check, read in one query."""
    if not links:
        return
    first = links[0]
    previous: dict[str, str] = {}
    earlier = (
        Observation.objects.filter(
            website_id=first.website_id, kind=Observation.Kind.LINK, url__in=[o.url for o in links]
        )
        .exclude(run_id=first.run_id)
        .filter(observed_at__lt=min(o.observed_at for o in links))
        .order_by("url", "-observed_at")
        .values_list("url", "outcome")
    )
    for url, outcome in earlier:
        previous.setdefault(url, outcome)
    for o in links:
        yield LinkFact(
            url=o.url,
            found_on=o.evidence.get("found_on", ""),
            on_home=bool(o.evidence.get("on_home")),
            state=o.outcome,
            previous_state=previous.get(o.url),
            http_status=o.http_status,
            error=o.evidence.get("error") or "",
        )


def _messages(website: Website, point: dt.date, rules: Rules):
    since = point - dt.timedelta(days=rules.interaction_lookback_days + 1)
    rows = Message.objects.filter(
        website=website, received_at__date__gte=since, received_at__date__lte=point
    ).values_list("received_at", "replied_at", "auto_reply", "valid", "title")
    for received, replied, auto, valid, title in rows:
        yield MessageFact(received, replied, auto, valid, title)


def _probes(website: Website, point: dt.date, rules: Rules):
    probes = Observation.objects.filter(
        website=website,
        kind=Observation.Kind.PROBE,
        observed_at__date__gte=point - dt.timedelta(days=rules.availability_days + 1),
        observed_at__date__lte=point,
    ).values_list("observed_at", "outcome")
    for at, outcome in probes:
        yield ProbeFact(at, outcome == Observation.Outcome.OK)
