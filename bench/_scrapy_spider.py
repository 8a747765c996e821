"""The Scrapy baseline of bench_throughput.py (run as its own process; Scrapy is bench-only).

.venv/bin/python bench/_scrapy_spider.py TRUTH.json TODAY OUT.json [--per-host 2]
    [--render CHROMIUM]

Fetches every home page of the farm, follows the site's column links (the column pages the
registry lists, found on the home page or taken from the truth as the registry would give them)
and reads each column's newest date with lxml: every full date (YYYY-MM-DD, YYYY/M/D, YYYY.MM.DD,
YYYY年M月D日) in the page text, the latest not after TODAY. At most --per-host requests in flight
per host, no delay, no robots.txt, no retries of 4xx; writes pages, dates and timings to OUT.

With --render, the same job the run path does for JavaScript-only lists: each JS-only column page
(from the truth: the same pages the run path renders) is requested again through
scrapy-playwright (bench-only, like Scrapy) in the given Chromium, at most --per-host pages at
once, and its date read from the rendered DOM.
"""

from __future__ import annotations

import json
import re
import resource
import sys
import time
from datetime import date

import lxml.html
import scrapy
from scrapy.crawler import CrawlerProcess

_DATE = re.compile(
    r"(?<!\d)((?:19|20)\d{2})\s*(?:[-/.]|年)\s*(\d{1,2})\s*(?:[-/.]|月)\s*(\d{1,2})(?!\d)"
)


def newest_date(body: bytes, encoding: str, today: date) -> date | None:
    root = lxml.html.document_fromstring(body.decode(encoding or "utf-8", "replace"))
    best = None
    for text in root.xpath("//body//text()[not(ancestor::script) and not(ancestor::style)]"):
        for y, m, d in _DATE.findall(text):
            try:
                day = date(int(y), int(m), int(d))
            except ValueError:
                continue
            if day <= today and (best is None or day > best):
                best = day
    return best


class FarmSpider(scrapy.Spider):
    name = "farm"

    def __init__(self, truth: dict, today: date, render: bool = False, **kwargs):
        super().__init__(**kwargs)
        self.truth = truth
        self.today = today
        self.render = render
        self.port = truth["port"]
        self.pages = 0
        self.rendered = 0
        # The pages the run path renders: the truth's JS-only columns (Scrapy cannot tell them;
        # the pages show dates in their headers), so that both do the same work.
        self.js_only = {
            f"http://{site['host']}:{self.port}{c['path']}"
            for site in truth["sites"]
            for c in site["columns"]
            if c["style"] == "js_only"
        }
        self.dates: dict[str, str | None] = {}

    async def start(self):
        for site in self.truth["sites"]:
            url = f"http://{site['host']}:{self.port}{site['home_path']}"
            yield scrapy.Request(url, callback=self.parse_home, cb_kwargs={"site": site})

    def parse_home(self, response, site):
        self.pages += 1
        listed = {
            f"http://{site['host']}:{self.port}{c['path']}"
            for c in site["columns"]
            if c["category"] != "topic"  # exempt, as in the registry
        }
        on_page = {response.urljoin(h) for h in response.xpath("//a/@href").getall()}
        # the column links of the home page first, then those only the registry knows
        for url in sorted(listed & on_page) + sorted(listed - on_page):
            yield scrapy.Request(url, callback=self.parse_column)

    def parse_column(self, response):
        self.pages += 1
        found = newest_date(response.body, response.encoding, self.today)
        self.dates[response.url] = found.isoformat() if found else None
        if self.render and response.url in self.js_only:
            yield scrapy.Request(
                response.url, callback=self.parse_rendered, dont_filter=True,
                meta={"playwright": True},
            )  # fmt: skip

    def parse_rendered(self, response):
        self.rendered += 1
        found = newest_date(response.body, "utf-8", self.today)
        self.dates[response.url] = found.isoformat() if found else None


def main(argv: list[str]) -> int:
    truth_path, today_text, out_path = argv[:3]
    per_host = int(argv[argv.index("--per-host") + 1]) if "--per-host" in argv else 2
    with open(truth_path, encoding="utf-8") as fh:
        truth = json.load(fh)
    today = date.fromisoformat(today_text)
    chromium = argv[argv.index("--render") + 1] if "--render" in argv else None
    render_settings = {}
    if chromium:
        handler = "scrapy_playwright.handler.ScrapyPlaywrightDownloadHandler"
        render_settings = {
            "DOWNLOAD_HANDLERS": {"http": handler, "https": handler},
            "TWISTED_REACTOR": "twisted.internet.asyncioreactor.AsyncioSelectorReactor",
            "PLAYWRIGHT_LAUNCH_OPTIONS": {
                "executable_path": chromium, "headless": True, "args": ["--no-sandbox"],
            },
            "PLAYWRIGHT_MAX_CONTEXTS": per_host,
            "PLAYWRIGHT_MAX_PAGES_PER_CONTEXT": 1,
        }  # fmt: skip
    process = CrawlerProcess(
        settings={
            **render_settings,
            "LOG_LEVEL": "ERROR",
            "ROBOTSTXT_OBEY": False,
            "CONCURRENT_REQUESTS": 256,
            "CONCURRENT_REQUESTS_PER_DOMAIN": per_host,
            "DOWNLOAD_DELAY": 0,
            "AUTOTHROTTLE_ENABLED": False,
            "RETRY_ENABLED": False,
            "COOKIES_ENABLED": False,
            "TELNETCONSOLE_ENABLED": False,
            "HTTPCACHE_ENABLED": False,
            "USER_AGENT": "govwatch-bench-scrapy",
            "REQUEST_FINGERPRINTER_IMPLEMENTATION": "2.7",
        }
    )
    crawler = process.create_crawler(FarmSpider)
    started = time.monotonic()
    cpu0 = resource.getrusage(resource.RUSAGE_SELF)
    process.crawl(crawler, truth=truth, today=today, render=bool(chromium))
    process.start()
    wall = time.monotonic() - started
    cpu1 = resource.getrusage(resource.RUSAGE_SELF)
    spider = crawler.spider
    result = {
        "pages": spider.pages,
        "rendered": spider.rendered,
        "wall": wall,
        "cpu": (cpu1.ru_utime - cpu0.ru_utime) + (cpu1.ru_stime - cpu0.ru_stime),
        "dates": spider.dates,
        "scrapy": scrapy.__version__,
    }
    with open(out_path, "w", encoding="utf-8") as fh:
        json.dump(result, fh)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
