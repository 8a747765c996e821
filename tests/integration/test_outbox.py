"""Reminders that are never lost and never sent twice, with real components: a local SMTP server
(aiosmtpd), a real Celery worker on its own Redis queue, and group robots served over HTTP on
farm addresses. No mock of SMTP or HTTP."""

import asyncio
import base64
import datetime as dt
import email
import email.policy
import hashlib
import hmac
import http.server
import json
import socket
import threading
import time
from urllib.parse import parse_qs, urlsplit

import pytest
from aiosmtpd.controller import Controller
from django.utils import timezone

from audits import notify
from audits.notify import deliver_pending
from audits.services.rectification import deadlines_remind
from audits.tasks import deliver_outbox
from core.models import OutboxMessage
from core.outbox import outbox_claim, outbox_put, outbox_recover
from tests.integration.conftest import wait_for
from tests.portal.test_rectification import confirmed_finding

SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
in_process = pytest.mark.django_db


def with_worker(test):
    """A real worker process reads the rows: the test's writes must be committed."""
    test = pytest.mark.django_db(transaction=True)(test)
    return pytest.mark.celery(test)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Sink:
    """A real SMTP server on 127.0.0.1 that keeps every message it accepted (answered 250 to a
    client still there). With `stall`, its DATA handler waits for `release` first: a client
    sending then is blocked inside the send."""

    def __init__(self):
        self.port = free_port()
        self.messages: list[email.message.EmailMessage] = []
        self.stall = False
        self.entered = threading.Event()
        self.release = threading.Event()
        self.dropped = 0
        self.controller = None

    def start(self):
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    async def handle_DATA(self, server, session, envelope):
        if self.stall:
            self.entered.set()
            try:
                # Not a sleep: blocked until the test releases it (bounded, should it never).
                await asyncio.get_running_loop().run_in_executor(None, self.release.wait, 60)
            except asyncio.CancelledError:
                # aiosmtpd cancels the handler when its client goes away: nothing accepted.
                self.dropped += 1
                raise
        raw = envelope.original_content or envelope.content
        self.messages.append(email.message_from_bytes(raw, policy=email.policy.default))
        return "250 2.0.0 OK"

    def with_key(self, key: str) -> list:
        return [m for m in self.messages if m["X-Govwatch-Message-Id"] == key]


@pytest.fixture
def sink():
    server = Sink()
    server.start()
    yield server
    server.release.set()
    server.stop()


def use_sink(settings, sink):
    settings.EMAIL_BACKEND = SMTP_BACKEND
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = sink.port
    settings.EMAIL_TIMEOUT = 10


def worker_env(sink) -> dict:
    # config/settings.py picks the SMTP backend when EMAIL_HOST is set; EMAIL_BACKEND itself is
    # not read from the environment (passed anyway, as a deployment would).
    return {
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(sink.port),
        "EMAIL_BACKEND": SMTP_BACKEND,
        "EMAIL_TIMEOUT": "30",
    }


@pytest.fixture
def mailed_unit(unit_a):
    unit_a.email = "gongkai@meizhu.gov.cn"
    unit_a.save()
    return unit_a


def email_row(finding) -> OutboxMessage:
    return OutboxMessage.objects.get(key=f"confirmed:{finding.pk}:email")


def make_due(message):
    OutboxMessage.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now())


def row_state(message):
    message.refresh_from_db()
    return message.status, message.attempts


# --- (a) the mail server is down, then back ----------------------------------------------------


@in_process
def test_mail_to_a_server_that_is_down_is_retried_later_and_sent_once(
    settings, sink, mailed_unit, site_a, staff
):
    use_sink(settings, sink)
    sink.stop()
    finding = confirmed_finding(site_a, staff)
    message = email_row(finding)
    assert row_state(message) == ("pending", 0)

    assert deliver_pending() == 0
    assert row_state(message) == ("pending", 1)
    assert "Connection refused" in message.last_error or "ConnectionRefused" in message.last_error
    assert message.next_attempt_at > timezone.now() + dt.timedelta(seconds=20)
    assert deliver_pending() == 0  # not due yet: not even tried
    assert row_state(message) == ("pending", 1)

    sink.start()
    make_due(message)
    assert deliver_pending() == 1
    assert row_state(message) == ("sent", 2)
    assert message.last_error == "" and message.sent_at is not None
    assert len(sink.messages) == 1
    mail = sink.messages[0]
    assert mail["To"] == "gongkai@meizhu.gov.cn"
    # (the folded encoded-word header decodes with a leading space)
    assert mail["Subject"].strip() == message.subject and message.subject.startswith("【整改通知】")
    assert mail["X-Govwatch-Message-Id"] == message.key
    assert f"confirmed.{finding.pk}.email" in mail["Message-ID"]
    assert f"{finding.deadline:%Y年%m月%d日}" in mail.get_content()

    make_due(message)
    assert deliver_pending() == 0
    assert len(sink.messages) == 1


