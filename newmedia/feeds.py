"""Reading a feed (RSS 2.0, Atom 1.0 with feedparser; JSON Feed 1.x by hand) into post records,
and storing them idempotently. Fetching is the engine's (audits: the safe fetcher); this module
only reads text it is given and writes Post rows.

Platforms without open APIs (WeChat, Douyin …) are read through a self-hosted RSSHub-style
bridge: one feed URL per account (settings.GOVWATCH_FEED_BRIDGE_URL + the account's route).
"""

from __future__ import annotations

import calendar
import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass

import feedparser
from django.db import models, transaction

from newmedia.models import Account, Post

_REPOST = re.compile(
    r"^(转发|转载|转自|【转】|【转载】|\[转\]|\[转载\]|//@|RT\b)|来源[:：]\s*\S+", re.I
)
_ORIGINAL_TAGS = {"原创", "original"}
_REPOST_TAGS = {"转载", "转发", "repost", "reprint"}


class FeedError(ValueError):
    """The feed could not be read; str() says why, in Chinese."""


@dataclass(frozen=True)
class PostRecord:
    guid: str
    published_at: dt.datetime
    title: str
    url: str
    original: bool


@dataclass(frozen=True)
class FeedReading:
    title: str  # the channel's own name (a renamed account shows here first)
    posts: tuple[PostRecord, ...]
    warnings: tuple[str, ...] = ()


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _from_struct(struct) -> dt.datetime | None:
    if not struct:
        return None
    return dt.datetime.fromtimestamp(calendar.timegm(struct), tz=dt.UTC)


def _original(title: str, flagged, tags=()) -> bool:
    """Original or repost: the feed's own flag, else its category/tags (原创 / 转载), else
    what the title says (【转载】, 转自 …)."""
    if isinstance(flagged, bool):
        return flagged
    if isinstance(flagged, str) and flagged.strip():
        return flagged.strip().lower() in ("1", "true", "yes", "original", "原创", "是")
    words = {str(t).strip().lower() for t in tags if t}
    if words & _REPOST_TAGS:
        return False
    if words & _ORIGINAL_TAGS:
        return True
    return not _REPOST.search(title or "")


_DECLARED = re.compile(r"^(<\?xml[^>]*?)\s+encoding=([\"'])[^\"']*\2", re.I)


def post_guid(url: str, entry_id: str, title: str, published: dt.datetime) -> str:
    """A post's key: the feed's own id, else its URL, else its title and minute. The same post
    arriving another way is found by URL or title and minute too (`same_post`)."""
    if entry_id:
        return entry_id[:500]
    if url:
        return url[:500]
    minute = published.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M")
    return hashlib.sha256(f"{title}|{minute}".encode()).hexdigest()


def parse_feed(text: str) -> FeedReading:
    """Posts of an RSS, Atom or JSON feed. Entries without a date are skipped (and said so):
    a post whose time is unknown cannot show that the account is updated."""
    stripped = (text or "").lstrip("\ufeff \t\r\n")
    if not stripped:
        raise FeedError("订阅源为空")
    if stripped.startswith("{"):
        return _parse_json_feed(stripped)
    # The text is already decoded (by the fetcher, which sniffs mislabelled GBK): a declared
    # encoding would only make feedparser decode it again.
    parsed = feedparser.parse(_DECLARED.sub(r"\1", stripped, count=1))
    if not parsed.entries and parsed.bozo:
        raise FeedError(f"订阅源格式错误，无法解析：{parsed.get('bozo_exception')}")
    if not parsed.version and not parsed.entries:
        raise FeedError("不是 RSS、Atom 或 JSON Feed 订阅源")
    warnings = []
    if parsed.bozo:
        warnings.append(f"订阅源格式不规范，已尽量读取：{parsed.get('bozo_exception')}")
    posts, undated = [], 0
    for entry in parsed.entries:
        published = _from_struct(entry.get("published_parsed") or entry.get("updated_parsed"))
        if published is None:
            undated += 1
            continue
        title = (entry.get("title") or "").strip()
        link = (entry.get("link") or "").strip()
        flag = entry.get("original") or entry.get("govwatch_original")
        tags = [t.get("term") for t in entry.get("tags") or () if isinstance(t, dict)]
        posts.append(
            PostRecord(
                guid=post_guid(link, entry.get("id", ""), title, published),
                published_at=published,
                title=title[:500],
                url=link[:1000],
                original=_original(title, flag, tags),
            )
        )
    if undated:
        warnings.append(f"{undated}条没有发布时间，未计入")
    return FeedReading((parsed.feed.get("title") or "").strip(), tuple(posts), tuple(warnings))


