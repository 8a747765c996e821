import pytest

from audits.crawl import decode_html
from audits.crawl.encoding import normalize_label

ZH = "县人民政府办公室关于做好政务公开工作的通知"


def test_it_uses_the_header_charset():
    text, enc, how = decode_html(ZH.encode("gbk"), "text/html; charset=GBK")
    assert (text, enc, how) == (ZH, "gb18030", "header")


def test_it_reads_a_meta_http_equiv_declaration():
    html = f'<meta http-equiv="Content-Type" content="text/html; charset=gb2312"><p>{ZH}</p>'
    text, enc, how = decode_html(html.encode("gbk"), "text/html")
    assert ZH in text
    assert (enc, how) == ("gb18030", "meta")


def test_it_reads_a_meta_charset_declaration():
    html = f"<head><meta charset='utf-8'></head><p>{ZH}</p>"
    text, enc, how = decode_html(html.encode("utf-8"), None)
    assert ZH in text
    assert (enc, how) == ("utf-8", "meta")


def test_a_meta_inside_a_comment_is_ignored():
    html = f'<!-- <meta charset="big5"> --><meta charset="gbk"><p>{ZH}</p>'
    _text, enc, how = decode_html(html.encode("gbk"), None)
    assert (enc, how) == ("gb18030", "meta")


def test_gb2312_labels_decode_as_gb18030_so_rare_characters_survive():
    rare = "镕䶮"  # outside GB2312, inside GB18030
    text, enc, _how = decode_html((ZH + rare).encode("gb18030"), "text/html; charset=gb2312")
    assert text == ZH + rare
    assert enc == "gb18030"


def test_utf8_bytes_labelled_gb2312_are_decoded_as_utf8():
    text, enc, how = decode_html(ZH.encode("utf-8"), "text/html; charset=gb2312")
    assert text == ZH
    assert enc == "utf-8"
    assert how == "declared gb2312 but bytes are valid UTF-8"


def test_gbk_bytes_labelled_utf8_are_detected():
    text, enc, how = decode_html(ZH.encode("gbk"), "text/html; charset=utf-8")
    assert text == ZH
    assert enc == "gb18030"
    assert how.startswith("declared utf-8 but bytes are not valid UTF-8")


def test_gbk_bytes_labelled_iso_8859_1_are_recognised():
    text, enc, how = decode_html(ZH.encode("gbk"), "text/html; charset=ISO-8859-1")
    assert (text, enc) == (ZH, "gb18030")
    assert "ISO-8859-1" in how


def test_undeclared_gbk_is_detected():
    text, enc, how = decode_html(ZH.encode("gbk"), "text/html")
    assert (text, enc, how) == (ZH, "gb18030", "detected")


def test_a_stray_bad_byte_does_not_overrule_the_declaration():
    body = ZH.encode("gbk") * 20 + b"\xff" + ZH.encode("gbk")
    text, enc, how = decode_html(body, "text/html; charset=gbk")
    assert enc == "gb18030"
    assert how.startswith("header (1 undecodable")
    assert text.endswith(ZH)


def test_a_byte_order_mark_wins():
    text, enc, how = decode_html(b"\xef\xbb\xbf" + ZH.encode(), "text/html; charset=gbk")
    assert (text, enc, how) == (ZH, "utf-8", "bom")


def test_ascii_and_empty_bodies():
    assert decode_html(b"<p>hello</p>", None) == ("<p>hello</p>", "utf-8", "ascii")
    assert decode_html(b"", "text/html") == ("", "utf-8", "empty")


@pytest.mark.parametrize(
    ("label", "codec"),
    [("GB2312", "gb18030"), ("gbk", "gb18030"), ("UTF8", "utf-8"), ("latin1", "windows-1252")],
)
def test_labels_are_normalized(label, codec):
    assert normalize_label(label) == codec


def test_an_unknown_label_is_reported_and_detection_takes_over():
    _text, enc, how = decode_html(ZH.encode("gbk"), "text/html; charset=x-nonsense")
    assert enc == "gb18030"
    assert "unknown charset" in how
