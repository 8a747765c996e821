"""Command line: serve a generated county until SIGTERM or Ctrl-C.

  python -m sitefarm --seed 1 --sites 40 --columns 12 --port 8800 --latency-ms 0
      --today 2026-11-23 --ground-truth var/farm.json

Opt-in parts (without them the farm, its pages and its ground truth are as before):

  python -m sitefarm ... --search --services --interaction --nav-home 3
      --styles ul_date,pinned,yearless_old,yearless_pinned --extra-truth var/extra.json
  python -m sitefarm ... --accounts-per-unit 3 --posts-per-account 30 --feed-truth var/feeds.json
  python -m sitefarm ... --accounts 2000 --posts-per-account 50 --bridge-port 8801
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import sys
from datetime import date
from pathlib import Path

from .feeds import DEFAULT_BRIDGE_HOST, generate_accounts
from .generate import generate_county
from .model import ALL_STYLES
from .server import FarmServer


def _styles(text: str) -> list[str]:
    styles = [s.strip() for s in text.split(",") if s.strip()]
    unknown = [s for s in styles if s not in ALL_STYLES]
    if unknown or not styles:
        raise argparse.ArgumentTypeError(f"styles from: {', '.join(ALL_STYLES)}")
    return styles


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m sitefarm",
        description=__doc__.split("\n")[0],
        epilog="examples:\n" + __doc__.split("\n", 2)[2] + "\ntruth files: --ground-truth "
        "(sites, columns), --extra-truth (search, lists, services, interaction, home),\n"
        "--feed-truth (accounts and posts; feed_url with the bridge port).",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--sites", type=int, default=40)
    parser.add_argument("--columns", type=int, default=12)
    parser.add_argument("--port", type=int, default=8800, help="0 picks a free port")
    parser.add_argument("--latency-ms", type=int, default=0)
    parser.add_argument("--today", type=date.fromisoformat, default=None, help="YYYY-MM-DD")
    parser.add_argument("--max-items", type=int, default=None, help="cap on items per column")
    parser.add_argument("--no-faults", action="store_true", help="no dead/slow/failing sites")
    parser.add_argument("--ground-truth", type=Path, default=None, help="write truth JSON here")
    parser.add_argument("--ground-truth-items", action="store_true", help="include every item")
    extra = parser.add_argument_group("opt-in site parts")
    extra.add_argument(
        "--styles",
        type=_styles,
        default=None,
        help="comma-separated list styles, column j of site i gets styles[(i+j) %% n]; "
        f"from {', '.join(ALL_STYLES)}",
    )
    extra.add_argument(
        "--search", action="store_true", help="a search page per site (ok/misses_recent/...)"
    )
    extra.add_argument("--services", action="store_true", help="办事服务 lists and 办事指南 pages")
    extra.add_argument(
        "--interaction", action="store_true", help="互动交流 message/reply lists (县长信箱 ...)"
    )
    extra.add_argument(
        "--nav-home", type=int, default=0, metavar="N", help="N sites get a navigation-only home"
    )
    extra.add_argument(
        "--extra-truth", type=Path, default=None, help="write search/lists/services/... truth here"
    )
    media = parser.add_argument_group("new-media feeds (RSSHub-style bridge)")
    media.add_argument(
        "--accounts-per-unit", type=int, default=0, metavar="K", help="K accounts per site's unit"
    )
    media.add_argument(
        "--accounts",
        type=int,
        default=0,
        metavar="N",
        help="N accounts in all (5 per unit, units as the county lists them; built lazily)",
    )
    media.add_argument("--posts-per-account", type=int, default=30)
    media.add_argument("--bridge-host", default=DEFAULT_BRIDGE_HOST)
    media.add_argument(
        "--bridge-port", type=int, default=None, help="default: the farm's port; 0: a free port"
    )
    media.add_argument("--feed-slow-ms", type=int, default=3000, help="delay of slow feeds")
    media.add_argument("--feed-truth", type=Path, default=None, help="write accounts truth here")
    media.add_argument("--feed-truth-no-posts", action="store_true", help="accounts only")
    args = parser.parse_args(argv)
    if args.accounts and args.accounts_per_unit:
        parser.error("--accounts and --accounts-per-unit exclude each other")
    return args


def _write(path: Path, data: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1), "utf-8")


async def serve(args: argparse.Namespace) -> None:
    today = args.today or date.today()
    farm = generate_county(
        seed=args.seed,
        n_sites=args.sites,
        columns_per_site=args.columns,
        today=today,
        faults=not args.no_faults,
        max_items=args.max_items,
        styles=args.styles,
        search=args.search,
        services=args.services,
        interaction=args.interaction,
        nav_home=args.nav_home,
        accounts_per_unit=args.accounts_per_unit,
        posts_per_account=args.posts_per_account,
        bridge_host=args.bridge_host,
        feed_slow_ms=args.feed_slow_ms,
    )
    accounts = farm.accounts
    if args.accounts:
        accounts = generate_accounts(
            args.seed,
            args.accounts,
            args.posts_per_account,
            today,
            bridge_host=args.bridge_host,
            slow_ms=args.feed_slow_ms,
        )
    server = FarmServer(
        farm,
        port=args.port,
        latency_ms=args.latency_ms,
        accounts=accounts,
        bridge_port=args.bridge_port,
    )
    await server.start_async()
    if args.ground_truth:
        truth = farm.ground_truth(include_items=args.ground_truth_items, port=server.port)
        _write(args.ground_truth, truth)
    if args.extra_truth:
        _write(args.extra_truth, farm.extra_truth(port=server.port))
    if args.feed_truth:
        truth = (
            accounts.truth(include_posts=not args.feed_truth_no_posts, port=server.bridge_port)
            if accounts is not None
            else {"today": today.isoformat(), "accounts": []}
        )
        _write(args.feed_truth, truth)
    portal = farm.portal
    banner = (
        f"sitefarm: {len(farm.sites)} sites on {len(server.hosts)} hosts, port {server.port}, "
        f"portal {server.url(portal)}"
    )
    if accounts is not None:
        banner += f", bridge {server.bridge_url} ({len(accounts)} accounts)"
    print(banner, flush=True)
    stopped = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stopped.set)
    await stopped.wait()
    await server.stop_async()
    print("sitefarm: stopped", flush=True)


def main(argv: list[str] | None = None) -> int:
    asyncio.run(serve(parse_args(argv)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