def _parse_json_feed(text: str) -> FeedReading:
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise FeedError(f"JSON 订阅源格式错误：{exc}") from None
    if not isinstance(data, dict) or "jsonfeed.org" not in str(data.get("version", "")):
        raise FeedError("不是 JSON Feed 订阅源（缺少 version）")
    posts, undated = [], 0
    for item in data.get("items") or ():
        if not isinstance(item, dict):
            continue
        stamp = item.get("date_published") or item.get("date_modified")
        try:
            published = _aware(dt.datetime.fromisoformat(str(stamp).replace("Z", "+00:00")))
        except ValueError:
            published = None
        if published is None:
            undated += 1
            continue
        title = str(item.get("title") or item.get("content_text") or "").strip()
        link = str(item.get("url") or "").strip()
        extension = item.get("_govwatch") or {}
        posts.append(
            PostRecord(
                guid=post_guid(link, str(item.get("id") or ""), title, published),
                published_at=published,
                title=title[:500],
                url=link[:1000],
                original=_original(
                    title,
                    extension.get("original", item.get("original")),
                    item.get("tags") or (),
                ),
            )
        )
    warnings = (f"{undated}条没有发布时间，未计入",) if undated else ()
    return FeedReading(str(data.get("title") or "").strip(), tuple(posts), warnings)


def _minute(at: dt.datetime) -> str:
    return at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M")


def same_post(
    account: Account, guid: str, title: str, at: dt.datetime, url: str = ""
) -> Post | None:
    """The stored post this one is, by identity or by title and minute."""
    found = Post.objects.filter(account=account, guid=guid).first()
    if found:
        return found
    if url:
        found = Post.objects.filter(account=account, url=url).first()
        if found:
            return found
    start = at.replace(second=0, microsecond=0)
    return Post.objects.filter(
        account=account,
        title=title,
        published_at__gte=start,
        published_at__lt=start + dt.timedelta(minutes=1),
    ).first()


@transaction.atomic
def posts_store(account: Account, records, source: str = Post.Source.FEED) -> tuple[int, int]:
    """Store post records; the same post twice is one post. Returns (created, updated)."""
    created = updated = 0
    existing = {
        p.guid: p for p in Post.objects.filter(account=account, guid__in=[r.guid for r in records])
    }
    # The same post may have come another way (an import without its URL): same title, same
    # minute.
    others = Post.objects.filter(account=account).filter(
        models.Q(title__in=[r.title for r in records])
        | models.Q(url__in=[r.url for r in records if r.url])
    )
    by_title = {(p.title, _minute(p.published_at)): p for p in others}
    by_url = {p.url: p for p in others if p.url}
    new = []
    for r in records:
        post = (
            existing.get(r.guid)
            or (by_url.get(r.url) if r.url else None)
            or by_title.get((r.title, _minute(r.published_at)))
        )
        if post is None:
            new.append(
                Post(
                    account=account,
                    guid=r.guid,
                    published_at=r.published_at,
                    title=r.title,
                    url=r.url,
                    original=r.original,
                    source=source,
                )
            )
            existing[r.guid] = new[-1]
            continue
        changed = (post.published_at, post.title, post.url, post.original) != (
            r.published_at,
            r.title,
            r.url,
            r.original,
        )
        if changed and post.pk:
            post.published_at, post.title, post.url, post.original = (
                r.published_at,
                r.title,
                r.url,
                r.original,
            )
            post.save(update_fields=["published_at", "title", "url", "original"])
            updated += 1
    Post.objects.bulk_create(new, ignore_conflicts=True)
    created = len(new)
    return created, updated


def post_enter(
    account: Account, *, user, published_at, title: str, url: str, original: bool, screenshot=None
) -> Post:
    """A post the unit enters in its portal, with a screenshot as evidence (checked by content:
    images only)."""
    from django.core.files.base import ContentFile

    from core.auditlog import audit_record
    from core.files import IMAGE_TYPES, check_upload, generated_name

    checked = None
    if screenshot is not None:
        data = screenshot.read()
        kind, _, _ = check_upload(data, screenshot.name, allowed=IMAGE_TYPES)
        checked = (kind, data)
    guid = post_guid(url, "", title, published_at)
    with transaction.atomic():
        post, _ = Post.objects.update_or_create(
            account=account,
            guid=guid[:500],
            defaults={
                "published_at": published_at,
                "title": title[:500],
                "url": url[:1000],
                "original": original,
                "source": Post.Source.PORTAL,
            },
        )
        if checked:
            post.screenshot.save(generated_name(checked[0]), ContentFile(checked[1]))
        audit_record(
            actor=user,
            action="post_enter",
            unit=account.unit_id,
            target=post,
            after={"title": post.title, "published_at": published_at.isoformat()},
        )
    return post
