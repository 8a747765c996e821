"""New-media feeds ingested per second and CPU per post, through feed_ingest into PostgreSQL.

.venv/bin/python bench/bench_feeds.py [--accounts 2000 --posts 50 --threads 8 --per-host 8]

The farm's RSSHub-style bridge runs in its own process (python -m sitefarm --accounts N
--posts-per-account P: FarmServer with accounts=generate_accounts(...), one host 127.0.3.1, the
accounts' faults included: dead, refused, slow, malformed, wrong encoding, stale, zombie, low
originality, renamed). Units and accounts are registered from the bridge's truth in a fresh
PostgreSQL database on the DATABASE_URL server; then audits.services.accounts.feed_ingest is
called once per account from --threads threads (the safe fetcher of the runs, limiter in Redis
when REDIS_URL is set; GOVWATCH_CRAWL_PER_HOST_CONCURRENCY=--per-host and a rate high enough
that only the concurrency holds, since every feed lives on the one bridge host). Pass 1 stores
every post; pass 2 reads every feed again in the next 6-hour slot (nothing new: the idempotent
path). CPU is this process's (fetch, decode, parse, ORM; not PostgreSQL's, not the farm's, which
is reported apart). The split wraps the fetch, parse and store functions in this process only.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import queue
import resource
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from _common import (
    DEAD_LINK_NET,
    ROOT,
    django_setup_and_migrate,
    on_exit,
    prepare_environment,
    proc_cpu_seconds,
    proc_status_kb,
    run_cleanups,
    say,
    stop_process_group,
    table,
)


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--accounts", type=int, default=2000)
    p.add_argument("--posts", type=int, default=50, help="posts per account")
    p.add_argument("--threads", type=int, default=8, help="feeds ingested at once")
    p.add_argument("--per-host", type=int, default=8, help="GOVWATCH_CRAWL_PER_HOST_CONCURRENCY")
    p.add_argument("--feed-slow-ms", type=int, default=3000, help="delay of the slow feeds")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--today", default="2026-11-23")
    p.add_argument("--max-seconds", type=float, default=1800, help="bound on each pass")
    p.add_argument("--no-split", action="store_true", help="do not wrap functions for the split")
    return p.parse_args(argv)


class Bridge:
    """python -m sitefarm with N accounts on its bridge; the accounts' truth is read back."""

    def __init__(self, args):
        self.dir = Path(tempfile.mkdtemp(prefix="bench-feeds-"))
        on_exit(lambda: __import__("shutil").rmtree(self.dir, ignore_errors=True))
        truth_path = self.dir / "feeds.json"
        cmd = [
            sys.executable, "-m", "sitefarm", "--seed", str(args.seed), "--sites", "1",
            "--columns", "1", "--no-faults", "--port", "0", "--today", args.today,
            "--accounts", str(args.accounts), "--posts-per-account", str(args.posts),
            "--bridge-port", "0", "--feed-slow-ms", str(args.feed_slow_ms),
            "--feed-truth", str(truth_path), "--feed-truth-no-posts",
        ]  # fmt: skip
        started = time.monotonic()
        self.proc = subprocess.Popen(
            cmd,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=(self.dir / "farm.log").open("w"),
            text=True,
            start_new_session=True,
        )
        on_exit(lambda: stop_process_group(self.proc, grace=10))
        lines: queue.Queue[str | None] = queue.Queue()

        def pump() -> None:
            for line in self.proc.stdout:
                lines.put(line)
            lines.put(None)

        threading.Thread(target=pump, daemon=True, name="farm-stdout").start()
        while True:
            try:
                line = lines.get(timeout=120)
            except queue.Empty:
                raise RuntimeError("sitefarm did not start within 120 s") from None
            if line is None:
                log = (self.dir / "farm.log").read_text("utf-8", "replace")[-2000:]
                raise RuntimeError(f"sitefarm exited: {log}")
            if line.startswith("sitefarm:"):
                self.banner = line.strip()
                break
        self.truth = json.loads(truth_path.read_text("utf-8"))
        self.startup_s = time.monotonic() - started

    def cpu_seconds(self) -> float:
        return proc_cpu_seconds(self.proc.pid)


