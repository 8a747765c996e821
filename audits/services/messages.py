"""Reading a site's public message list (县长信箱, 咨询投诉) into Message rows, through the safe
fetcher: W-V5 and seed 003's mailbox statistics read them."""

from __future__ import annotations

import hashlib

from django.db import transaction
from django.utils import timezone

from audits.extract.messages import extract_messages
from newmedia.models import Message
from units.models import Website

MAX_PAGES = 10


def messages_read(website: Website, fetcher=None) -> int:
    """Every message on the first MAX_PAGES pages of the list; the same message twice is one."""
    from audits.services.runs import fetcher_for_runs

    if not website.messages_url:
        return 0
    fetcher = fetcher or fetcher_for_runs()
    url, seen, rows = website.messages_url, set(), []
    for _ in range(MAX_PAGES):
        if not url or url in seen:
            break
        seen.add(url)
        page = fetcher.fetch(url)
        if not page.ok:
            break
        found, url = extract_messages(page.text, page.final_url)
        rows.extend(found)
    tz = timezone.get_current_timezone()
    with transaction.atomic():
        for m in rows:
            guid = m.url or hashlib.sha256(f"{m.title}|{m.received}".encode()).hexdigest()
            Message.objects.update_or_create(
                website=website,
                guid=guid[:500],
                defaults={
                    "channel": "",
                    "title": m.title,
                    "received_at": m.received.replace(tzinfo=tz),
                    "replied_at": m.replied.replace(tzinfo=tz) if m.replied else None,
                    "source": Message.Source.PAGE,
                    "url": m.url[:1000],
                },
            )
    return len(rows)
