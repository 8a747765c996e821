"""Dictionary import (text and Excel), loading the matcher from the database, the seed command
and the admin upload page."""

import io

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.urls import reverse
from openpyxl import Workbook

from audits.content import scan_text
from audits.content.io import (
    dictionary_import_text,
    dictionary_import_xlsx,
    dictionary_template_xlsx,
    load_matcher_from_db,
)
from audits.models import DictionaryEntry, Leader
from core.models import AuditLogEntry

pytestmark = pytest.mark.django_db


def xlsx(words=None, leaders=None, *, word_headers=("类别", "词语", "正确写法", "说明")) -> bytes:
    book = Workbook()
    book.remove(book.active)
    if words is not None:
        ws = book.create_sheet("词库")
        ws.append(word_headers)
        for row in words:
            ws.append(row)
    if leaders is not None:
        ws = book.create_sheet("领导")
        ws.append(("姓名", "正确职务", "已知错误写法"))
        for row in leaders:
            ws.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def stored():
    return sorted(DictionaryEntry.objects.values_list("kind", "word", "correction", "note"))


# --- text ----------------------------------------------------------------------------------------


def test_text_import_of_typos_accepts_tab_and_comma_and_skips_comments():
    data = "# 常见错别字\n即然\t既然\n\n按排部署,安排部署\n截止目前，截至目前，常见误用\n".encode()
    result = dictionary_import_text(data, "typo")
    assert result.ok and result.applied
    assert result.counts["词库"]["created"] == 3
    assert stored() == [
        ("typo", "即然", "既然", ""),
        ("typo", "截止目前", "截至目前", "常见误用"),
        ("typo", "按排部署", "安排部署", ""),
    ]


def test_text_import_of_a_word_list_reads_gbk_and_a_bom():
    assert dictionary_import_text("百家乐\n时时彩\n".encode("gb18030"), "gambling").ok
    assert dictionary_import_text("\ufeff老虎机\t常见\n".encode(), "gambling").ok
    assert set(stored()) == {
        ("gambling", "百家乐", "", ""),
        ("gambling", "时时彩", "", ""),
        ("gambling", "老虎机", "", "常见"),
    }


def test_text_import_reads_notepads_utf16():
    assert dictionary_import_text("百家乐\r\n时时彩\r\n".encode("utf-16"), "gambling").ok
    assert {w for _, w, _, _ in stored()} == {"百家乐", "时时彩"}


def test_a_second_text_import_changes_nothing():
    data = "即然\t既然\n按排部署\t安排部署\n".encode()
    dictionary_import_text(data, "typo")
    before = list(DictionaryEntry.objects.values_list("pk", "created_at"))
    result = dictionary_import_text(data, "typo")
    assert result.ok
    assert result.changes == 0
    assert result.counts["词库"]["unchanged"] == 2
    assert list(DictionaryEntry.objects.values_list("pk", "created_at")) == before


def test_text_import_updates_a_changed_correction_unless_told_not_to():
    dictionary_import_text("即然\t即使\n".encode(), "typo")
    kept = dictionary_import_text("即然\t既然\n".encode(), "typo", update_existing=False)
    assert kept.counts["词库"]["unchanged"] == 1
    assert DictionaryEntry.objects.get().correction == "即使"
    updated = dictionary_import_text("即然\t既然\n".encode(), "typo")
    assert updated.counts["词库"]["updated"] == 1
    assert DictionaryEntry.objects.get().correction == "既然"


def test_a_reimport_does_not_switch_a_deactivated_entry_back_on():
    dictionary_import_text("百家乐\n".encode(), "gambling")
    DictionaryEntry.objects.update(is_active=False)
    dictionary_import_text("百家乐\n".encode(), "gambling")
    assert DictionaryEntry.objects.get().is_active is False


def test_bad_text_rows_are_all_named_and_nothing_is_written():
    data = "即然\t既然\n错\t对\n没有正确写法\n一样\t一样\n即然\t即使\n".encode()
    result = dictionary_import_text(data, "typo")
    assert not result.ok and not result.applied
    messages = [str(e) for e in result.errors]
    assert messages == [
        "第2行第1列（词语）：“错”只有一个字，至少两个字（单字会到处误报）",
        "第3行第2列（正确写法）：错别字必须填写正确写法",
        "第4行第2列（正确写法）：正确写法与错误写法相同",
        "第5行：“即然”与第1行重复，但正确写法或说明不同",
    ]
    assert DictionaryEntry.objects.count() == 0


