"""Reads for the screens, filtered by who is asking (through units.access only)."""

from django.db import models
from django.db.models import Count, Q

from audits.glossary import Severity
from audits.models import Finding, InspectionRun, Observation, Period, Verdict
from audits.scoring import pass_rate
from units.access import visible_to


def periods():
    """Periods that have verdicts or findings, the latest first (by their dates)."""
    # EXISTS, not a join: a province's periods have millions of findings each.
    return Period.objects.filter(
        models.Exists(Verdict.objects.filter(period=models.OuterRef("pk")))
        | models.Exists(Finding.objects.filter(period=models.OuterRef("pk")))
    ).order_by("-end", "-start")


def latest_period() -> Period | None:
    return periods().first()


def period_or_latest(code: str | None) -> Period | None:
    if code:
        return Period.objects.filter(code=code).first()
    return latest_period()


def verdicts_for(user, period: Period | None):
    if period is None:
        return Verdict.objects.none()
    return (
        visible_to(user, Verdict.objects.filter(period=period))
        .select_related("unit", "website", "account", "rule_set", "period")
        .order_by("unit__sort_order", "unit__name", "website__name", "account__name")
    )


def verdict_summary(verdicts) -> dict:
    rows = [(v.final, v.unit.counts_in_rates) for v in verdicts]
    passed, counted, rate = pass_rate(rows)
    by_result = {r: sum(1 for v in verdicts if v.final == r) for r in Verdict.Result.values}
    # Where the period is heading if every pending finding were confirmed.
    projected = [
        (
            v.projected_result if v.pending_count and not v.result else v.final,
            v.unit.counts_in_rates,
        )
        for v in verdicts
    ]
    return {
        "passed": passed,
        "counted": counted,
        "rate": rate,
        "listed": len(rows),
        "pending": sum(v.pending_count for v in verdicts),
        "projected_rate": pass_rate(projected)[2],
        **by_result,
    }


def findings_for(user, website, period: Period):
    qs = Finding.objects.filter(website=website, period=period).select_related(
        "column", "reviewed_by", "period"
    )
    return visible_to(user, qs).order_by("severity", "kind", "title")


def with_observations(findings: list[Finding], website) -> list[Finding]:
    """Attach the observation behind each finding (`observation_id`): what was seen, for a
    unit that disputes it."""
    runs = {f.run_id for f in findings if f.run_id}
    seen = Observation.objects.filter(run_id__in=runs, website=website).values_list("url", "pk")
    by_url = dict(seen)
    for f in findings:
        f.observation_id = by_url.get(f.url)
    return findings


def open_counts(user, period: Period):
    """Pending findings per website, for the staff's review queue."""
    return (
        visible_to(user, Finding.objects.filter(period=period, status=Finding.Status.PENDING))
        .exclude(severity=Severity.MANUAL)
        .values("website_id")
        .annotate(n=Count("id"), vetoes=Count("id", filter=Q(severity=Severity.VETO)))
    )


def last_self_check(website) -> InspectionRun | None:
    return (
        InspectionRun.objects.filter(website=website, trigger=InspectionRun.Trigger.SELF_CHECK)
        .order_by("-created_at")
        .first()
    )


def last_office_run(website) -> InspectionRun | None:
    """The latest finished office run that covered this website."""
    return (
        InspectionRun.objects.filter(
            sites__website=website, status=InspectionRun.Status.DONE, period__isnull=False
        )
        .exclude(trigger=InspectionRun.Trigger.SELF_CHECK)
        .order_by("-finished_at", "-pk")
        .first()
    )


def proposed_columns(website) -> list[dict]:
    """Columns the last inspection found in the home page's navigation that the registry does
    not have yet: the machine proposes, staff confirm or correct."""
    home = (
        Observation.objects.filter(website=website, kind=Observation.Kind.HOME, run__isnull=False)
        .order_by("-observed_at")
        .first()
    )
    if home is None:
        return []
    known = set(website.columns.values_list("url", flat=True))
    return [c for c in home.evidence.get("proposed_columns", []) if c["url"] not in known]


def period_runs(period: Period):
    """The period's complete office runs, the candidates for its monitoring point."""
    return (
        InspectionRun.objects.filter(period=period, status=InspectionRun.Status.DONE)
        .exclude(trigger=InspectionRun.Trigger.SELF_CHECK)
        .order_by("-monitoring_point", "-finished_at")
    )


def open_findings(user, units):
    """Confirmed problems of these units still to fix, the nearest 整改时限 first."""
    from audits.models import Finding as F

    return (
        visible_to(
            user,
            F.objects.filter(
                unit__in=units,
                status=F.Status.CONFIRMED,
                rectification__in=(
                    F.Rectification.OPEN,
                    F.Rectification.REJECTED,
                    F.Rectification.SUBMITTED,
                ),
            ).exclude(severity__in=(Severity.WARNING, Severity.MANUAL)),
        )
        .select_related("website", "account", "period")
        .order_by(models.F("deadline").asc(nulls_last=True), "pk")
    )


def due_soon(user, units=None, limit: int = 50, period: Period | None = None):
    """Columns about to fall due in the latest period, the fewest days left first (all units
    when `units` is None)."""
    from django.db.models import IntegerField
    from django.db.models.fields.json import KT
    from django.db.models.functions import Cast

    from audits.glossary import Kind

    period = period or latest_period()
    if period is None:
        return []
    rows = Finding.objects.filter(period=period, kind=Kind.COLUMN_DUE_SOON).exclude(
        status=Finding.Status.DISMISSED
    )
    if units is not None:
        rows = rows.filter(unit__in=units)
    return list(
        visible_to(user, rows)
        .select_related("unit", "website", "period")
        .order_by(Cast(KT("evidence__days_left"), IntegerField()).asc(nulls_last=True), "pk")[
            :limit
        ]
    )


