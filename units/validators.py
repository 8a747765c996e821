"""Checks on URLs people enter, before anything is fetched.

The fetcher is the real guard: it resolves every host and refuses internal addresses on every
hop (audits/crawl/safety.py). This catches at entry what needs no DNS: a URL whose host is a
literal internal address ("127.0.0.1", "2130706433", "[::1]", "10.0.0.8"), unless allowed.
"""

import ipaddress
import socket
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError


def literal_ip(host: str):
    """The address a numeric host stands for, in any form the resolver accepts, else None."""
    try:
        info = socket.getaddrinfo(host, None, flags=socket.AI_NUMERICHOST)
    except (socket.gaierror, UnicodeError, ValueError):
        return None
    return ipaddress.ip_address(info[0][4][0].split("%")[0])


def validate_public_url(url: str) -> None:
    from audits.crawl.config import CrawlConfig
    from audits.crawl.safety import blocked_reason

    host = (urlsplit(url).hostname or "").strip("[]")
    ip = literal_ip(host) if host else None
    if ip is None:
        return
    reason = blocked_reason(ip)
    if reason is None:
        return
    config = CrawlConfig.from_settings()
    if any(ip in net for net in config.allowed_networks):
        return
    raise ValidationError(f"该网址指向{reason}（{ip}），不能作为监测对象", code="internal_url")