@with_worker
def test_a_worker_puts_a_failed_mail_back_with_backoff_then_delivers_it_once(
    sink, start_worker, mailed_unit, site_a, staff
):
    sink.stop()
    start_worker(**worker_env(sink))
    # The confirmation commits, and its on_commit queues deliver_outbox for the worker.
    finding = confirmed_finding(site_a, staff)
    message = email_row(finding)
    wait_for(lambda: row_state(message) == ("pending", 1), 60, what="the failed first attempt")
    assert message.last_error
    assert message.next_attempt_at > timezone.now() + dt.timedelta(seconds=20)

    sink.start()
    make_due(message)
    deliver_outbox.delay()
    wait_for(lambda: row_state(message) == ("sent", 2), 30, what="the mail to be sent")
    assert len(sink.with_key(message.key)) == 1

    # Another pass of the worker (seen through a second reminder it delivers) sends no repeat.
    probe = outbox_put(
        key="probe:after",
        channel="email",
        recipient="probe@example.gov.cn",
        subject="探测",
        body=".",
    )
    make_due(message)
    deliver_outbox.delay()
    wait_for(lambda: row_state(probe)[0] == "sent", 30, what="the next pass")
    assert len(sink.with_key(message.key)) == 1
    assert len(sink.messages) == 2


# --- (b) the worker dies inside the send -------------------------------------------------------


@with_worker
def test_a_worker_killed_inside_the_send_is_recovered_and_the_mail_arrives_once(
    sink, start_worker, mailed_unit, site_a, staff
):
    sink.stall = True
    first = start_worker(**worker_env(sink))
    finding = confirmed_finding(site_a, staff)
    message = email_row(finding)
    wait_for(sink.entered.is_set, 60, what="the worker to be inside DATA")
    assert row_state(message) == ("sending", 1)

    first.kill()
    wait_for(lambda: sink.dropped == 1, 30, what="the sink to see its client gone")
    sink.release.set()
    assert sink.messages == []  # the killed attempt never completed DATA
    assert row_state(message) == ("sending", 1)  # nobody else will touch it…
    assert outbox_recover(dt.timedelta(minutes=10)) == 0  # … until it is stale

    assert outbox_recover(dt.timedelta(seconds=-1)) == 1
    message.refresh_from_db()
    assert (message.status, message.claim) == ("pending", "")

    sink.stall = False
    start_worker(**worker_env(sink))
    deliver_outbox.delay()
    wait_for(lambda: row_state(message)[0] == "sent", 60, what="the recovered mail to be sent")
    assert message.attempts == 2
    assert len(sink.messages) == 1 and sink.messages[0]["X-Govwatch-Message-Id"] == message.key


# --- claims and keys ---------------------------------------------------------------------------


@in_process
def test_the_same_event_twice_writes_one_row(mailed_unit, site_a, staff):
    finding = confirmed_finding(site_a, staff)
    notify.finding_confirmed(finding)
    notify.finding_confirmed(finding)
    assert OutboxMessage.objects.filter(key__startswith=f"confirmed:{finding.pk}:").count() == 1

    today = timezone.localdate()
    type(finding).objects.filter(pk=finding.pk).update(deadline=today + dt.timedelta(days=2))
    deadlines_remind(today)
    deadlines_remind(today)
    assert OutboxMessage.objects.filter(key=f"deadline:{finding.pk}:{today}:email").count() == 1
    deadlines_remind(today + dt.timedelta(days=1))  # the next day's reminder is another one
    assert OutboxMessage.objects.filter(key__startswith=f"deadline:{finding.pk}:").count() == 2


@in_process
def test_two_deliverers_never_claim_the_same_row(mailed_unit, site_a, staff):
    finding = confirmed_finding(site_a, staff)
    first = outbox_claim()
    assert [m.key for m in first] == [f"confirmed:{finding.pk}:email"]
    assert outbox_claim() == []
    assert row_state(first[0]) == ("sending", 1)