def test_an_identical_duplicate_line_is_harmless():
    result = dictionary_import_text("百家乐\n百家乐\n".encode(), "gambling")
    assert result.ok and DictionaryEntry.objects.count() == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"PK\x03\x04rest-of-a-zip", "Excel"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1old", "旧版 Office"),
        (b"%PDF-1.4 ...", "PDF"),
        (b"\x7fELF\x02\x01\x00\x00binary", "二进制"),
        (b"", "空"),
    ],
)
def test_text_import_refuses_files_that_are_not_text(data, message):
    result = dictionary_import_text(data, "gambling")
    assert not result.ok
    assert message in str(result.errors[0])
    assert DictionaryEntry.objects.count() == 0


def test_text_import_refuses_an_unknown_kind():
    result = dictionary_import_text("百家乐\n".encode(), "casino")
    assert not result.ok and "未知的词库类别" in str(result.errors[0])


def test_text_import_refuses_an_oversized_file(settings):
    settings.GOVWATCH_MAX_IMPORT_BYTES = 1024
    result = dictionary_import_text(("百家乐\n" * 500).encode(), "gambling")
    assert not result.ok and "文件超过" in str(result.errors[0])


# --- Excel ---------------------------------------------------------------------------------------


def test_xlsx_import_reads_words_and_leaders():
    data = xlsx(
        [
            ("错别字", "即然", "既然", "公文常见"),
            ("涉赌", "百家乐", None, None),
            ("白名单（不报告）", "南亚博览会", None, None),
            ("allow", "立即然后", None, None),
        ],
        [("张三", "县委副书记、县长", "张山；县委付书记张三\n张叁"), ("李四", "副县长", None)],
    )
    result = dictionary_import_xlsx(data)
    assert result.ok, [str(e) for e in result.errors]
    assert result.counts["词库"]["created"] == 4
    assert result.counts["领导"]["created"] == 2
    assert stored() == [
        ("allow", "南亚博览会", "", ""),
        ("allow", "立即然后", "", ""),
        ("gambling", "百家乐", "", ""),
        ("typo", "即然", "既然", "公文常见"),
    ]
    zhang = Leader.objects.get(name="张三")
    assert zhang.titles == "县委副书记\n县长"
    assert zhang.wrong_variants == "张山\n县委付书记张三\n张叁"


def test_a_second_xlsx_import_changes_nothing():
    data = xlsx([("涉黄", "裸聊", None, None)], [("张三", "县长", "张山")])
    dictionary_import_xlsx(data)
    result = dictionary_import_xlsx(data)
    assert result.ok and result.changes == 0
    assert result.counts == {"词库": {"unchanged": 1}, "领导": {"unchanged": 1}}


def test_bad_xlsx_rows_name_sheet_row_and_column_and_nothing_is_written():
    data = xlsx(
        [
            ("错别字", "即然", "既然", None),
            ("赌博网站", "百家乐", None, None),
            ("错别字", "按排", None, None),
            ("涉黄", "黄", None, None),
        ],
        [("张三", None, "张山"), ("李四", "副县长", "副县长")],
    )
    result = dictionary_import_xlsx(data)
    assert not result.ok
    assert [str(e) for e in result.errors] == [
        "“词库”表第3行第A（类别）列：类别“赌博网站”无法识别，应为：错别字、敏感词、涉赌、涉黄、白名单（不报告）",
        "“词库”表第4行第C（正确写法）列：错别字必须填写正确写法",
        "“词库”表第5行第B（词语）列：“黄”只有一个字，至少两个字（单字会到处误报）",
        "“领导”表第2行第B（正确职务）列：必填",
        "“领导”表第3行第C（已知错误写法）列：“副县长”是正确写法，不能列为错误写法",
    ]
    assert DictionaryEntry.objects.count() == 0
    assert Leader.objects.count() == 0


def test_xlsx_with_a_missing_column_is_refused():
    result = dictionary_import_xlsx(xlsx([("即然",)], word_headers=("词语",)))
    assert [str(e) for e in result.errors] == ["“词库”表第1行：缺少必需的列：类别"]


def test_xlsx_without_any_known_sheet_is_refused():
    book = Workbook()
    book.active.append(("名称", "网址"))
    out = io.BytesIO()
    book.save(out)
    result = dictionary_import_xlsx(out.getvalue())
    assert not result.ok and "没有可导入的工作表" in str(result.errors[0])


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ("即然\t既然\n".encode(), "不是 Excel（.xlsx）文件"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "旧版 Excel（.xls）"),
        (b"PK\x03\x04not-really-a-zip", "不是 Excel"),
    ],
)
def test_xlsx_import_refuses_other_file_types(data, message):
    result = dictionary_import_xlsx(data)
    assert not result.ok and message in str(result.errors[0])


