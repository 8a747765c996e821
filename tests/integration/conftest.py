"""A small county served by the site farm over real HTTP, and a real Celery worker."""

import datetime as dt
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import pytest
from django.db import connection

from sitefarm.generate import generate_county
from sitefarm.server import FarmServer
from tests.conftest import FARM_HOSTS

POINT = dt.date(2026, 11, 23)
ROOT = Path(__file__).resolve().parents[2]


def wait_for(predicate, timeout: float, interval: float = 0.2, what: str = "condition"):
    """Wait for another process (a worker) to make `predicate` true. Not a sleep on time:
    the test cannot go on before the other process has done its work."""
    deadline = time.monotonic() + timeout
    pause = threading.Event()
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        pause.wait(interval)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


@pytest.fixture(scope="module")
def small_farm():
    farm = generate_county(seed=7, n_sites=4, columns_per_site=8, today=POINT, faults=False)
    with FarmServer(farm, port=0, latency_ms=0) as server:
        yield farm, server


def database_url() -> str:
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{s['NAME']}"
    return f"postgres://{s['USER']}:{s['PASSWORD']}@{s['HOST']}:{s['PORT']}/{s['NAME']}"


class Worker:
    """A real `celery worker` process on its own queue of the test's Redis."""

    def __init__(self, queue: str, extra_env: dict | None = None):
        env = {
            **os.environ,
            "DATABASE_URL": database_url(),
            "GOVWATCH_QUEUE": queue,
            "GOVWATCH_CRAWL_ALLOW_HOSTS": ",".join(FARM_HOSTS),
            "GOVWATCH_CRAWL_PER_HOST_RATE": "100",
            **(extra_env or {}),
        }
        celery = Path(sys.executable).with_name("celery")
        self.log = (
            Path(tempfile.gettempdir()) / f"govwatch-worker-{queue}-{uuid.uuid4().hex[:6]}.log"
        )
        self.process = subprocess.Popen(
            [
                str(celery),
                "-A",
                "config",
                "worker",
                "-Q",
                queue,
                "--concurrency",
                "1",
                "--without-mingle",
                "--without-gossip",
                "--loglevel",
                "INFO",
            ],
            cwd=ROOT,
            env=env,
            stdout=self.log.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def kill(self) -> None:
        """SIGKILL the worker and its pool children at once: no chance to clean up."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture
def celery_queue(settings):
    if not os.environ.get("REDIS_URL"):
        pytest.fail("the worker tests need REDIS_URL (make test starts Redis)")
    from config.celery import app

    queue = f"test-{uuid.uuid4().hex[:8]}"
    previous = app.conf.task_default_queue
    app.conf.task_default_queue = queue
    yield queue
    app.conf.task_default_queue = previous


@pytest.fixture
def start_worker(celery_queue):
    workers = []

    def start(**env):
        worker = Worker(celery_queue, env)
        workers.append(worker)
        return worker

    yield start
    for worker in workers:
        worker.stop()
