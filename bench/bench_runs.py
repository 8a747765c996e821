"""A whole inspection run through Celery: real workers, Redis, PostgreSQL, the site farm.

.venv/bin/python bench/bench_runs.py [--sites 500 --columns 60 --latency-ms 50 --workers 1,3]

The farm runs in its own process (python -m sitefarm). The registry is loaded with
dashboard.demo.demo_load into a fresh PostgreSQL database; for each configuration N real
`celery -A config worker` processes are started on a private queue (GOVWATCH_QUEUE), a run is
queued with audits.tasks.start_run inside transaction.atomic, and the database is polled until
the run is done. Needs DATABASE_URL and REDIS_URL; when they are unset, a private PostgreSQL and
Redis are started with scripts/services.sh on their own ports and stopped at the end.

Worker memory: the sum of VmHWM (/proc/<pid>/status) over the worker process and its children,
sampled during the run and read before the worker exits.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from _common import (
    ROOT,
    FarmProcess,
    core_for,
    django_setup_and_migrate,
    ensure_services,
    load_registry,
    mib,
    observed_requests,
    on_exit,
    per_host_bound,
    prepare_environment,
    proc_cpu_seconds,
    proc_status_kb,
    process_tree,
    run_cleanups,
    say,
    stop_process_group,
    table,
)


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--sites", type=int, default=500)
    p.add_argument("--columns", type=int, default=60)
    p.add_argument("--latency-ms", type=int, default=50)
    p.add_argument(
        "--workers", default="1,3", help="worker process counts to compare, e.g. 1,3 or 2"
    )
    p.add_argument("--pool", default="threads", choices=("threads", "prefork", "solo"))
    p.add_argument("--concurrency", type=int, default=16, help="per worker process")
    p.add_argument(
        "--prefork",
        action="store_true",
        help="also run each worker count with --pool prefork --concurrency --prefork-concurrency",
    )
    p.add_argument("--prefork-concurrency", type=int, default=2)
    p.add_argument(
        "--pinned",
        action="store_true",
        help="also run each worker count with worker i pinned to core i mod cores "
        "(GOVWATCH_WORKER_CPU, as scripts/workers.sh does)",
    )
    p.add_argument("--per-host", type=int, default=2, help="GOVWATCH_CRAWL_PER_HOST_CONCURRENCY")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--today", default="2026-11-23")
    p.add_argument("--faults", action="store_true", help="keep dead/slow/failing sites")
    p.add_argument("--max-items", type=int, default=None, help="cap on items per column")
    p.add_argument("--max-seconds", type=float, default=3600, help="bound on each run")
    p.add_argument("--ready-timeout", type=float, default=120, help="bound on worker start-up")
    p.add_argument(
        "--stall-seconds",
        type=float,
        default=120,
        help="give up when every site is done or failed but the run has not finished this long",
    )
    return p.parse_args(argv)


@dataclass
class Config:
    processes: int
    pool: str
    concurrency: int
    pinned: bool = False  # worker i gets GOVWATCH_WORKER_CPU = i mod cores (scripts/workers.sh)

    @property
    def label(self) -> str:
        pin = ", pinned" if self.pinned else ""
        return f"{self.processes} x {self.pool} {self.concurrency}{pin}"


@dataclass
class Worker:
    proc: subprocess.Popen
    log: Path
    hwm_kb: dict[int, int] = field(default_factory=dict)  # pid -> highest VmHWM seen
    cpu_s: dict[int, float] = field(default_factory=dict)  # pid -> last CPU seconds seen

    def sample(self) -> None:
        for pid in process_tree(self.proc.pid):
            hwm = proc_status_kb(pid, "VmHWM")
            if hwm:
                self.hwm_kb[pid] = max(self.hwm_kb.get(pid, 0), hwm)
                self.cpu_s[pid] = max(self.cpu_s.get(pid, 0.0), proc_cpu_seconds(pid))

    @property
    def peak_kb(self) -> int:
        return sum(self.hwm_kb.values())

    @property
    def cpu(self) -> float:
        return sum(self.cpu_s.values())

    def ready(self) -> bool:
        try:
            return " ready." in self.log.read_text("utf-8", "replace")
        except OSError:
            return False


def start_workers(config: Config, queue: str, env: dict, log_dir: Path) -> list[Worker]:
    celery = Path(sys.executable).with_name("celery")
    workers = []
    for i in range(config.processes):
        log = log_dir / f"{queue}-{i}.log"
        own_env = {**env, "GOVWATCH_WORKER_CPU": str(core_for(i))} if config.pinned else env
        cmd = [
            str(celery), "-A", "config", "worker", "-Q", queue, "-n", f"{queue}-{i}@%h",
            "--pool", config.pool, "--concurrency", str(config.concurrency),
            "--prefetch-multiplier", "1", "--without-mingle", "--without-gossip",
            "--without-heartbeat", "--loglevel", "INFO",
        ]  # fmt: skip
        proc = subprocess.Popen(
            cmd,
            cwd=ROOT,
            env=own_env,
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        worker = Worker(proc, log)
        on_exit(lambda w=worker: stop_process_group(w.proc, grace=30))
        workers.append(worker)
    return workers


def main(argv=None) -> int:
    args = parse_args(argv)
    services = ensure_services()
    say(f"services: {services['services']}")
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
    crawl_env = {
        "GOVWATCH_CRAWL_ALLOW_HOSTS": farm.allow_hosts(),
        "GOVWATCH_CRAWL_PER_HOST_CONCURRENCY": str(args.per_host),
        "GOVWATCH_CRAWL_PER_HOST_RATE": "100000",
    }
    db = prepare_environment("runs", crawl_env)
    say(f"database: {db['database']}")
    migrate_s = django_setup_and_migrate()

    import redis
    from django.db import connection, transaction

    from audits.models import Finding, InspectionRun, Observation, RunSite, Verdict
    from audits.services.runs import run_cancel, run_create
    from audits.tasks import start_run
    from config.celery import app

    say(f"migrate {migrate_s:.1f} s")
    load_s = load_registry(farm, say)
    redis_client = redis.Redis.from_url(os.environ["REDIS_URL"])
    truth = {
        farm.url(site["host"], column["path"]): column["newest"]
        for site in farm.truth["sites"]
        for column in site["columns"]
        if column["status"] == "dated"
    }

    configs = [Config(int(n), args.pool, args.concurrency) for n in args.workers.split(",")]
    if args.pinned:
        configs += [Config(c.processes, c.pool, c.concurrency, True) for c in configs]
    if args.prefork:
        configs += [
            Config(c.processes, "prefork", args.prefork_concurrency)
            for c in configs
            if not c.pinned
        ]
    log_dir = Path(tempfile.mkdtemp(prefix="bench-runs-logs-"))
    results = []
    for config in configs:
        # The same starting point for every configuration.
        Finding.objects.all().delete()
        Verdict.objects.all().delete()
        InspectionRun.objects.all().delete()
        queue = f"bench-{uuid.uuid4().hex[:8]}"
        env = {**os.environ, "GOVWATCH_QUEUE": queue, "LOG_LEVEL": "WARNING"}
        say(f"[{config.label}] starting workers on queue {queue}")
        workers = start_workers(config, queue, env, log_dir)
        deadline = time.monotonic() + args.ready_timeout
        while not all(w.ready() for w in workers):
            dead = [w for w in workers if w.proc.poll() is not None]
            if dead or time.monotonic() > deadline:
                tail = (dead or workers)[0].log.read_text("utf-8", "replace")[-3000:]
                raise RuntimeError(f"a worker did not start ({config.label}):\n{tail}")
            time.sleep(0.2)
        for w in workers:
            w.sample()
        app.conf.task_default_queue = queue
        farm_cpu0 = farm.cpu_seconds()
        peak_redis = peak_pg = 0
        started = time.monotonic()
        with transaction.atomic():
            run = run_create(trigger="command", monitoring_point=dt.date.fromisoformat(args.today))
            start_run(run)
        timed_out = died = stalled = False
        last_note = started
        all_sites_done_at = None
        while True:
            status = InspectionRun.objects.filter(pk=run.pk).values_list("status", flat=True)[0]
            if status in (InspectionRun.Status.DONE, InspectionRun.Status.CANCELLED):
                break
            for w in workers:
                w.sample()
            peak_redis = max(peak_redis, int(redis_client.info("clients")["connected_clients"]))
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                )
                peak_pg = max(peak_pg, cursor.fetchone()[0])
            if any(w.proc.poll() is not None for w in workers):
                died = True
                say(f"[{config.label}] a worker exited during the run")
                break
            now = time.monotonic()
            if now - started > args.max_seconds:
                timed_out = True
                say(f"[{config.label}] time bound of {args.max_seconds:.0f} s: cancelling")
                run_cancel(run.pk)
                break
            open_sites = RunSite.objects.filter(
                run_id=run.pk, status__in=(RunSite.Status.PENDING, RunSite.Status.RUNNING)
            ).exists()
            if status == InspectionRun.Status.RUNNING and not open_sites:
                all_sites_done_at = all_sites_done_at or now
                if now - all_sites_done_at > args.stall_seconds:
                    stalled = True
                    say(f"[{config.label}] every site is done but the run never finished")
                    break
            else:
                all_sites_done_at = None
            if now - last_note > 30:
                r = InspectionRun.objects.get(pk=run.pk)
                say(f"  {r.pages_done}/{r.pages_total} pages, {now - started:.0f} s")
                last_note = now
            time.sleep(0.25)
        wall = time.monotonic() - started
        farm_cpu = farm.cpu_seconds() - farm_cpu0
        for w in workers:
            w.sample()  # before the worker exits
        for w in workers:
            stop_process_group(w.proc, grace=30)
        run.refresh_from_db()
        observed = Observation.objects.filter(run=run, kind="column").values_list(
            "url", "newest_date"
        )
        dated = correct = 0
        for url, newest in observed:
            if url in truth:
                dated += 1
                correct += newest is not None and newest.isoformat() == truth[url]
        worker_cpu = sum(w.cpu for w in workers)
        bound = per_host_bound(
            farm.truth, args.latency_ms, args.per_host, observed_requests(run.pk)
        )
        note = (
            " (TIME BOUND)" if timed_out
            else " (WORKER DIED)" if died
            else " (STALLED: all sites done, run not finished)" if stalled
            else ""
        )  # fmt: skip
        results.append({
            "config": config.label,
            "status": run.status + note,
            "sites": f"{run.sites_done}/{run.sites_total}",
            "pages": run.pages_done,
            "errors": run.errors,
            "wall": wall,
            "db_span": (run.finished_at - run.started_at).total_seconds()
            if run.finished_at and run.started_at
            else None,
            "rate": run.pages_done / wall if wall else 0.0,
            "requests": bound["observed"],
            "bound": bound,
            "peaks": [w.peak_kb for w in workers],
            "worker_cpu": worker_cpu,
            "farm_cpu": farm_cpu,
            "redis": peak_redis,
            "pg": peak_pg,
            "accuracy": f"{100 * correct / dated:.2f}%" if dated else "n/a",
        })  # fmt: skip
        say(f"[{config.label}] {run.status}: {run.pages_done} pages in {wall:.1f} s")

    print_report(args, results, farm, migrate_s, load_s, services, log_dir)
    farm.stop()
    return 0


def print_report(args, results, farm, migrate_s, load_s, services, log_dir) -> None:
    print(
        f"\n## Celery runs: {args.sites} sites x {args.columns} columns, {args.latency_ms} ms "
        f"latency, per-host limit {args.per_host}, faults {'on' if args.faults else 'off'}\n"
    )
    if results:
        b = results[0]["bound"]
        print(
            f"Farm: {b['pages']} pages ({b['requests']} with JSON follow-ups) on {b['hosts']} "
            f"live hosts; busiest host {b['worst_host']} ({b['worst_host_sites']} sites, "
            f"{b['worst_host_pages']} pages). Lower bound by the issue's formula (pages only): "
            f"{b['bound_pages_s']:.2f} s. The bound per run below counts the requests the run "
            "made (observations: home, columns, articles, links, searches; + JSON follow-ups).\n"
        )
    rows = []
    for r in results:
        b = r["bound"]["bound_s"]
        rows.append((
            r["config"], r["status"], r["sites"], r["pages"], r["requests"], r["errors"],
            f"{r['wall']:.1f}", f"{r['db_span']:.1f}" if r["db_span"] is not None else "",
            f"{r['rate']:.1f}", f"{r['requests'] / r['wall']:.1f}", f"{b:.2f}",
            f"{r['wall'] / b:.1f}x" if b else "n/a",
            ", ".join(mib(kb) for kb in r["peaks"]),
            f"{r['worker_cpu']:.0f} ({100 * r['worker_cpu'] / r['wall'] / 2:.0f}%)",
            f"{r['farm_cpu']:.1f}", r["redis"], r["pg"], r["accuracy"],
        ))  # fmt: skip
    print(
        table(
            (
                "workers x pool conc.",
                "status",
                "sites",
                "pages",
                "requests",
                "page errors",
                "wall s",
                "started->finished s",
                "pages/s",
                "requests/s",
                "lower bound s",
                "wall / bound",
                "peak memory per worker",
                "worker CPU s (of 2 cores)",
                "farm CPU s",
                "peak Redis clients",
                "peak PG conns",
                "exact dated",
            ),
            rows,
        )  # fmt: skip
    )
    print(
        f"\nSetup: services {services['services']}; farm start {farm.startup_s:.1f} s, "
        f"migrate {migrate_s:.1f} s, demo_load {load_s:.1f} s. Worker logs: {log_dir}"
    )


if __name__ == "__main__":
    try:
        sys.exit(main())
    finally:
        run_cleanups()
