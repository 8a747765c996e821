"""Reminders to units: what to say, and delivering it (e-mail through Django's mail settings,
webhooks of 政务钉钉 / 企业微信 group robots through the safe fetcher, signed where DingTalk signs).

Messages are written to the outbox (core/outbox.py) in the transaction of the event; the tasks
in audits/tasks.py deliver them.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import time
from email.utils import make_msgid
from urllib.parse import quote

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction

from core.models import OutboxMessage
from core.outbox import outbox_claim, outbox_failed, outbox_put, outbox_sent


def _send_later() -> None:
    from audits.tasks import deliver_outbox

    transaction.on_commit(lambda: deliver_outbox.delay())


def notify_unit(unit, *, key: str, subject: str, body: str) -> int:
    """Queue one reminder to a unit on each channel it has (its e-mail, its group robot)."""
    put = 0
    if unit.email:
        put += bool(
            outbox_put(
                key=f"{key}:email",
                channel=OutboxMessage.Channel.EMAIL,
                recipient=unit.email,
                subject=subject,
                body=body,
                unit=unit,
            )
        )
    if unit.webhook_url:
        put += bool(
            outbox_put(
                key=f"{key}:webhook",
                channel=OutboxMessage.Channel.WEBHOOK,
                recipient=unit.webhook_url,
                subject=subject,
                body=body,
                unit=unit,
                extra={"kind": unit.webhook_kind, "secret": unit.webhook_secret},
            )
        )
    if put:
        _send_later()
    return put


# --- what is said ------------------------------------------------------------------------------


def finding_confirmed(finding) -> int:
    deadline = f"，请于{finding.deadline:%Y年%m月%d日}前完成整改" if finding.deadline else ""
    return notify_unit(
        finding.unit,
        key=f"confirmed:{finding.pk}",
        subject=f"【整改通知】{finding.subject}：{finding.title}",
        body=(
            f"{finding.unit.name}：经政务公开办复核，{finding.subject}存在问题“{finding.title}”"
            f"（{finding.reason}）{deadline}，并在监管平台报送整改情况和证据。"
        ),
    )


def deadline_near(finding, today: dt.date) -> int:
    left = (finding.deadline - today).days
    return notify_unit(
        finding.unit,
        key=f"deadline:{finding.pk}:{today.isoformat()}",
        subject=f"【整改提醒】还有{left}天：{finding.title}",
        body=(
            f"{finding.unit.name}：问题“{finding.title}”（{finding.subject}）的整改时限为"
            f"{finding.deadline:%Y年%m月%d日}，还有{left}天。尚未整改的，上期问题未整改将影响"
            "本期检查结果。"
        ),
    )


def columns_due_soon(unit, run, findings) -> int:
    lines = "\n".join(f"- {f.title}（{f.reason}）" for f in findings[:20])
    return notify_unit(
        unit,
        key=f"due_soon:{run.pk}:{unit.pk}",
        subject=f"【即将到期】{len(findings)}个栏目即将超期未更新",
        body=f"{unit.name}：以下栏目即将超过更新周期，请及时更新：\n{lines}",
    )


# --- delivering --------------------------------------------------------------------------------


class DeliveryError(Exception):
    pass


def _send_email(message: OutboxMessage) -> None:
    domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1] or "govwatch"
    email = EmailMessage(
        subject=message.subject,
        body=message.body,
        to=[message.recipient],
        headers={
            # The outbox key: a receiver (or a person) can recognise a repeat.
            "Message-ID": make_msgid(idstring=message.key.replace(":", "."), domain=domain),
            "X-Govwatch-Message-Id": message.key,
        },
    )
    email.send(fail_silently=False)


def dingtalk_signed(url: str, secret: str, now_ms: int | None = None) -> str:
    """政务钉钉/钉钉 robot 加签: timestamp and HMAC-SHA256 of "timestamp\\nsecret", base64."""
    timestamp = str(now_ms or int(time.time() * 1000))
    digest = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256)
    sign = quote(base64.b64encode(digest.digest()).decode())
    return f"{url}{'&' if '?' in url else '?'}timestamp={timestamp}&sign={sign}"


def _send_webhook(message: OutboxMessage, fetcher) -> None:
    url = message.recipient
    if message.extra.get("kind") == "dingtalk" and message.extra.get("secret"):
        url = dingtalk_signed(url, message.extra["secret"])
    payload = {
        "msgtype": "text",
        "text": {"content": f"{message.subject}\n{message.body}"},
        "govwatch_message_id": message.key,
    }
    result = fetcher.post_json(url, payload)
    if not result.ok:
        raise DeliveryError(result.error or f"HTTP {result.status}")
    try:
        answer = json.loads(result.text or "{}")
    except ValueError:
        answer = {}
    if isinstance(answer, dict) and answer.get("errcode", 0) != 0:
        raise DeliveryError(f"机器人返回错误：{answer.get('errcode')} {answer.get('errmsg', '')}")


def deliver_pending(limit: int = 50, fetcher=None) -> int:
    """Claim due messages and send each; a failure is retried later with backoff."""
    from audits.services.runs import fetcher_for_runs

    sent = 0
    for message in outbox_claim(limit):
        try:
            if message.channel == OutboxMessage.Channel.EMAIL:
                _send_email(message)
            else:
                _send_webhook(message, fetcher or fetcher_for_runs())
        except Exception as exc:  # noqa: BLE001 - any failure is retried, never lost
            outbox_failed(message, f"{type(exc).__name__}: {exc}")
            continue
        outbox_sent(message)
        sent += 1
    return sent
