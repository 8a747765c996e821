"""The outbox: reminders written with the events that cause them, delivered at least once and
at most once by claiming each row with a conditional UPDATE.

- `outbox_put` is called inside the event's transaction: if the event rolls back, so does the
  message; the unique key makes a repeated event write nothing new.
- `outbox_claim` moves rows from 待发送 to 发送中 one by one with `UPDATE … WHERE status =
  'pending'`: two workers never get the same row.
- a delivery that fails is put back with a growing delay (`outbox_failed`); one whose worker
  died while sending is put back by `outbox_recover` after `stale` time. The only window for a
  duplicate is between the receiver's acceptance and our mark, and the message carries its key
  (Message-ID, X-Govwatch-Message-Id) so a receiver can drop a repeat.
"""

import datetime as dt
import uuid

from django.db import models
from django.utils import timezone

from core.models import OutboxMessage

BACKOFF_SECONDS = (30, 120, 600, 1800, 3600, 3 * 3600, 6 * 3600)
MAX_ATTEMPTS = 12


def outbox_put(
    *, key: str, channel: str, recipient: str, subject: str, body: str, unit=None, extra=None
) -> OutboxMessage | None:
    if not recipient:
        return None
    message, _ = OutboxMessage.objects.get_or_create(
        key=key[:200],
        defaults={
            "channel": channel,
            "recipient": recipient,
            "subject": subject[:300],
            "body": body,
            "unit_id": getattr(unit, "pk", unit),
            "extra": extra or {},
            "next_attempt_at": timezone.now(),
        },
    )
    return message


def outbox_claim(limit: int = 50, now: dt.datetime | None = None) -> list[OutboxMessage]:
    now = now or timezone.now()
    token = uuid.uuid4().hex
    due = OutboxMessage.objects.filter(
        status=OutboxMessage.Status.PENDING, next_attempt_at__lte=now
    ).order_by("next_attempt_at", "pk")
    claimed = []
    for pk in due.values_list("pk", flat=True)[:limit]:
        won = OutboxMessage.objects.filter(pk=pk, status=OutboxMessage.Status.PENDING).update(
            status=OutboxMessage.Status.SENDING,
            claim=token,
            claimed_at=now,
            attempts=models.F("attempts") + 1,
        )
        if won:
            claimed.append(pk)
    return list(OutboxMessage.objects.filter(pk__in=claimed, claim=token))


def outbox_sent(message: OutboxMessage) -> None:
    OutboxMessage.objects.filter(pk=message.pk, claim=message.claim).update(
        status=OutboxMessage.Status.SENT, sent_at=timezone.now(), last_error=""
    )


def outbox_failed(message: OutboxMessage, error: str) -> None:
    """Back to 待发送 after a delay that grows with each attempt; 发送失败 after many."""
    attempts = message.attempts
    if attempts >= MAX_ATTEMPTS:
        status, delay = OutboxMessage.Status.FAILED, 0
    else:
        status = OutboxMessage.Status.PENDING
        delay = BACKOFF_SECONDS[min(attempts - 1, len(BACKOFF_SECONDS) - 1)]
    OutboxMessage.objects.filter(pk=message.pk, claim=message.claim).update(
        status=status,
        next_attempt_at=timezone.now() + dt.timedelta(seconds=delay),
        last_error=error[:2000],
    )


def outbox_recover(stale: dt.timedelta) -> int:
    """Rows left 发送中 by a worker that died while sending go back to 待发送."""
    return OutboxMessage.objects.filter(
        status=OutboxMessage.Status.SENDING, claimed_at__lt=timezone.now() - stale
    ).update(status=OutboxMessage.Status.PENDING, claim="")
