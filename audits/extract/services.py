"""办事服务 pages (W-V6): the list of 事项 and each item's 办事指南.

国办秘函〔2019〕19号 W-V6 服务不实用: no 办事服务 at all, or 办事指南 missing key elements (事项名称,
设定依据, 申请条件, 办理材料, 办理地点, 办理机构, 收费标准, 办理时间, 联系电话, 办理流程). Seed 004
writes what is found as "3个事项无办事指南、1个办理时间表述含糊不清".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ._html import clean_text, parse_html
from .links import absolute_url

# The key elements, with the labels CMS templates use for each.
ELEMENTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("事项名称", ("事项名称", "服务事项", "事项")),
    ("设定依据", ("设定依据", "法律依据", "实施依据", "办理依据")),
    ("申请条件", ("申请条件", "受理条件", "办理条件")),
    ("办理材料", ("办理材料", "申请材料", "申报材料", "所需材料")),
    ("办理地点", ("办理地点", "受理地点", "办公地点")),
    ("办理机构", ("办理机构", "实施机构", "受理机构", "实施主体")),
    ("收费标准", ("收费标准", "收费依据", "是否收费", "收费情况")),
    ("办理时间", ("办理时间", "受理时间", "工作时间")),
    ("联系电话", ("联系电话", "咨询电话", "咨询方式", "联系方式")),
    ("办理流程", ("办理流程", "办事流程", "办理程序")),
)
_EMPTY = re.compile(r"^(无|暂无|—+|-+|/|待补充|空)$")
# 办理时间 that tells a citizen nothing: no hours, no days (seed 004 "办理时间表述含糊不清").
_VAGUE_TIME = re.compile(r"^(另行通知|详见.*|待定|按规定|工作日|法定工作日|正常工作时间|上班时间)$")
_HOURS = re.compile(r"\d{1,2}[:：]\d{2}|[上下]午|\d+\s*[点时]")


@dataclass(frozen=True)
class ServiceItem:
    title: str
    guide_url: str | None  # None: the item has no 办事指南 link


@dataclass(frozen=True)
class GuideReading:
    missing: tuple[str, ...]  # key elements absent or empty
    vague_time: bool
    values: dict  # element -> the text found (first 80 characters)


_SERVICE_WORDS = re.compile(
    r"办理|申请|审批|审核|登记|补助|补贴|许可|备案|证明|认定|服务|救助|发放|核准"
)
_LINK_WORDS = re.compile(
    r"^(办事指南|查看指南|查看|详情|指南|在线办理|我要办|办理|暂无指南|无办事指南|暂无)$"
)
_HEADER_CELLS = {"序号", "事项名称", "办理部门", "实施主体", "办事指南", "操作", "事项", "名称"}
_NAV = {"nav", "header", "footer"}


def _in_navigation(el) -> bool:
    for node in el.iterancestors():
        marks = f"{node.get('class', '')} {node.get('id', '')}".lower()
        if node.tag in _NAV or re.search(r"nav|menu|header|footer|daohang", marks):
            return True
    return False


def _item_title(el, link) -> str:
    """The 事项's name: the link's text, unless it is a word like 查看指南; else the cell or
    text of the entry that names it (not a number, not 暂无)."""
    text = clean_text(link.text_content()) if link is not None else ""
    if text and not _LINK_WORDS.match(text):
        return text
    cells = [clean_text(c.text_content()) for c in el if c.tag in ("td", "th")]
    candidates = [c for c in cells if c and not c.isdigit() and not _LINK_WORDS.match(c)]
    if candidates:
        return max(candidates, key=lambda c: (bool(_SERVICE_WORDS.search(c)), len(c)))
    text = clean_text(el.text_content())
    return re.sub(r"\s*(办事指南|查看指南|暂无指南|无办事指南|在线办理|暂无)\s*$", "", text)


def extract_service_items(html: str, url: str) -> list[ServiceItem]:
    """The items of a 办事服务 list page: among the groups of sibling <li> or <tr> outside the
    site's menus, the one whose entries most look like 事项 (办理, 申请, 审批 …); a table's
    header row is not an item, and an entry without a guide link is an item without a guide."""
    root = parse_html(html)
    if root is None:
        return []
    entries: dict = {}
    for el in root.iter("li", "tr"):
        if el.tag == "tr" and (
            el.find("th") is not None
            or {clean_text(c.text_content()) for c in el} & _HEADER_CELLS
            and not el.findall(".//a[@href]")
        ):
            continue
        text = clean_text(el.text_content())
        if not 4 <= len(text) <= 160 or len(re.findall(r"[\u4e00-\u9fff]", text)) < 4:
            continue
        if _in_navigation(el):
            continue
        entries.setdefault(el.getparent(), []).append(el)
    if not entries:
        return []

    def score(group):
        rows = entries[group]
        return (
            sum(1 for e in rows if _SERVICE_WORDS.search(clean_text(e.text_content()))),
            len(rows),
        )

    parent = max(entries, key=score)
    if len(entries[parent]) < 2:
        return []
    items = []
    for el in entries[parent]:
        link = next((a for a in el.iter("a") if absolute_url(url, a.get("href"))), None)
        target = absolute_url(url, link.get("href")) if link is not None else None
        items.append(ServiceItem(_item_title(el, link), target))
    return items


def read_guide(html: str) -> GuideReading:
    """Which key elements a guide page states, read from "标签：内容" pairs (in text or tables)."""
    root = parse_html(html)
    lines = _lines(root) if root is not None else []
    all_labels = [label for _, labels in ELEMENTS for label in labels]
    values: dict[str, str] = {}
    for element, labels in ELEMENTS:
        for label in labels:
            value = _value_of(lines, label, all_labels)
            if value:
                values[element] = value[:80]
                break
    missing = tuple(e for e, _ in ELEMENTS if e not in values)
    time = values.get("办理时间", "")
    vague = bool(time) and (_VAGUE_TIME.match(time) is not None or not _HOURS.search(time))
    return GuideReading(missing, vague, values)


# "一、", "1.", "（三）" before a label.
_NUMBERING = (
    r"(?:[一二三四五六七八九十]+[、.．]|\d+[、.．)）]|[（(][一二三四五六七八九十\d]+[)）]|[·•])?\s*"
)


def _value_of(lines: list[str], label: str, all_labels: list[str]) -> str:
    """The text after "label：" on its line, or on the next line when the label stands alone
    (a table or a definition list) and that line is not itself another label."""
    pattern = re.compile(rf"^{_NUMBERING}{label}[ \t\u3000]*[:：]?[ \t\u3000]*(.*)$")
    for n, line in enumerate(lines):
        m = pattern.match(line)
        if not m:
            continue
        value = m.group(1).strip()
        if not value and n + 1 < len(lines):
            following = lines[n + 1].strip()
            bare = re.sub(rf"^{_NUMBERING}", "", following)
            if not any(bare.startswith(other) for other in all_labels):
                value = following
        if value and not _EMPTY.match(value):
            return value
    return ""


def _lines(root) -> list[str]:
    """Text by blocks, a table row's cells joined as "label：value"."""
    out = []
    for el in root.iter("tr", "p", "li", "div", "dd", "dt", "h1", "h2", "h3", "span"):
        if el.tag == "tr":
            cells = [clean_text(c.text_content()) for c in el if c.tag in ("td", "th")]
            if len(cells) >= 2:
                out.append(f"{cells[0]}：{' '.join(cells[1:])}")
                continue
        if el.tag in ("div", "span") and len(el):
            continue  # only leaf containers; their children are visited themselves
        text = clean_text(el.text_content())
        if text:
            out.append(text)
    return out
