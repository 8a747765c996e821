"""The crawler's HTTP client: the only outbound HTTP in govwatch.

``Fetcher.fetch(url)`` never raises for network problems; it returns a :class:`FetchResult`
that says what happened in words a person can read.

Rules it keeps (DESIGN.md, "Crawling rules of conduct"):

- every hop of a redirect chain is resolved and checked by :mod:`.safety`, and the connection
  goes to an address that was checked ("pinning"): the URL handed to urllib3 names the checked
  IP, while the ``Host`` header, TLS SNI and certificate check use the real host name, so a DNS
  answer that changes between check and connect (DNS rebinding) is never used;
- honest User-Agent, connect/read timeouts and a wall-clock deadline per attempt, a size cap
  read while streaming, at most ``max_redirects`` redirects, followed by hand;
- retries with backoff only for transient trouble (connection errors, 502/503/504, a timeout
  once), never for 403/404/429 — except that a 429 or 503 carrying ``Retry-After`` (seconds or an
  HTTP date, at most ``max_retry_after``) holds the whole host back that long (``limiter.defer``,
  shared by every worker) and is tried again; one that stays throttled is ``throttled``, not an
  outage;
- a per-host slot (:mod:`.politeness`) held for the duration of each request;
- a certificate problem is recorded in ``tls_problem`` and the page is fetched again without
  verification so that its content can still be inspected; a server that only speaks obsolete
  TLS is retried with a permissive TLS context.

Environment proxies are ignored (``trust_env = False``): a proxy would resolve the host itself
and undo the pinning. Cookies set during one fetch are sent back within that fetch only
(anti-bot redirects such as "set cookie, redirect to self" need that), never kept afterwards.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import http.client
import ssl
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import urljoin, urlsplit, urlunsplit

import urllib3
from requests.utils import DEFAULT_ACCEPT_ENCODING, requote_uri

from .config import CrawlConfig
from .encoding import decode_html
from .politeness import Limiter, LimiterTimeout, make_limiter
from .safety import BadURL, ResolvedURL, UnresolvableHost, UnsafeURL, resolve_url
from .transport import (
    Failure,
    PinnedPools,
    classify_exception,
    legacy_ssl_context,
)

LinkState = Literal["ok", "dead", "unknown"]

# One try per request (the fetcher retries itself), redirects returned, not followed; read
# errors raised as they are.
_NO_RETRIES = urllib3.Retry(0, read=False)

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
RETRY_STATUSES = frozenset({502, 503, 504})
# HEAD is believed only when it says the link is fine; a HEAD answer that suggests trouble is
# checked with GET, because many servers and WAFs answer HEAD wrongly.
HEAD_FALLBACK_STATUSES = frozenset({400, 403, 404, 405, 410, 501})
TRANSIENT_ERRORS = frozenset({"connect", "refused", "reset", "dns_temporary"})
_CHUNK = 64 * 1024
_REDIRECT_BODY_CAP = 64 * 1024

_HTTP_REASONS_ZH = {
    400: "请求无效",
    401: "需要登录",
    403: "禁止访问",
    404: "页面不存在",
    405: "不支持该请求方法",
    410: "页面已永久删除",
    429: "请求过于频繁，被服务器限流",
    500: "服务器内部错误",
    501: "服务器不支持该请求",
    502: "网关错误",
    503: "服务暂时不可用",
    504: "网关超时",
}


@dataclass(frozen=True)
class FetchResult:
    url: str  # as asked
    final_url: str  # after redirects
    status: int | None  # status of the last response received (None if none)
    ok: bool  # 2xx, whole body read, no error
    error_kind: str | None  # see ERROR_KINDS
    error: str | None  # for a person to read (Chinese)
    elapsed_ms: int  # time talking to servers in the last attempt (no queueing, no backoff)
    bytes: int  # len(body)
    body: bytes = field(repr=False)
    truncated: bool  # body was cut at max_bytes
    text: str = field(repr=False)  # decoded body ("" for non-text or no body)
    encoding: str | None
    encoding_how: str | None
    content_type: str | None
    headers: Mapping[str, str] = field(repr=False)  # last response, lower-case names
    redirects: tuple[str, ...]  # each Location followed, absolute, in order
    tls_problem: str | None  # certificate / TLS trouble that was worked around
    cert_not_after: dt.datetime | None  # expiry of the last https server certificate
    fetched_at: dt.datetime  # aware UTC
    attempts: int = 1
    address: str | None = None  # IP address the last request went to


ERROR_KINDS = (
    "timeout",  # connect/read timeout or the wall-clock deadline
    "dns",  # the name does not exist or has no address
    "dns_temporary",  # resolver failure or timeout
    "refused",  # connection refused
    "connect",  # other connection failure (unreachable, ...)
    "reset",  # connection reset or closed mid-response
    "tls",  # TLS handshake impossible even with a permissive context
    "too_large",  # body larger than max_bytes (body holds the first max_bytes)
    "too_many_redirects",
    "unsafe_url",  # refused by the URL safety check (also on a redirect hop)
    "bad_url",
    "bad_response",  # undecodable content encoding, malformed response
    "http_error",  # a response with status >= 400 (or a 3xx without Location)
    "busy",  # no per-host slot became free in time
    "throttled",  # 429/503 with Retry-After, still so after backing off (the server is up)
)


@dataclass(frozen=True)
class HostWaits:
    """Time a fetcher's requests to one host spent waiting (cumulative, per process)."""

    slot_seconds: float = 0.0  # for a per-host slot and the rate gate
    requests: int = 0
    retry_after: int = 0  # Retry-After answers honoured
    retry_after_seconds: float = 0.0