def test_the_template_workbook_imports_cleanly():
    result = dictionary_import_xlsx(dictionary_template_xlsx())
    assert result.ok, [str(e) for e in result.errors]
    assert Leader.objects.get().name == "张三"


# --- matcher from the database -------------------------------------------------------------------


def test_load_matcher_from_db_uses_active_entries_the_allow_list_and_leaders():
    dictionary_import_xlsx(
        xlsx(
            [
                ("涉赌", "亚博", None, None),
                ("白名单", "亚博览", None, None),
                ("涉赌", "百家乐", None, None),
            ],
            [("李四", "副县长", "李肆"), ("王五", "副镇长", None)],
        )
    )
    DictionaryEntry.objects.filter(word="百家乐").update(is_active=False)
    Leader.objects.filter(name="王五").update(is_active=False)
    matcher = load_matcher_from_db()
    text = "亚博体育，南亚博览会，百家乐，县长李四，李肆，镇长王五"
    assert [(h.kind, h.word) for h in scan_text(text, matcher)] == [
        ("gambling", "亚博"),
        ("leader", "县长李四"),
        ("leader", "李肆"),
    ]


# --- seed command --------------------------------------------------------------------------------


def test_load_dictionaries_loads_the_seed_files_and_is_idempotent():
    out = io.StringIO()
    call_command("load_dictionaries", stdout=out)
    count = DictionaryEntry.objects.count()
    assert count > 1000
    assert DictionaryEntry.objects.filter(kind="gambling", word="亚博").exists()
    assert DictionaryEntry.objects.filter(kind="allow", word="亚博览").exists()
    out = io.StringIO()
    call_command("load_dictionaries", stdout=out)
    assert DictionaryEntry.objects.count() == count
    assert "新增 0" in out.getvalue() and "更新 0" in out.getvalue()


def test_load_dictionaries_dry_run_writes_nothing():
    call_command("load_dictionaries", "--dry-run", stdout=io.StringIO())
    assert DictionaryEntry.objects.count() == 0


# --- admin ---------------------------------------------------------------------------------------


@pytest.fixture
def admin_client(client):
    user = User.objects.create_superuser("boss", password="pw-boss")
    client.force_login(user)
    return client


def test_admin_import_page_imports_a_text_file_and_records_it(admin_client):
    url = reverse("admin:audits_dictionaryentry_import")
    assert admin_client.get(url).status_code == 200
    upload = io.BytesIO("即然\t既然\n".encode())
    upload.name = "typos.txt"
    response = admin_client.post(url, {"file": upload, "kind": "typo", "update_existing": "on"})
    assert response.status_code == 302
    assert DictionaryEntry.objects.get().word == "即然"
    entry = AuditLogEntry.objects.get(action="dictionary_import")
    assert entry.target == "typos.txt"
    assert entry.detail["counts"] == {"词库": {"created": 1}}
    assert entry.actor.username == "boss"


def test_admin_import_page_shows_row_errors_and_writes_nothing(admin_client):
    url = reverse("admin:audits_dictionaryentry_import")
    upload = io.BytesIO(xlsx([("涉赌", "赌", None, None)]))
    upload.name = "words.xlsx"
    response = admin_client.post(url, {"file": upload})
    assert response.status_code == 200
    assert "“词库”表第2行第B（词语）列" in response.content.decode()
    assert DictionaryEntry.objects.count() == 0
    assert not AuditLogEntry.objects.filter(action="dictionary_import").exists()


def test_admin_import_page_refuses_old_excel_and_asks_for_a_kind(admin_client):
    url = reverse("admin:audits_dictionaryentry_import")
    old = io.BytesIO(b"\xd0\xcf\x11\xe0")
    old.name = "words.xls"
    assert "不支持该文件类型" in admin_client.post(url, {"file": old}).content.decode()
    text = io.BytesIO("百家乐\n".encode())
    text.name = "words.txt"
    assert "文本文件请选择词库类别" in admin_client.post(url, {"file": text}).content.decode()


def test_admin_changelists_link_to_the_import_page(admin_client):
    for name in ("audits_dictionaryentry_changelist", "audits_leader_changelist"):
        page = admin_client.get(reverse(f"admin:{name}")).content.decode()
        assert reverse("admin:audits_dictionaryentry_import") in page


def test_admin_template_download_is_an_xlsx(admin_client):
    response = admin_client.get(reverse("admin:audits_dictionaryentry_template"))
    assert response.status_code == 200
    assert response.content.startswith(b"PK")


def test_import_page_is_refused_without_permission(client):
    user = User.objects.create_user("clerk", password="pw", is_staff=True)
    client.force_login(user)
    response = client.get(reverse("admin:audits_dictionaryentry_import"))
    assert response.status_code == 403
