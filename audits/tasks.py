"""Celery tasks: thin. Each loads ids and calls one service function."""

from celery import shared_task
from django.db import transaction

from audits import services


@shared_task(
    bind=True,
    acks_late=True,
    autoretry_for=(ConnectionError, OSError),
    retry_backoff=5,
    max_retries=3,
)
def inspect_run(self, run_id: int) -> None:
    """Plan a run and fan it out: one task per website."""
    website_ids = services.run_plan(run_id)
    for website_id in website_ids:
        inspect_site.delay(run_id, website_id)
    services.run_finish_if_complete(run_id)


@shared_task(bind=True, acks_late=True, max_retries=3)
def inspect_site(self, run_id: int, website_id: int) -> None:
    try:
        services.inspect_run_site(run_id, website_id)
    except Exception as exc:
        if self.request.retries < self.max_retries:
            raise self.retry(exc=exc, countdown=5 * 2**self.request.retries) from exc
        services.inspect_run_site_failed(run_id, website_id, repr(exc))
        raise


@shared_task
def scheduled_inspection(scope: str = "all") -> int:
    run = services.run_create(trigger="schedule")
    transaction.on_commit(lambda: inspect_run.delay(run.pk))
    return run.pk


def start_run(run) -> None:
    """Queue a run after the transaction that created it commits."""
    transaction.on_commit(lambda: inspect_run.delay(run.pk))
