"""A tiny local site farm for the crawler tests: real HTTP servers on loopback addresses.

Each server counts its hits per path and the requests in flight, so that politeness and
retries are measured where they matter: at the server.
"""

from __future__ import annotations

import gzip
import http.server
import socket
import ssl
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from audits.crawl import CrawlConfig

ZH = "县人民政府办公室关于印发《政务公开工作要点》的通知"
GBK_PAGE = f"<html><head><title>{ZH}</title></head><body><p>{ZH}</p></body></html>"
GBK_META_PAGE = (
    '<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">'
    f"<title>{ZH}</title></head><body><p>{ZH}</p></body></html>"
)
UTF8_PAGE = f'<!doctype html><html><head><meta charset="utf-8"><title>{ZH}</title></head></html>'


def make_config(**overrides: object) -> CrawlConfig:
    """Test defaults: the farm is allowed, no rate gate, fast backoff, short timeouts."""
    values: dict[str, object] = {
        "allow_hosts": frozenset({"127.0.0.0/8"}),
        "per_host_rate": 0.0,
        "retry_backoff": (0.01, 0.02),
        "connect_timeout": 2.0,
        "read_timeout": 3.0,
        "total_timeout": 5.0,
    }
    values.update(overrides)
    return CrawlConfig(**values)  # type: ignore[arg-type]


