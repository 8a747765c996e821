"""Import of the content-scan dictionaries (词库, 领导姓名职务) and loading them for a scan.

Imports are all or nothing: every row is checked first, and nothing is written unless every row
is good; the writes then run in one transaction. They are idempotent by natural key — (kind,
word) for a word, the name for a leader — so importing the same file twice changes nothing the
second time. Existing rows keep their 启用/在任 flag: switching an entry off is a decision staff
make in the admin, and a re-import must not undo it.
"""

from __future__ import annotations

import io
import re
from collections import Counter
from dataclasses import dataclass

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from audits.content.dictionary import (
    ALLOW,
    TYPO,
    Entry,
    LeaderEntry,
    Matcher,
    build_matcher,
    parse_word_line,
)
from audits.models import DictionaryEntry, Leader
from core.imports import (
    ImportReport,
    RowError,
    all_or_nothing,
    cell_text,
    decode_text,
    open_workbook,
)

WORDS_SHEET = "词库"
LEADERS_SHEET = "领导"
WORD_HEADERS = ("类别", "词语", "正确写法", "说明")
LEADER_HEADERS = ("姓名", "正确职务", "已知错误写法")

# 类别 as staff write it: the admin's labels, short forms and the codes.
KIND_NAMES = {label: code for code, label in DictionaryEntry.Kind.choices}
KIND_NAMES.update({code: code for code in DictionaryEntry.Kind.values})
KIND_NAMES.update({"白名单": ALLOW, "错字": TYPO, "赌博": "gambling", "色情": "porn"})

_LIST_SPLIT = re.compile(r"[、;；\n\r]+")
_MIN_WORD = 2  # a single character would be reported everywhere


class ImportResult(ImportReport):
    """The registry's import report; counts are kept per sheet (“词库” / “领导”)."""

    def plain_counts(self) -> dict[str, dict[str, int]]:
        return {name: dict(c) for name, c in self.counts.items()}

    def summary(self) -> str:
        if not self.ok:
            return f"未导入：{len(self.errors)} 处错误"
        parts = [
            f"{name}：新增 {c['created']}，更新 {c['updated']}，未变 {c['unchanged']}"
            for name, c in self.counts.items()
        ]
        return "；".join(parts) or "文件中没有条目"


@dataclass(frozen=True)
class _WordRow:
    sheet: str
    row: int
    kind: str
    word: str
    correction: str
    note: str


@dataclass(frozen=True)
class _LeaderRow:
    row: int
    name: str
    titles: tuple[str, ...]
    wrong_variants: tuple[str, ...]


# --- public API ----------------------------------------------------------------------------------


def dictionary_import_text(
    data: bytes, kind: str, *, update_existing: bool = True, dry_run: bool = False
) -> ImportResult:
    """Import a plain-text word list of one kind: one word per line; for typos
    ``wrong<TAB>right`` or ``wrong,right`` (a third field is the note); for other kinds an
    optional second field is the note. Blank lines and lines starting with # are ignored.
    UTF-8 (with or without BOM) or GBK/GB18030."""
    result = ImportResult()
    if kind not in DictionaryEntry.Kind.values:
        names = "、".join(f"{label}（{code}）" for code, label in DictionaryEntry.Kind.choices)
        result.errors.append(RowError("", 0, "", f"未知的词库类别“{kind}”，应为：{names}"))
        return result
    text = decode_text(data, result)
    if text is None:
        return result
    rows: list[_WordRow] = []
    for number, line in enumerate(text.splitlines(), start=1):
        fields = parse_word_line(line)
        if not fields:
            continue
        if kind == TYPO:
            word, correction, note = (fields + ("", ""))[:3]
        else:
            word, correction, note = fields[0], "", "，".join(fields[1:])
        row = _check_word(
            result,
            "",
            number,
            {"kind": "", "word": "第1列（词语）", "correction": "第2列（正确写法）"}
            | {"note": "第3列（说明）" if kind == TYPO else "第2列（说明）"},
            kind,
            word,
            correction,
            note,
        )
        if row:
            rows.append(row)
    _check_duplicates(result, rows)
    return _apply(result, rows, [], update_existing=update_existing, dry_run=dry_run)


