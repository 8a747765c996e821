"""The one Celery app. Broker: Redis when REDIS_URL is set, else kombu's filesystem transport."""

import os

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("govwatch")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@signals.worker_init.connect
def pin_worker(**kwargs) -> None:
    """GOVWATCH_WORKER_CPU=N pins this worker to core N, before its pool's threads start (they
    inherit it). With the GIL a process runs on one core at a time anyway; pinned, its threads
    hand the GIL over on one core's caches instead of across cores, which costs a CPU-bound
    thread about half its speed here (bench/bench_throughput.py --pin). Run one thread-pool
    worker per core (scripts/workers.sh). Chromium is not pinned (audits.crawl.browser)."""
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured

    cpu = settings.GOVWATCH_WORKER_CPU
    if cpu is None:
        return
    allowed = os.sched_getaffinity(0)
    if cpu not in allowed:
        raise ImproperlyConfigured(
            f"GOVWATCH_WORKER_CPU={cpu}: this machine lets the worker use cores {sorted(allowed)}"
        )
    os.sched_setaffinity(0, {cpu})
