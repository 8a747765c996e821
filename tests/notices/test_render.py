"""The circular's HTML and PDF against GB/T 9704-2012 (../shared/domain/gbt9704.md), read back
from the PDF with poppler and pyHanko's reader; the annexes as Excel."""

from __future__ import annotations

import dataclasses
import datetime
import re
from html.parser import HTMLParser
from io import BytesIO

import pytest

from notices.annex_xlsx import annexes_xlsx
from notices.document import Annex, CircularDocument, Section
from notices.pdfcheck import MM, missing_glyphs, pages, pdf_fonts
from notices.render import (
    FontsMissing,
    MissingGlyphs,
    check_fonts,
    font_lists,
    html_to_pdf,
    office_size,
    pdf_text,
    render_body,
    render_html,
    render_pdf,
    stylesheet,
    title_lines,
)
from tests.notices import seed_circular

A4 = (210 * MM, 297 * MM)
FREE_FAMILIES = {"Noto-Serif-CJK-SC", "Noto-Sans-CJK-SC", "AR-PL-UKai-CN", "LXGWWenKai-Regular"}


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def doc() -> CircularDocument:
    return seed_circular()


@pytest.fixture(scope="module")
def pdf(doc) -> bytes:
    return render_pdf(doc)


@pytest.fixture(scope="module")
def sheets(pdf):
    return pages(pdf)


@pytest.fixture(scope="module")
def text(pdf) -> str:
    return pdf_text(pdf)


def annex_pages(sheets, number: int) -> list[int]:
    """Indexes of the pages of annex `number`: from its first page to the next annex."""
    starts = [i for i, p in enumerate(sheets) if p.words and p.words[0].text.startswith("附件")]
    first = next(i for i in starts if sheets[i].words[0].text == f"附件{number}")
    later = [i for i in starts if i > first]
    return list(range(first, later[0] if later else len(sheets)))


# ----- text --------------------------------------------------------------------------------


def cell_texts(sheets) -> set[str]:
    """The text of every table cell: a cell's lines start at the same x and follow each other
    at the table's line pitch (17pt); the next row's lines are further down."""
    cells = set()
    for page in sheets:
        columns: dict[int, list] = {}
        for w in page.words:
            columns.setdefault(round(w.x0), []).append(w)
        for words in columns.values():
            words.sort(key=lambda w: w.y0)
            run = [words[0]]
            for w in words[1:]:
                if w.y0 - run[-1].y0 <= 17.5:
                    run.append(w)
                else:
                    cells.add("".join(x.text for x in run))
                    run = [w]
            cells.add("".join(x.text for x in run))
    return cells


def test_the_pdf_holds_the_title_the_doc_number_and_every_annex_row(doc, text, sheets):
    flat = squash(text)
    cells = cell_texts(sheets)
    assert squash(doc.title) in flat
    assert doc.doc_number in text
    assert squash(doc.office_header) in flat
    assert doc.recipients + "：" in text
    assert "2021年10月23日" in text
    for annex in doc.annexes:
        for row in annex.rows:
            unit, problems = row[1], row[-1] if annex.number != 1 else row[5]
            assert unit in cells, unit
            assert problems in cells, problems
    assert "本期暂无政务新媒体监测数据。" in text


def test_every_character_of_the_source_is_in_the_pdf_text_and_has_a_glyph(doc, pdf, text):
    wanted = {c for t in doc.texts() for c in t if not c.isspace()}
    assert wanted - set(text) == set()
    assert missing_glyphs(pdf) == []


def test_a_character_no_font_has_is_caught_not_printed_as_a_box(doc):
    # U+E000 is in the Private Use Area: no installed font draws it.
    html = '<html lang="zh-CN"><body><p>通报\ue000附件</p></body></html>'
    loose = html_to_pdf(html, strict_glyphs=False)
    found = missing_glyphs(loose)
    assert [g.text for g in found] == ["\ue000"]
    assert "\ue000" in pdf_text(loose)  # the text layer alone would not have shown it
    broken = dataclasses.replace(doc, title="关于\ue000的通报", annexes=())
    with pytest.raises(MissingGlyphs) as caught:
        render_pdf(broken)
    assert caught.value.chars == ("\ue000",)
    assert "U+E000" in str(caught.value)


