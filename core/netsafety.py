"""Which addresses a crawler must never reach: loopback, private, link-local, metadata ….

Shared by the fetcher (audits/crawl/safety.py resolves every host and checks each address on
every hop) and by the registry's validators, which refuse a literal internal address at entry.
Pure and dependency-free, so the lowest layer can use it.
"""

from __future__ import annotations

import ipaddress
import socket

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

# Cloud metadata endpoints (AWS/GCP/Azure/OpenStack, AWS IPv6, Alibaba Cloud) and the shared
# address space (RFC 6598) in which Alibaba's 100.100.100.200 lives.
_METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(a) for a in ("169.254.169.254", "fd00:ec2::254", "100.100.100.200")
)
_CGNAT = ipaddress.ip_network("100.64.0.0/10")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


def blocked_reason(ip: IPAddress) -> str | None:
    """Why a crawler must not connect to ``ip`` (Chinese), or None if it is a public address."""
    for candidate in _with_embedded_ipv4(ip):
        reason = _blocked_reason_one(candidate)
        if reason is not None:
            if candidate is not ip:
                return f"{reason}（IPv6 地址内嵌 {candidate}）"
            return reason
    return None


def _blocked_reason_one(ip: IPAddress) -> str | None:
    if ip in _METADATA_ADDRESSES:
        return "云服务器元数据地址"
    if ip.is_unspecified:
        return "未指定地址（0.0.0.0 / ::）"
    if ip.is_loopback:
        return "本机回环地址"
    if ip.is_link_local:
        return "链路本地地址"
    if ip.is_multicast:
        return "组播地址"
    if ip.version == 4 and ip in _CGNAT:
        return "运营商级 NAT 共享地址（100.64.0.0/10）"
    if ip.is_private:
        return "内网（私有）地址"
    if ip.is_reserved:
        return "保留地址"
    if not ip.is_global:
        return "非公网地址"
    return None


def _with_embedded_ipv4(ip: IPAddress) -> list[IPAddress]:
    """Any IPv4 address embedded in ``ip`` (mapped, compatible, 6to4, Teredo, NAT64), then
    ``ip`` itself: the kernel or a gateway may deliver packets to the embedded address."""
    if ip.version != 6:
        return [ip]
    out: list[IPAddress] = []
    assert isinstance(ip, ipaddress.IPv6Address)
    if ip.ipv4_mapped is not None:
        out.append(ip.ipv4_mapped)
    packed = ip.packed
    if packed[:12] == bytes(12) and int(ip) > 1:  # IPv4-compatible ::a.b.c.d (deprecated)
        out.append(ipaddress.IPv4Address(packed[12:]))
    if ip.sixtofour is not None:
        out.append(ip.sixtofour)
    if ip.teredo is not None:
        out.extend(ip.teredo)
    if ip in _NAT64:
        out.append(ipaddress.IPv4Address(packed[12:]))
    out.append(ip)
    return out


def literal_ip(host: str) -> IPAddress | None:
    """The address a numeric host stands for, in any form the resolver accepts, else None."""
    try:
        info = socket.getaddrinfo(host, None, flags=socket.AI_NUMERICHOST)
    except (socket.gaierror, UnicodeError, ValueError):
        return None
    return ipaddress.ip_address(info[0][4][0].split("%")[0])


def looks_like_ip(text: str) -> bool:
    """True for IP literals and CIDR ranges (anything made of digits, hex, dots, colons, slash)."""
    if not text:
        return False
    if ":" in text:
        return True
    return all(c.isdigit() or c in "./" for c in text)


def allowed_networks(entries) -> tuple[IPNetwork, ...]:
    """The allow-list entries that are IP addresses or CIDR ranges (host names are skipped)."""
    nets = []
    for entry in sorted({e.strip().lower() for e in entries if e and e.strip()}):
        candidate = entry.strip("[]")
        if not looks_like_ip(candidate):
            continue
        try:
            nets.append(ipaddress.ip_network(candidate, strict=False))
        except ValueError as exc:
            raise ValueError(f"GOVWATCH_CRAWL_ALLOW_HOSTS: bad address {entry!r}") from exc
    return tuple(nets)
