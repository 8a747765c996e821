"""Load test of the site farm: every site's home page and first column pages, concurrently.

.venv/bin/python bench/bench_farm_serve.py --sites 500 --columns 60 --latency-ms 50 --concurrency 400

The farm runs in its own process (python -m sitefarm), as it does for crawler benchmarks.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parents[1]


async def fetch_all(urls: list[str], concurrency: int) -> Counter:
    results: Counter = Counter()
    queue: asyncio.Queue = asyncio.Queue()
    for url in urls:
        queue.put_nowait(url)
    timeout = aiohttp.ClientTimeout(total=30)
    connector = aiohttp.TCPConnector(limit=concurrency, limit_per_host=4)
    async with aiohttp.ClientSession(timeout=timeout, connector=connector) as session:

        async def worker() -> None:
            while not queue.empty():
                url = queue.get_nowait()
                try:
                    async with session.get(url) as response:
                        await response.read()
                        results[response.status] += 1
                except (TimeoutError, aiohttp.ClientError) as exc:
                    results[type(exc).__name__] += 1

        await asyncio.gather(*(worker() for _ in range(concurrency)))
    return results


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sites", type=int, default=500)
    parser.add_argument("--columns", type=int, default=60)
    parser.add_argument("--latency-ms", type=int, default=50)
    parser.add_argument("--concurrency", type=int, default=400)
    args = parser.parse_args()
    truth_path = Path(tempfile.mkdtemp()) / "farm.json"
    started = time.monotonic()
    farm = subprocess.Popen(
        [sys.executable, "-m", "sitefarm", "--sites", str(args.sites), "--columns",
         str(args.columns), "--port", "0", "--latency-ms", str(args.latency_ms),
         "--today", "2026-11-23", "--no-faults", "--ground-truth", str(truth_path)],
        cwd=ROOT, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        print(farm.stdout.readline().strip(), f"(ready after {time.monotonic() - started:.1f} s)")
        truth = json.loads(truth_path.read_text("utf-8"))
        port = truth["port"]
        urls = []
        for site in truth["sites"]:
            base = f"http://{site['host']}:{port}"
            urls.append(base + site["home_path"])
            urls += [base + column["path"] for column in site["columns"]]
        started = time.monotonic()
        results = asyncio.run(fetch_all(urls, args.concurrency))
        elapsed = time.monotonic() - started
        print(
            f"{len(urls)} requests in {elapsed:.1f} s = {len(urls) / elapsed:.0f}/s: {dict(results)}"
        )
    finally:
        farm.send_signal(signal.SIGTERM)
        farm.wait(timeout=30)


if __name__ == "__main__":
    main()