def test_fonts_are_embedded_subset_and_only_the_expected_families(pdf):
    fonts = pdf_fonts(pdf)
    assert fonts
    assert all(f.embedded and f.subset and f.unicode for f in fonts), fonts
    assert {f.family for f in fonts} <= FREE_FAMILIES | licensed_families(), fonts
    assert {f.family for f in fonts} >= {"Noto-Serif-CJK-SC", "Noto-Sans-CJK-SC"}


def licensed_families() -> set[str]:
    """PostScript names of licensed faces an office may have installed (listed first in CSS)."""
    return {
        "FangSong_GB2312",
        "FangSong",
        "SimHei",
        "KaiTi_GB2312",
        "KaiTi",
        "SimSun",
        "FZXBSJW--GB1-0",
    }


def test_every_font_list_of_the_stylesheet_has_an_installed_family():
    chosen = check_fonts()
    assert set(chosen) == set(font_lists(stylesheet()))
    body = next(names for names in chosen if names[0] == "仿宋_GB2312")
    assert body[-1] == "serif" and chosen[body] != "serif"


def test_a_font_list_with_no_installed_family_fails_loudly():
    with pytest.raises(FontsMissing, match="NoSuchFangSong"):
        check_fonts('p { font-family: "NoSuchFangSong", serif; }')


# ----- page geometry [5.1, 5.2.1, 7.5] ----------------------------------------------------------


def test_pages_are_a4_portrait_and_wide_annexes_landscape(doc, sheets):
    for i, page in enumerate(sheets):
        size = (page.width, page.height)
        assert size in (pytest.approx(A4, abs=0.5), pytest.approx(A4[::-1], abs=0.5)), i
    for number in (1, 2, 3, 4):
        landscape = doc.annexes[number - 1].landscape
        assert {sheets[i].landscape for i in annex_pages(sheets, number)} == {landscape}
    assert not sheets[0].landscape


def type_area_bottom(sheets, page) -> float:
    """The lower edge of the type area: 35 mm up on portrait pages; on landscape pages the outer
    (26 mm, odd pages) or binding (28 mm, even pages) margin."""
    if not page.landscape:
        return page.height - 35 * MM
    return page.height - (26 if sheets.index(page) % 2 == 0 else 28) * MM


def _body_words(page, sheets=None):
    """Words in the type area's height (not the page number), top to bottom."""
    bottom = type_area_bottom(sheets, page) if sheets else page.height - 35 * MM
    return sorted((w for w in page.words if w.y1 < bottom), key=lambda w: (w.y0, w.x0))


def test_body_text_sits_in_the_type_area_with_the_binding_side_mirrored(doc, sheets):
    first = sheets[0]
    recipients = next(w for w in first.words if w.text.startswith(doc.recipients[:4]))
    assert recipients.x0 == pytest.approx(28 * MM, abs=0.3)  # 主送 flush left at the binding side
    even = sheets[1]
    assert min(w.x0 for w in _body_words(even)) == pytest.approx(26 * MM, abs=0.3)
    for page, left in ((first, 28), (even, 26)):
        words = _body_words(page)
        assert min(w.x0 for w in words) >= left * MM - 0.3
        assert max(w.x1 for w in words) <= (left + 156) * MM + 1.0
    # The type area starts 37 mm down: page 2's first line box (28.9pt, 3号) begins there.
    top = min(w.y0 for w in _body_words(even))
    assert top - (28.9 - 16 * 1.437) / 2 == pytest.approx(37 * MM, abs=1 * MM)


def test_lines_are_on_a_grid_of_22_to_the_type_area(sheets):
    lines = sorted({w.y0 for w in _body_words(sheets[1])})
    pitches = [b - a for a, b in zip(lines, lines[1:], strict=False)]
    assert len(lines) >= 18
    assert all(abs(p / 28.9 - round(p / 28.9)) < 0.01 for p in pitches), pitches
    assert abs(225 * MM / 22 - 28.9) < 0.1


def test_header_is_red_centred_and_no_wider_than_the_type_area(doc, sheets):
    head = sheets[0].words[0]
    assert head.text == doc.office_header
    assert (head.x0 + head.x1) / 2 == pytest.approx((28 + 78) * MM, abs=1.0)
    number = sheets[0].words[1]
    assert number.text == doc.doc_number
    assert (number.x0 + number.x1) / 2 == pytest.approx((28 + 78) * MM, abs=1.0)
    assert office_size("××县人民政府办公室文件") * 11 <= 156 * MM


