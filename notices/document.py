"""A circular (通报) as plain frozen data: what `render`, `annex_xlsx` and the previews read.

The parts follow GB/T 9704-2012: 版头 (office_header, doc_number) [7.2], 主体 (title, recipients,
body, 附件说明, issuer and date) [7.3], and 附件 [7.3.7]. No ORM here: the drafting service builds
a `CircularDocument` from its models, so rendering can be tested and benchmarked on its own.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

# 正文 placeholders a person reads.
DOC_NUMBER_PENDING = "（文号待定）"


@dataclass(frozen=True)
class Annex:
    """附件N [7.3.7]: a title and a table (or a note when there is nothing to list)."""

    number: int  # 附件1, 附件2 ...
    title: str  # e.g. "12月份政府信息公开网站监测情况"
    columns: tuple[str, ...]  # header labels
    rows: tuple[tuple[str, ...], ...]  # cell texts, already formatted
    widths: tuple[float, ...] = ()  # relative column widths (optional)
    note: str = ""  # under the title; replaces the table when rows is empty
    landscape: bool = False  # wide annexes on landscape A4 pages [8]

    def __post_init__(self) -> None:
        if self.number < 1:
            raise ValueError(f"附件序号必须从1开始：{self.number}")
        width = len(self.columns)
        for i, row in enumerate(self.rows, start=1):
            if len(row) != width:
                raise ValueError(f"附件{self.number}第{i}行有{len(row)}列，表头有{width}列")
        if self.widths and len(self.widths) != width:
            raise ValueError(
                f"附件{self.number}的列宽数({len(self.widths)})与表头列数({width})不符"
            )

    @property
    def label(self) -> str:
        return f"附件{self.number}"


@dataclass(frozen=True)
class Section:
    """A first-level part of the body ("一、总体情况") with its paragraphs [7.3.3].

    A paragraph that starts with "（一）" opens with a second-level heading run in up to its first
    "。" (楷体); a paragraph that is only "（一）…" is a second-level heading on its own line.
    """

    heading: str
    paragraphs: tuple[str, ...]


@dataclass(frozen=True)
class CircularDocument:
    """Everything printed in one circular, already worded."""

    office_header: str  # 发文机关标志 [7.2.4]
    doc_number: str  # 发文字号 [7.2.5]; "" for a draft preview
    title: str  # [7.3.1]; an explicit "\n" forces a line break
    recipients: str  # 主送机关 [7.3.2], without the trailing colon
    preamble: tuple[str, ...]
    sections: tuple[Section, ...]
    annexes: tuple[Annex, ...]
    issuer: str  # 发文机关署名 [7.3.5]
    date: datetime.date  # 成文日期 [7.3.5]
    corrects: str = ""  # e.g. "（本通报更正沭政督字〔2021〕31号）"
    draft: bool = False  # watermark "草稿"

    def __post_init__(self) -> None:
        numbers = [annex.number for annex in self.annexes]
        if numbers != list(range(1, len(numbers) + 1)):
            raise ValueError(f"附件应依次编号为1、2、3……：{numbers}")

    @property
    def doc_number_text(self) -> str:
        return self.doc_number or DOC_NUMBER_PENDING

    @property
    def recipients_text(self) -> str:
        text = self.recipients.rstrip().rstrip(":：")
        return f"{text}：" if text else ""

    @property
    def date_text(self) -> str:
        """成文日期 with Arabic numerals, no leading zeros: 2026年11月3日 [7.3.5.1]."""
        return f"{self.date.year}年{self.date.month}月{self.date.day}日"

    def texts(self) -> list[str]:
        """Every string printed, in reading order (for glyph and text checks)."""
        out = [self.office_header, self.doc_number_text, self.title, self.recipients_text]
        out += [self.corrects, *self.preamble]
        for section in self.sections:
            out += [section.heading, *section.paragraphs]
        for annex in self.annexes:
            out += [annex.label, annex.title, annex.note, *annex.columns]
            out += [cell for row in annex.rows for cell in row]
        out += [self.issuer, self.date_text]
        return [text for text in out if text]
