"""Storing a run's observations: a site's rows together, idempotently.

Observations are keyed by (run, website, kind, url), so a site delivered twice rewrites its rows instead
of adding others, and the run's page counters move only by the rows created.
"""

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from audits.models import InspectionRun, Observation
from core.db import copy_insert

# What a repeated delivery overwrites (everything but the key).
OBSERVATION_FIELDS = (
    "website", "column", "observed_at", "http_status", "elapsed_ms", "bytes", "encoding",
    "outcome", "newest_date", "item_count", "confidence", "reason", "evidence",
)  # fmt: skip


def observation_for(run, website, *, kind, url, column=None, page, **values) -> Observation:
    """An unsaved observation of a fetched page (its status, timing, size and encoding)."""
    return Observation(
        run=run,
        kind=kind,
        url=url,
        website=website,
        column=column,
        observed_at=page.fetched_at or timezone.now(),
        http_status=page.status,
        elapsed_ms=page.elapsed_ms,
        bytes=page.bytes,
        encoding=page.encoding or "",
        **values,
    )


class ObservationBatch:
    """A site's observations, written together (:func:`observations_upsert`) at each flush.

    ``written`` keeps every row flushed, by key, for the site's findings to read without reading
    them back. ``complete`` is False when a flush found rows of an earlier delivery of the site:
    the database may then hold rows this delivery did not write, and only it has them all.
    """

    def __init__(self, run, website) -> None:
        self.run = run
        self.website = website
        self.rows: list[Observation] = []
        self.written: dict[tuple[str, str], Observation] = {}
        self.complete = True

    def add(self, obs: Observation) -> None:
        self.rows.append(obs)

    def flush(self) -> None:
        rows, self.rows = self.rows, []
        if observations_upsert(self.run, rows):
            self.complete = False
        self.written.update({(o.kind, o.url): o for o in rows})

    def observations(self) -> list[Observation] | None:
        """Every observation of the site in this run, or None when only the database has them."""
        return list(self.written.values()) if self.complete else None


def observations_upsert(run, rows: list[Observation]) -> int:
    """Write observations keyed by (run, website, kind, url) in one transaction: one insert for
    the new ones, one UPDATE per batch for those a previous delivery wrote, and the run's
    counters moved by the rows created (home and column pages). Two deliveries of one site at
    once: the loser's insert hits the unique constraint and it tries again, finding the rows
    then. Returns how many rows an earlier delivery had written."""
    by_key = {(o.website_id, o.kind, o.url): o for o in rows}  # the last reading of a key wins
    if not by_key:
        return 0
    for attempt in range(3):
        try:
            with transaction.atomic():
                existing = {
                    (website_id, kind, url): pk
                    for pk, website_id, kind, url in Observation.objects.filter(
                        run=run,
                        website_id__in={w for w, _, _ in by_key},
                        kind__in={k for _, k, _ in by_key},
                        url__in={u for _, _, u in by_key},
                    ).values_list("pk", "website_id", "kind", "url")
                }
                new = [o for key, o in by_key.items() if key not in existing]
                old = []
                for key, o in by_key.items():
                    if key in existing:
                        o.pk = existing[key]
                        old.append(o)
                observations_insert(new)
                if old:
                    Observation.objects.bulk_update(old, OBSERVATION_FIELDS)
                pages = [
                    o for o in new if o.kind in (Observation.Kind.HOME, Observation.Kind.COLUMN)
                ]
                errors = sum(1 for o in pages if o.outcome == Observation.Outcome.ERROR)
                if pages:
                    counters = {"pages_done": F("pages_done") + len(pages)}
                    if errors:
                        counters["errors"] = F("errors") + errors
                    InspectionRun.objects.filter(pk=run.pk).update(**counters)
            return len(existing)
        except IntegrityError:
            if attempt == 2:
                raise
            for o in by_key.values():
                o.pk = None
    return 0  # not reached: the last attempt returns or raises


def observations_insert(rows: list[Observation]) -> None:
    """Insert new observations by COPY (their ids are not read back)."""
    copy_insert(Observation, rows)
