"""Excel/CSV import of posts and of messages (what units or a vendor export): a template, a
preview, row-level errors naming row and column, all or nothing, idempotent by natural key."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Font

from core.imports import ImportReport, all_or_nothing, cell_text, read_table
from newmedia.feeds import post_guid, same_post
from newmedia.models import Account, Message, Platform, Post
from units.models import Unit, Website

POST_HEADERS = ("单位", "平台", "账号名称", "发布时间", "标题", "网址", "原创")
POST_REQUIRED = ("单位", "平台", "账号名称", "发布时间", "标题")
MESSAGE_HEADERS = (
    "单位",
    "平台",
    "账号名称",
    "网站网址",
    "渠道",
    "留言标题",
    "留言时间",
    "答复时间",
    "自动回复",
    "有效留言",
    "编号",
)
MESSAGE_REQUIRED = ("单位", "留言时间")
_PLATFORMS = {label: value for value, label in Platform.choices} | {v: v for v in Platform.values}
_PLATFORMS.update({"微信公众号": "wechat", "新浪微博": "weibo", "今日头条": "toutiao"})
_YES = {"是", "Y", "y", "1", "TRUE", "true", "原创"}
_NO = {"否", "N", "n", "0", "FALSE", "false", "转载", "转发"}


def template(kind: str) -> bytes:
    headers = POST_HEADERS if kind == "posts" else MESSAGE_HEADERS
    book = Workbook()
    sheet = book.active
    sheet.title = "发布记录" if kind == "posts" else "留言记录"
    sheet.append(list(headers))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    if kind == "posts":
        sheet.append(["梅渚镇", "微信", "梅渚镇发布", "2026-11-20 09:30", "示例标题", "", "是"])
    else:
        sheet.append(
            [
                "梅渚镇",
                "",
                "",
                "http://www.example.gov.cn/",
                "县长信箱",
                "示例留言",
                "2026-11-20 09:30",
                "2026-11-21 10:00",
                "否",
                "是",
                "",
            ]
        )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


_WHEN = re.compile(
    r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
    r"(?:[\sT]+(\d{1,2})\s*[:：时]\s*(\d{1,2})(?:\s*[:：分]\s*(\d{1,2}))?\s*秒?)?\s*$"
)


def _when(value) -> dt.datetime:
    """A time as Chinese spreadsheets write it: 2026-11-20 09:30, 2026/11/20 9:30,
    2026年11月20日 9:30, or a date alone (noon)."""
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, dt.date):
        moment = dt.datetime.combine(value, dt.time(12))
    else:
        m = _WHEN.match(cell_text(value))
        try:
            if not m:
                raise ValueError
            y, mo, d = int(m[1]), int(m[2]), int(m[3])
            if m[4] is None:
                moment = dt.datetime(y, mo, d, 12)
            else:
                moment = dt.datetime(y, mo, d, int(m[4]), int(m[5]), int(m[6] or 0))
        except ValueError:
            raise ValueError(f"“{cell_text(value)}”不是日期时间（例如 2026-11-20 09:30）") from None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def _yes_no(value, default: bool) -> bool:
    text = cell_text(value)
    if not text:
        return default
    if text in _YES:
        return True
    if text in _NO:
        return False
    raise ValueError(f"“{text}”应为“是”或“否”")


def _account(unit: Unit, platform_text: str, name: str) -> Account:
    platform = _PLATFORMS.get(platform_text)
    if platform is None:
        raise LookupError(
            ("平台", f"“{platform_text}”不是平台名称（微信、微博、抖音、头条、APP…）")
        )
    account = Account.objects.filter(unit=unit, platform=platform, name=name).first()
    if account is None:
        raise LookupError(("账号名称", f"{unit.name}没有登记{platform_text}账号“{name}”"))
    return account


def import_posts(data: bytes, filename: str, *, dry_run: bool) -> ImportReport:
    report = ImportReport()
    table = read_table(data, filename, report)
    if table is None:
        return report
    if missing := table.missing(POST_REQUIRED):
        report.fail(f"第1行缺少列：{'、'.join(missing)}（应为：{'、'.join(POST_HEADERS)}）")
        return report
    parsed = []
    for number, row in table.records(POST_HEADERS):

        def fail(header, reason, number=number):
            report.fail(reason, row=number, column=table.label(header, workbook=False))

        unit = Unit.objects.filter(name=cell_text(row["单位"])).first()
        if unit is None:
            fail("单位", f"单位“{cell_text(row['单位'])}”不存在")
            continue
        try:
            account = _account(unit, cell_text(row["平台"]), cell_text(row["账号名称"]))
        except LookupError as exc:
            fail(*exc.args[0])
            continue
        title = cell_text(row["标题"])
        if not title:
            fail("标题", "必填")
            continue
        try:
            at = _when(row["发布时间"])
            original = _yes_no(row["原创"], True)
        except ValueError as exc:
            fail("发布时间" if "日期" in str(exc) else "原创", str(exc))
            continue
        url = cell_text(row["网址"])[:1000]
        parsed.append((account, post_guid(url, "", title, at), at, title, url, original))
    if not report.ok:
        return report
    with all_or_nothing(report, dry_run=dry_run):
        for account, guid, at, title, url, original in parsed:
            post = same_post(account, guid, title, at, url)
            values = {"published_at": at, "title": title[:500], "original": original}
            if url or post is None:
                values["url"] = url
            if post is None:
                Post.objects.create(account=account, guid=guid, source=Post.Source.IMPORT, **values)
                report.count("发布记录", "created")
            elif any(getattr(post, k) != v for k, v in values.items()):
                Post.objects.filter(pk=post.pk).update(**values)
                report.count("发布记录", "updated")
            else:
                report.count("发布记录", "unchanged")
    return report


def import_messages(data: bytes, filename: str, *, dry_run: bool) -> ImportReport:
    """Messages of an account (平台 + 账号名称) or of a website's channel (网站网址 + 渠道)."""
    report = ImportReport()
    table = read_table(data, filename, report)
    if table is None:
        return report
    if missing := table.missing(MESSAGE_REQUIRED):
        report.fail(f"第1行缺少列：{'、'.join(missing)}（应为：{'、'.join(MESSAGE_HEADERS)}）")
        return report
    parsed = []
    for number, row in table.records(MESSAGE_HEADERS):

        def fail(header, reason, number=number):
            report.fail(reason, row=number, column=table.label(header, workbook=False))

        unit = Unit.objects.filter(name=cell_text(row["单位"])).first()
        if unit is None:
            fail("单位", f"单位“{cell_text(row['单位'])}”不存在")
            continue
        account = website = None
        site_url = cell_text(row["网站网址"])
        try:
            if cell_text(row["账号名称"]):
                account = _account(unit, cell_text(row["平台"]), cell_text(row["账号名称"]))
            elif site_url:
                website = Website.objects.filter(unit=unit, home_url=site_url).first()
                if website is None:
                    raise LookupError(("网站网址", f"该单位没有网址为 {site_url} 的网站"))
            else:
                raise LookupError(
                    ("账号名称", "请填写账号名称（新媒体留言）或网站网址（网站信箱）")
                )
        except LookupError as exc:
            fail(*exc.args[0])
            continue
        try:
            received = _when(row["留言时间"])
        except ValueError as exc:
            fail("留言时间", str(exc))
            continue
        try:
            replied = _when(row["答复时间"]) if cell_text(row["答复时间"]) else None
        except ValueError as exc:
            fail("答复时间", str(exc))
            continue
        if replied and replied < received:
            fail("答复时间", "答复时间早于留言时间")
            continue
        try:
            auto = _yes_no(row["自动回复"], False)
        except ValueError as exc:
            fail("自动回复", str(exc))
            continue
        try:
            valid = _yes_no(row["有效留言"], True)
        except ValueError as exc:
            fail("有效留言", str(exc))
            continue
        title = cell_text(row["留言标题"])
        guid = (
            cell_text(row["编号"])
            or hashlib.sha256(f"{title}|{received.isoformat()}".encode()).hexdigest()
        )
        parsed.append(
            (account, website, cell_text(row["渠道"]), guid, title, received, replied, auto, valid)
        )
    if not report.ok:
        return report
    with all_or_nothing(report, dry_run=dry_run):
        for account, website, channel, guid, title, received, replied, auto, valid in parsed:
            lookup = {"account": account} if account else {"website": website}
            values = {
                "channel": channel[:100],
                "title": title[:500],
                "received_at": received,
                "replied_at": replied,
                "auto_reply": auto,
                "valid": valid,
            }
            message = Message.objects.filter(guid=guid, **lookup).first()
            if message is None:
                Message.objects.create(guid=guid, source=Message.Source.IMPORT, **lookup, **values)
                report.count("留言记录", "created")
            elif any(getattr(message, k) != v for k, v in values.items()):
                Message.objects.filter(pk=message.pk).update(**values)
                report.count("留言记录", "updated")
            else:
                report.count("留言记录", "unchanged")
    return report


IMPORTERS = {"posts": import_posts, "messages": import_messages}


def upload_store(*, user, kind: str, filename: str, data: bytes):
    from core.models import Upload

    return Upload.objects.create(
        kind=kind,
        uploaded_by=user,
        filename=filename,
        sha256=hashlib.sha256(data).hexdigest(),
        data=data,
    )


def upload_apply(upload, *, user) -> ImportReport:
    """Import for real, mark the upload applied and log it; nothing is written on an error."""
    from django.db import transaction

    from core.auditlog import audit_record

    with transaction.atomic():
        report = IMPORTERS[upload.kind](bytes(upload.data), upload.filename, dry_run=False)
        if report.ok:
            upload.applied_at = timezone.now()
            upload.save(update_fields=["applied_at"])
            audit_record(
                actor=user,
                action=f"{upload.kind}_import",
                target=upload,
                counts=report.plain_counts(),
                sha256=upload.sha256,
            )
    return report