def red_pixels(pdf: bytes, page: int, dpi: int = 50):
    """(x, y) in points of the clearly red pixels of a page (pdftoppm)."""
    import subprocess

    from PIL import Image

    ppm = subprocess.run(
        ["pdftoppm", "-r", str(dpi), "-f", str(page), "-l", str(page), "-"],
        input=pdf,
        capture_output=True,
        check=True,
    ).stdout
    image = Image.open(BytesIO(ppm)).convert("RGB")
    scale = 72 / dpi
    px = image.load()
    return [
        (x * scale, y * scale)
        for y in range(image.height)
        for x in range(image.width)
        if px[x, y][0] > 180 and px[x, y][1] < 90 and px[x, y][2] < 90
    ]


def test_the_header_and_the_rule_are_red_and_nothing_else_on_page_one(doc, pdf, sheets):
    red = red_pixels(pdf, 1)
    head, number = sheets[0].words[0], sheets[0].words[1]
    in_header = [p for p in red if head.y0 <= p[1] <= head.y1]
    assert len(in_header) > 200
    # The rule: a red line 4 mm under the 文号, as wide as the type area.
    under = [p for p in red if number.y1 < p[1] < number.y1 + 8 * MM]
    assert under, "no red rule under the 文号"
    xs = [x for x, _ in under]
    assert min(xs) == pytest.approx(28 * MM, abs=2) and max(xs) == pytest.approx(184 * MM, abs=2)
    rule_y = sum(y for _, y in under) / len(under)
    # pdftotext's box reaches the font's descent (0.286 em); ideographs end 0.12 em under the
    # baseline, so the 文号's visible bottom is 0.166 em (2.7pt) above the box's.
    assert rule_y - (number.y1 - 2.7) == pytest.approx(4 * MM, abs=1 * MM)
    # Red only there: the title and the body are black.
    assert all(p[1] <= number.y1 + 8 * MM for p in red)


def test_page_numbers_are_outside_aligned_7mm_under_the_type_area(sheets):
    for i, page in enumerate(sheets):
        words = [w for w in page.words if w.y0 > type_area_bottom(sheets, page)]
        label = " ".join(w.text for w in words)
        assert label == f"— {i + 1} —", (i, label)
        x0, x1 = min(w.x0 for w in words), max(w.x1 for w in words)
        if page.landscape:
            type_left = 35 * MM
            type_right = page.width - 37 * MM
        elif i % 2 == 0:  # odd page number
            type_left, type_right = 28 * MM, page.width - 26 * MM
        else:
            type_left, type_right = 26 * MM, page.width - 28 * MM
        if i % 2 == 0:
            assert x1 == pytest.approx(type_right - 14, abs=1.5), i  # one 4号 character in
        else:
            assert x0 == pytest.approx(type_left + 14, abs=1.5), i
        bottom_of_type_area = (
            page.height - (35 if not page.landscape else (26 if i % 2 == 0 else 28)) * MM
        )
        middle = (min(w.y0 for w in words) + max(w.y1 for w in words)) / 2
        assert middle - bottom_of_type_area == pytest.approx(7 * MM, abs=1.5 * MM), i


# ----- annexes [7.3.7] ------------------------------------------------------------------------


def test_each_annex_starts_on_a_new_page_with_its_label_then_its_title(doc, sheets):
    for annex in doc.annexes:
        first = sheets[annex_pages(sheets, annex.number)[0]]
        label, title = first.words[0], first.words[1]
        assert label.text == annex.label
        assert squash(title.text) == squash(annex.title)
        assert title.y0 > label.y1  # the title on a line of its own, below
        middle = (title.x0 + title.x1) / 2
        left = 35 * MM if first.landscape else (28 if (sheets.index(first) % 2 == 0) else 26) * MM
        width = (225 if first.landscape else 156) * MM
        assert middle == pytest.approx(left + width / 2, abs=2.0)
        assert label.x0 == pytest.approx(left, abs=0.5)