@dataclass
class InFlight:
    """Requests in flight, possibly shared by several servers."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    now: int = 0
    peak: int = 0

    def enter(self) -> None:
        with self.lock:
            self.now += 1
            self.peak = max(self.peak, self.now)

    def leave(self) -> None:
        with self.lock:
            self.now -= 1


class FarmServer(http.server.ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(
        self,
        host: str,
        tls: ssl.SSLContext | None = None,
        inflight: InFlight | None = None,
        port: int = 0,
    ) -> None:
        super().__init__((host, port), FarmHandler)
        self.tls = tls
        self.hits: Counter[str] = Counter()
        self.posts: list[tuple[str, str, bytes]] = []  # (path, Content-Type, body) of POSTs
        self.host_headers: list[str] = []
        self.user_agents: list[str] = []
        self.starts: list[float] = []
        self.inflight = InFlight()
        self.shared_inflight: InFlight | None = inflight
        self.lock = threading.Lock()

    def finish_request(self, request, client_address):  # type: ignore[no-untyped-def]
        if self.tls is not None:
            request.settimeout(5)
            try:
                request = self.tls.wrap_socket(request, server_side=True)
            except (ssl.SSLError, OSError):
                return  # the client rejected our certificate or spoke plain HTTP
        super().finish_request(request, client_address)

    def handle_error(self, request, client_address):  # type: ignore[no-untyped-def]
        pass  # clients hang up on purpose (deadline, size cap); keep the output clean

    @property
    def port(self) -> int:
        return self.server_address[1]

    def url(self, path: str, host: str | None = None) -> str:
        scheme = "https" if self.tls else "http"
        return f"{scheme}://{host or self.server_address[0]}:{self.port}{path}"

    def count(self, path: str, method: str = "GET") -> int:
        return self.hits[f"{method} {path}"]


class FarmHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: FarmServer

    def log_message(self, format, *args):  # type: ignore[no-untyped-def]  # noqa: A002
        pass

    def do_HEAD(self) -> None:
        self._dispatch("HEAD")

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.posted = self.rfile.read(length) if length else b""
        with self.server.lock:
            self.server.posts.append((self.path, self.headers.get("Content-Type", ""), self.posted))
        self._dispatch("POST")

    def _dispatch(self, method: str) -> None:
        parts = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        srv = self.server
        with srv.lock:
            srv.hits[f"{method} {parts.path}"] += 1
            srv.host_headers.append(self.headers.get("Host", ""))
            srv.user_agents.append(self.headers.get("User-Agent", ""))
            srv.starts.append(time.monotonic())
        srv.inflight.enter()
        if srv.shared_inflight:
            srv.shared_inflight.enter()
        try:
            self._route(method, parts.path, query)
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError):
            pass
        finally:
            srv.inflight.leave()
            if srv.shared_inflight:
                srv.shared_inflight.leave()

    def _send(
        self,
        status: int,
        body: bytes = b"",
        content_type: str | None = "text/html; charset=utf-8",
        headers: dict[str, str] | None = None,
    ) -> None:
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _redirect(self, location: str, status: int = 302) -> None:
        self._send(status, b"", headers={"Location": location})

    def _route(self, method: str, path: str, q: dict[str, str]) -> None:
        if path == "/page":
            self._send(200, UTF8_PAGE.encode("utf-8"))
        elif path == "/gbk-declared":
            self._send(200, GBK_PAGE.encode("gbk"), "text/html; charset=GBK")
        elif path == "/gbk-meta":
            self._send(200, GBK_META_PAGE.encode("gbk"), "text/html")
        elif path == "/gbk-undeclared":
            self._send(200, GBK_PAGE.encode("gbk"), "text/html")
        elif path == "/utf8-as-gb2312":
            self._send(200, GBK_PAGE.encode("utf-8"), "text/html; charset=gb2312")
        elif path == "/gbk-as-utf8":
            self._send(200, GBK_PAGE.encode("gbk"), "text/html; charset=utf-8")
        elif path == "/gzip":
            self._send(200, gzip.compress(UTF8_PAGE.encode()), headers={"Content-Encoding": "gzip"})
        elif path == "/pdf":
            self._send(200, b"%PDF-1.4\n" + bytes(range(256)) * 4, "application/pdf")
        elif path.startswith("/hops/"):
            n = int(path.rsplit("/", 1)[1])
            if n == 0:
                self._send(200, UTF8_PAGE.encode())
            else:
                self._redirect(f"/hops/{n - 1}")
        elif path == "/relative":
            self._redirect("page?from=relative", 301)
        elif path == "/redirect-to":
            self._redirect(q["url"])
        elif path == "/cookie-loop":
            if "visited=1" in self.headers.get("Cookie", ""):
                self._send(200, UTF8_PAGE.encode())
            else:
                self._send(
                    302, b"", headers={"Location": "/cookie-loop", "Set-Cookie": "visited=1"}
                )
        elif path == "/huge":
            size = int(q.get("size", 1024 * 1024))
            chunk = b"<p>" + b"x" * 1020 + b"</p>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(size))
            self.end_headers()
            sent = 0
            while sent < size:
                piece = chunk[: size - sent]
                self.wfile.write(piece)
                sent += len(piece)
        elif path == "/trickle":
            # One byte every 50 ms for at most 5 s: never idle long enough for a read timeout.
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", "100")
            self.end_headers()
            for _ in range(100):
                self.wfile.write(b"x")
                self.wfile.flush()
                time.sleep(0.05)
        elif path == "/slow":
            time.sleep(float(q.get("s", "0.2")))
            self._send(200, UTF8_PAGE.encode())
        elif path.startswith("/status/"):
            code = int(path.rsplit("/", 1)[1])
            self._send(code, f"<h1>{code}</h1>".encode())
        elif path == "/flaky":
            if self.server.count("/flaky") == 1:
                self._send(503, b"busy")
            else:
                self._send(200, UTF8_PAGE.encode())
        elif path == "/reset":
            # Hang up without answering.
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
        elif path == "/js-list":
            # A list only JavaScript builds, from this host's JSON; the script also tries the
            # address in ?probe= (an internal one in the tests) and a WebSocket to it.
            probe = q.get("probe", "")
            script = (
                "var u = ['/api', 'list.json'].join('/');\n"
                "fetch(u).then(function (r) { return r.json(); })"
                ".then(function (d) { var h = '';"
                " d.items.forEach(function (it) { h += '<li><a href=\"' + it.url + '\">' +"
                " it.title + '</a><span>' + it.date + '</span></li>'; });"
                " document.getElementById('list').innerHTML = h; });\n"
            )
            if probe:
                script += (
                    f"fetch('{probe}').catch(function () {{}});\n"
                    f"try {{ new WebSocket('{probe.replace('http', 'ws')}'); }} catch (e) {{}}\n"
                    f"var img = new Image(); img.src = '{probe}img.png';\n"
                )
            body = (
                "<html><head><meta charset='utf-8'><title>工作动态</title></head><body>"
                "<div class='main'><ul class='list' id='list'></ul></div>"
                f"<script>{script}</script></body></html>"
            )
            self._send(200, body.encode("utf-8"))
        elif path == "/api/list.json":
            items = [
                {"title": f"县政府召开第{n}次常务会议研究部署工作", "url": f"/art/{n}.html",
                 "date": f"2026-11-{20 - n:02d}"}
                for n in range(5)
            ]  # fmt: skip
            import json

            self._send(200, json.dumps({"items": items}).encode(), "application/json")
        elif path == "/js-post":
            # A 大汉 jpage-style column: the list is POSTed for (form-encoded) to this site, and
            # the script also POSTs to ?other= (another site) and submits a form to this one.
            other = q.get("other", "")
            script = (
                "fetch('/dataproxy.jsp', {method: 'POST', headers: {'Content-Type':"
                " 'application/x-www-form-urlencoded'}, body: 'col=1&appid=1&perpage=15'})"
                ".then(function (r) { return r.json(); })"
                ".then(function (d) { var h = '';"
                " d.items.forEach(function (it) { h += '<li><a href=\"' + it.url + '\">' +"
                " it.title + '</a><span>' + it.date + '</span></li>'; });"
                " document.getElementById('list').innerHTML = h; });\n"
            )
            if other:
                script += (
                    f"fetch('{other}', {{method: 'POST', body: 'x=1'}}).catch(function () {{}});\n"
                )
            body = (
                "<html><head><meta charset='utf-8'><title>通知公告</title></head><body>"
                "<div class='main'><ul class='list' id='list'></ul></div>"
                f"<script>{script}</script></body></html>"
            )
            self._send(200, body.encode("utf-8"))
        elif path == "/dataproxy.jsp" and method == "POST":
            import json

            if b"col=1" not in getattr(self, "posted", b""):
                self._send(400, b"missing col", "text/plain")
                return
            items = [
                {"title": f"关于做好第{n}批惠民补贴发放工作的通知", "url": f"/art/p{n}.html",
                 "date": f"2026-11-{18 - n:02d}"}
                for n in range(4)
            ]  # fmt: skip
            self._send(200, json.dumps({"items": items}).encode(), "application/json")
        elif path == "/js-forever":
            # The page's script keeps the network busy: never idle.
            body = (
                "<html><body><ul id='list'></ul><script>"
                "setInterval(function () { fetch('/slow?s=0.3&t=' + Math.random()); }, 100);"
                "</script></body></html>"
            )
            self._send(200, body.encode())
        elif path == "/js-state":
            # Shows the cookie and storage it finds, then leaves its own for the next page; the
            # server also sets a cookie. A tab reused for the next page must show none of them.
            body = (
                "<html><body><p id='found'></p><script>"
                "document.getElementById('found').textContent = 'cookie=' + document.cookie +"
                " ';local=' + (localStorage.getItem('k') || '') +"
                " ';session=' + (sessionStorage.getItem('k') || '');"
                "document.cookie = 'js=1; path=/'; localStorage.setItem('k', 'left');"
                " sessionStorage.setItem('k', 'left');"
                "</script></body></html>"
            )
            self._send(200, body.encode(), headers={"Set-Cookie": "server=1; Path=/"})
        elif path == "/js-late":
            # The list's JSON is asked for 150 ms after load: still read before the page is.
            body = (
                "<html><body><ul id='list'></ul><script>"
                "window.addEventListener('load', function () { setTimeout(function () {"
                " fetch('/api/list.json').then(function (r) { return r.json(); })"
                ".then(function (d) { document.getElementById('list').innerHTML ="
                " '<li>' + d.items[0].title + '</li>'; }); }, 150); });"
                "</script></body></html>"
            )
            self._send(200, body.encode())
        elif path == "/retry-after":
            # 429 with Retry-After on the first `n` requests (per server), then the page.
            limit = int(q.get("n", "1"))
            if self.server.count("/retry-after") <= limit:
                status = int(q.get("status", "429"))
                self._send(status, b"slow down", headers={"Retry-After": q.get("after", "1")})
            else:
                self._send(200, UTF8_PAGE.encode())
        elif path == "/head-405":
            if method == "HEAD":
                self._send(405, b"")
            else:
                self._send(200, UTF8_PAGE.encode())
        else:
            self._send(404, b"not found")


def start_server(
    host: str = "127.0.0.1",
    tls: ssl.SSLContext | None = None,
    inflight: InFlight | None = None,
    port: int = 0,
) -> FarmServer:
    server = FarmServer(host, tls=tls, inflight=inflight, port=port)
    threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    ).start()
    return server


# -- certificates ----------------------------------------------------------------------------


@dataclass
class Certs:
    ca: Path
    self_signed: tuple[Path, Path]  # cert, key (localhost, 127.0.0.1)
    good: tuple[Path, Path]  # signed by ca, localhost + 127.0.0.1
    wrong_name: tuple[Path, Path]  # signed by ca, www.example.test only
    expired: tuple[Path, Path]  # signed by ca, localhost, expired yesterday


def server_tls(cert_and_key: tuple[Path, Path]) -> ssl.SSLContext:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(str(cert_and_key[0]), str(cert_and_key[1]))
    return ctx
