"""办事服务 pages (W-V6): the list of 事项 and each item's 办事指南.

国办秘函〔2019〕19号 W-V6 服务不实用: no 办事服务 at all, or 办事指南 missing key elements (事项名称,
设定依据, 申请条件, 办理材料, 办理地点, 办理机构, 收费标准, 办理时间, 联系电话, 办理流程). Seed 004
writes what is found as "3个事项无办事指南、1个办理时间表述含糊不清".
"""

from __future__ import annotations

import re
from collections import Counter
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


def extract_service_items(html: str, url: str) -> list[ServiceItem]:
    """The items of a 办事服务 list page: the biggest group of sibling <li> or <tr> whose text
    names a 事项; an entry without a link is an item without a guide."""
    root = parse_html(html)
    if root is None:
        return []
    groups: Counter = Counter()
    entries: dict = {}
    for el in root.iter("li", "tr"):
        text = clean_text(el.text_content())
        if not 4 <= len(text) <= 120 or len(re.findall(r"[\u4e00-\u9fff]", text)) < 4:
            continue
        parent = el.getparent()
        groups[parent] += 1
        entries.setdefault(parent, []).append(el)
    if not groups:
        return []
    parent, size = groups.most_common(1)[0]
    if size < 2:
        return []
    items = []
    for el in entries[parent]:
        link = next((a for a in el.iter("a") if absolute_url(url, a.get("href"))), None)
        title = clean_text(link.text_content()) if link is not None else ""
        title = title or clean_text(el.text_content())
        title = re.sub(r"\s*(办事指南|查看指南|暂无指南|无办事指南|在线办理)\s*$", "", title)
        items.append(ServiceItem(title, absolute_url(url, link.get("href")) if link else None))
    return items


def read_guide(html: str) -> GuideReading:
    """Which key elements a guide page states, read from "标签：内容" pairs (in text or tables)."""
    root = parse_html(html)
    text = "\n".join(_lines(root)) if root is not None else ""
    values: dict[str, str] = {}
    for element, labels in ELEMENTS:
        for label in labels:
            m = re.search(rf"{label}\s*[:：]?\s*\n?\s*([^\n]*)", text)
            if m and m.group(1).strip() and not _EMPTY.match(m.group(1).strip()):
                values[element] = m.group(1).strip()[:80]
                break
    missing = tuple(e for e, _ in ELEMENTS if e not in values)
    time = values.get("办理时间", "")
    vague = bool(time) and (_VAGUE_TIME.match(time) is not None or not _HOURS.search(time))
    return GuideReading(missing, vague, values)


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
