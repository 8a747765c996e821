"""cProfile of the run path (fetch, extract, content scan, store) on one thread.

.venv/bin/python bench/profile_run_path.py [--sites 30 --columns 30 --top 25]

The farm runs in its own process (latency 0, so the profile shows CPU, not waiting); the registry
is loaded into a fresh database (PostgreSQL when DATABASE_URL is set, else SQLite) and
audits.services.inspect_run_site is called for every website in turn on the main thread under
cProfile (a site's column pages are read in one lane, the calling thread, so that
the profile sees them). Prints the functions with the most own time and the most cumulative time, and the CPU
milliseconds per page.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import sys
import time

from _common import (
    FarmProcess,
    django_setup_and_migrate,
    load_registry,
    prepare_environment,
    run_cleanups,
    say,
)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--sites", type=int, default=30)
    p.add_argument("--columns", type=int, default=30)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--today", default="2026-11-23")
    p.add_argument("--top", type=int, default=25)
    p.add_argument(
        "--no-profile", action="store_true", help="time the same calls without cProfile's overhead"
    )
    p.add_argument("--dump", help="also write the pstats file here (for pstats' callers view)")
    args = p.parse_args(argv)
    farm = FarmProcess(sites=args.sites, columns=args.columns, seed=args.seed, today=args.today)
    env = prepare_environment(
        "profile",
        {
            "GOVWATCH_CRAWL_ALLOW_HOSTS": farm.allow_hosts(),
            "GOVWATCH_CRAWL_PER_HOST_RATE": "100000",
        },
    )
    django_setup_and_migrate()
    load_registry(farm, say)
    import datetime as dt

    import audits.services.runs as runs
    from audits.services.runs import inspect_run_site, run_create, run_plan

    lanes = runs.map_in_lanes
    runs.map_in_lanes = lambda fn, items, width, **kw: lanes(fn, items, 1, **kw)  # one thread

    run = run_create(trigger="command", monitoring_point=dt.date.fromisoformat(args.today))
    ids = run_plan(run.pk)
    inspect_run_site(run.pk, ids[0])  # warm up: imports, word matcher, connections
    profile = cProfile.Profile()
    cpu0, wall0 = time.process_time(), time.monotonic()
    if not args.no_profile:
        profile.enable()
    for website_id in ids[1:]:
        inspect_run_site(run.pk, website_id)
    profile.disable()
    cpu, wall = time.process_time() - cpu0, time.monotonic() - wall0
    run.refresh_from_db()
    pages = run.pages_done
    farm.stop()
    print(
        f"\n## Run-path profile: {args.sites} sites x {args.columns} columns, "
        f"{env['database'].split()[0]}, one thread\n\n"
        f"{pages} pages (home + columns) in {wall:.1f} s wall, {cpu:.1f} s CPU of this process: "
        f"{1000 * cpu / max(pages, 1):.2f} ms CPU per page "
        f"({'no profiler' if args.no_profile else 'profiler overhead included'}; Chromium's "
        "own CPU is not counted)\n"
    )
    if args.no_profile:
        return 0
    if args.dump:
        profile.dump_stats(args.dump)
    for key, title in (("tottime", "own time"), ("cumulative", "cumulative time")):
        out = io.StringIO()
        stats = pstats.Stats(profile, stream=out).strip_dirs().sort_stats(key)
        stats.print_stats(args.top)
        print(f"### Top {args.top} by {title}\n\n```")
        print("\n".join(line for line in out.getvalue().splitlines() if line.strip())[-6000:])
        print("```\n")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    finally:
        run_cleanups()
