"""The transport under the fetcher: urllib3 pools that connect to a pinned address, the TLS
contexts, and the translation of low-level exceptions into failures a person can read."""

from __future__ import annotations

import contextlib
import errno
import http.client
import os
import socket
import ssl
import warnings

import requests
import urllib3
from requests.utils import DEFAULT_CA_BUNDLE_PATH
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from .config import CrawlConfig


class QuietHTTPSConnectionPool(HTTPSConnectionPool):
    """We connect without verification only after recording the certificate problem in
    FetchResult.tls_problem; urllib3's warning on every such request would only repeat it."""

    def _validate_conn(self, conn):  # type: ignore[no-untyped-def]
        HTTPConnectionPool._validate_conn(self, conn)
        if conn.is_closed:
            conn.connect()


class PinnedPools:
    """urllib3 connection pools per checked address: a request connects to the IP address that
    was checked, and the ``Host`` header's name is used for TLS (SNI and the certificate's name).

    urllib3 directly rather than through requests: the fetcher already does what requests adds
    (redirects, cookies, headers), and requests' layers cost a third of a request's CPU."""

    def __init__(
        self,
        ssl_context: ssl.SSLContext | None = None,
        *,
        num_pools: int,
        maxsize: int,
        ca_bundle: str | None = None,
    ) -> None:
        common: dict = {"num_pools": num_pools, "maxsize": maxsize, "block": False}
        if ssl_context is not None:
            common["ssl_context"] = ssl_context
        ca = ca_bundle or DEFAULT_CA_BUNDLE_PATH
        where = {"ca_cert_dir": ca} if os.path.isdir(ca) else {"ca_certs": ca}
        self._managers = {
            True: urllib3.PoolManager(cert_reqs="CERT_REQUIRED", **where, **common),
            False: urllib3.PoolManager(cert_reqs="CERT_NONE", **common),
        }
        for manager in self._managers.values():
            manager.pool_classes_by_scheme = {
                "http": HTTPConnectionPool,
                "https": QuietHTTPSConnectionPool,
            }

    def pool(
        self, scheme: str, address: str, port: int, server_name: str, *, verify: bool
    ) -> HTTPConnectionPool:
        extra = {}
        if scheme == "https" and server_name:
            extra = {
                "server_hostname": server_name,
                "assert_hostname": server_name if verify else False,
            }
        return self._managers[verify].connection_from_host(address, port, scheme, pool_kwargs=extra)

    def clear(self) -> None:
        for manager in self._managers.values():
            manager.clear()


def legacy_ssl_context() -> ssl.SSLContext:
    """A permissive context for servers stuck on old TLS (small DH keys, TLS 1.0, no secure
    renegotiation), common among old county sites; used only after a normal handshake failed
    and never with certificate verification."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    with contextlib.suppress(ssl.SSLError):
        ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
    with contextlib.suppress(ValueError, ssl.SSLError), warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # deliberately old, see above
        ctx.minimum_version = ssl.TLSVersion.TLSv1
    ctx.options |= getattr(ssl, "OP_LEGACY_SERVER_CONNECT", 0x4)
    return ctx


class Failure(Exception):
    def __init__(
        self,
        kind: str,
        message: str,
        *,
        cert_problem: bool = False,
        connecting: bool = False,
        detail: str = "",
    ) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.detail = detail or message
        self.cert_problem = cert_problem
        # True when no connection was made: another address of the host may still work.
        self.connecting = connecting


def _host_without_port(host_header: str) -> str:
    if host_header.startswith("["):
        return host_header[1 : host_header.find("]")] if "]" in host_header else host_header
    return host_header.rsplit(":", 1)[0] if ":" in host_header else host_header


def _chain(exc: BaseException) -> list[BaseException]:
    """``exc`` and everything it wraps (causes, contexts, urllib3 reasons, args)."""
    seen: list[BaseException] = []
    todo = [exc]
    while todo:
        e = todo.pop(0)
        if e in seen or len(seen) > 20:
            continue
        seen.append(e)
        for nxt in (e.__cause__, e.__context__, getattr(e, "reason", None), *e.args):
            if isinstance(nxt, BaseException):
                todo.append(nxt)
    return seen


_CERT_ERRORS_ZH = {
    9: "证书尚未生效",
    10: "证书已过期",
    18: "自签名证书",
    19: "证书链中含有自签名的根证书（不受信任）",
    20: "证书签发机构不受信任或证书链不完整",
    21: "证书签发机构不受信任或证书链不完整",
    23: "证书已被吊销",
    62: "证书与域名不匹配",
}


def classify_exception(exc: BaseException, cfg: CrawlConfig) -> Failure:
    chain = _chain(exc)

    def has(*types: type[BaseException]) -> BaseException | None:
        return next((e for e in chain if isinstance(e, types)), None)

    if cert_err := has(ssl.SSLCertVerificationError):
        assert isinstance(cert_err, ssl.SSLCertVerificationError)
        code = getattr(cert_err, "verify_code", None)
        detail = getattr(cert_err, "verify_message", None) or str(cert_err)
        zh = _CERT_ERRORS_ZH.get(code or -1, "证书验证失败")
        return Failure("tls", f"{zh}（{detail}）", cert_problem=True)
    if name_err := has(urllib3.util.ssl_match_hostname.CertificateError):
        return Failure("tls", f"证书与域名不匹配（{name_err}）", cert_problem=True)
    if ssl_err := has(ssl.SSLError) or has(
        urllib3.exceptions.SSLError, requests.exceptions.SSLError
    ):
        text = str(ssl_err)
        if "certificate verify failed" in text:
            return Failure("tls", f"证书验证失败（{text}）", cert_problem=True, detail=text)
        return Failure("tls", f"TLS 握手失败（{text}）", detail=text)
    if has(ConnectionRefusedError):
        return Failure("refused", "连接被拒绝（服务器没有在该端口提供服务）", connecting=True)
    if has(urllib3.exceptions.NewConnectionError):
        os_err = has(OSError)
        code = getattr(os_err, "errno", None)
        if code in (errno.ENETUNREACH, errno.EHOSTUNREACH):
            return Failure("connect", "网络不可达，无法连接服务器", connecting=True)
        return Failure("connect", f"无法连接服务器（{os_err or exc}）", connecting=True)
    if has(requests.exceptions.ConnectTimeout, urllib3.exceptions.ConnectTimeoutError):
        message = f"连接超时：{cfg.connect_timeout:g} 秒内未能建立连接"
        return Failure("timeout", message, connecting=True)
    if has(
        requests.exceptions.ReadTimeout,
        urllib3.exceptions.ReadTimeoutError,
        socket.timeout,
        TimeoutError,
    ):
        return Failure("timeout", "读取超时：服务器长时间没有发送数据")
    if has(
        ConnectionResetError,
        BrokenPipeError,
        http.client.RemoteDisconnected,
        http.client.IncompleteRead,
        urllib3.exceptions.ProtocolError,
        requests.exceptions.ChunkedEncodingError,
    ):
        return Failure("reset", "连接被服务器中断（连接重置或响应不完整）")
    if has(urllib3.exceptions.DecodeError, requests.exceptions.ContentDecodingError):
        return Failure("bad_response", "无法解压服务器返回的内容")
    if has(http.client.HTTPException, urllib3.exceptions.HTTPError):
        return Failure("bad_response", f"服务器的响应格式错误（{exc}）")
    if has(requests.exceptions.InvalidURL, urllib3.exceptions.LocationParseError):
        return Failure("bad_url", f"网址无效：{exc}")
    return Failure("connect", f"请求失败：{exc}")