# --- (c) group robots --------------------------------------------------------------------------


class Robot(http.server.ThreadingHTTPServer):
    """A group robot's webhook: records each POST and answers from `answers` (then errcode 0)."""

    daemon_threads = True
    block_on_close = False

    def __init__(self, host: str):
        self.requests: list[dict] = []
        self.answers: list[tuple[int, dict]] = []
        super().__init__((host, 0), RobotHandler)
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)
        self.thread.start()

    @property
    def base(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"

    def close(self):
        self.shutdown()
        self.server_close()


class RobotHandler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        url = urlsplit(self.path)
        self.server.requests.append(
            {
                "path": url.path,
                "query": parse_qs(url.query),
                "content_type": self.headers.get("Content-Type", ""),
                "json": json.loads(body or b"{}"),
            }
        )
        status, answer = (
            self.server.answers.pop(0) if self.server.answers else (200, {"errcode": 0})
        )
        data = json.dumps(answer).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture
def robot():
    server = Robot("127.0.1.250")  # a farm address: allowed by crawl_allowed
    yield server
    server.close()


@pytest.fixture
def internal_robot():
    server = Robot("127.0.0.1")  # stays refused, as any internal address a user could enter
    yield server
    server.close()


def robot_unit(unit, url, kind, secret=""):
    unit.webhook_url, unit.webhook_kind, unit.webhook_secret = url, kind, secret
    unit.save()
    return unit


def webhook_row(finding) -> OutboxMessage:
    return OutboxMessage.objects.get(key=f"confirmed:{finding.pk}:webhook")


@in_process
def test_a_dingtalk_robot_gets_a_signed_message(crawl_allowed, robot, unit_a, site_a, staff):
    secret = "SEC0123456789abcdef+/="
    robot_unit(unit_a, f"{robot.base}/robot/send?access_token=tok123", "dingtalk", secret)
    finding = confirmed_finding(site_a, staff)
    before_ms = int(time.time() * 1000)
    assert deliver_pending() == 1
    after_ms = int(time.time() * 1000)

    assert len(robot.requests) == 1
    got = robot.requests[0]
    assert got["path"] == "/robot/send"
    assert got["query"]["access_token"] == ["tok123"]
    (timestamp,) = got["query"]["timestamp"]
    (sign,) = got["query"]["sign"]
    assert before_ms <= int(timestamp) <= after_ms
    expected = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256)
    assert sign == base64.b64encode(expected.digest()).decode()
    assert got["content_type"].startswith("application/json")
    message = webhook_row(finding)
    assert got["json"]["msgtype"] == "text"
    assert got["json"]["text"]["content"].startswith(message.subject)
    assert got["json"]["govwatch_message_id"] == message.key
    assert row_state(message) == ("sent", 1)


@in_process
def test_a_robot_answering_500_is_retried_later_and_gets_it_once(
    crawl_allowed, robot, unit_a, site_a, staff
):
    robot_unit(unit_a, f"{robot.base}/cgi-bin/webhook/send?key=k1", "wecom")
    robot.answers = [(500, {"errmsg": "busy"}), (200, {"errcode": 93000, "errmsg": "invalid"})]
    finding = confirmed_finding(site_a, staff)
    message = webhook_row(finding)

    assert deliver_pending() == 0
    assert row_state(message) == ("pending", 1)
    assert "500" in message.last_error
    assert len(robot.requests) == 1  # one POST per attempt: a retry could post twice
    assert "timestamp" not in robot.requests[0]["query"]  # only DingTalk signs

    make_due(message)
    assert deliver_pending() == 0  # HTTP 200, but the robot says no
    assert row_state(message) == ("pending", 2)
    assert "93000" in message.last_error

    make_due(message)
    assert deliver_pending() == 1
    assert row_state(message) == ("sent", 3)
    make_due(message)
    assert deliver_pending() == 0
    assert len(robot.requests) == 3


@in_process
def test_a_robot_on_an_internal_address_is_refused(
    crawl_allowed, internal_robot, unit_a, site_a, staff
):
    robot_unit(unit_a, f"{internal_robot.base}/robot/send?access_token=x", "dingtalk", "SECx")
    finding = confirmed_finding(site_a, staff)
    message = webhook_row(finding)
    assert deliver_pending() == 0
    assert row_state(message) == ("pending", 1)
    assert "地址不安全" in message.last_error
    assert internal_robot.requests == []
