"""The one Celery app. Broker: Redis when REDIS_URL is set, else kombu's filesystem transport."""

import gc
import os

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("govwatch")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


# The cores a pinned worker had before pinning: what the Chromium it starts may use
# (audits.crawl.browser.unpinned), inherited by the worker's children.
CPUS_BEFORE_PIN = "GOVWATCH_CPUS_BEFORE_PIN"


@signals.worker_init.connect
def pin_worker(sender=None, **kwargs) -> None:
    """GOVWATCH_WORKER_CPU=N pins this worker to core N, before its pool's threads start (they
    inherit it). With the GIL a process runs on one core at a time anyway; pinned, its threads
    hand the GIL over on one core's caches instead of across cores, which costs a CPU-bound
    thread about half its speed here (bench/bench_throughput.py --pin). Run one thread-pool
    worker per core (scripts/workers.sh). Chromium is not pinned (audits.crawl.browser).

    A wrong setting stops the worker (SystemExit: Celery logs and ignores a handler's
    exceptions, which would leave it running unpinned)."""
    from django.conf import settings

    cpu = settings.GOVWATCH_WORKER_CPU
    if cpu is None:
        return
    pool = getattr(sender, "pool_cls", "") or ""
    name = pool if isinstance(pool, str) else f"{pool.__module__}.{pool.__qualname__}"
    if not any(word in name.lower() for word in ("thread", "solo")):
        raise SystemExit(
            f"GOVWATCH_WORKER_CPU={cpu}: pinning is for a single-process worker "
            f"(--pool threads), not --pool {name or 'prefork'}, whose every child would share "
            "the one core"
        )
    allowed = os.sched_getaffinity(0)
    if cpu not in allowed:
        raise SystemExit(
            f"GOVWATCH_WORKER_CPU={cpu}: this machine lets the worker use cores {sorted(allowed)}"
        )
    os.environ[CPUS_BEFORE_PIN] = ",".join(str(c) for c in sorted(allowed))
    os.sched_setaffinity(0, {cpu})


@signals.worker_init.connect
def tune_gc(sender=None, **kwargs) -> None:
    """Python collects its youngest generation every 700 net allocations; a worker making model
    instances, lxml proxies and evidence dicts for every page ran it thousands of times a run,
    each pass also walking the objects of everything imported. Here the imported objects are
    frozen (never walked again, nor copied by a prefork child) and the youngest generation is
    collected every GOVWATCH_WORKER_GC_THRESHOLD allocations (50,000): about a tenth less CPU a
    page in bench/bench_throughput.py (issue 12). Cycles are still collected, later."""
    from django.conf import settings

    worker_gc(settings.GOVWATCH_WORKER_GC_THRESHOLD)


def worker_gc(threshold: int) -> None:
    """What a worker process does to its garbage collector at start (0: leave Python's)."""
    if not threshold:
        return
    gc.collect()
    gc.freeze()
    _, second, third = gc.get_threshold()
    gc.set_threshold(threshold, second, third)