def link_state(result: FetchResult) -> LinkState:
    """Classify a link check: "dead" only on clear evidence (404/410, no such domain,
    connection refused). 403, 429, 5xx, timeouts and everything unclear are "unknown"; the
    caller counts a link dead only after it fails again in a later run."""
    if result.error_kind in ("dns", "refused"):
        return "dead"
    if result.error_kind not in (None, "http_error", "too_large") or result.status is None:
        return "unknown"
    if 200 <= result.status < 300:
        return "ok"
    if result.status in (404, 410):
        return "dead"
    return "unknown"


@dataclass
class _Hop:
    status: int
    headers: dict[str, str]
    set_cookies: list[str]
    body: bytes
    truncated: bool
    address: str
    cert_not_after: dt.datetime | None


@dataclass
class _Attempt:
    """Outcome of one attempt at a URL (a whole redirect chain)."""

    final_url: str
    redirects: list[str] = field(default_factory=list)
    hop: _Hop | None = None
    error_kind: str | None = None
    error: str | None = None
    elapsed: float = 0.0
    tls_problem: str | None = None
    key: str | None = None  # politeness key of the last host asked


@dataclass(frozen=True)
class Payload:
    """The body of a POST and its Content-Type."""

    data: bytes
    content_type: str


class Fetcher:
    """Polite, safe HTTP client; share one per process (it is thread-safe)."""

    def __init__(self, config: CrawlConfig, limiter: Limiter | None = None) -> None:
        self.config = config
        self.limiter = limiter if limiter is not None else make_limiter(config)
        # Pools are per address: many county sites often share one hosting platform IP.
        sizes = {"num_pools": 64, "maxsize": max(32, config.per_host_concurrency)}
        self._pools = PinnedPools(ca_bundle=config.ca_bundle, **sizes)
        self._legacy_pools = PinnedPools(legacy_ssl_context(), **sizes)
        self._waits: dict[str, HostWaits] = {}
        self._waits_lock = threading.Lock()
        self._base_headers = {
            "User-Agent": _header_safe(config.user_agent),
            "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
            "Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5",
            "Accept-Encoding": DEFAULT_ACCEPT_ENCODING,
        }

    def close(self) -> None:
        self._pools.clear()
        self._legacy_pools.clear()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def release_finished(self) -> None:
        """Give back now the per-host slots of finished requests that the limiter keeps for the
        next request (RedisLimiter's linger): a site's task calls it when it is done fetching,
        so that a worker process that then ends without running atexit (Celery's prefork child,
        os._exit) leaves no lease to block the host until it expires."""
        release = getattr(self.limiter, "release_finished", None)
        if release is not None:
            release()

    # -- waits ---------------------------------------------------------------------------

    def host_waits(self, key: str) -> HostWaits:
        """What requests to ``key`` (``host:port``) waited so far in this process."""
        with self._waits_lock:
            return self._waits.get(key, HostWaits())

    def _count_wait(self, key: str, slot: float = 0.0, retry_after: float | None = None) -> None:
        with self._waits_lock:
            w = self._waits.get(key, HostWaits())
            if retry_after is None:
                w = HostWaits(w.slot_seconds + slot, w.requests + 1, w.retry_after,
                              w.retry_after_seconds)  # fmt: skip
            else:
                w = HostWaits(w.slot_seconds, w.requests, w.retry_after + 1,
                              w.retry_after_seconds + retry_after)  # fmt: skip
            self._waits[key] = w

    # -- public API ---------------------------------------------------------------------

    def fetch(self, url: str) -> FetchResult:
        """GET ``url`` following redirects; body capped, decoded when it is text."""
        return self._run(url, "GET", read_body=True)

    def head_or_get(self, url: str) -> FetchResult:
        """Check that a link works without downloading it: HEAD, and GET (body not read)
        when the HEAD answer suggests trouble. The result carries no body."""
        result = self._run(url, "HEAD", read_body=False)
        if result.status in HEAD_FALLBACK_STATUSES or result.error_kind == "reset":
            result = self._run(url, "GET", read_body=False)
        return result

    def post_json(self, url: str, payload: dict) -> FetchResult:
        """POST a JSON body (group-robot webhooks): the same address checks as any fetch, one
        attempt only (a retry could deliver a message twice), redirects not followed."""
        import json

        data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        return self.post(url, data, "application/json; charset=utf-8")

    def post(self, url: str, data: bytes, content_type: str) -> FetchResult:
        """POST ``data`` as ``content_type`` (a rendered page's own data request), as
        :meth:`post_json`: every address check and the per-host limit, one attempt, no
        redirects followed."""
        fetched_at = dt.datetime.now(dt.UTC)
        attempt = self._attempt(url, "POST", True, body=Payload(data, content_type))
        return self._result(url, "POST", attempt, fetched_at, 1, attempt.tls_problem)

    # -- attempts and retries -------------------------------------------------------------

    def _run(self, url: str, method: str, *, read_body: bool) -> FetchResult:
        fetched_at = dt.datetime.now(dt.UTC)
        attempts = 0
        timeouts = 0
        tls_problem: str | None = None
        throttled = False
        while True:
            attempts += 1
            attempt = self._attempt(url, method, read_body)
            tls_problem = tls_problem or attempt.tls_problem
            wait = self._retry_after(attempt)
            throttled = wait is not None
            if throttled and attempts <= self.config.retries:
                # The server asked for a pause: the whole host waits (every worker sharing the
                # limiter), then this request is tried again.
                key = attempt.key
                defer = getattr(self.limiter, "defer", None)
                if defer is not None and key:
                    defer(key, wait)
                else:
                    time.sleep(wait)
                self._count_wait(key or "", retry_after=wait)
                continue
            if attempts > self.config.retries or not self._should_retry(attempt, timeouts):
                break
            if attempt.error_kind == "timeout":
                timeouts += 1
            backoff = self.config.retry_backoff
            if backoff:
                time.sleep(backoff[min(attempts - 1, len(backoff) - 1)])
        result = self._result(url, method, attempt, fetched_at, attempts, tls_problem)
        if throttled:
            after = attempt.hop.headers.get("retry-after", "") if attempt.hop else ""
            result = dataclasses.replace(
                result,
                error_kind="throttled",
                error=f"{result.error}；服务器要求稍后再访问（Retry-After: {after}），"
                "已按要求退避后仍被限流：服务器在线，本次未取得页面",
            )
        return result

    def _retry_after(self, attempt: _Attempt) -> float | None:
        """Seconds a 429/503 answer's Retry-After asks for, when it may be honoured."""
        hop = attempt.hop
        if attempt.error_kind is not None or hop is None or hop.status not in (429, 503):
            return None
        seconds = parse_retry_after(hop.headers.get("retry-after"))
        if seconds is None or seconds > self.config.max_retry_after:
            return None
        return seconds

    @staticmethod
    def _should_retry(attempt: _Attempt, timeouts: int) -> bool:
        if attempt.error_kind in TRANSIENT_ERRORS:
            return True
        if attempt.error_kind == "timeout":
            return timeouts < 1
        return (
            attempt.error_kind is None
            and attempt.hop is not None
            and attempt.hop.status in RETRY_STATUSES
        )

    def _attempt(
        self, url: str, method: str, read_body: bool, body: Payload | None = None
    ) -> _Attempt:
        attempt = _Attempt(final_url=url)
        cookies: dict[str, dict[str, str]] = {}
        insecure: dict[str, str] = {}  # host -> "insecure" | "legacy"
        current = url
        cfg = self.config
        while True:
            # Name resolution counts against the page's deadline too.
            resolve_started = time.monotonic()
            dns_timeout = max(0.05, min(cfg.connect_timeout, cfg.total_timeout - attempt.elapsed))
            try:
                target = resolve_url(current, cfg, timeout=dns_timeout)
            except BadURL as exc:
                attempt.error_kind, attempt.error = "bad_url", f"网址无效：{exc.reason}"
                return attempt
            except UnsafeURL as exc:
                attempt.error_kind, attempt.error = "unsafe_url", f"地址不安全：{exc.reason}"
                return attempt
            except UnresolvableHost as exc:
                attempt.error_kind = "dns_temporary" if exc.temporary else "dns"
                attempt.error = exc.reason
                return attempt
            finally:
                attempt.elapsed += time.monotonic() - resolve_started
            budget = cfg.total_timeout - attempt.elapsed
            if budget <= 0:
                attempt.error_kind = "timeout"
                attempt.error = f"超过 {cfg.total_timeout:g} 秒仍未取完页面"
                return attempt
            attempt.key = target.key
            asked = time.monotonic()
            try:
                with self.limiter.slot(target.key):
                    started = time.monotonic()
                    self._count_wait(target.key, slot=started - asked)
                    try:
                        hop = self._request(
                            target,
                            method,
                            deadline=started + budget,
                            read_body=read_body,
                            cookies=cookies.get(target.host, {}),
                            tls_mode=insecure,
                            attempt=attempt,
                            body=body,
                        )
                    finally:
                        attempt.elapsed += time.monotonic() - started
            except LimiterTimeout:
                attempt.error_kind = "busy"
                attempt.error = (
                    f"等待对 {target.host} 的访问名额超时（本平台限制了每个站点的并发数）"
                )
                return attempt
            except Failure as exc:
                attempt.error_kind, attempt.error = exc.kind, exc.message
                return attempt
            attempt.hop = hop
            _remember_cookies(cookies.setdefault(target.host, {}), hop.set_cookies)
            location = hop.headers.get("location")
            if hop.status not in REDIRECT_STATUSES or not location or body is not None:
                return attempt
            if len(attempt.redirects) >= self.config.max_redirects:
                attempt.error_kind = "too_many_redirects"
                attempt.error = f"重定向次数超过 {self.config.max_redirects} 次"
                return attempt
            current = _absolute_location(current, location)
            attempt.redirects.append(current)
            attempt.final_url = current

    # -- one request ------------------------------------------------------------------------

    def _request(
        self,
        target: ResolvedURL,
        method: str,
        *,
        deadline: float,
        read_body: bool,
        cookies: dict[str, str],
        tls_mode: dict[str, str],
        attempt: _Attempt,
        body: Payload | None = None,
    ) -> _Hop:
        """One HTTP request, trying the checked addresses in order and working around TLS
        trouble; raises Failure."""
        mode = tls_mode.get(target.host, "verify") if target.scheme == "https" else "plain"
        legacy_note = None
        while True:
            try:
                hop = self._request_addresses(
                    target, method, deadline, read_body, cookies, mode, body
                )
            except Failure as exc:
                if exc.kind != "tls" or mode in ("legacy", "plain"):
                    raise
                if mode == "verify" and exc.cert_problem:
                    # A fact about the site whatever happens next, so record it now.
                    attempt.tls_problem = attempt.tls_problem or exc.message
                    mode = "insecure"
                else:
                    legacy_note = f"服务器的 TLS 配置过旧或不兼容，已改用兼容模式连接：{exc.detail}"
                    mode = "legacy"
                tls_mode[target.host] = mode
                continue
            if legacy_note:
                attempt.tls_problem = attempt.tls_problem or legacy_note
            return hop

    def _request_addresses(
        self,
        target: ResolvedURL,
        method: str,
        deadline: float,
        read_body: bool,
        cookies: dict[str, str],
        mode: str,
        body: Payload | None = None,
    ) -> _Hop:
        last: Failure | None = None
        for address in target.addresses:
            if time.monotonic() >= deadline and last is not None:
                break
            try:
                return self._request_one(
                    target, address, method, deadline, read_body, cookies, mode, body
                )
            except Failure as exc:
                # Another address of the same host may work (e.g. IPv6 not routed here).
                if not exc.connecting:
                    raise
                last = exc
        assert last is not None
        raise last

    def _request_one(
        self,
        target: ResolvedURL,
        address: str,
        method: str,
        deadline: float,
        read_body: bool,
        cookies: dict[str, str],
        mode: str,
        body: Payload | None = None,
    ) -> _Hop:
        cfg = self.config
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise Failure("timeout", f"超过 {cfg.total_timeout:g} 秒仍未取完页面")
        headers = dict(self._base_headers)
        headers["Host"] = target.host_header
        if cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
        if body is not None:
            headers["Content-Type"] = body.content_type
        if mode == "legacy":
            pools, verify = self._legacy_pools, False
        else:
            pools, verify = self._pools, mode == "verify"
        try:
            pool = pools.pool(target.scheme, address, target.port, target.host, verify=verify)
            raw = pool.urlopen(
                method,
                requote_uri(target.path),
                body=body.data if body else None,
                headers=headers,
                redirect=False,
                assert_same_host=False,
                preload_content=False,
                decode_content=False,
                retries=_NO_RETRIES,
                timeout=urllib3.Timeout(
                    connect=min(cfg.connect_timeout, remaining),
                    read=min(cfg.read_timeout, remaining),
                ),
            )
        except Exception as exc:  # noqa: BLE001 - every failure becomes a Failure
            raise classify_exception(exc, cfg) from exc
        try:
            status = raw.status
            # one value per name, repeated headers joined with ", " (as requests gave them)
            hop_headers = {k.lower(): raw.headers[k] for k in raw.headers}
            set_cookies = list(raw.headers.getlist("Set-Cookie")) if raw.headers else []
            cert_not_after = _cert_not_after(raw) if target.scheme == "https" else None
            is_redirect = status in REDIRECT_STATUSES
            if method == "HEAD":
                body, truncated, complete = b"", False, True
            elif not read_body:
                body, truncated, complete = b"", False, False
            else:
                cap = _REDIRECT_BODY_CAP if is_redirect else cfg.max_bytes
                body, truncated = _read_capped(raw, cap, deadline, cfg)
                complete = not truncated
                if is_redirect:
                    truncated = False
            if complete:
                raw.release_conn()
            else:
                _discard(raw)
        except Failure:
            _discard(raw)
            raise
        except Exception as exc:  # noqa: BLE001
            _discard(raw)
            raise classify_exception(exc, cfg) from exc
        return _Hop(
            status=status,
            headers=hop_headers,
            set_cookies=set_cookies,
            body=body,
            truncated=truncated,
            address=address,
            cert_not_after=cert_not_after,
        )

    # -- result -----------------------------------------------------------------------------

    def _result(
        self,
        url: str,
        method: str,
        attempt: _Attempt,
        fetched_at: dt.datetime,
        attempts: int,
        tls_problem: str | None,
    ) -> FetchResult:
        hop = attempt.hop
        error_kind, error = attempt.error_kind, attempt.error
        status = hop.status if hop else None
        body = hop.body if hop else b""
        truncated = hop.truncated if hop else False
        headers = hop.headers if hop else {}
        content_type = headers.get("content-type")
        if error_kind is None and hop is not None:
            if truncated:
                mb = self.config.max_bytes / (1024 * 1024)
                error_kind = "too_large"
                error = f"页面超过 {mb:g} MB，只保留了前 {mb:g} MB"
            elif status is not None and status >= 400:
                error_kind = "http_error"
                reason = _HTTP_REASONS_ZH.get(status) or http.client.responses.get(status, "")
                error = f"服务器返回 HTTP {status}（{reason}）" if reason else f"HTTP {status}"
            elif status is not None and not 200 <= status < 300:
                error_kind = "http_error"
                error = f"服务器返回 HTTP {status}，但没有可跟随的跳转地址"
        text, encoding, how = "", None, None
        if body and _is_text(content_type, body):
            text, encoding, how = decode_html(body, content_type)
        elif body:
            how = "binary"
        ok = error_kind is None and status is not None and 200 <= status < 300
        return FetchResult(
            url=url,
            final_url=attempt.final_url,
            status=status,
            ok=ok,
            error_kind=error_kind,
            error=error,
            elapsed_ms=int(attempt.elapsed * 1000),
            bytes=len(body),
            body=body,
            truncated=truncated,
            text=text,
            encoding=encoding,
            encoding_how=how,
            content_type=content_type,
            headers=headers,
            redirects=tuple(attempt.redirects),
            tls_problem=tls_problem,
            cert_not_after=hop.cert_not_after if hop else None,
            fetched_at=fetched_at,
            attempts=attempts,
            address=hop.address if hop else None,
        )


