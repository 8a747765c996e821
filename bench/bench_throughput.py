"""The run path against Scrapy on the same farm, the same politeness and the same 2 cores, and
the province projection.

.venv/bin/python bench/bench_throughput.py [--sites 100 --columns 30 --latency-ms 50
    --processes 2 --threads 16 --per-host 2 --pairs plain,render --pin --rounds 1]

One farm (python -m sitefarm in its own process), one fresh PostgreSQL database (DATABASE_URL; a
private one is started when unset) with the registry, and two pairs doing the same work:

- plain: Scrapy (bench/_scrapy_spider.py in its own process: home pages, their column links,
  the newest date with lxml, CONCURRENT_REQUESTS_PER_DOMAIN = --per-host) against the run path
  with rendering off;
- render: the same spider rendering the JS-only columns with scrapy-playwright against the run
  path rendering them (skipped without Chromium).

The run path: a planned run and --processes worker processes (forked after setup, process N
pinned to core N with --pin, each with --threads threads) calling
audits.services.inspect_run_site for the sites they take from a shared queue: fetch, extract
(with the confirmations and renderings the run makes), content scan, bulk store, findings;
per-host limit --per-host through the Redis limiter shared by the processes. Scrapy and
scrapy-playwright need installing into .venv by hand (bench only).

Prints pages/s and CPU ms per page (own, and the machine's less the farm's) for each engine and
the ratio within each pair; where the machine's CPU went in each phase (/proc: the engine's
processes, the farm, the rest: PostgreSQL, Redis, Chromium); when the last site was done; the
database writes per page (pg_stat_database); and the projection for a province
(--province-sites x --province-columns pages a day) from the last pair.
"""

from __future__ import annotations

import argparse
import json
import math
import multiprocessing
import os
import resource
import subprocess
import sys
import threading
import time

from _common import (
    ROOT,
    FarmProcess,
    core_for,
    django_setup_and_migrate,
    ensure_services,
    load_registry,
    machine_busy,
    machine_steal,
    prepare_environment,
    proc_cpu_seconds,
    run_cleanups,
    say,
    table,
)


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--sites", type=int, default=100)
    p.add_argument("--columns", type=int, default=30)
    p.add_argument("--latency-ms", type=int, default=50)
    p.add_argument("--processes", type=int, default=2, help="worker processes of the run path")
    p.add_argument("--threads", type=int, default=16, help="sites at once per process")
    p.add_argument("--per-host", type=int, default=2)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--today", default="2026-11-23")
    p.add_argument("--max-seconds", type=float, default=1200)
    p.add_argument("--no-scrapy", action="store_true")
    p.add_argument(
        "--rounds",
        type=int,
        default=1,
        help="Scrapy and the run path in turn this many times per pair; the tables show the "
        "round with the median ratio (this machine's speed drifts between runs)",
    )
    p.add_argument(
        "--pairs",
        default="plain,render",
        help="plain: Scrapy against the run path with rendering off; render: Scrapy with "
        "scrapy-playwright for the JS-only columns against the run path rendering them",
    )
    p.add_argument(
        "--pin",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="pin worker process N to core N mod cores",
    )
    p.add_argument("--province-sites", type=int, default=15000)
    p.add_argument("--province-columns", type=int, default=100)
    p.add_argument("--window-hours", type=float, default=4.0, help="nightly run window")
    p.add_argument("--target-load", type=float, default=0.7, help="CPU share to plan for")
    return p.parse_args(argv)


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


_TICK = os.sysconf("SC_CLK_TCK")


def cpu_by_command() -> dict[int, tuple[str, float]]:
    """pid -> (command name, own CPU seconds) of every process now running."""
    out = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                head, rest = f.read().rsplit(")", 1)
        except OSError:
            continue  # gone meanwhile
        fields = rest.split()
        out[int(entry)] = (head.split("(", 1)[1], (int(fields[11]) + int(fields[12])) / _TICK)
    return out


def _family(name: str) -> str:
    for word in ("chrom", "postgres", "redis", "python", "node"):
        if word in name.lower():
            return {"chrom": "Chromium", "node": "Playwright (node)"}.get(word, word)
    return "system and other"


