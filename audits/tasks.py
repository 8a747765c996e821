"""Celery tasks: thin. Each loads ids and calls one service function; each is safe to run twice."""

import datetime as dt

from celery import shared_task
from django.db import transaction
from django.utils import timezone

from audits import probes
from audits.services import runs as services
from units.models import Website


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=5, max_retries=3)
def inspect_run(run_id: int) -> None:
    """Plan a run and fan it out: one task per website, so any number of workers share it."""
    for website_id in services.run_plan(run_id):
        inspect_site.delay(run_id, website_id)
    for account_id in services.run_account_ids(run_id):
        ingest_feed.delay(account_id)
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
def scheduled_inspection(check_links: bool = False) -> int:
    run = services.run_create(trigger="schedule", check_links=check_links)
    transaction.on_commit(lambda: inspect_run.delay(run.pk))
    return run.pk


@shared_task
def probe_all() -> int:
    """Queue one probe per running website for the current slot, spread inside the slot."""
    slot = probes.probe_slot(timezone.now())
    sites = Website.objects.filter(status=Website.Status.RUNNING).values_list("pk", flat=True)
    for website_id in sites:
        probe_site.apply_async(
            (website_id, slot.isoformat()), countdown=probes.probe_offset(website_id)
        )
    return len(sites)


@shared_task(acks_late=True, autoretry_for=(OSError,), max_retries=2)
def probe_site(website_id: int, slot: str) -> bool:
    return probes.probe_website(website_id, dt.datetime.fromisoformat(slot))


@shared_task
def resume_stalled_runs(minutes: int = 15) -> int:
    """Re-queue the sites of running runs that have not finished in time. Safe: a site that is
    in fact still running is claimed again, and its writes are idempotent."""
    for run_id in services.runs_unfinished(dt.timedelta(minutes=minutes)):
        services.run_finish_if_complete(run_id)
    stalled = services.runs_stalled(dt.timedelta(minutes=minutes))
    for run_id, website_ids in stalled.items():
        services.run_log(run_id, f"恢复 {len(website_ids)} 个未完成的网站")
        for website_id in website_ids:
            inspect_site.delay(run_id, website_id)
    return sum(len(ids) for ids in stalled.values())


@shared_task(acks_late=True, autoretry_for=(OSError,), max_retries=2)
def ingest_feed(account_id: int) -> int:
    """Read one account's feed (idempotent per 6-hour slot)."""
    from audits.services.accounts import feed_ingest
    from newmedia.models import Account

    account = Account.objects.filter(pk=account_id).first()
    return feed_ingest(account).item_count or 0 if account else 0


@shared_task(acks_late=True, autoretry_for=(OSError,), max_retries=2)
def read_messages(website_id: int) -> int:
    """Read one site's public message list (idempotent)."""
    from audits.services.messages import messages_read

    website = Website.objects.filter(pk=website_id).first()
    return messages_read(website) if website else 0


@shared_task
def ingest_all_feeds() -> int:
    from newmedia.models import Account

    ids = Account.objects.filter(status=Account.Status.ACTIVE).values_list("pk", flat=True)
    for account_id in ids:
        ingest_feed.delay(account_id)
    # The sites' public message lists are read on the same cadence.
    sites = Website.objects.filter(status=Website.Status.RUNNING).exclude(messages_url="")
    for website_id in sites.values_list("pk", flat=True):
        read_messages.delay(website_id)
    return len(ids)


@shared_task
def deliver_outbox(limit: int = 50) -> int:
    """Deliver due reminders; put back those whose worker died while sending."""
    from audits.notify import deliver_pending
    from core.outbox import outbox_recover

    outbox_recover(dt.timedelta(minutes=10))
    return deliver_pending(limit)


@shared_task
def remind_deadlines() -> int:
    from audits.services.rectification import deadlines_remind

    return deadlines_remind(timezone.localdate())


def start_run(run) -> None:
    """Queue a run after the transaction that created it commits."""
    transaction.on_commit(lambda: inspect_run.delay(run.pk))
