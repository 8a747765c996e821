"""Engine throughput in one process: fetch, extract and store a whole run against the site farm.

.venv/bin/python bench/bench_engine.py [--sites 200 --columns 50 --latency-ms 50 --threads 32]

The farm runs in its own process (python -m sitefarm). The registry is loaded with
dashboard.demo.demo_load, one run is created and planned, and audits.services.inspect_run_site is
called for every website from a pool of --threads threads (each call builds its own Fetcher, the
default path; GOVWATCH_CRAWL_PER_HOST_CONCURRENCY=--per-host and a rate high enough that only
the concurrency limit holds), then run_finish_if_complete. Database: a fresh PostgreSQL database
on the DATABASE_URL server, or a temporary SQLite file when DATABASE_URL is unset. The crawl
limiter is Redis when REDIS_URL is set, else the file limiter in a private directory.

The time split wraps project functions in this process only (exclusive thread-seconds: a nested
wrapped call is not counted twice).
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import resource
import sys
import threading
import time
import traceback
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor, as_completed
from concurrent.futures import TimeoutError as FuturesTimeout

from _common import (
    FarmProcess,
    bound_rows,
    django_setup_and_migrate,
    load_registry,
    mib,
    observed_requests,
    open_fds,
    per_host_bound,
    prepare_environment,
    proc_status_kb,
    run_cleanups,
    say,
    table,
)


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--sites", type=int, default=200)
    p.add_argument("--columns", type=int, default=50)
    p.add_argument("--latency-ms", type=int, default=50)
    p.add_argument("--threads", type=int, default=32, help="sites inspected at once")
    p.add_argument("--per-host", type=int, default=2, help="GOVWATCH_CRAWL_PER_HOST_CONCURRENCY")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--today", default="2026-11-23")
    p.add_argument("--faults", action="store_true", help="keep dead/slow/failing sites")
    p.add_argument("--max-items", type=int, default=None, help="cap on items per column")
    p.add_argument("--max-seconds", type=float, default=1800, help="bound on the run")
    p.add_argument("--no-split", action="store_true", help="do not wrap functions for the split")
    return p.parse_args(argv)


# ----- exclusive timers --------------------------------------------------------------------------


class Timers:
    """Exclusive thread-seconds (wall) and thread CPU seconds per category: time in a nested
    timed call goes to the inner one. Wall time includes waiting (network, locks, the GIL);
    CPU time does not, so it shows what each part costs the process."""

    def __init__(self):
        self.lock = threading.Lock()
        self.seconds: dict[str, float] = defaultdict(float)  # wall, GIL waits included
        self.cpu: dict[str, float] = defaultdict(float)  # time.thread_time()
        self.calls: dict[str, int] = defaultdict(int)
        self.local = threading.local()
        self.wire_ms = 0
        self.finish_durations: list[tuple[float, bool]] = []

    @contextlib.contextmanager
    def timed(self, category: str):
        stack = self.local.__dict__.setdefault("stack", [])
        frame = [time.perf_counter(), time.thread_time(), 0.0, 0.0]  # starts, children's
        stack.append(frame)
        try:
            yield
        finally:
            stack.pop()
            elapsed = time.perf_counter() - frame[0]
            cpu = time.thread_time() - frame[1]
            if stack:
                stack[-1][2] += elapsed
                stack[-1][3] += cpu
            with self.lock:
                self.seconds[category] += elapsed - frame[2]
                self.cpu[category] += cpu - frame[3]
                self.calls[category] += 1

    def wrap(self, module, name: str, category: str, after=None) -> None:
        original = getattr(module, name, None)
        if original is None:  # not in this version of the project
            return

        def wrapper(*args, **kwargs):
            with self.timed(category):
                result = original(*args, **kwargs)
            if after is not None:
                after(result)
            return result

        wrapper.__wrapped__ = original
        setattr(module, name, wrapper)


def install_timers(timers: Timers) -> None:
    import audits.crawl.fetch as fetch
    import audits.inspection as inspection
    import audits.services.runs as services

    def count_wire(result) -> None:
        with timers.lock:
            timers.wire_ms += result.elapsed_ms

    timers.wrap(fetch.Fetcher, "fetch", "fetch: request and I/O", after=count_wire)
    timers.wrap(fetch, "decode_html", "fetch: decode bytes")
    original_make_limiter = fetch.make_limiter

    class TimedLimiter:
        def __init__(self, inner):
            self.inner = inner

        @contextlib.contextmanager
        def slot(self, key):
            with contextlib.ExitStack() as stack:
                with timers.timed("fetch: wait for per-host slot"):
                    stack.enter_context(self.inner.slot(key))
                yield

    fetch.make_limiter = lambda config: TimedLimiter(original_make_limiter(config))
    modules = [inspection, services]
    for name in ("audits.extract.meta", "audits.extract.article", "audits.content.io"):
        with contextlib.suppress(ImportError):
            modules.append(importlib.import_module(name))
    # Each name is wrapped wherever it is bound (modules import functions by name); the newer
    # parts of a site inspection are wrapped when this version of the project has them.
    for name, category in (
        ("extract_list", "extract: list pages, home columns"),
        ("extract_list_json", "extract: list pages, home columns"),
        ("propose_columns", "extract: list pages, home columns"),
        ("read_meta_tags", "extract: meta tags"),
        ("extract_article_date", "extract: article dates"),
        ("scan_content", "extract: content scan (words)"),
        ("load_matcher_from_db", "store: load word matcher (DB)"),
    ):
        for module in modules:
            timers.wrap(module, name, category)
    timers.wrap(services, "_upsert", "store: observation bulk write + run counters (DB)")
    for name in ("_store_home", "_column_observation", "_check_articles"):
        timers.wrap(services, name, "store: building evidence, glue")
    for name in ("page_links", "_check_links"):
        timers.wrap(services, name, "links: read and check")
    timers.wrap(services, "_check_search", "search check")
    timers.wrap(services, "findings_for_website", "findings of a site (DB)")
    timers.wrap(services, "_cancelled", "store: cancel check per column (DB)")
    original_finish = services.run_finish_if_complete

    def finish(run_id):
        started = time.perf_counter()
        with timers.timed("finish check / findings + verdicts (DB)"):
            done = original_finish(run_id)
        with timers.lock:
            timers.finish_durations.append((time.perf_counter() - started, done))
        return done

    services.run_finish_if_complete = finish
    timers.wrap(
        services, "inspect_run_site", "site task: DB claims + waiting on its column threads"
    )


# ----- the bench ---------------------------------------------------------------------------------


def main(argv=None) -> int:
    args = parse_args(argv)
    say(f"starting the farm: {args.sites} sites x {args.columns} columns, {args.latency_ms} ms")
    farm = FarmProcess(
        sites=args.sites,
        columns=args.columns,
        seed=args.seed,
        latency_ms=args.latency_ms,
        today=args.today,
        faults=args.faults,
        max_items=args.max_items,
    )
    say(f"{farm.banner} (ready after {farm.startup_s:.1f} s)")
    env = prepare_environment(
        "engine",
        {
            "GOVWATCH_CRAWL_ALLOW_HOSTS": farm.allow_hosts(),
            "GOVWATCH_CRAWL_PER_HOST_CONCURRENCY": str(args.per_host),
            "GOVWATCH_CRAWL_PER_HOST_RATE": "100000",
        },
    )
    say(f"database: {env['database']}")
    migrate_s = django_setup_and_migrate()

    import datetime as dt

    from django.db import close_old_connections

    from audits.crawl.config import CrawlConfig
    from audits.models import Observation
    from audits.services.runs import run_cancel, run_create, run_plan

    say(f"migrate {migrate_s:.1f} s")
    load_s = load_registry(farm, say)
    limiter = CrawlConfig.from_settings().limiter_backend

    timers = Timers()
    if not args.no_split:
        install_timers(timers)
    import audits.services.runs as services  # after install_timers: the wrapped names

    run = run_create(trigger="command", monitoring_point=dt.date.fromisoformat(args.today))
    site_ids = run_plan(run.pk)
    rss_before = proc_status_kb(_self_pid(), "VmRSS")
    peak = {"fds": open_fds(), "rss": rss_before}
    stop_sampling = threading.Event()

    def sample() -> None:
        while not stop_sampling.wait(0.5):
            peak["fds"] = max(peak["fds"], open_fds())
            peak["rss"] = max(peak["rss"], proc_status_kb(_self_pid(), "VmRSS"))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()

    def one_site(website_id: int) -> None:
        try:
            services.inspect_run_site(run.pk, website_id)
        finally:
            close_old_connections()

    cpu0 = _cpu()
    farm_cpu0 = farm.cpu_seconds()
    errors: list[str] = []
    tracebacks: list[str] = []
    timed_out = False
    started = time.monotonic()
    pool = ThreadPoolExecutor(max_workers=args.threads, thread_name_prefix="inspect")
    try:
        futures = {pool.submit(one_site, wid): wid for wid in site_ids}
        try:
            for done, future in enumerate(as_completed(futures, timeout=args.max_seconds), 1):
                exc = future.exception()
                if exc is not None:
                    errors.append(f"website {futures[future]}: {exc!r}")
                    if len(tracebacks) < 1:
                        tracebacks.append("".join(traceback.format_exception(exc)))
                if done % 25 == 0:
                    say(f"  {done}/{len(site_ids)} sites, {time.monotonic() - started:.0f} s")
        except FuturesTimeout:
            timed_out = True
            say(f"time bound of {args.max_seconds:.0f} s reached: cancelling the run")
            run_cancel(run.pk)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    services.run_finish_if_complete(run.pk)
    wall = time.monotonic() - started
    cpu = _cpu() - cpu0
    farm_cpu = farm.cpu_seconds() - farm_cpu0
    stop_sampling.set()
    sampler.join(2)
    maxrss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

    run.refresh_from_db()
    pages = run.pages_done
    observed = observed_requests(run.pk)
    bound = per_host_bound(farm.truth, args.latency_ms, args.per_host, observed)
    accuracy = check_accuracy(farm, run, Observation)
    farm.stop()

    print(
        f"\n## Engine throughput: {args.sites} sites x {args.columns} columns, "
        f"{args.latency_ms} ms latency, per-host limit {args.per_host}, {args.threads} threads, "
        f"faults {'on' if args.faults else 'off'}\n"
    )
    rate = pages / wall if wall else 0
    rows = [
        ("run status", run.status + (" (TIME BOUND REACHED)" if timed_out else "")),
        ("database / crawl limiter", f"{env['database'].split()[0]} / {limiter}"),
        ("websites done / total", f"{run.sites_done} / {run.sites_total}"),
        ("pages done / planned", f"{pages} / {run.pages_total}"),
        ("page errors", run.errors),
        ("task exceptions", len(errors)),
        ("wall seconds", f"{wall:.1f}"),
        ("pages per second", f"{rate:.1f}"),
        ("peak RSS (ru_maxrss, whole process)", mib(maxrss_kb)),
        ("RSS before the run / peak during it", f"{mib(rss_before)} / {mib(peak['rss'])}"),
        ("peak open file descriptors", peak["fds"]),
        ("CPU seconds (this process) / share of 2 cores",
         f"{cpu:.1f} / {100 * cpu / wall / 2:.0f}%"),
        ("farm process CPU seconds", f"{farm_cpu:.1f}"),
        ("requests per second (as made by the run)", f"{bound['observed'] / wall:.1f}"),
        *bound_rows(bound, wall, pages),
        ("bound from threads (2 requests in flight per site task)",
         f"{bound['observed'] / (2 * args.threads) * args.latency_ms / 1000:.2f} s"),
        ("dated columns with the exact newest date", accuracy),
        ("setup: farm start / migrate / demo_load, s",
         f"{farm.startup_s:.1f} / {migrate_s:.1f} / {load_s:.1f}"),
    ]  # fmt: skip
    print(table(("metric", "value"), rows))
    if errors:
        print("\nFirst task exceptions:\n")
        for line in errors[:5]:
            print("-", line[:300])
        print("\nThe first one's traceback (last 3000 characters):\n")
        print("```\n" + tracebacks[0][-3000:] + "```")
    if not args.no_split:
        print_split(timers, wall, cpu, pages, args.threads)
    return 0


def print_split(timers: Timers, wall: float, cpu: float, pages: int, threads: int) -> None:
    total_cpu = sum(timers.cpu.values())
    print(
        f"\n### Where the time goes (exclusive per category; {threads} site threads + 2 column "
        f"threads each; wall {wall:.1f} s, process CPU {cpu:.1f} s)\n"
    )
    rows = []
    for category, seconds in sorted(timers.cpu.items(), key=lambda kv: -kv[1]):
        rows.append((
            category, timers.calls[category], f"{timers.seconds[category]:.1f}",
            f"{seconds:.1f}", f"{1000 * seconds / pages:.1f}" if pages else "",
            f"{100 * seconds / total_cpu:.0f}%" if total_cpu else "",
        ))  # fmt: skip
    print(
        table(
            (
                "category",
                "calls",
                "thread-s (wall, incl. waits)",
                "CPU s",
                "CPU ms per page",
                "CPU share",
            ),
            rows,
        )  # fmt: skip
    )
    fetch_s = timers.seconds.get("fetch: request and I/O", 0.0)
    print(
        f"\nCPU outside the wrapped functions (Django/ORM glue, threads, sampler): "
        f"{cpu - total_cpu:.1f} s. Time on the wire (FetchResult.elapsed_ms, summed): "
        f"{timers.wire_ms / 1000:.1f} s of the {fetch_s:.1f} thread-s in request and I/O."
    )
    last = [d for d, done in timers.finish_durations if done]
    if last:
        print(f"The finishing run_finish_if_complete (findings + verdicts): {last[0]:.1f} s.")


def check_accuracy(farm: FarmProcess, run, Observation) -> str:
    truth = {}
    for site in farm.truth["sites"]:
        for column in site["columns"]:
            truth[farm.url(site["host"], column["path"])] = column
    dated = correct = 0
    for url, newest in Observation.objects.filter(run=run, kind="column").values_list(
        "url", "newest_date"
    ):
        column = truth.get(url)
        if column and column["status"] == "dated":
            dated += 1
            correct += newest is not None and newest.isoformat() == column["newest"]
    return f"{correct} / {dated}" + (f" ({100 * correct / dated:.2f}%)" if dated else "")


def _self_pid() -> int:
    import os

    return os.getpid()


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


if __name__ == "__main__":
    try:
        sys.exit(main())
    finally:
        run_cleanups()
