"""Headless Chromium for column pages whose list only JavaScript builds.

``render_page(fetcher, url)`` loads the page in Debian's Chromium (Playwright driving its
headless shell, else ``/usr/bin/chromium``, with ``executable_path``: see
:func:`.config.chromium_path`) and returns the DOM after its scripts ran, for the same list
extractor as any page. Used only when the static HTML and its JSON endpoints give no
list (:func:`audits.inspection.read_column`, ``CrawlConfig.render_js``).

Rules it keeps:

- **Chromium never talks to the network.** Every request the page makes goes to a route handler
  that resolves its host with :func:`.safety.resolve_url` (internal addresses refused unless
  allow-listed, exactly as for any fetch) and then fetches it with the caller's
  :class:`~.fetch.Fetcher` (pinning, User-Agent, size cap, timeouts) and the per-host limiter, so a
  rendered request counts against politeness like any other. The answer is handed to the page
  with ``route.fulfill``. Only GET and HEAD, and a script's POST to the page's own site (a
  list loaded by POST, as 大汉 jpage does; small bodies, no redirects, one attempt): no form is
  submitted and nothing is posted to another site. Refused requests are aborted and listed in
  the result. Images, fonts, media and style sheets are not fetched at all (the DOM does not
  need them); WebSockets are closed, service workers blocked, and Chromium is pointed at a dead
  proxy with a resolver that resolves nothing, so a request that escaped the handler could not
  go anywhere either.
- **Bounded.** One browser per worker process, started on first use (after Celery's fork), at most
  ``render_pages`` pages at a time, and a hard limit of ``render_timeout`` seconds per page: on
  expiry the tab is closed and the page is reported as not rendered.
- **Cheap, without carrying state.** A fresh context costs a new renderer process, about 300 ms of
  CPU a page on this machine, more than everything else a column costs. So each slot keeps a tab
  (its own context) for up to ``TAB_USES`` pages: between pages it is sent to ``about:blank``
  (the last page's scripts stop), its cookies are cleared and every origin the last page touched
  has its storage wiped (CDP ``Storage.clearDataForOrigin``); requests made while the tab serves
  no page are refused. A tab that failed or timed out is closed, never reused. Chromium's
  per-site processes are off and its renderers capped at ``render_pages``: otherwise every page
  of another site starts a renderer of its own even in a kept tab (``bench/bench_render.py``:
  about a quarter of Chromium's CPU a page). What site isolation protects, one site's data from
  another site's page in the same browser, is not here: the pages are public, nothing is logged
  in, and each page's cookies and storage are wiped before the next.
- **Done when quiet.** The route handler sees every request, so a page is read once nothing it
  asked for has been in flight for ``QUIET_S`` (Playwright's ``networkidle`` waits 500 ms).
- **Chromium on every core.** A worker pinned to one core (``GOVWATCH_WORKER_CPU``) would pass
  its pin to Chromium, which inherits the affinity of the thread that starts it: Playwright's
  driver is started unpinned, so the browser runs where the machine has room, while the loop
  thread's own Python stays on the worker's core (a GIL handed across cores costs both).
- **No event loop in the caller's thread.** Playwright's async API runs in one daemon thread of
  its own with its own asyncio loop; callers (the column threads of a site task) block on a
  future. A caller's own asyncio use (pyHanko's ``asyncio.run``) is not affected.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from .config import chromium_path
from .safety import BadURL, UnresolvableHost, UnsafeURL, resolve_url

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    # Defence in depth: requests are all fulfilled by the route handler; anything else would meet
    # a proxy that is not there and a resolver that resolves nothing.
    "--proxy-server=http://127.0.0.1:9",
    "--proxy-bypass-list=<-loopback>",
    "--host-resolver-rules=MAP * ~NOTFOUND",
    "--force-webrtc-ip-handling-policy=disable_non_proxied_udp",
    "--disable-features=NetworkPrediction,InterestFeedContentSuggestions",
]
# Renderer processes shared by the sites a worker renders (see "Cheap" in the module docstring):
# with per-site processes every cross-site page started a renderer of its own.
SHARED_RENDERER_ARGS = ["--disable-site-isolation-trials"]


def chromium_args(max_pages: int) -> list[str]:
    return [*CHROMIUM_ARGS, *SHARED_RENDERER_ARGS, f"--renderer-process-limit={max(1, max_pages)}"]


SKIPPED_TYPES = frozenset({"image", "media", "font", "stylesheet"})
MAX_NOTES = 50  # requests listed in a result
TAB_USES = 50  # pages a tab serves before it is replaced (bounds what a long-lived page leaks)
QUIET_S = 0.25  # nothing in flight this long after "load": the scripts are done


@dataclass(frozen=True)
class RequestNote:
    url: str
    outcome: str  # fetched | blocked | skipped | failed
    status: int | None = None
    reason: str = ""


@dataclass(frozen=True)
class Rendered:
    """A page as Chromium showed it: ``html`` is the DOM after its scripts ran."""

    url: str
    final_url: str
    ok: bool
    html: str = field(repr=False, default="")
    error: str | None = None
    elapsed_ms: int = 0
    requests: tuple[RequestNote, ...] = ()

    @property
    def blocked(self) -> tuple[RequestNote, ...]:
        return tuple(r for r in self.requests if r.outcome == "blocked")

    def summary(self) -> str:
        fetched = sum(1 for r in self.requests if r.outcome == "fetched")
        text = f"用时 {self.elapsed_ms} ms，页面发出的请求 {fetched} 个经安全检查后取得"
        if self.blocked:
            text += f"，{len(self.blocked)} 个因地址不安全被拦截"
        return text

    def evidence(self) -> dict:
        return {
            "url": self.url,
            "final_url": self.final_url,
            "ok": self.ok,
            "error": self.error,
            "elapsed_ms": self.elapsed_ms,
            "requests": [
                {"url": r.url, "outcome": r.outcome, "status": r.status, "reason": r.reason}
                for r in self.requests[:MAX_NOTES]
            ],
        }


class RenderUnavailable(RuntimeError):
    pass


@dataclass(eq=False)
class _Job:
    """The page a tab is rendering now: whose fetcher serves its requests, what they did."""

    fetcher: object
    known: dict
    notes: list[RequestNote] = field(default_factory=list)
    origins: set[str] = field(default_factory=set)
    inflight: int = 0
    last: float = field(default_factory=time.monotonic)

    def note(self, n: RequestNote) -> None:
        if len(self.notes) < 4 * MAX_NOTES:
            self.notes.append(n)


@dataclass(eq=False)
class _Tab:
    context: object
    page: object
    cdp: object
    user_agent: str
    uses: int = 0
    job: _Job | None = None


class Renderer:
    """One Chromium and an asyncio loop in a thread of their own (see module docstring)."""

    def __init__(self, max_pages: int = 2, executable: str | None = None) -> None:
        self.max_pages = max(1, max_pages)
        self.executable = executable or chromium_path()
        self.pid = os.getpid()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._start_error: BaseException | None = None
        self._playwright = None
        self._browser = None
        self._semaphore: asyncio.Semaphore | None = None
        self._launch_lock: asyncio.Lock | None = None
        self._idle: list[_Tab] = []  # tabs between pages, ready for the next one
        # Blocking fetches of the route handlers (each holds a per-host slot while it runs).
        self._io = ThreadPoolExecutor(
            max_workers=4 * self.max_pages, thread_name_prefix="render-io"
        )
        self._lock = threading.Lock()
        self.pages_rendered = 0

    # -- the loop thread ----------------------------------------------------------------------

    def _ensure_loop(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="renderer", daemon=True)
                self._thread.start()
        self._ready.wait(30)
        if self._start_error is not None or self._loop is None:
            raise RenderUnavailable(f"无法启动浏览器：{self._start_error}")
        return self._loop

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        try:
            self._semaphore = asyncio.Semaphore(self.max_pages)
            self._launch_lock = asyncio.Lock()
            self._loop = loop
        except BaseException as exc:  # noqa: BLE001 - reported to the callers
            self._start_error = exc
        finally:
            self._ready.set()
        if self._loop is not None:
            loop.run_forever()

    async def _browser_or_launch(self):
        async with self._launch_lock:
            if self._browser is not None and self._browser.is_connected():
                return self._browser
            if not self.executable:
                raise RenderUnavailable("本机未安装 Chromium")
            from playwright.async_api import async_playwright

            if self._playwright is None:
                with unpinned():  # the driver, and the Chromium it starts, on every core
                    self._playwright = await async_playwright().start()
            self._browser = await self._playwright.chromium.launch(
                executable_path=self.executable, headless=True, args=chromium_args(self.max_pages)
            )
            return self._browser

    # -- rendering ----------------------------------------------------------------------------

    def render(self, fetcher, url: str, known: dict | None = None) -> Rendered:
        """Render ``url`` through ``fetcher`` (blocks the calling thread, at most the page's time
        limit plus a few seconds). Never raises for page trouble: ``ok`` says."""
        limit = fetcher.config.render_timeout
        started = time.monotonic()
        try:
            loop = self._ensure_loop()
            future = asyncio.run_coroutine_threadsafe(
                self._render(fetcher, url, dict(known or {}), limit), loop
            )
            # The coroutine stops itself at the limit; the margin covers the queue for a page
            # slot and closing the context.
            return future.result(timeout=limit * 3 + 10)
        except Exception as exc:  # noqa: BLE001 - a page that could not be rendered
            elapsed = int((time.monotonic() - started) * 1000)
            return Rendered(url, url, False, error=_describe(exc), elapsed_ms=elapsed)

    async def _render(self, fetcher, url: str, known: dict, limit: float) -> Rendered:
        async with self._semaphore:
            started = time.monotonic()
            job = _Job(fetcher, known)
            tab = None
            try:
                tab = await asyncio.wait_for(self._tab(fetcher), limit)
                tab.job = job
                tab.page.set_default_timeout(limit * 1000)
                left = limit - (time.monotonic() - started)
                html, final = await asyncio.wait_for(self._load(tab.page, job, url, left), left)
            except TimeoutError:
                await self._discard(tab)
                elapsed = int((time.monotonic() - started) * 1000)
                return Rendered(
                    url, url, False, error=f"超过 {limit:g} 秒仍未渲染完成",
                    elapsed_ms=elapsed, requests=tuple(job.notes),
                )  # fmt: skip
            except Exception as exc:  # noqa: BLE001
                await self._discard(tab)
                elapsed = int((time.monotonic() - started) * 1000)
                return Rendered(
                    url, url, False, error=_describe(exc), elapsed_ms=elapsed,
                    requests=tuple(job.notes),
                )  # fmt: skip
            self.pages_rendered += 1
            elapsed = int((time.monotonic() - started) * 1000)
            await self._release(tab)
            return Rendered(url, final, True, html, None, elapsed, tuple(job.notes))

    async def _tab(self, fetcher) -> _Tab:
        user_agent = fetcher.config.user_agent
        while self._idle:
            tab = self._idle.pop()
            if tab.user_agent == user_agent and tab.page.context.browser.is_connected():
                return tab
            await self._discard(tab)
        browser = await self._browser_or_launch()
        context = await browser.new_context(
            user_agent=user_agent,
            locale="zh-CN",
            timezone_id="Asia/Shanghai",
            service_workers="block",
            accept_downloads=False,
            java_script_enabled=True,
        )
        try:
            page = await context.new_page()
            tab = _Tab(context, page, await context.new_cdp_session(page), user_agent)
            await context.route("**/*", self._handler(tab))
            with contextlib.suppress(AttributeError):  # older Playwright: no WebSocket routes
                await context.route_web_socket("**/*", _close_socket)
        except BaseException:
            with contextlib.suppress(Exception):
                await context.close()
            raise
        return tab

    async def _release(self, tab: _Tab) -> None:
        """Wipe what the last page left (see module docstring) and keep the tab for the next."""
        job, tab.job = tab.job, None
        tab.uses += 1
        try:
            await tab.page.goto("about:blank")
            await tab.context.clear_cookies()
            for origin in job.origins if job else ():
                await tab.cdp.send(
                    "Storage.clearDataForOrigin", {"origin": origin, "storageTypes": "all"}
                )
        except Exception:  # noqa: BLE001 - a tab that cannot be wiped is not reused
            await self._discard(tab)
            return
        if tab.uses >= TAB_USES:
            await self._discard(tab)
        else:
            self._idle.append(tab)

    async def _discard(self, tab: _Tab | None) -> None:
        if tab is not None:
            tab.job = None
            with contextlib.suppress(Exception):
                await tab.context.close()

    async def _load(self, page, job: _Job, url: str, limit: float) -> tuple[str, str]:
        deadline = time.monotonic() + limit - 0.5
        response = await page.goto(url, wait_until="load")
        if response is not None and response.status >= 400:
            raise RuntimeError(f"页面返回 HTTP {response.status}")
        # Scripts that fetch their list are done when nothing they asked for is in flight; a
        # page that never quiets down is read as it is when the time is up.
        while time.monotonic() < deadline:
            if job.inflight == 0 and time.monotonic() - job.last >= QUIET_S:
                break
            await asyncio.sleep(0.05)
        return await page.content(), page.url

    def _handler(self, tab: _Tab):
        loop = asyncio.get_running_loop()

        async def handle(route, request) -> None:
            job = tab.job
            if job is None:  # a request of no page being rendered (between pages)
                with contextlib.suppress(Exception):
                    await route.abort("blockedbyclient")
                return
            job.inflight += 1
            job.last = time.monotonic()
            try:
                await self._serve(route, request, job, loop)
            except Exception:  # noqa: BLE001 - the page was closed meanwhile (time limit)
                with contextlib.suppress(Exception):
                    await route.abort("failed")
            finally:
                job.inflight -= 1
                job.last = time.monotonic()

        return handle

    async def _serve(self, route, request, job: _Job, loop) -> None:
        url = request.url
        config = job.fetcher.config
        if request.resource_type in SKIPPED_TYPES:
            job.note(RequestNote(url, "skipped", reason=request.resource_type))
            await route.abort("blockedbyclient")
            return
        post = request.method == "POST"
        if not (request.method in ("GET", "HEAD") or post):
            job.note(RequestNote(url, "skipped", reason=f"不发送 {request.method} 请求"))
            await route.abort("blockedbyclient")
            return
        if post and (refused := _refuse_post(request)):
            job.note(RequestNote(url, "skipped", reason=refused))
            await route.abort("blockedbyclient")
            return
        try:
            await loop.run_in_executor(self._io, lambda: resolve_url(url, config))
        except (UnsafeURL, BadURL) as exc:
            job.note(RequestNote(url, "blocked", reason=exc.reason))
            await route.abort("blockedbyclient")
            return
        except UnresolvableHost as exc:
            job.note(RequestNote(url, "failed", reason=exc.reason))
            await route.abort("namenotresolved")
            return
        job.origins.add(_origin(url))
        if post:
            data = request.post_data_buffer or b""
            kind = request.headers.get("content-type") or "application/x-www-form-urlencoded"
            result = await loop.run_in_executor(self._io, lambda: job.fetcher.post(url, data, kind))
        elif (result := job.known.pop(url, None)) is None:
            result = await loop.run_in_executor(self._io, job.fetcher.fetch, url)
        if result.status is None:
            job.note(RequestNote(url, "failed", reason=result.error or ""))
            await route.abort("failed")
            return
        job.note(RequestNote(url, "fetched", result.status))
        headers = {"content-type": result.content_type or "application/octet-stream"}
        await route.fulfill(status=result.status, headers=headers, body=result.body)

    def close(self) -> None:
        loop = self._loop
        if loop is None or os.getpid() != self.pid:
            return

        async def shut() -> None:
            with contextlib.suppress(Exception):
                if self._browser is not None:
                    await self._browser.close()
            with contextlib.suppress(Exception):
                if self._playwright is not None:
                    await self._playwright.stop()
            current = asyncio.current_task()
            pending = [t for t in asyncio.all_tasks() if t is not current]
            for task in pending:
                task.cancel()
            with contextlib.suppress(Exception):
                await asyncio.gather(*pending, return_exceptions=True)

        with contextlib.suppress(Exception):
            asyncio.run_coroutine_threadsafe(shut(), loop).result(15)
        loop.call_soon_threadsafe(loop.stop)
        self._io.shutdown(wait=False, cancel_futures=True)


MAX_POST_BYTES = 16 * 1024


@contextlib.contextmanager
def unpinned():
    """The calling thread, and the processes it starts meanwhile, on the cores the worker had
    before it pinned itself (``GOVWATCH_CPUS_BEFORE_PIN``, set by config.celery.pin_worker; else
    every core of the machine); its own affinity back afterwards (its Python keeps to the
    worker's core)."""
    before_pin = os.environ.get("GOVWATCH_CPUS_BEFORE_PIN", "")
    wanted = {int(c) for c in before_pin.split(",") if c.strip().isdigit()}
    try:
        before = os.sched_getaffinity(0)
        os.sched_setaffinity(0, wanted or range(os.cpu_count() or 1))
    except (OSError, AttributeError):  # a cpuset may refuse some cores; not Linux
        yield
        return
    try:
        yield
    finally:
        os.sched_setaffinity(0, before)


def _refuse_post(request) -> str:
    """Why a page's POST is not sent ("" when it is). Column pages of common county CMSs load
    their list with a POST to their own site (大汉 jpage's dataproxy.jsp,
    ``$.post("/api/list")``): such a script request is sent, as a visitor's browser would.
    Not a form the page submits (a navigation), not another site, nothing large."""
    if request.resource_type not in ("xhr", "fetch"):
        return "不提交页面表单（POST）"
    try:
        page_url = request.frame.url  # the document whose script asks
    except Exception:  # noqa: BLE001 - no frame (a worker's request)
        page_url = ""
    if _origin(request.url) != _origin(page_url):
        return "不向其他网站发送 POST 请求"
    if len(request.post_data_buffer or b"") > MAX_POST_BYTES:
        return f"POST 请求体超过 {MAX_POST_BYTES // 1024} KB，不发送"
    return ""


async def _close_socket(ws) -> None:
    with contextlib.suppress(Exception):
        await ws.close()


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _describe(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return f"{type(exc).__name__}: {text}"[:300]


_renderer: Renderer | None = None
_renderer_lock = threading.Lock()


def renderer(max_pages: int = 2) -> Renderer:
    """The process's renderer (a new one after a fork: a Celery prefork child gets its own)."""
    global _renderer
    with _renderer_lock:
        if _renderer is None or _renderer.pid != os.getpid():
            _renderer = Renderer(max_pages=max_pages)
            atexit.register(_renderer.close)
        return _renderer


def render_page(fetcher, url: str, known: dict | None = None) -> Rendered:
    """Render one page with the process's renderer (see :class:`Renderer`).

    ``known`` maps URLs already fetched (the page itself) to their FetchResult, so that they are
    not fetched a second time."""
    return renderer(fetcher.config.render_pages).render(fetcher, url, known)
