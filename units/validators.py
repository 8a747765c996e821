"""Checks on URLs people enter, before anything is fetched.

The fetcher is the real guard: it resolves every host and refuses internal addresses on every
hop (audits/crawl/safety.py). This catches at entry what needs no DNS: a URL whose host is a
literal internal address ("127.0.0.1", "2130706433", "[::1]", "10.0.0.8"), unless allowed.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError

from core.netsafety import allowed_networks, blocked_reason, literal_ip


def validate_public_url(url: str) -> None:
    host = (urlsplit(url).hostname or "").strip("[]")
    ip = literal_ip(host) if host else None
    if ip is None:
        return
    reason = blocked_reason(ip)
    if reason is None:
        return
    allowed = allowed_networks(getattr(settings, "GOVWATCH_CRAWL_ALLOW_HOSTS", ()))
    if any(ip in net for net in allowed if net.version == ip.version):
        return
    raise ValidationError(f"该网址指向{reason}（{ip}），不能作为监测对象", code="internal_url")
