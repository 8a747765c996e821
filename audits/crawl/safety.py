"""URL safety: refuse URLs that would make the crawler reach into internal networks.

A URL entered by a person (or found on a page) is resolved with ``getaddrinfo`` and refused if
any address it resolves to is loopback, private, link-local, multicast, reserved, unspecified,
shared (CGNAT) or a cloud metadata endpoint, unless the host or address is on the allow-list.

We rely on the resolved addresses rather than on parsing the host string: ``getaddrinfo`` reads
``2130706433``, ``0177.0.0.1``, ``0x7f.1`` and ``127.1`` the same way an HTTP client would, so
odd spellings of 127.0.0.1 end up as 127.0.0.1 here too.

DNS rebinding: :func:`resolve_url` returns the checked addresses and the fetcher connects to one
of *those* addresses (see ``fetch.py``), so a second, different DNS answer is never used.
"""

from __future__ import annotations

import contextlib
import ipaddress
import socket
import threading
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from core.netsafety import blocked_reason

from .config import CrawlConfig

DEFAULT_PORTS = {"http": 80, "https": 443}


class UnsafeURL(ValueError):
    """The URL must not be fetched; ``str(exc)`` is a reason a person can read (Chinese)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class BadURL(UnsafeURL):
    """The URL is malformed (empty, bad host or port, stray characters)."""


class UnresolvableHost(OSError):
    """The host name could not be resolved; ``temporary`` is True for SERVFAIL/timeouts."""

    def __init__(self, host: str, reason: str, *, temporary: bool) -> None:
        super().__init__(reason)
        self.host = host
        self.reason = reason
        self.temporary = temporary


@dataclass(frozen=True)
class ResolvedURL:
    """A checked URL and the addresses it may be fetched from."""

    url: str
    scheme: str
    host: str  # ASCII (IDNA) host name or IP literal without brackets, lower case
    port: int
    path: str  # path and query, never empty, no fragment
    addresses: tuple[str, ...]  # checked IP addresses, in getaddrinfo's order of preference
    allowed_by_list: bool  # True when the allow-list let a private address through

    @property
    def key(self) -> str:
        """Politeness key: host name and port (department sites often share the portal host)."""
        return f"{_bracket(self.host)}:{self.port}"

    @property
    def host_header(self) -> str:
        if self.port == DEFAULT_PORTS[self.scheme]:
            return _bracket(self.host)
        return f"{_bracket(self.host)}:{self.port}"

    def url_for(self, address: str) -> str:
        """The same URL with the host replaced by one of the checked addresses."""
        return f"{self.scheme}://{_bracket(address)}:{self.port}{self.path}"


def check_url(url: str, config: CrawlConfig) -> None:
    """Raise :class:`UnsafeURL` if ``url`` may not be fetched (or :class:`UnresolvableHost`)."""
    resolve_url(url, config)


def resolve_url(url: str, config: CrawlConfig, *, timeout: float | None = None) -> ResolvedURL:
    """Parse, resolve and check ``url``; return the addresses that may be connected to."""
    scheme, host, port, path = _parse(url)
    addresses = _resolve(host, port, timeout if timeout is not None else config.connect_timeout)
    allowed_by_list = False
    if host in config.allowed_hostnames:
        allowed_by_list = True
    else:
        for text in addresses:
            ip = ipaddress.ip_address(text)
            if any(ip in net for net in config.allowed_networks if net.version == ip.version):
                allowed_by_list = allowed_by_list or blocked_reason(ip) is not None
                continue
            reason = blocked_reason(ip)
            if reason is not None:
                shown = host if host == text else f"{host}（解析为 {text}）"
                raise UnsafeURL(f"拒绝访问 {shown}：{reason}")
    return ResolvedURL(
        url=url,
        scheme=scheme,
        host=host,
        port=port,
        path=path,
        addresses=addresses,
        allowed_by_list=allowed_by_list,
    )


def _parse(url: str) -> tuple[str, str, int, str]:
    if not isinstance(url, str) or not url.strip():
        raise BadURL("网址为空")
    url = url.strip()
    if any(ord(c) < 0x21 or c == "\\" for c in url.split("#", 1)[0]):
        raise BadURL("网址含有空白、控制字符或反斜杠")
    try:
        parts = urlsplit(url)
    except ValueError as exc:
        raise BadURL(f"网址格式错误：{exc}") from exc
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        shown = scheme or "（无）"
        raise UnsafeURL(f"只允许 http/https 协议，不允许 {shown}")
    if "@" in parts.netloc or parts.username is not None or parts.password is not None:
        raise UnsafeURL("网址中不允许包含用户名或密码")
    try:
        port = parts.port
    except ValueError as exc:
        raise BadURL(f"端口号无效：{exc}") from exc
    # A trailing dot (fully qualified name) does not change the host; not every resolver
    # accepts it, and the allow-list and politeness keys should not see two spellings.
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise BadURL("网址缺少主机名")
    if port is None:
        port = DEFAULT_PORTS[scheme]
    if not 0 < port < 65536:
        raise BadURL(f"端口号无效：{port}")
    host = _ascii_host(host)
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    return scheme, host, port, path


def _ascii_host(host: str) -> str:
    host = host.lower()
    if host.isascii():
        return host
    try:
        import idna

        return idna.encode(host, uts46=True).decode("ascii")
    except Exception:
        try:
            return host.encode("idna").decode("ascii")
        except UnicodeError as exc:
            raise BadURL(f"主机名无效：{host}") from exc


_TEMPORARY_GAI_ERRORS = {
    getattr(socket, name)
    for name in ("EAI_AGAIN", "EAI_FAIL", "EAI_SYSTEM", "EAI_MEMORY")
    if hasattr(socket, name)
}


# Answers of getaddrinfo kept this long per (host, port): a site's pages are fetched one after
# another, and one resolver thread per request costs more than the request. Safe with respect to
# rebinding: whatever the cache holds is checked again on every call and connected to as checked.
_DNS_TTL = 30.0
_dns_cache: dict[tuple[str, int], tuple[float, tuple[str, ...]]] = {}
_dns_lock = threading.Lock()


def _resolve(host: str, port: int, timeout: float) -> tuple[str, ...]:
    """All addresses of ``host``, in getaddrinfo's order, with a timeout (IP literals need no
    resolver; names are cached for _DNS_TTL seconds)."""
    with contextlib.suppress(ValueError):
        return (str(ipaddress.ip_address(host)),)
    now = time.monotonic()
    with _dns_lock:
        hit = _dns_cache.get((host, port))
    if hit is not None and now - hit[0] < _DNS_TTL:
        return hit[1]
    addresses = _resolve_now(host, port, timeout)
    with _dns_lock:
        if len(_dns_cache) > 10_000:
            _dns_cache.clear()
        _dns_cache[(host, port)] = (now, addresses)
    return addresses


def _resolve_now(host: str, port: int, timeout: float) -> tuple[str, ...]:
    """getaddrinfo with a timeout: it has none of its own, so it runs in a daemon thread; if the
    resolver hangs, the thread is abandoned and finishes on its own."""
    box: dict[str, object] = {}

    def run() -> None:
        try:
            box["infos"] = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except BaseException as exc:  # noqa: BLE001 - handed to the caller
            box["error"] = exc

    worker = threading.Thread(target=run, name=f"resolve {host}", daemon=True)
    worker.start()
    worker.join(timeout)
    if worker.is_alive():
        raise UnresolvableHost(host, f"域名解析超时：{host}", temporary=True)
    error = box.get("error")
    if isinstance(error, socket.gaierror):
        temporary = error.errno in _TEMPORARY_GAI_ERRORS
        word = "暂时失败" if temporary else "失败（域名不存在或没有地址记录）"
        raise UnresolvableHost(host, f"域名解析{word}：{host}", temporary=temporary)
    if isinstance(error, (UnicodeError, ValueError)):
        raise BadURL(f"主机名无效：{host}")
    if isinstance(error, BaseException):
        raise UnresolvableHost(host, f"域名解析失败：{host}（{error}）", temporary=True)
    addresses: list[str] = []
    for family, _type, _proto, _canon, sockaddr in box["infos"]:  # type: ignore[union-attr]
        if family not in (socket.AF_INET, socket.AF_INET6):
            continue
        text = str(sockaddr[0]).split("%", 1)[0]
        if text not in addresses:
            addresses.append(text)
    if not addresses:
        raise UnresolvableHost(host, f"域名没有可用的地址记录：{host}", temporary=False)
    return tuple(addresses)


def _bracket(host: str) -> str:
    return f"[{host}]" if ":" in host else host