def test_the_header_row_repeats_on_every_page_of_a_long_annex(doc, sheets):
    numbers = annex_pages(sheets, 1)
    assert len(numbers) >= 3
    for i in numbers:
        page_text = squash(sheets[i].text())
        for label in ("序号", "责任单位", "问题描述", "整改时限"):
            assert label in page_text, (i, label)
    # The seed's rows are short and none is split: a row's 序号 on the page it starts on.
    seen = []
    for i in numbers:
        words = _body_words(sheets[i], sheets)
        seen += [int(w.text) for w in words if re.fullmatch(r"\d{1,2}", w.text) and w.x0 < 50 * MM]
    assert seen == list(range(1, len(doc.annexes[0].rows) + 1))


def test_long_rows_continue_on_the_next_page_instead_of_leaving_pages_empty(doc):
    """Rows of twenty-odd lines each: kept whole, every page held one row and two-fifths of it
    stayed empty (a demo annex of 40 sites took 22 pages); now a long row continues on the
    next page under the repeated header, short rows stay whole."""
    problem = "“政策文件”栏目超过半年未更新，1个空栏目，“图片新闻”栏目即将超过2周未更新。" * 5
    rows = tuple(
        (
            str(n),
            f"县第{n}局",
            f"县第{n}局网站",
            f"http://s{n}.example/",
            "合格",
            problem,
            "2026-11-20",
        )
        for n in range(1, 9)
    ) + (("9", "县第9局", "县第9局网站", "http://s9.example/", "合格", "无", "2026-11-20"),)
    columns = ("序号", "责任单位", "网站名称", "网址", "检查结果", "问题描述", "最后更新")
    annex = Annex(1, "长行", columns, rows, (4, 12, 14, 16, 7, 30, 10), "", landscape=True)
    long_doc = dataclasses.replace(doc, annexes=(annex,))
    html = render_html(long_doc)
    assert html.count('<tr class="long">') == 8  # the short last row may not be split
    sheets = pages(render_pdf(long_doc))
    numbers = annex_pages(sheets, 1)
    assert len(numbers) < 8  # one row a page would be eight
    starts = []
    for i in numbers:
        words = _body_words(sheets[i], sheets)
        starts += [int(w.text) for w in words if re.fullmatch(r"\d", w.text) and w.x0 < 50 * MM]
    assert starts == list(range(1, 10))  # every row is there, once, in order


def test_the_annex_list_follows_the_body_with_aligned_names(doc, sheets):
    page = next(p for p in sheets if any(w.text.startswith("附件：") for w in p.words))
    label = next(w for w in page.words if w.text.startswith("附件："))
    items = [w for w in page.words if re.match(r"^[2-4]\.", w.text)]
    assert len(items) == 3
    assert label.x0 == pytest.approx((28 + 0) * MM + 32, abs=1.5)  # two characters in
    first_number_x = label.x0 + 3 * 16 - 0.63
    for item in items:
        assert item.x0 == pytest.approx(first_number_x, abs=1.5)


def test_issuer_and_date_are_right_aligned_leaving_four_characters(doc, sheets):
    page = next(p for p in sheets if any(w.text == doc.date_text for w in p.words))
    date = next(w for w in page.words if w.text == doc.date_text)
    issuer = next(w for w in page.words if w.text == doc.issuer)
    right = page.width - (26 if sheets.index(page) % 2 == 0 else 28) * MM
    assert right - date.x1 == pytest.approx(4 * 16, abs=3)
    assert (issuer.x0 + issuer.x1) / 2 == pytest.approx((date.x0 + date.x1) / 2, abs=2)
    assert issuer.y1 < date.y0


# ----- HTML ------------------------------------------------------------------------------------


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def test_the_html_is_one_accessible_document_for_preview_and_pdf(doc):
    html = render_html(doc)
    parser = _Tags()
    parser.feed(html)
    tags = parser.tags
    assert ("html", {"lang": "zh-CN"}) in tags
    assert [t for t, _ in tags].count("h1") == 1
    assert [t for t, _ in tags].count("h2") == len(doc.sections) + len(doc.annexes)
    tables = [t for t, _ in tags].count("table")
    assert tables == [t for t, _ in tags].count("caption") == 3  # annex 4 has no rows
    headers = [a for t, a in tags if t == "th"]
    assert headers and all(a.get("scope") == "col" for a in headers)
    assert [t for t, _ in tags].count("thead") == 3
    assert "<style>" in html and "@page :left" in html
    linked = render_html(doc, embed_css=False)
    assert "<style>" not in linked and 'href="/static/notices/circular.css"' in linked
    body = render_body(doc)
    assert body.startswith('<article class="circular"') and "<html" not in body


