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
from django.db import transaction

from newmedia.models import Account, Post

_REPOST = re.compile(r"^(转发|转载|转自|【转】|\[转\]|//@|RT\b)|来源[:：]\s*\S+", re.I)


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


def _original(title: str, flagged) -> bool:
    if isinstance(flagged, bool):
        return flagged
    if isinstance(flagged, str) and flagged.strip():
        return flagged.strip().lower() in ("1", "true", "yes", "original", "原创", "是")
    return not _REPOST.search(title or "")


def _guid(*parts: str) -> str:
    for part in parts:
        if part:
            return part[:500]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()


def parse_feed(text: str) -> FeedReading:
    """Posts of an RSS, Atom or JSON feed. Entries without a date are skipped (and said so):
    a post whose time is unknown cannot show that the account is updated."""
    stripped = (text or "").lstrip("\ufeff \t\r\n")
    if not stripped:
        raise FeedError("订阅源为空")
    if stripped.startswith("{"):
        return _parse_json_feed(stripped)
    parsed = feedparser.parse(stripped)
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
        posts.append(
            PostRecord(
                guid=_guid(entry.get("id", ""), link, f"{title}|{published.isoformat()}"),
                published_at=published,
                title=title[:500],
                url=link[:1000],
                original=_original(title, flag),
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
                guid=_guid(str(item.get("id") or ""), link, f"{title}|{published.isoformat()}"),
                published_at=published,
                title=title[:500],
                url=link[:1000],
                original=_original(title, extension.get("original", item.get("original"))),
            )
        )
    warnings = (f"{undated}条没有发布时间，未计入",) if undated else ()
    return FeedReading(str(data.get("title") or "").strip(), tuple(posts), warnings)


@transaction.atomic
def posts_store(account: Account, records, source: str = Post.Source.FEED) -> tuple[int, int]:
    """Store post records; the same post twice is one post. Returns (created, updated)."""
    created = updated = 0
    existing = {
        p.guid: p for p in Post.objects.filter(account=account, guid__in=[r.guid for r in records])
    }
    new = []
    for r in records:
        post = existing.get(r.guid)
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
    guid = url or hashlib.sha256(f"{title}|{published_at.isoformat()}".encode()).hexdigest()
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