def dictionary_import_xlsx(
    data: bytes, *, update_existing: bool = True, dry_run: bool = False
) -> ImportResult:
    """Import an Excel workbook: a sheet with the columns 类别, 词语, 正确写法, 说明 (named 词库, or
    any sheet with 类别 and 词语), and a sheet 领导 with 姓名, 正确职务, 已知错误写法 (several titles
    or variants in one cell separated by 、 ; or a new line)."""
    result = ImportResult()
    book = open_workbook(data, result, not_xlsx="不是 Excel（.xlsx）文件；纯文本词表请按“文本”导入")
    if book is None:
        return result
    words: list[_WordRow] = []
    leaders: list[_LeaderRow] = []
    found = False
    try:
        for ws in book.worksheets:
            rows = ws.iter_rows(values_only=True)
            header = next(rows, None) or ()
            positions = {cell_text(h): i for i, h in enumerate(header) if cell_text(h)}
            if ws.title == LEADERS_SHEET or "姓名" in positions:
                found = True
                leaders += _read_leaders(result, ws.title, positions, rows)
            elif ws.title == WORDS_SHEET or "词语" in positions:
                found = True
                words += _read_words(result, ws.title, positions, rows)
    finally:
        book.close()
    if not found and result.ok:
        result.errors.append(
            RowError(
                "",
                0,
                "",
                f"文件中没有可导入的工作表：应有“{WORDS_SHEET}”表（列：{'、'.join(WORD_HEADERS)}）"
                f"或“{LEADERS_SHEET}”表（列：{'、'.join(LEADER_HEADERS)}）",
            )
        )
    _check_duplicates(result, words)
    seen: dict[str, _LeaderRow] = {}
    for leader in leaders:
        first = seen.setdefault(leader.name, leader)
        if first is not leader:
            result.errors.append(
                RowError(LEADERS_SHEET, leader.row, "", f"姓名与第{first.row}行重复")
            )
    return _apply(result, words, leaders, update_existing=update_existing, dry_run=dry_run)


def dictionary_template_xlsx() -> bytes:
    """An empty workbook with both sheets, their headers and one example row each."""
    book = Workbook()
    ws = book.active
    ws.title = WORDS_SHEET
    ws.append(WORD_HEADERS)
    ws.append(("错别字", "即然", "既然", "示例，可删除"))
    ws.append(("涉赌", "百家乐", "", ""))
    ws.append(("白名单", "南亚博览会", "", "含“亚博”但不是赌博词"))
    ws.column_dimensions["D"].width = 30
    leaders = book.create_sheet(LEADERS_SHEET)
    leaders.append(LEADER_HEADERS)
    leaders.append(("张三", "县委副书记、县长", "张山、县委付书记张三"))
    for sheet in (ws, leaders):
        for col in range(1, sheet.max_column + 1):
            sheet.column_dimensions[get_column_letter(col)].width = max(
                sheet.column_dimensions[get_column_letter(col)].width or 0, 16
            )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def entries_from_db() -> list[Entry]:
    rows = DictionaryEntry.objects.filter(is_active=True).values_list(
        "kind", "word", "correction", "note"
    )
    return [Entry(kind, word, correction, note) for kind, word, correction, note in rows]


def leaders_from_db() -> list[LeaderEntry]:
    rows = Leader.objects.filter(is_active=True).values_list("name", "titles", "wrong_variants")
    return [
        LeaderEntry(name, tuple(_split_list(titles)), tuple(_split_list(variants)))
        for name, titles, variants in rows
    ]


_matcher_cache: dict = {}


def load_matcher_from_db() -> Matcher:
    """The matcher for a scan: active entries (kind 白名单 = the allow-list) and leaders in office.

    Built once per process and dictionary state: the entries are read on every call, the matcher
    (the costly part with a 50,000-word dictionary) is rebuilt only when they changed."""
    entries, leaders = entries_from_db(), leaders_from_db()
    key = hash((tuple(entries), tuple(leaders)))
    hit = _matcher_cache.get("matcher")
    if hit is not None and hit[0] == key:
        return hit[1]
    matcher = build_matcher(entries, leaders)
    _matcher_cache["matcher"] = (key, matcher)
    return matcher