class Timers:
    """Thread CPU seconds and wall seconds per wrapped function (exclusive of nested ones)."""

    def __init__(self):
        self.cpu = defaultdict(float)
        self.wall = defaultdict(float)
        self.calls = Counter()
        self.lock = threading.Lock()
        self.local = threading.local()

    def wrap(self, name, fn):
        def wrapped(*a, **kw):
            stack = self.local.__dict__.setdefault("stack", [])
            if stack:  # pause the outer timer
                outer = stack[-1]
                outer[1] += time.thread_time() - outer[2]
                outer[3] += time.perf_counter() - outer[4]
            frame = [name, 0.0, time.thread_time(), 0.0, time.perf_counter()]
            stack.append(frame)
            try:
                return fn(*a, **kw)
            finally:
                frame[1] += time.thread_time() - frame[2]
                frame[3] += time.perf_counter() - frame[4]
                stack.pop()
                with self.lock:
                    self.cpu[name] += frame[1]
                    self.wall[name] += frame[3]
                    self.calls[name] += 1
                if stack:
                    stack[-1][2] = time.thread_time()
                    stack[-1][4] = time.perf_counter()

        return wrapped

    def reset(self):
        with self.lock:
            self.cpu.clear()
            self.wall.clear()
            self.calls.clear()


def install_timers(timers: Timers) -> None:
    import audits.services.accounts as accounts
    from audits.crawl.fetch import Fetcher

    Fetcher.fetch = timers.wrap("fetch (safe fetcher, decode)", Fetcher.fetch)
    accounts.parse_feed = timers.wrap("parse_feed (feedparser / JSON)", accounts.parse_feed)
    accounts.posts_store = timers.wrap("posts_store (ORM, bulk insert)", accounts.posts_store)
    accounts.feed_ingest = timers.wrap(
        "feed_ingest (the rest: observation upsert)", accounts.feed_ingest
    )


def cpu_now() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def register(truth: dict) -> list[int]:
    from django.db import transaction

    from newmedia.models import Account
    from units.models import Unit

    with transaction.atomic():
        names = sorted({a["unit_name"] for a in truth["accounts"]})
        Unit.objects.bulk_create(
            [
                Unit(name=n, kind="township" if n.endswith(("镇", "乡")) else "department")
                for n in names
            ]
        )
        units = dict(Unit.objects.values_list("name", "pk"))
        Account.objects.bulk_create(
            [
                Account(
                    unit_id=units[a["unit_name"]],
                    platform=a["platform"],
                    name=a["name"],
                    account_id=a["id"],
                    feed_url=a["feed_url"],
                )
                for a in truth["accounts"]
            ]
        )
    return list(Account.objects.order_by("pk").values_list("pk", flat=True))


def one_pass(label, ids, args, now, timers) -> dict:
    from django.db import close_old_connections

    import audits.services.accounts as accounts
    from newmedia.models import Account, Post

    deadline = time.monotonic() + args.max_seconds
    outcomes: Counter = Counter()
    skipped = [0]
    posts_before = Post.objects.count()
    timers.reset()

    def ingest(pk: int) -> None:
        if time.monotonic() > deadline:
            skipped[0] += 1
            return
        try:
            observation = accounts.feed_ingest(Account.objects.get(pk=pk), now=now)
            reason = observation.reason
            if observation.outcome == "ok":
                reason = "ok" if "不规范" not in reason else "ok, 格式不规范 warning"
            else:
                reason = reason.split("：", 1)[0]
            outcomes[(observation.outcome, reason)] += 1
        finally:
            close_old_connections()

    say(f"{label}: {len(ids)} feeds from {args.threads} threads")
    cpu0, farm0, wall0 = cpu_now(), BRIDGE.cpu_seconds(), time.perf_counter()
    with ThreadPoolExecutor(args.threads) as pool:
        list(pool.map(ingest, ids))
    wall = time.perf_counter() - wall0
    cpu = cpu_now() - cpu0
    farm_cpu = BRIDGE.cpu_seconds() - farm0
    posts_after = Post.objects.count()
    return {
        "label": label,
        "feeds": len(ids) - skipped[0],
        "skipped": skipped[0],
        "wall": wall,
        "cpu": cpu,
        "farm_cpu": farm_cpu,
        "new_posts": posts_after - posts_before,
        "posts_total": posts_after,
        "outcomes": outcomes,
        "split": {k: (timers.cpu[k], timers.wall[k], timers.calls[k]) for k in timers.cpu},
    }


BRIDGE: Bridge