# -- helpers --------------------------------------------------------------------------------


def _discard(raw: urllib3.HTTPResponse) -> None:
    """Drop a response not read to its end: its connection cannot be reused."""
    raw.close()
    raw.release_conn()


def _read_capped(
    raw: urllib3.HTTPResponse, cap: int, deadline: float, cfg: CrawlConfig
) -> tuple[bytes, bool]:
    """Read at most ``cap`` decoded bytes before ``deadline``; return (body, truncated).

    ``read1`` returns whatever has arrived, so a server that trickles one byte at a time is
    still cut off at the deadline; the socket timeout is shortened to the time left.
    """
    chunks: list[bytes] = []
    total = 0
    sock = getattr(getattr(raw, "connection", None), "sock", None)
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise Failure("timeout", f"超过 {cfg.total_timeout:g} 秒仍未取完页面")
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.settimeout(min(cfg.read_timeout, remaining))
        chunk = raw.read1(_CHUNK, decode_content=True)
        if not chunk:
            return b"".join(chunks), False
        if total + len(chunk) > cap:
            chunks.append(chunk[: cap - total])
            return b"".join(chunks), True
        chunks.append(chunk)
        total += len(chunk)


def _cert_not_after(raw: urllib3.HTTPResponse) -> dt.datetime | None:
    """Expiry of the server certificate, when the socket is at hand (best effort)."""
    sock = getattr(getattr(raw, "connection", None), "sock", None)
    if not isinstance(sock, ssl.SSLSocket):
        return None
    try:
        der = sock.getpeercert(binary_form=True)
        if not der:
            return None
        from cryptography import x509

        return x509.load_der_x509_certificate(der).not_valid_after_utc
    except Exception:  # noqa: BLE001 - optional information
        return None


