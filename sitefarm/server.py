"""An asyncio HTTP/1.1 server that serves every site of a farm on its own loopback address.

Every live site's host (127.0.1.1, 127.0.1.2, ...) is bound on the same port; the local address a
connection arrived on selects the host, then the longest matching home path selects the site
(department sites may live under the portal's host at /bm/<slug>/). Latency and slow hosts are
`await asyncio.sleep`, so thousands of pending requests cost no threads.

Use FarmServer(...).start() from tests (a background thread with its own event loop), or
`await FarmServer(...).start_async()` inside a running loop (the CLI does this).

New-media feeds: FarmServer(farm, accounts=..., bridge_port=...) also listens on the accounts'
bridge host (127.0.3.1 by default) and serves /wechat/<id>, /weibo/<id>, ... (feeds.py), each
feed rendered on request. accounts defaults to farm.accounts; farm may be None for a bridge alone.
bridge_port None = the farm's port, 0 = a free port of its own.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import struct
import threading
from urllib.parse import parse_qsl, quote, unquote, urlsplit

from . import feeds, interaction, render, search, services
from .model import Account, Column, Farm, Item, Site

log = logging.getLogger(__name__)

REASONS = {
    200: "OK",
    301: "Moved Permanently",
    400: "Bad Request",
    403: "Forbidden",
    404: "Not Found",
    429: "Too Many Requests",
    500: "Internal Server Error",
}
BAD_LINK_STATUS = {"404": 404, "403": 403, "429": 429}
RESET = object()  # a response that is a TCP reset
IDLE_TIMEOUT_S = 60  # close keep-alive connections idle for this long


class FarmServer:
    def __init__(
        self,
        farm: Farm | None,
        port: int = 0,
        latency_ms: int = 0,
        *,
        accounts: feeds.AccountSet | None = None,
        bridge_port: int | None = None,
    ):
        self.farm = farm
        self.port = port
        self.latency_ms = latency_ms  # may be changed while running
        self.requests = 0  # requests answered so far (all hosts)
        self._requested_port = port
        self.accounts = accounts if accounts is not None else (farm.accounts if farm else None)
        self.bridge_host = self.accounts.bridge_host if self.accounts is not None else None
        self.bridge_port = bridge_port
        self._requested_bridge_port = bridge_port
        self._sites_by_host: dict[str, list[Site]] = {}
        for site in farm.sites if farm else ():
            if not site.dead:
                self._sites_by_host.setdefault(site.host, []).append(site)
        if self.bridge_host in self._sites_by_host:
            raise ValueError(f"bridge host {self.bridge_host} is also a site's host")
        for sites in self._sites_by_host.values():
            sites.sort(key=lambda s: len(s.home_path), reverse=True)
        self._routes: dict[str, dict[str, tuple]] = {}  # built lazily per site
        self._hits: dict[str, int] = {}  # requests per site, for fail_every
        self._servers: list[asyncio.AbstractServer] = []
        self._writers: set[asyncio.StreamWriter] = set()
        self._tasks: set[asyncio.Task] = set()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None

    # ----- addresses -----

    @property
    def hosts(self) -> list[str]:
        """The addresses that are listened on (dead sites' addresses are not)."""
        return sorted(self._sites_by_host, key=lambda h: tuple(int(p) for p in h.split(".")))

    def url(self, site: Site) -> str:
        return f"http://{site.host}:{self.port}{site.home_path}"

    def column_url(self, site: Site, column: Column, page: int = 0) -> str:
        return f"http://{site.host}:{self.port}{column.page_path(page)}"

    def item_url(self, site: Site, item: Item) -> str:
        return f"http://{site.host}:{self.port}{item.path}"

    def path_url(self, site: Site, path: str) -> str:
        return f"http://{site.host}:{self.port}{path}"

    def search_url(self, site: Site, query: str) -> str:
        """The site's search page for a query (Site.search_url with the query UTF-8 quoted)."""
        return self.path_url(site, site.search_url.replace("{q}", quote(query)))

    def feed_url(self, account: Account) -> str:
        return account.feed_url.format(port=self.bridge_port)

    @property
    def bridge_url(self) -> str | None:
        if self.bridge_host is None:
            return None
        return f"http://{self.bridge_host}:{self.bridge_port}/"

    # ----- lifecycle in a background thread -----

    def start(self) -> FarmServer:
        """Start in a background thread; returns once every host is listening."""
        if self._thread is not None:
            raise RuntimeError("already started")
        ready = threading.Event()
        errors: list[BaseException] = []

        def run() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            try:
                loop.run_until_complete(self.start_async())
            except BaseException as exc:  # report bind errors to the caller
                errors.append(exc)
                ready.set()
                loop.close()
                return
            ready.set()
            loop.run_forever()
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()

        self._thread = threading.Thread(target=run, name="sitefarm", daemon=True)
        self._thread.start()
        ready.wait()
        if errors:
            self._thread.join()
            self._thread = None
            raise errors[0]
        return self

    def stop(self) -> None:
        """Close every listener and connection, then end the thread."""
        if self._thread is None or self._loop is None:
            return
        future = asyncio.run_coroutine_threadsafe(self.stop_async(), self._loop)
        future.result(timeout=30)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=30)
        self._thread = None

    def __enter__(self) -> FarmServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # ----- lifecycle in the current event loop -----

    async def start_async(self) -> None:
        hosts = self.hosts
        attempts = 1 if self._requested_port else 20
        for attempt in range(attempts):
            try:
                await self._bind_all(hosts, self._requested_port)
                return
            except OSError:
                await self._close_servers()
                if attempt == attempts - 1:
                    raise

    async def _bind_all(self, hosts: list[str], port: int) -> None:
        for host in hosts:
            server = await asyncio.start_server(
                self._serve_connection, host, port, backlog=1024, reuse_address=True
            )
            self._servers.append(server)
            if port == 0:  # the first host picks a free port; the others share it
                port = server.sockets[0].getsockname()[1]
        if self.bridge_host is not None:
            bridge_port = self._requested_bridge_port
            bridge_port = port if bridge_port is None else bridge_port
            server = await asyncio.start_server(
                self._serve_connection, self.bridge_host, bridge_port, backlog=1024,
                reuse_address=True,
            )  # fmt: skip
            self._servers.append(server)
            self.bridge_port = server.sockets[0].getsockname()[1]
            if not hosts:
                port = self.bridge_port
        self.port = port

    async def _close_servers(self) -> None:
        for server in self._servers:
            server.close()
        self._servers.clear()

    async def stop_async(self) -> None:
        await self._close_servers()
        for writer in list(self._writers):
            writer.transport.abort()
        tasks = [t for t in self._tasks if t is not asyncio.current_task()]
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)

    # ----- HTTP -----

    async def _serve_connection(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        task = asyncio.current_task()
        self._tasks.add(task)
        self._writers.add(writer)
        local_ip = writer.get_extra_info("sockname")[0]
        try:
            while True:
                try:
                    async with asyncio.timeout(IDLE_TIMEOUT_S):
                        head = await reader.readuntil(b"\r\n\r\n")
                except (TimeoutError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
                    return
                try:
                    method, target, keep_alive, body_length = _parse_head(head)
                except ValueError:
                    writer.write(_response_bytes(400, {}, b"", "GET", False))
                    await writer.drain()
                    return
                if body_length:
                    await reader.readexactly(body_length)
                response = await self._respond(local_ip, method, target)
                if response is RESET:
                    _reset(writer)
                    return
                status, headers, body = response
                writer.write(_response_bytes(status, headers, body, method, keep_alive))
                await writer.drain()
                self.requests += 1
                if not keep_alive:
                    return
        except (ConnectionError, ValueError, asyncio.IncompleteReadError):
            return
        except asyncio.CancelledError:  # stop(): end quietly (the task is ours, nobody awaits it)
            writer.transport.abort()
        except Exception:  # a bug in rendering must not kill the farm
            log.exception("sitefarm: error while serving %s", local_ip)
            writer.transport.abort()
        finally:
            self._writers.discard(writer)
            self._tasks.discard(task)
            if not writer.transport.is_closing():
                writer.close()

    async def _respond(self, local_ip: str, method: str, target: str):
        if local_ip == self.bridge_host:
            return await self._bridge_respond(target)
        parts = urlsplit(target)
        path = unquote(parts.path or "/")
        site = self._site_for(local_ip, path)
        delay = self.latency_ms + (site.delay_ms if site else 0)
        if delay:
            await asyncio.sleep(delay / 1000)
        if site is None:
            return (
                404,
                {"Content-Type": "text/html; charset=utf-8"},
                render.error_page(404, "Not Found"),
            )
        if site.failure and site.fail_every:
            hits = self._hits.get(site.key, 0) + 1
            self._hits[site.key] = hits
            if hits % site.fail_every == 0:
                if site.failure == "reset":
                    return RESET
                return (
                    500,
                    {"Content-Type": "text/html; charset=utf-8"},
                    render.error_page(500, "Internal Server Error"),
                )
        return self.page(site, path, parts.query)

    async def _bridge_respond(self, target: str):
        path = unquote(urlsplit(target).path or "/")
        account = self.accounts.find(path)
        delay = self.latency_ms + (account.delay_ms if account else 0)
        if delay:
            await asyncio.sleep(delay / 1000)
        if path in ("/", "/index.html"):
            return (
                200,
                {"Content-Type": "text/html; charset=utf-8"},
                feeds.bridge_index(self.accounts),
            )
        if account is None or account.feed_host != self.bridge_host:
            return (
                404,
                {"Content-Type": "text/html; charset=utf-8"},
                render.error_page(404, "Not Found"),
            )
        return feeds.feed_response(self.accounts, account.index, self.bridge_port)

    def _site_for(self, local_ip: str, path: str) -> Site | None:
        for site in self._sites_by_host.get(local_ip, ()):
            if path.startswith(site.home_path) or path == site.prefix:
                return site
        return None

    def page(self, site: Site, path: str, query: str = "") -> tuple[int, dict, bytes]:
        """(status, headers, body) for a path (and query) of a site, without latency or
        failures."""
        if path == site.prefix and site.prefix:
            return 301, {"Location": site.home_path}, b""
        route = self._site_routes(site).get(path)
        html_404 = {"Content-Type": "text/html; charset=utf-8"}
        if route is None:
            return 404, html_404, render.error_page(404, "Not Found")
        kind = route[0]
        if kind == "status":
            status = route[1]
            headers = {"Content-Type": "text/html; charset=utf-8"}
            if status == 429:
                headers["Retry-After"] = "120"
            return status, headers, render.error_page(status, REASONS[status])
        if kind == "json":
            return (
                200,
                {"Content-Type": "application/json; charset=utf-8"},
                render.column_json(route[1]),
            )
        page = render.Page(self.farm, site, self.port)
        if kind == "home":
            html, encoding = page.home(), site.encoding
        elif kind == "xxgk":
            html, encoding = page.xxgk(), site.encoding
        elif kind == "column":
            html, encoding = page.column_page(route[1], route[2]), route[1].encoding
        elif kind == "article":
            html, encoding = page.article(route[1], route[2]), route[1].encoding
        else:
            html, encoding = self._extra_page(page, site, route, query), site.encoding
        body, content_type = render.encode(html, encoding)
        return 200, {"Content-Type": content_type}, body

    @staticmethod
    def _extra_page(page: render.Page, site: Site, route: tuple, query: str) -> str:
        kind = route[0]
        if kind == "search":
            params = _query_params(query)
            number = params.get(site.search_page_param, "1")
            page_no = int(number) if number.isdigit() else 1
            return search.render_search(page, params.get(site.search_param), page_no)
        if kind == "services":
            return services.render_list(page)
        if kind == "guide":
            return services.render_guide(page, route[1])
        if kind == "messages":
            return interaction.render_list(page, route[1])
        if kind == "message":
            return interaction.render_detail(page, route[1])
        return page.channel(route[1])  # channel

    def _site_routes(self, site: Site) -> dict[str, tuple]:
        routes = self._routes.get(site.key)
        if routes is None:
            routes = {site.home_path: ("home",), site.home_path + "index.html": ("home",)}
            if site.xxgk_path:
                routes[site.xxgk_path] = ("xxgk",)
            for column in site.columns:
                for page_no in range(column.n_pages):
                    routes[column.page_path(page_no)] = ("column", column, page_no)
                if column.style == "json_api":
                    routes[column.api_path] = ("json", column)
                for item in column.items:
                    routes[item.path] = ("article", column, item)
            for link in site.bad_links:
                if link.host is None:
                    routes[link.path] = ("status", BAD_LINK_STATUS[link.expect])
            self._extra_routes(site, routes)
            self._routes[site.key] = routes
        return routes

    @staticmethod
    def _extra_routes(site: Site, routes: dict[str, tuple]) -> None:
        """Routes of the opt-in parts (none for a site that has none of them)."""
        if site.search:
            routes[site.search_path] = ("status", 500) if site.search == "dead" else ("search",)
        if site.services:
            routes[site.services_path] = ("services",)
            for item in site.services:
                if item.guide == "ok":
                    routes[item.guide_path] = ("guide", item)
        if site.messages:
            for page_no in range(site.message_pages):
                routes[site.message_page_path(page_no)] = ("messages", page_no)
            for message in site.messages:
                routes[message.path] = ("message", message)
        for channel in site.channels:
            routes[channel.path] = ("channel", channel)


def _query_params(query: str) -> dict[str, str]:
    """Query parameters, decoded as UTF-8 (or as GBK when they are not UTF-8)."""
    try:
        return dict(parse_qsl(query, keep_blank_values=True, errors="strict"))
    except UnicodeDecodeError:
        return dict(parse_qsl(query, keep_blank_values=True, encoding="gbk", errors="replace"))


def _parse_head(head: bytes) -> tuple[str, str, bool, int]:
    lines = head.decode("latin-1").split("\r\n")
    method, target, version = lines[0].split(" ", 2)
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip().lower()
    connection = headers.get("connection", "")
    keep_alive = (
        ("close" not in connection) if version == "HTTP/1.1" else ("keep-alive" in connection)
    )
    return method.upper(), target, keep_alive, int(headers.get("content-length") or 0)


def _response_bytes(
    status: int, headers: dict, body: bytes, method: str, keep_alive: bool
) -> bytes:
    lines = [f"HTTP/1.1 {status} {REASONS.get(status, 'Unknown')}", "Server: sitefarm"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    lines.append(f"Content-Length: {len(body)}")
    lines.append("Connection: " + ("keep-alive" if keep_alive else "close"))
    head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
    return head if method == "HEAD" else head + body


def _reset(writer: asyncio.StreamWriter) -> None:
    """Close with SO_LINGER 0, so the client sees ECONNRESET."""
    sock = writer.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()
