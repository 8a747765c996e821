"""The registry workbook: sheets, headers and how each cell is read.

One declaration serves the template, the export and the import, so they cannot drift apart.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator

from newmedia.models import Account, AccountEvent, Platform
from units.categories import Category
from units.models import Unit, Website, site_code_validator
from units.validators import validate_public_url


class CellError(ValueError):
    """A cell that cannot be read; the message is shown to the person importing."""


@dataclass(frozen=True)
class Field:
    header: str
    key: str
    read: Callable[[object], object]
    required: bool = False
    width: int = 16
    choices: tuple[str, ...] = ()  # labels offered as a drop-down in the template
    note: str = ""


@dataclass(frozen=True)
class Sheet:
    title: str
    fields: tuple[Field, ...]
    note: str

    def field(self, key: str) -> Field:
        return next(f for f in self.fields if f.key == key)


def _text(max_length: int) -> Callable[[object], str]:
    def read(value: object) -> str:
        text = "" if value is None else str(value).strip()
        if isinstance(value, float) and value.is_integer():
            text = str(int(value))
        if len(text) > max_length:
            raise CellError(f"超过{max_length}个字符")
        return text

    return read


def _choice(choices) -> Callable[[object], str]:
    by_label = {str(label): value for value, label in choices}
    by_value = {str(value): value for value, _ in choices}

    def read(value: object) -> str:
        text = _text(50)(value)
        if not text:
            return ""
        if text in by_label:
            return by_label[text]
        if text in by_value:
            return by_value[text]
        raise CellError(f"“{text}”不是可选值，应为：{'、'.join(by_label)}")

    return read


def _bool(value: object) -> bool | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        return value
    text = str(value).strip()
    if text in {"是", "Y", "y", "1", "TRUE", "true"}:
        return True
    if text in {"否", "N", "n", "0", "FALSE", "false"}:
        return False
    raise CellError(f"“{text}”应为“是”或“否”")


def _int(value: object) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        real = float(str(value).strip())
        if not real.is_integer():  # 7.5 is not a number of days; also rejects inf and nan
            raise ValueError
        number = int(real)
    except ValueError:
        raise CellError(f"“{value}”不是整数") from None
    if number < 0:
        raise CellError("不能为负数")
    return number


def _url(value: object) -> str:
    text = _text(500)(value)
    if not text:
        return ""
    try:
        URLValidator(schemes=["http", "https"])(text)
    except ValidationError:
        raise CellError(f"“{text}”不是有效的 http/https 网址") from None
    try:
        validate_public_url(text)
    except ValidationError as exc:
        raise CellError(exc.messages[0]) from None
    return text


def _email(value: object) -> str:
    text = _text(254)(value)
    if text:
        try:
            EmailValidator()(text)
        except ValidationError:
            raise CellError(f"“{text}”不是有效的电子邮箱") from None
    return text


def _site_code(value: object) -> str:
    text = _text(20)(value)
    if text:
        try:
            site_code_validator(text)
        except ValidationError as exc:
            raise CellError(exc.messages[0]) from None
    return text


def _date(value: object) -> dt.date | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip().replace("/", "-").replace(".", "-")
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        pass
    try:
        return dt.datetime.strptime(text, "%Y-%m-%d").date()
    except ValueError:
        raise CellError(f"“{value}”不是日期，应写作 2026-11-23") from None


def _labels(choices) -> tuple[str, ...]:
    return tuple(str(label) for _, label in choices)


UNITS = Sheet(
    "单位",
    (
        Field("单位名称", "name", _text(100), required=True, width=28),
        Field("单位类型", "kind", _choice(Unit.Kind.choices), True, 12, _labels(Unit.Kind.choices)),
        Field("联系人", "contact_person", _text(50)),
        Field("联系电话", "phone", _text(50)),
        Field("电子邮箱", "email", _email, width=24),
        Field(
            "计入合格率",
            "counts_in_rates",
            _bool,
            width=12,
            choices=("是", "否"),
            note="垂直管理单位（税务、气象等）填“否”：检查并列出，但不计入合格率",
        ),
        Field("排序", "sort_order", _int, width=8),
    ),
    "每行一个单位，以“单位名称”识别；重复导入同一文件不会产生变化。",
)

WEBSITES = Sheet(
    "网站",
    (
        Field("单位名称", "unit", _text(100), required=True, width=28),
        Field("网站名称", "name", _text(200), required=True, width=28),
        Field("首页网址", "home_url", _url, required=True, width=36),
        Field("网站标识码", "site_code", _site_code, width=14, note="10位数字"),
        Field(
            "网站类型",
            "kind",
            _choice(Website.Kind.choices),
            width=12,
            choices=_labels(Website.Kind.choices),
        ),
        Field(
            "运行状态",
            "status",
            _choice(Website.Status.choices),
            width=10,
            choices=_labels(Website.Status.choices),
        ),
        Field("站内搜索地址", "search_url", _text(500), width=36, note="含 {q} 占位符"),
        Field("有办事服务", "has_services", _bool, width=10, choices=("是", "否")),
        Field("办事服务地址", "services_url", _url, width=36, note="办事事项列表页"),
        Field("留言答复列表地址", "messages_url", _url, width=36, note="县长信箱等的公开列表"),
    ),
    "每行一个网站，以“首页网址”识别；“单位名称”须在“单位”表或系统中已存在。",
)

COLUMNS = Sheet(
    "栏目",
    (
        Field("首页网址", "website", _url, required=True, width=36),
        Field("栏目名称", "name", _text(200), required=True, width=24),
        Field("栏目网址", "url", _url, required=True, width=44),
        Field(
            "栏目类别", "category", _choice(Category.choices), True, 18, _labels(Category.choices)
        ),
        Field("更新周期（天）", "window_days", _int, width=12, note="留空按类别默认"),
        Field("一级栏目", "is_first_level", _bool, width=10, choices=("是", "否")),
        Field("上级栏目网址", "parent", _url, width=44),
        Field("豁免", "is_exempt", _bool, width=8, choices=("是", "否")),
        Field("豁免理由", "exempt_reason", _text(500), width=30),
    ),
    "每行一个栏目，以“首页网址 + 栏目网址”识别；豁免的栏目必须写明理由。",
)

ACCOUNTS = Sheet(
    "新媒体账号",
    (
        Field("单位名称", "unit", _text(100), required=True, width=28),
        Field("平台", "platform", _choice(Platform.choices), True, 10, _labels(Platform.choices)),
        Field("账号名称", "name", _text(200), required=True, width=24),
        Field("账号ID", "account_id", _text(200), width=20),
        Field("主页地址", "url", _url, width=36),
        Field("订阅源地址", "feed_url", _url, width=36),
        Field(
            "备案状态",
            "filing",
            _choice(Account.Filing.choices),
            width=10,
            choices=_labels(Account.Filing.choices),
        ),
        Field(
            "运行状态",
            "status",
            _choice(Account.Status.choices),
            width=10,
            choices=_labels(Account.Status.choices),
        ),
    ),
    "每行一个账号，以“单位名称 + 平台 + 账号名称”识别。",
)

EVENTS = Sheet(
    "账号变更记录",
    (
        Field("单位名称", "unit", _text(100), required=True, width=28),
        Field("平台", "platform", _choice(Platform.choices), True, 10, _labels(Platform.choices)),
        Field("账号名称", "account", _text(200), required=True, width=24),
        Field(
            "类型",
            "kind",
            _choice(AccountEvent.Kind.choices),
            True,
            8,
            _labels(AccountEvent.Kind.choices),
        ),
        Field("日期", "date", _date, required=True, width=12, note="2026-11-23"),
        Field("报备日期", "filed_on", _date, width=12),
        Field("说明", "note", _text(500), width=30),
    ),
    "开设、变更、关停、注销记录，以“账号 + 类型 + 日期”识别。",
)

SHEETS: tuple[Sheet, ...] = (UNITS, WEBSITES, COLUMNS, ACCOUNTS, EVENTS)