def last_self_checks(website_ids) -> dict:
    """The latest self-check of each website, in one query."""
    latest: dict = {}
    rows = InspectionRun.objects.filter(
        website_id__in=list(website_ids), trigger=InspectionRun.Trigger.SELF_CHECK
    ).order_by("-created_at")[:1000]
    for run in rows:
        latest.setdefault(run.website_id, run)
    return latest


def _final():
    from django.db.models import Case, F, When

    return Case(When(result="", then=F("proposed_result")), default=F("result"))


def channel_rates(period: Period) -> list[dict]:
    """Pass rates per channel over the units that count, in one query (websites, then each
    platform)."""
    from django.db.models import Case, CharField, Value, When

    passing = Q(final_result__in=("clean", "pass"))
    rows = (
        Verdict.objects.filter(period=period)
        .annotate(final_result=_final())
        .annotate(
            channel=Case(
                When(website__isnull=False, then=Value("website")),
                default=models.F("account__platform"),
                output_field=CharField(),
            )
        )
        .values("channel")
        .annotate(
            listed=Count("id"),
            counted=Count("id", filter=Q(unit__counts_in_rates=True)),
            passed=Count("id", filter=Q(unit__counts_in_rates=True) & passing),
        )
        .order_by("channel")
    )
    out = []
    for row in rows:
        row["rate"] = round(100 * row["passed"] / row["counted"], 1) if row["counted"] else 0.0
        out.append(row)
    return sorted(out, key=lambda r: r["channel"] != "website")


def trend(periods_back: int = 12) -> list[dict]:
    """The websites' pass rate over the last periods of the latest period's kind."""
    latest = latest_period()
    if latest is None:
        return []
    chosen = list(
        Period.objects.filter(kind=latest.kind, end__lte=latest.end).order_by("-end")[:periods_back]
    )
    rows = (
        Verdict.objects.filter(period__in=chosen, website__isnull=False, unit__counts_in_rates=True)
        .annotate(final_result=_final())
        .values("period_id")
        .annotate(
            counted=Count("id"),
            passed=Count("id", filter=Q(final_result__in=("clean", "pass"))),
            vetoed=Count("id", filter=Q(final_result="veto")),
        )
    )
    by_period = {r["period_id"]: r for r in rows}
    out = []
    for period in reversed(chosen):
        r = by_period.get(period.pk, {"counted": 0, "passed": 0, "vetoed": 0})
        rate = round(100 * r["passed"] / r["counted"], 1) if r["counted"] else None
        out.append({"label": period.label, "rate": rate, "vetoed": r["vetoed"], **r})
    return out


def failing(period: Period, limit: int = 20):
    return (
        Verdict.objects.filter(period=period)
        .annotate(final_result=_final())
        .filter(final_result__in=("fail", "veto"))
        .select_related("unit", "website", "account")
        .order_by("final_result", "unit__sort_order")[:limit]
    )


def column_freshness(website, rules) -> list:
    """The site's columns with what the last office run saw: newest date, days left against
    their window (negative: overdue), for colouring."""
    run = last_office_run(website)
    seen = {}
    if run:
        seen = {
            column_id: (newest, outcome)
            for column_id, newest, outcome in Observation.objects.filter(
                run=run, website=website, kind=Observation.Kind.COLUMN
            ).values_list("column_id", "newest_date", "outcome")
        }
    windows = dict(rules.windows)
    out = []
    for column in website.columns.order_by("id"):
        newest, outcome = seen.get(column.pk, (None, None))
        window = column.window_in(windows)
        left = None
        if newest and window is not None and run:
            left = window - (run.monitoring_point - newest).days
        column.seen_newest, column.seen_outcome, column.days_left = newest, outcome, left
        column.window = window
        column.freshness = (
            "exempt"
            if column.is_exempt
            else "unknown"
            if left is None
            else "overdue"
            if left < 0
            else "soon"
            if left <= max(3, (window or 0) // 4)
            else "fresh"
        )
        out.append(column)
    return out


def history(subject_filter: dict, periods_back: int = 12) -> list:
    """Verdicts of one site, account or unit over the last periods, newest first (the number of
    findings each counted is `len(finding_ids)`)."""
    return list(
        Verdict.objects.filter(**subject_filter)
        .select_related("period", "website", "account")
        .order_by("-period__end", "website_id", "account_id")[: periods_back * 20]
    )


def period_summary(user, period: Period) -> dict:
    """The websites' results of a period, counted in the database (a province has 15,000)."""
    from django.db.models import Case, F, Sum, When

    rows = visible_to(user, Verdict.objects.filter(period=period, website__isnull=False))
    rows = rows.annotate(
        final_result=_final(),
        heading=Case(
            When(pending_count__gt=0, result="", then=F("projected_result")),
            default=_final(),
        ),
    )
    counts = Q(unit__counts_in_rates=True)
    passing = ("clean", "pass")
    data = rows.aggregate(
        listed=Count("id"),
        counted=Count("id", filter=counts),
        passed=Count("id", filter=counts & Q(final_result__in=passing)),
        projected=Count("id", filter=counts & Q(heading__in=passing)),
        pending=Sum("pending_count"),
        undecided=Count("id", filter=Q(result="")),
        **{r: Count("id", filter=Q(final_result=r)) for r in Verdict.Result.values},
    )
    counted = data["counted"]
    data["rate"] = round(100 * data["passed"] / counted, 1) if counted else 0.0
    data["projected_rate"] = round(100 * data["projected"] / counted, 1) if counted else 0.0
    data["pending"] = data["pending"] or 0
    return data