def test_text_is_escaped(doc):
    nasty = dataclasses.replace(doc, title="<script>alert(1)</script>关于的通报", annexes=())
    html = render_html(nasty)
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_second_level_headings_run_in_and_first_level_headings_are_h2(doc):
    html = render_html(doc)
    assert "<h2>一、总体情况</h2>" in html
    assert '<span class="level2">（一）网站日常监测情况。</span>本季度' in html


def test_a_draft_says_so_and_has_no_number_yet(doc):
    only = dataclasses.replace(doc.annexes[3], number=1)
    draft = dataclasses.replace(doc, doc_number="", draft=True, annexes=(only,))
    pdf = render_pdf(draft)
    text = pdf_text(pdf)
    assert "（文号待定）" in text
    for page in pages(pdf):  # the watermark on every page (its letters turned: two words)
        assert {"草", "稿"} <= {w.text for w in page.words}
    assert "草稿" in render_html(draft)


def test_a_correction_names_the_circular_it_corrects(doc):
    fixed = dataclasses.replace(doc, corrects="（本通报更正沭政督字〔2021〕31号）", annexes=())
    assert "（本通报更正沭政督字〔2021〕31号）" in pdf_text(render_pdf(fixed))


def test_long_titles_are_split_into_a_trapezoid_no_wider_than_the_type_area():
    title = "临沭县人民政府办公室关于2021年全县第三季度政府网站和政务新媒体检查情况的通报"
    lines = title_lines(title)
    assert "".join(lines) == title and len(lines) == 2
    assert len(lines[0]) <= len(lines[1]) + 2  # about as wide: 21 characters with 4 digits
    assert not lines[1].startswith(("的", "、", "）"))
    assert title_lines("关于10月检查情况的通报") == ["关于10月检查情况的通报"]
    assert title_lines("第一行\n第二行") == ["第一行", "第二行"]
    # A Latin word or number is never split.
    assert all(not re.search(r"\d$", a) or not re.match(r"\d", b) for a, b in [lines])


def test_a_document_checks_its_own_shape():
    with pytest.raises(ValueError, match="附件1第1行"):
        Annex(1, "表", ("序号", "单位"), (("1",),))
    with pytest.raises(ValueError, match="依次编号"):
        CircularDocument(
            "办",
            "",
            "题",
            "主送",
            (),
            (Section("一、", ()),),
            (Annex(2, "表", ("a",), ()),),
            "署名",
            datetime.date(2026, 11, 3),
        )
    assert (
        CircularDocument(
            "办", "", "题", "各单位：", (), (), (), "署名", datetime.date(2026, 11, 3)
        ).date_text
        == "2026年11月3日"
    )


# ----- Excel ------------------------------------------------------------------------------------


def test_the_annexes_as_excel_one_sheet_each_with_header_and_every_row(doc):
    from openpyxl import load_workbook

    book = load_workbook(BytesIO(annexes_xlsx(doc)))
    assert book.sheetnames == ["附件1", "附件2", "附件3", "附件4"]
    for annex, sheet in zip(doc.annexes, book.worksheets, strict=True):
        assert sheet["A1"].value == annex.title
        header = [c.value for c in sheet[2]][: len(annex.columns)]
        assert header == list(annex.columns)
        assert all(c.font.bold for c in sheet[2][: len(annex.columns)])
        assert sheet.freeze_panes == "A3"
        rows = [
            tuple(c.value for c in row[: len(annex.columns)])
            for row in sheet.iter_rows(min_row=3, max_row=2 + len(annex.rows))
        ]
        assert rows == [tuple(r) for r in annex.rows]
        if not annex.rows:
            assert sheet["A3"].value == annex.note
        widths = [sheet.column_dimensions[c].width for c in "ABCDEFGH"[: len(annex.columns)]]
        assert all(4 <= w <= 60 for w in widths)