def _is_text(content_type: str | None, body: bytes) -> bool:
    if content_type:
        mime = content_type.split(";", 1)[0].strip().lower()
        if (
            mime.startswith("text/")
            or mime.endswith(("+xml", "/xml", "/json", "+json", "javascript", "/html"))
            or mime in ("application/xhtml+xml", "application/json")
        ):
            return True
    # No or wrong Content-Type (application/octet-stream is common): sniff for HTML.
    start = body[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if start.startswith((b"<!doctype html", b"<html", b"<head", b"<meta", b"<?xml", b"<!--")):
        return True
    return not content_type and b"\x00" not in body[:1024]


def parse_retry_after(value: str | None, now: dt.datetime | None = None) -> float | None:
    """Seconds from a Retry-After header: delta-seconds or an HTTP date; None if unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    from email.utils import parsedate_to_datetime

    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max(0.0, (when - (now or dt.datetime.now(dt.UTC))).total_seconds())


def _absolute_location(current: str, location: str) -> str:
    location = location.strip()
    # http.client decodes header bytes as Latin-1; most servers meant UTF-8.
    with contextlib.suppress(UnicodeError):
        location = location.encode("latin-1").decode("utf-8")
    parts = urlsplit(urljoin(current, location))
    return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", parts.query, ""))


def _remember_cookies(jar: dict[str, str], set_cookies: list[str]) -> None:
    for header in set_cookies:
        pair = header.split(";", 1)[0]
        if "=" in pair and pair.isprintable() and pair.isascii():
            name, value = pair.split("=", 1)
            if name.strip():
                jar[name.strip()] = value.strip()


def _header_safe(value: str) -> str:
    """HTTP header values travel as Latin-1; percent-encode anything else."""
    from urllib.parse import quote

    if value.isascii():
        return value
    return quote(value, safe=" !\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")