def main(argv=None) -> int:
    global BRIDGE
    args = parse_args(argv)
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        say('DATABASE_URL must name a PostgreSQL server (eval "$(scripts/services.sh start …)")')
        return 2
    say(f"starting the bridge: {args.accounts} accounts x {args.posts} posts")
    BRIDGE = Bridge(args)
    say(f"{BRIDGE.banner} (ready after {BRIDGE.startup_s:.1f} s)")
    env = prepare_environment(
        "feeds",
        {
            "GOVWATCH_CRAWL_ALLOW_HOSTS": f"127.0.1.0/24,127.0.3.0/24,{DEAD_LINK_NET}",
            "GOVWATCH_CRAWL_PER_HOST_CONCURRENCY": str(args.per_host),
            "GOVWATCH_CRAWL_PER_HOST_RATE": "100000",
        },
    )
    say(f"database: {env['database']}")
    migrate_s = django_setup_and_migrate()
    say(f"migrate {migrate_s:.1f} s")
    from audits.crawl.config import CrawlConfig

    started = time.monotonic()
    ids = register(BRIDGE.truth)
    say(f"registered {len(ids)} accounts in {time.monotonic() - started:.1f} s")
    timers = Timers()
    if not args.no_split:
        install_timers(timers)
    today = dt.date.fromisoformat(args.today)
    slot1 = dt.datetime.combine(today, dt.time(1, 0), tzinfo=dt.UTC)
    slot2 = slot1 + dt.timedelta(hours=6)
    passes = [
        one_pass("pass 1 (new posts)", ids, args, slot1, timers),
        one_pass("pass 2 (next slot, nothing new)", ids, args, slot2, timers),
    ]

    faults = Counter((a["fault"], a["fault_detail"], a["format"]) for a in BRIDGE.truth["accounts"])
    limiter = CrawlConfig.from_settings().limiter_backend
    print(
        f"## Feeds through feed_ingest into PostgreSQL ({args.accounts} accounts x {args.posts} posts)\n"
    )
    print(
        table(
            ("setting", "value"),
            [
                ("bridge", BRIDGE.banner),
                ("database", env["database"]),
                ("threads / per-host concurrency / limiter", f"{args.threads} / {args.per_host} / {limiter}"),
                ("slow feeds' delay, ms", args.feed_slow_ms),
                ("slow feeds (fault slow)", sum(n for (f, _, _), n in faults.items() if f == "slow")),
                ("peak RSS of this process", f"{proc_status_kb(os.getpid(), 'VmHWM') / 1024:.0f} MiB"),
            ],
        )
    )  # fmt: skip
    print()
    rows = []
    for p in passes:
        posts = max(p["new_posts"], 1)
        rows.append(
            (
                p["label"],
                p["feeds"],
                f"{p['wall']:.1f}",
                f"{p['feeds'] / p['wall']:.1f}",
                p["new_posts"],
                f"{p['new_posts'] / p['wall']:.0f}",
                f"{p['cpu']:.1f}",
                f"{1000 * p['cpu'] / p['feeds']:.1f}",
                f"{1000 * p['cpu'] / posts:.2f}" if p["new_posts"] else "n/a",
                f"{p['farm_cpu']:.1f}",
                p["skipped"],
            )
        )
    print(
        table(
            ("pass", "feeds", "wall s", "feeds/s", "posts stored", "posts/s", "CPU s",
             "CPU ms/feed", "CPU ms/post", "bridge CPU s", "skipped (time bound)"),
            rows,
        )
    )  # fmt: skip
    print()
    print("### Outcomes (pass 1)\n")
    print(
        table(
            ("outcome", "reason", "feeds"),
            [(o, r, n) for (o, r), n in sorted(passes[0]["outcomes"].items(), key=lambda x: -x[1])],
        )
    )
    print()
    json_feeds = sum(n for (_, _, fmt), n in faults.items() if fmt == "json")
    print(f"JSON Feed accounts on the bridge: {json_feeds} of {args.accounts}.\n")
    if not args.no_split:
        print("### Where pass 1's time goes (thread seconds in this process, exclusive)\n")
        split = passes[0]["split"]
        total_cpu = sum(c for c, _, _ in split.values()) or 1
        print(
            table(
                ("function", "calls", "CPU s", "share of CPU", "wall s (incl. waits)"),
                [
                    (k, n, f"{c:.1f}", f"{100 * c / total_cpu:.0f}%", f"{w:.1f}")
                    for k, (c, w, n) in sorted(split.items(), key=lambda x: -x[1][0])
                ],
            )
        )
    return 0


if __name__ == "__main__":
    try:
        code = main()
    finally:
        run_cleanups()
    sys.exit(code)
