"""Command line: serve a generated county until SIGTERM or Ctrl-C.

python -m sitefarm --seed 1 --sites 40 --columns 12 --port 8800 --latency-ms 0 \
    --today 2026-11-23 --ground-truth var/farm.json
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import sys
from datetime import date
from pathlib import Path

from .generate import generate_county
from .server import FarmServer


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m sitefarm", description=__doc__.split("\n")[0])
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
    return parser.parse_args(argv)


async def serve(args: argparse.Namespace) -> None:
    farm = generate_county(
        seed=args.seed,
        n_sites=args.sites,
        columns_per_site=args.columns,
        today=args.today or date.today(),
        faults=not args.no_faults,
        max_items=args.max_items,
    )
    server = FarmServer(farm, port=args.port, latency_ms=args.latency_ms)
    await server.start_async()
    if args.ground_truth:
        truth = farm.ground_truth(include_items=args.ground_truth_items, port=server.port)
        args.ground_truth.parent.mkdir(parents=True, exist_ok=True)
        args.ground_truth.write_text(json.dumps(truth, ensure_ascii=False, indent=1), "utf-8")
    portal = farm.portal
    print(
        f"sitefarm: {len(farm.sites)} sites on {len(server.hosts)} hosts, port {server.port}, "
        f"portal {server.url(portal)}",
        flush=True,
    )
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