# --- reading -------------------------------------------------------------------------------------


def _split_list(value: str) -> list[str]:
    return [part.strip() for part in _LIST_SPLIT.split(value or "") if part.strip()]


def _labels(positions: dict[str, int], headers: tuple[str, ...]) -> dict[str, str]:
    return {h: f"{get_column_letter(positions[h] + 1)}（{h}）" for h in headers if h in positions}


def _missing(result, sheet: str, positions: dict[str, int], required: tuple[str, ...]) -> bool:
    missing = [h for h in required if h not in positions]
    if missing:
        result.errors.append(RowError(sheet, 1, "", f"缺少必需的列：{'、'.join(missing)}"))
    return bool(missing)


def _read_words(result, sheet: str, positions: dict[str, int], rows) -> list[_WordRow]:
    if _missing(result, sheet, positions, ("类别", "词语")):
        return []
    labels = _labels(positions, WORD_HEADERS)
    columns = {
        "kind": labels["类别"],
        "word": labels["词语"],
        "correction": labels.get("正确写法", ""),
        "note": labels.get("说明", ""),
    }
    out = []
    for number, raw in enumerate(rows, start=2):
        values = {h: cell_text(raw[i]) if i < len(raw) else "" for h, i in positions.items()}
        if not any(values.get(h) for h in WORD_HEADERS):
            continue
        kind_text = values.get("类别", "")
        kind = KIND_NAMES.get(kind_text)
        if kind is None:
            names = "、".join(label for _, label in DictionaryEntry.Kind.choices)
            reason = f"类别“{kind_text}”无法识别，应为：{names}" if kind_text else "必填"
            result.errors.append(RowError(sheet, number, columns["kind"], reason))
            continue
        row = _check_word(
            result,
            sheet,
            number,
            columns,
            kind,
            values.get("词语", ""),
            values.get("正确写法", ""),
            values.get("说明", ""),
        )
        if row:
            out.append(row)
    return out


def _read_leaders(result, sheet: str, positions: dict[str, int], rows) -> list[_LeaderRow]:
    if _missing(result, sheet, positions, ("姓名", "正确职务")):
        return []
    labels = _labels(positions, LEADER_HEADERS)
    out = []
    for number, raw in enumerate(rows, start=2):
        values = {h: cell_text(raw[i]) if i < len(raw) else "" for h, i in positions.items()}
        if not any(values.get(h) for h in LEADER_HEADERS):
            continue
        name = values.get("姓名", "")
        titles = tuple(_split_list(values.get("正确职务", "")))
        variants = tuple(_split_list(values.get("已知错误写法", "")))
        errors_before = len(result.errors)
        if not name:
            result.errors.append(RowError(sheet, number, labels["姓名"], "必填"))
        elif len(name) > Leader._meta.get_field("name").max_length:
            result.errors.append(RowError(sheet, number, labels["姓名"], "姓名过长（最多 50 字）"))
        if not titles:
            result.errors.append(RowError(sheet, number, labels["正确职务"], "必填"))
        for variant in variants:
            if variant in titles or variant == name:
                result.errors.append(
                    RowError(
                        sheet,
                        number,
                        labels["已知错误写法"],
                        f"“{variant}”是正确写法，不能列为错误写法",
                    )
                )
            elif len(variant) < _MIN_WORD:
                result.errors.append(
                    RowError(sheet, number, labels["已知错误写法"], f"“{variant}”至少两个字")
                )
        if len(result.errors) == errors_before:
            out.append(_LeaderRow(number, name, titles, variants))
    return out