class Usage:
    """The farm's CPU and the whole machine's busy CPU over one phase of the bench: what the
    2 cores did besides the engine measured (the farm, PostgreSQL, Redis, Chromium)."""

    def __init__(self, farm: FarmProcess) -> None:
        self.farm = farm
        self.farm0, self.busy0 = proc_cpu_seconds(farm.proc.pid), machine_busy()
        self.steal0 = machine_steal()
        self.procs0 = cpu_by_command()

    def done(self, result: dict) -> dict:
        result["farm_cpu"] = proc_cpu_seconds(self.farm.proc.pid) - self.farm0
        result["machine_cpu"] = machine_busy() - self.busy0
        result["steal"] = machine_steal() - self.steal0
        # Processes alive at the end, by family (those that exited meanwhile are not seen).
        by_family: dict[str, float] = {}
        skip = {os.getpid(), self.farm.proc.pid}
        for pid, (name, cpu) in cpu_by_command().items():
            if pid in skip:
                continue
            before = self.procs0.get(pid)
            used = cpu - (before[1] if before and before[0] == name else 0.0)
            if used > 0.05:
                by_family[_family(name)] = by_family.get(_family(name), 0.0) + used
        result["others"] = by_family
        return result


def run_scrapy(farm: FarmProcess, args, chromium: str | None = None) -> dict:
    out = farm.dir / "scrapy.json"
    cpu0 = children_cpu()
    started = time.monotonic()
    proc = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "_scrapy_spider.py"), str(farm.truth_path),
         args.today, str(out), "--per-host", str(args.per_host),
         *(["--render", chromium] if chromium else [])],
        cwd=ROOT, capture_output=True, text=True, timeout=args.max_seconds,
    )  # fmt: skip
    wall = time.monotonic() - started
    if proc.returncode != 0:
        raise RuntimeError("the Scrapy spider failed:\n" + proc.stderr[-3000:])
    result = json.loads(out.read_text("utf-8"))
    result["process_cpu"] = children_cpu() - cpu0  # the whole process, start-up included
    result["process_wall"] = wall
    return result


def _worker(queue, run_id: int, threads: int, cpu: int | None, render: bool) -> None:
    """A forked worker process: its own DB connections, Fetcher and renderer."""
    from django.conf import settings
    from django.db import close_old_connections, connections

    settings.GOVWATCH_RENDER_JS = render

    from config.celery import worker_gc

    if cpu is not None:
        os.sched_setaffinity(0, {cpu})
    worker_gc(settings.GOVWATCH_WORKER_GC_THRESHOLD)  # as a Celery worker does at start

    connections.close_all()  # the parent's connections are not ours
    from audits.services import runs

    def loop() -> None:
        while True:
            website_id = queue.get()
            if website_id is None:
                return
            try:
                runs.inspect_run_site(run_id, website_id)
            except Exception as exc:  # noqa: BLE001 - counted by the parent
                print(f"website {website_id}: {exc!r}", file=sys.stderr)
            finally:
                close_old_connections()

    pool = [threading.Thread(target=loop) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    connections.close_all()
    os._exit(0)


def pg_stats() -> dict:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT xact_commit, tup_inserted, tup_updated, tup_deleted, blks_hit + blks_read "
            "FROM pg_stat_database WHERE datname = current_database()"
        )
        commit, ins, upd, dele, blocks = cursor.fetchone()
    return {"commits": commit, "inserted": ins, "updated": upd, "deleted": dele, "blocks": blocks}


