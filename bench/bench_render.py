"""CPU per page rendered in headless Chromium: what a JS-only column costs the machine.

.venv/bin/python bench/bench_render.py [--sites 100 --columns 30 --pages 60 --slots 2
    --variants full-browser,per-site,default]

One farm (latency 0); the JS-only columns of its ground truth are rendered with
audits.crawl.browser.render_page from --slots threads of this process, the way a worker's column
threads do, first a few to start the browser. The whole machine's busy CPU (/proc/stat) is read
around the timed pages, and this process's and the farm's CPU taken out: what is left is
Chromium and its Playwright driver. Each variant runs in its own child process (its own browser):

- ``full-browser``: Debian's full Chromium (``/usr/bin/chromium``) in headless mode with the
  engine's arguments (what the engine drove before it preferred the headless shell);
- ``per-site``: Chromium's default process model, a renderer per site (what the engine did
  before);
- ``default``: the engine's browser (audits.crawl.config.chromium_path: Debian's
  chromium-headless-shell when installed) and arguments (audits.crawl.browser.chromium_args):
  site isolation off and at most ``--slots`` renderers, shared by the sites.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

from _common import ROOT, FarmProcess, machine_busy, proc_cpu_seconds, run_cleanups, say, table

VARIANTS = ("full-browser", "per-site", "default")


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--sites", type=int, default=100)
    p.add_argument("--columns", type=int, default=30)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--today", default="2026-11-23")
    p.add_argument("--pages", type=int, default=60, help="JS-only pages timed per variant")
    p.add_argument("--warm", type=int, default=4, help="pages rendered before timing")
    p.add_argument("--slots", type=int, default=2, help="pages rendered at once")
    p.add_argument("--variants", default=",".join(VARIANTS))
    p.add_argument("--child", help=argparse.SUPPRESS)  # variant,URL file,farm pid
    return p.parse_args(argv)


def child(args) -> None:
    """One variant in this process: render the pages, print one tab-separated result line."""
    variant, urls_file, farm_pid = args.child.split(",")
    with open(urls_file, encoding="utf-8") as f:
        urls = f.read().split()
    from audits.crawl import browser
    from audits.crawl.config import CrawlConfig
    from audits.crawl.fetch import Fetcher
    from audits.extract.listpage import extract_list

    if variant == "full-browser":
        os.environ["GOVWATCH_CHROMIUM"] = "/usr/bin/chromium"
    if variant == "per-site":  # the engine's arguments before renderers were shared
        browser.SHARED_RENDERER_ARGS = []
        browser.chromium_args = lambda max_pages: list(browser.CHROMIUM_ARGS)
    hosts = {u.split("/")[2].split(":")[0] for u in urls}
    fetcher = Fetcher(
        CrawlConfig(
            allow_hosts=frozenset(hosts),
            per_host_concurrency=8,
            per_host_rate=0,
            limiter_backend="local",
            render_js=True,
            render_pages=args.slots,
        )
    )
    today = dt.date.fromisoformat(args.today)

    def render(url):
        page = browser.render_page(fetcher, url)
        if not page.ok:
            return False
        return extract_list(page.html, page.final_url, today).status != "needs_manual"

    with ThreadPoolExecutor(max_workers=args.slots) as pool:
        list(pool.map(render, urls[: args.warm]))
        timed = urls[args.warm : args.warm + args.pages]
        me, farm, busy = (
            proc_cpu_seconds(os.getpid()),
            proc_cpu_seconds(int(farm_pid)),
            machine_busy(),
        )
        started = time.monotonic()
        read = sum(pool.map(render, timed))
        wall = time.monotonic() - started
        me = proc_cpu_seconds(os.getpid()) - me
        farm = proc_cpu_seconds(int(farm_pid)) - farm
        busy = machine_busy() - busy
    print(f"RESULT\t{variant}\t{len(timed)}\t{read}\t{wall:.2f}\t{busy:.2f}\t{me:.2f}\t{farm:.2f}")
    fetcher.close()


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.child:
        child(args)
        return 0
    say(f"starting the farm: {args.sites} sites x {args.columns} columns")
    farm = FarmProcess(sites=args.sites, columns=args.columns, seed=args.seed, today=args.today)
    urls = [
        farm.url(site["host"], column["path"])
        for site in farm.truth["sites"]
        for column in site["columns"]
        if column["style"] == "js_only"
    ]
    need = args.warm + args.pages
    if len(urls) < need:
        say(f"only {len(urls)} JS-only columns in this farm; timing {len(urls) - args.warm}")
    urls_file = farm.dir / "js_only.txt"
    urls_file.write_text("\n".join(urls[:need]), encoding="utf-8")
    rows = []
    for variant in args.variants.split(","):
        say(f"variant {variant} …")
        proc = subprocess.run(
            [sys.executable, __file__, "--child", f"{variant},{urls_file},{farm.proc.pid}",
             "--pages", str(args.pages), "--warm", str(args.warm), "--slots", str(args.slots),
             "--today", args.today],
            cwd=ROOT, capture_output=True, text=True, timeout=1800,
        )  # fmt: skip
        line = next((x for x in proc.stdout.splitlines() if x.startswith("RESULT")), None)
        if line is None:
            raise RuntimeError(f"variant {variant} failed:\n{proc.stderr[-3000:]}")
        _, name, pages, read, wall, busy, me, farm_cpu = line.split("\t")
        pages, read = int(pages), int(read)
        wall, busy, me, farm_cpu = float(wall), float(busy), float(me), float(farm_cpu)
        chromium = max(busy - me - farm_cpu, 0.0)
        rows.append((
            name, pages, f"{read}/{pages}", f"{wall:.1f}", f"{1000 * wall / pages:.0f}",
            f"{1000 * chromium / pages:.0f}", f"{1000 * me / pages:.1f}",
        ))  # fmt: skip
    farm.stop()
    print(
        f"\n## Rendering JS-only columns: {args.slots} at once, {os.cpu_count()} cores\n\n"
        + table(
            (
                "variant",
                "pages",
                "list read",
                "wall s",
                "wall ms/page",
                "Chromium + driver CPU ms/page",
                "this process CPU ms/page",
            ),
            rows,
        )  # fmt: skip
    )
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    finally:
        run_cleanups()