def _check_word(
    result: ImportResult,
    sheet: str,
    number: int,
    columns: dict[str, str],
    kind: str,
    word: str,
    correction: str,
    note: str,
) -> _WordRow | None:
    errors_before = len(result.errors)

    def error(key: str, reason: str) -> None:
        result.errors.append(RowError(sheet, number, columns.get(key, ""), reason))

    max_word = DictionaryEntry._meta.get_field("word").max_length
    max_note = DictionaryEntry._meta.get_field("note").max_length
    if not word:
        error("word", "必填")
    elif len(word) < _MIN_WORD:
        error("word", f"“{word}”只有一个字，至少两个字（单字会到处误报）")
    elif len(word) > max_word:
        error("word", f"词语过长（最多 {max_word} 字）")
    elif any(c in word for c in "\r\n"):
        error("word", "词语中不能有换行")
    if kind == TYPO:
        if not correction:
            error("correction", "错别字必须填写正确写法")
        elif correction == word:
            error("correction", "正确写法与错误写法相同")
        elif len(correction) > max_word:
            error("correction", f"正确写法过长（最多 {max_word} 字）")
    elif correction and len(correction) > max_word:
        error("correction", f"正确写法过长（最多 {max_word} 字）")
    if len(note) > max_note:
        error("note", f"说明过长（最多 {max_note} 字）")
    if len(result.errors) > errors_before:
        return None
    return _WordRow(sheet, number, kind, word, correction, note)


def _check_duplicates(result: ImportResult, rows: list[_WordRow]) -> None:
    """The same (kind, word) twice: fine if the rows agree, an error if they do not."""
    seen: dict[tuple[str, str], _WordRow] = {}
    for row in list(rows):
        key = (row.kind, row.word)
        first = seen.setdefault(key, row)
        if first is row:
            continue
        rows.remove(row)
        if (first.correction, first.note) != (row.correction, row.note):
            result.errors.append(
                RowError(
                    row.sheet,
                    row.row,
                    "",
                    f"“{row.word}”与第{first.row}行重复，但正确写法或说明不同",
                )
            )


# --- writing -------------------------------------------------------------------------------------


def _apply(
    result: ImportResult,
    words: list[_WordRow],
    leaders: list[_LeaderRow],
    *,
    update_existing: bool,
    dry_run: bool,
) -> ImportResult:
    if not result.ok:
        return result
    with all_or_nothing(result, dry_run=dry_run):
        if words:
            result.counts[WORDS_SHEET] = _write_words(words, update_existing)
        if leaders:
            result.counts[LEADERS_SHEET] = _write_leaders(leaders, update_existing)
    return result


def _write_words(rows: list[_WordRow], update_existing: bool) -> Counter:
    counts = Counter()
    existing = {}
    for kind in {r.kind for r in rows}:
        words = [r.word for r in rows if r.kind == kind]
        for start in range(0, len(words), 500):  # stay under SQLite's variable limit
            for obj in DictionaryEntry.objects.filter(
                kind=kind, word__in=words[start : start + 500]
            ):
                existing[(obj.kind, obj.word)] = obj
    new, changed = [], []
    for row in rows:
        obj = existing.get((row.kind, row.word))
        if obj is None:
            new.append(
                DictionaryEntry(
                    kind=row.kind, word=row.word, correction=row.correction, note=row.note
                )
            )
            counts["created"] += 1
        elif update_existing and (obj.correction, obj.note) != (row.correction, row.note):
            obj.correction, obj.note = row.correction, row.note
            changed.append(obj)
            counts["updated"] += 1
        else:
            counts["unchanged"] += 1
    DictionaryEntry.objects.bulk_create(new, batch_size=500)
    DictionaryEntry.objects.bulk_update(changed, ["correction", "note"], batch_size=500)
    return counts


def _write_leaders(rows: list[_LeaderRow], update_existing: bool) -> Counter:
    counts = Counter()
    existing = {obj.name: obj for obj in Leader.objects.filter(name__in=[r.name for r in rows])}
    for row in rows:
        titles, variants = "\n".join(row.titles), "\n".join(row.wrong_variants)
        obj = existing.get(row.name)
        if obj is None:
            Leader.objects.create(name=row.name, titles=titles, wrong_variants=variants)
            counts["created"] += 1
        elif update_existing and (obj.titles, obj.wrong_variants) != (titles, variants):
            obj.titles, obj.wrong_variants = titles, variants
            obj.save(update_fields=["titles", "wrong_variants"])
            counts["updated"] += 1
        else:
            counts["unchanged"] += 1
    return counts