def run_engine(farm: FarmProcess, args, render: bool) -> dict:
    import datetime as dt

    from django.db import connections
    from django.db.models import Max
    from django.utils import timezone

    from audits.models import InspectionRun, Observation
    from audits.services.runs import run_cancel, run_create, run_finish_if_complete, run_plan

    run = run_create(trigger="command", monitoring_point=dt.date.fromisoformat(args.today))
    ids = run_plan(run.pk)
    stats0 = pg_stats()
    connections.close_all()
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    for website_id in ids:
        queue.put(website_id)
    for _ in range(args.processes * args.threads):
        queue.put(None)
    cpu0 = children_cpu()
    started = time.monotonic()
    wall_started = timezone.now()
    procs = [
        ctx.Process(
            target=_worker,
            args=(queue, run.pk, args.threads, core_for(n) if args.pin else None, render),
        )
        for n in range(args.processes)
    ]
    for p in procs:
        p.start()
    deadline = started + args.max_seconds
    for p in procs:
        p.join(max(1.0, deadline - time.monotonic()))
    timed_out = any(p.is_alive() for p in procs)
    if timed_out:
        run_cancel(run.pk)
        for p in procs:
            p.terminate()
            p.join(30)
    wall = time.monotonic() - started
    ended = timezone.now()
    cpu = children_cpu() - cpu0
    run_finish_if_complete(run.pk)
    # The finish (verdicts, accounts) runs after the last site, on one thread.
    last_site = run.sites.aggregate(last=Max("finished_at"))["last"] or ended
    sites_wall = (last_site - wall_started).total_seconds()
    stats1 = pg_stats()
    run.refresh_from_db()
    observations = Observation.objects.filter(run=run)
    requests = observations.count() + observations.exclude(evidence__followed_json=None).count()
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT AVG(length(evidence::text)) FROM audits_observation WHERE run_id = %s",
            [run.pk],
        )
        avg_evidence = float(cursor.fetchone()[0] or 0)
    confirmations = sum(
        len(e or ()) for e in observations.values_list("evidence__confirmed_by", flat=True)
    )
    rendered = observations.exclude(evidence__rendered=None).count()
    return {
        "status": run.status + (" (TIME BOUND)" if timed_out else ""),
        "pages": run.pages_done,
        "observations": observations.count(),
        "requests": requests + confirmations,
        "rendered": rendered,
        "wall": wall,
        "cpu": cpu,
        "db": {k: stats1[k] - stats0[k] for k in stats0},
        "avg_evidence_chars": avg_evidence or 0,
        "done": run.status == InspectionRun.Status.DONE,
        "sites_wall": sites_wall,
    }


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
    )
    say(f"{farm.banner} (ready after {farm.startup_s:.1f} s)")
    prepare_environment(
        "throughput",
        {
            "GOVWATCH_CRAWL_ALLOW_HOSTS": farm.allow_hosts(),
            "GOVWATCH_CRAWL_PER_HOST_CONCURRENCY": str(args.per_host),
            "GOVWATCH_CRAWL_PER_HOST_RATE": "100000",
        },
    )
    from audits.crawl.config import chromium_path

    chromium = chromium_path()
    pairs = [p for p in args.pairs.split(",") if p in ("plain", "render")]
    if "render" in pairs and chromium is None:
        say("no Chromium: the render pair is skipped")
        pairs.remove("render")
    django_setup_and_migrate()
    load_registry(farm, say)
    results = []  # (pair, scrapy result or None, run path result): the median round's
    rounds = []  # (pair, round, Scrapy pages/s, run path pages/s, steal s of each)
    for pair in pairs:
        render = pair == "render"
        played = []
        for n in range(1, max(1, args.rounds) + 1):
            scrapy = None
            if not args.no_scrapy:
                say(f"Scrapy baseline ({pair}, round {n}) …")
                usage = Usage(farm)
                scrapy = usage.done(run_scrapy(farm, args, chromium if render else None))
                say(f"  Scrapy: {scrapy['pages']} pages in {scrapy['wall']:.1f} s")
            say(f"run path ({pair}, round {n}): {args.processes} processes x {args.threads} …")
            usage = Usage(farm)
            engine = usage.done(run_engine(farm, args, render))
            say(f"  run path: {engine['pages']} pages in {engine['wall']:.1f} s")
            played.append((scrapy, engine))
            rounds.append((pair, n, scrapy, engine))
        # The round whose ratio is the median (or whose run path rate is, without Scrapy).
        played.sort(key=lambda se: _rate(se[1]) / (_rate(se[0]) if se[0] else 1.0))
        results.append((pair, *played[(len(played) - 1) // 2]))
    farm.stop()
    report(args, results)
    if len(rounds) > len(results):
        report_rounds(rounds)
    return 0


def _rate(result: dict) -> float:
    return result["pages"] / result["wall"]


def _machine_ms(result: dict) -> float:
    """The machine's CPU per page less the farm's."""
    return 1000 * (result["machine_cpu"] - result["farm_cpu"]) / max(result["pages"], 1)


def report_rounds(rounds) -> None:
    rows = []
    for pair, n, scrapy, engine in rounds:
        ratio = _rate(engine) / _rate(scrapy) if scrapy else None
        cpu = _machine_ms(engine) / _machine_ms(scrapy) if scrapy else None
        rows.append((
            pair, n, f"{_rate(scrapy):.1f}" if scrapy else "", f"{_rate(engine):.1f}",
            f"{ratio:.2f}" if ratio else "", f"{cpu:.2f}" if cpu else "",
            f"{scrapy['steal']:.1f}" if scrapy else "", f"{engine['steal']:.1f}",
        ))  # fmt: skip
    print(
        "\nEvery round (each pair's tables above show its median round). CPU per page: the run "
        "path's machine CPU per page over Scrapy's in the same round (less the farm), which the "
        "machine's drift moves less than pages/s. Steal: CPU seconds "
        "the hypervisor gave other guests while this one wanted to run (/proc/stat), a sign of "
        "a noisy neighbour:\n"
    )
    print(
        table(
            (
                "pair",
                "round",
                "Scrapy pages/s",
                "run path pages/s",
                "ratio",
                "CPU per page vs Scrapy",
                "Scrapy steal s",
                "run path steal s",
            ),
            rows,
        )  # fmt: skip
    )


_WORK = {
    "plain": ("fetch + lxml date", "rendering off: JS-only columns left to people"),
    "render": (
        "fetch + lxml date, JS-only columns rendered with scrapy-playwright",
        "JS-only columns rendered",
    ),
}


def report(args, results) -> None:
    print(
        f"\n## Throughput: {args.sites} sites x {args.columns} columns, {args.latency_ms} ms "
        f"latency, {args.per_host} requests per host, {os.cpu_count()} cores\n"
    )
    print(
        "Each pair does the same work: Scrapy and the run path without rendering, then both "
        "rendering the JS-only columns. CPU is each engine's own processes; the machine table "
        "below adds the farm, Chromium, PostgreSQL and Redis.\n"
    )
    rows = []
    for pair, scrapy, engine in results:
        e_rate = engine["pages"] / engine["wall"]
        scrapy_work, engine_work = _WORK[pair]
        machine = {}
        for name, r in (("scrapy", scrapy), ("engine", engine)):
            if r:
                machine[name] = _machine_ms(r)
        if scrapy:
            s_rate = scrapy["pages"] / scrapy["wall"]
            rows.append((
                f"Scrapy {scrapy['scrapy']} ({scrapy_work}), 1 process", scrapy["pages"],
                scrapy.get("rendered", 0), f"{scrapy['wall']:.1f}", f"{s_rate:.1f}",
                f"{1000 * scrapy['cpu'] / max(scrapy['pages'], 1):.2f}",
                f"{machine['scrapy']:.2f}", "1.00",
            ))  # fmt: skip
        rows.append((
            f"govwatch run path, {args.processes} processes x {args.threads} threads "
            f"(fetch, extract, confirm, scan, store, findings; {engine_work})",
            engine["pages"], engine["rendered"], f"{engine['wall']:.1f}", f"{e_rate:.1f}",
            f"{1000 * engine['cpu'] / max(engine['pages'], 1):.2f}", f"{machine['engine']:.2f}",
            f"**{e_rate / (scrapy['pages'] / scrapy['wall']):.2f}**" if scrapy else "",
        ))  # fmt: skip
    print(
        table(
            (
                "engine",
                "pages (home + columns)",
                "rendered",
                "wall s",
                "pages/s",
                "own CPU ms per page",
                "machine CPU ms per page (less the farm)",
                "pages/s vs Scrapy",
            ),
            rows,
        )  # fmt: skip
    )
    report_usage(results)
    pair, _, engine = results[-1]
    db = engine["db"]
    pages = max(engine["pages"], 1)
    writes = (db["inserted"] + db["updated"]) / pages
    print(
        f"\nRun path ({pair}): status {engine['status']}; {engine['requests']} requests, "
        f"{engine['observations']} observations, "
        f"{engine['rendered']} pages rendered in Chromium. The last site was done after "
        f"{engine['sites_wall']:.1f} s of the {engine['wall']:.1f} s; the rest is the run's "
        "finish (verdicts, new-media accounts) on one thread. Database during the run "
        f"(pg_stat_database): {db['commits']} commits, {db['inserted']} rows inserted, "
        f"{db['updated']} updated, {db['deleted']} deleted: {db['commits'] / pages:.2f} commits "
        f"and {writes:.2f} row writes per page; evidence {engine['avg_evidence_chars']:.0f} "
        "characters per observation on average."
    )
    project(args, engine, writes, db["commits"] / pages)


def report_usage(results) -> None:
    cores = os.cpu_count() or 1
    usage_rows, phases = [], []
    for pair, scrapy, engine in results:
        if scrapy:
            phases.append(
                (f"{pair}: Scrapy", scrapy, scrapy["process_wall"], scrapy["process_cpu"])
            )
        phases.append((f"{pair}: govwatch run path", engine, engine["wall"], engine["cpu"]))
    for name, r, wall, own in phases:
        other = r["machine_cpu"] - own - r["farm_cpu"]
        usage_rows.append((
            name, f"{wall:.1f}", f"{own:.1f}", f"{r['farm_cpu']:.1f}", f"{max(other, 0):.1f}",
            f"{r['machine_cpu']:.1f}", f"{100 * r['machine_cpu'] / (cores * wall):.0f} %",
        ))  # fmt: skip
    print(
        "\nWhere the machine's CPU went in each phase (/proc): the engine's own processes, the "
        "farm serving it, and the rest (PostgreSQL, Redis, Chromium, the system):\n"
    )
    print(
        table(
            (
                "phase",
                "wall s",
                "engine CPU s",
                "farm CPU s",
                "other CPU s",
                "machine CPU s",
                f"busy of {cores} cores",
            ),
            usage_rows,
        )  # fmt: skip
    )
    for name, r, _, _ in phases:
        if r["others"]:
            parts = ", ".join(
                f"{k} {v:.1f} s" for k, v in sorted(r["others"].items(), key=lambda kv: -kv[1])
            )
            print(f"\n{name}, other processes still running at its end: {parts}.")


def project(args, engine, writes_per_page: float, commits_per_page: float) -> None:
    pages_day = args.province_sites * (args.province_columns + 1)
    own_ms = 1000 * engine["cpu"] / max(engine["pages"], 1)
    # What a worker machine spends a page: the workers, their Chromium, PostgreSQL and Redis
    # (the whole machine's busy CPU less the farm's, which stands for the sites inspected).
    cpu_ms = 1000 * (engine["machine_cpu"] - engine["farm_cpu"]) / max(engine["pages"], 1)
    core_seconds = pages_day * cpu_ms / 1000
    per_machine_day = 2 * 86400 * args.target_load
    per_machine_window = 2 * args.window_hours * 3600 * args.target_load
    window_s = args.window_hours * 3600
    measured_writes = (engine["db"]["inserted"] + engine["db"]["updated"]) / engine["wall"]
    measured_commits = engine["db"]["commits"] / engine["wall"]
    rate_day = writes_per_page * pages_day / 86400
    rate_window = writes_per_page * pages_day / window_s
    bytes_day = (
        engine["observations"]
        / max(engine["pages"], 1)
        * pages_day
        * (engine["avg_evidence_chars"] * 1.5 + 300)
    )
    print(
        f"\n### Province projection: {args.province_sites:,} sites x "
        f"{args.province_columns} columns daily ({pages_day:,} home + column pages)\n"
    )
    rows = [
        ("CPU per page of the worker processes (measured above)", f"{own_ms:.2f} ms"),
        ("CPU per page with their Chromium, PostgreSQL and Redis (machine less farm)",
         f"{cpu_ms:.2f} ms"),
        ("core-seconds a day", f"{core_seconds:,.0f}"),
        (f"2-core machines by CPU alone at {args.target_load:.0%}, spread over 24 h",
         math.ceil(core_seconds / per_machine_day)),
        (f"2-core machines by CPU alone at {args.target_load:.0%}, in a {args.window_hours:g} h window",
         math.ceil(core_seconds / per_machine_window)),
        ("pages/s one machine did end to end (measured above)",
         f"{engine['pages'] / engine['wall']:.1f}"),
        ("machines at that measured rate: over 24 h / in the window",
         f"{math.ceil(pages_day / (engine['pages'] / engine['wall']) / 86400)} / "
         f"{math.ceil(pages_day / (engine['pages'] / engine['wall']) / window_s)}"),
        ("row writes per page / commits per page (measured)",
         f"{writes_per_page:.2f} / {commits_per_page:.2f}"),
        ("PostgreSQL row writes/s needed: over 24 h / in the window",
         f"{rate_day:,.0f} / {rate_window:,.0f}"),
        ("PostgreSQL commits/s needed in the window", f"{commits_per_page * pages_day / window_s:,.0f}"),
        ("row writes/s and commits/s PostgreSQL did during this bench (not saturated)",
         f"{measured_writes:,.0f} / {measured_commits:,.0f}"),
        ("observation data a day (evidence JSON + row, rough)", f"{bytes_day / 1e9:,.1f} GB"),
        ("per-host limit: pages a site's host needs at 2 in flight, 50 ms each",
         f"{(args.province_columns + 1) / 2 * 0.05:.1f} s per site"),
    ]  # fmt: skip
    print(table(("quantity", "value"), rows))
    print(
        "\nPostgreSQL keeps up when the writes needed stay well below what one server does: "
        "the bench's own rate (a single 2-core box shared with the workers, fsync off) is a "
        "floor, not a ceiling; a bulk INSERT of ~30 rows per site costs one commit per site "
        "half, so commits, not rows, bound it."
    )


if __name__ == "__main__":
    try:
        sys.exit(main())
    finally:
        run_cleanups()
