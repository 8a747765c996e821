"""Read the annex tables of the real circulars in ../shared/seeds into plain rows."""

import re
from dataclasses import dataclass

from tests.paths import SHARED

SEEDS = SHARED / "seeds"


@dataclass(frozen=True)
class AnnexRow:
    name: str
    result: str  # as printed: 无问题 / 合格 / 不合格 / 单否
    problems: str


def seed_004_annex1() -> list[AnnexRow]:
    text = (SEEDS / "004_0ebca7fc0f13ec86.txt").read_text(encoding="utf-8")
    block = text.split("亚博游戏官网:10月网站检查情况汇总表", 2)[2].split("附件2")[0]
    rows = []
    for line in block.splitlines():
        m = re.match(r"^(\d+) (\S+) (\S+) (合格|单否)\s*(.*)$", line.strip())
        if m:
            rows.append(AnnexRow(m.group(2), m.group(4), m.group(5)))
    return rows


def seed_001_annex1() -> list[AnnexRow]:
    text = (SEEDS / "001_fbcaf0dcd45c9eea.txt").read_text(encoding="utf-8")
    block = text.split("监测发现的突出问题", 1)[1].split("附件2")[0]
    tokens = [t.strip() for t in block.splitlines() if t.strip()]
    rows, i = [], 0
    while i < len(tokens):
        name, result = tokens[i], tokens[i + 1]
        problems = ""
        if i + 2 < len(tokens) and re.search("未更新|整改", tokens[i + 2]):
            problems = tokens[i + 2]
            i += 1
        rows.append(AnnexRow(name, result, problems))
        i += 2
    return rows
