"""Hidden links (暗链): each hiding technique, and the pages that must not be reported."""

import pytest

from audits.content import find_hidden_links
from tests.paths import SHARED

PAGE = "http://www.mzz.gov.cn/col/col1/index.html"
SPAM = '<a href="http://www.yabo-casino.com/">亚博体育</a>'
GNE = SHARED / "eval-real" / "gne-tests" / "tests"


def page(body: str, head: str = "") -> str:
    return (
        f"<html><head><title>梅渚镇人民政府</title>{head}</head><body>"
        '<div class="nav"><a href="/">首页</a> <a href="/col/col2/">政务公开</a></div>'
        f"{body}<p>正文内容。</p></body></html>"
    )


@pytest.mark.parametrize(
    ("style", "technique"),
    [
        ("display:none", "display:none"),
        ("DISPLAY: NONE !important", "display:none"),
        ("visibility:hidden", "visibility:hidden"),
        ("position:absolute; left:-9999px; top:0", "offscreen"),
        ("position:fixed;top:-3000px", "offscreen"),
        ("margin-left:-8000px", "offscreen"),
        ("text-indent:-9999px", "text-indent"),
        ("font-size:0", "font-size:0"),
        ("font-size:0px;line-height:0", "font-size:0"),
        ("height:0;overflow:hidden", "size0"),
        ("width:1px;height:1px;overflow:hidden", "size0"),
        ("opacity:0", "opacity"),
        ("position:absolute;clip:rect(0 0 0 0)", "clip"),
        ("color:#fff;background-color:#ffffff", "color"),
    ],
)
def test_it_finds_a_link_hidden_by_inline_style(style, technique):
    [link] = find_hidden_links(page(f'<div style="{style}">{SPAM}</div>'), PAGE)
    assert link.href == "http://www.yabo-casino.com/"
    assert link.text == "亚博体育"
    assert link.technique == technique
    assert "www.yabo-casino.com" in link.why
    assert "所在的 <div> 元素" in link.why or "链接本身" in link.why


def test_it_finds_a_link_hidden_on_the_link_itself():
    [link] = find_hidden_links(
        page('<a style="display:none" href="http://spam.example.com/">棋牌</a>'), PAGE
    )
    assert link.why.startswith("链接本身设置了 display:none")


def test_it_finds_a_link_hidden_by_the_hidden_attribute():
    [link] = find_hidden_links(page(f"<div hidden>{SPAM}</div>"), PAGE)
    assert link.technique == "hidden-attr"
    assert "hidden 属性" in link.why


@pytest.mark.parametrize(
    "marquee",
    [
        '<marquee height="1" width="4" scrollamount="3000">',
        '<marquee style="height:1px;width:1px">',
        '<marquee scrollamount="10000" scrolldelay="20000">',
    ],
)
def test_it_finds_a_link_in_a_tiny_or_absurdly_fast_marquee(marquee):
    [link] = find_hidden_links(page(f"{marquee}{SPAM}</marquee>"), PAGE)
    assert link.technique == "marquee"
    assert "marquee" in link.why


def test_a_normal_marquee_is_visible():
    assert find_hidden_links(page(f'<marquee scrollamount="3">{SPAM}</marquee>'), PAGE) == []


@pytest.mark.parametrize(
    ("css", "attrs"),
    [
        (".xyz{display:none}", 'class="xyz"'),
        ("#links { position:absolute; top:-999px; left:-999px }", 'id="links"'),
        ("div.a.b{visibility:hidden}", 'class="b a other"'),
        ("/* x */ @media screen { .p{ height:0; overflow:hidden } }", 'class="p"'),
    ],
)
def test_it_finds_a_link_hidden_by_a_style_rule_in_the_page(css, attrs):
    [link] = find_hidden_links(page(f"<div {attrs}>{SPAM}</div>", f"<style>{css}</style>"), PAGE)
    assert "由页内 <style> 规则" in link.why


def test_an_inline_style_overrides_the_page_rule():
    html = page(
        f'<div class="xyz" style="display:block">{SPAM}</div>', "<style>.xyz{display:none}</style>"
    )
    assert find_hidden_links(html, PAGE) == []


def test_it_finds_links_written_by_document_write_into_a_hidden_div():
    script = (
        "<script>document.write('<div style=\"position:absolute;left:-9999px\">');"
        "document.write('<a href=\"http://www.bc-casino.net/\">\\u767e\\u5bb6\\u4e50</a>');"
        'document.write("</div>");</script>'
    )
    [link] = find_hidden_links(page(script), PAGE)
    assert link.href == "http://www.bc-casino.net/"
    assert link.text == "百家乐"
    assert link.why.startswith("由内联脚本 document.write 写入：")


def test_it_finds_links_written_by_document_write_of_an_unescaped_string():
    script = (
        "<script>document.write(unescape('%3Cdiv%20style%3D%22display%3Anone%22%3E%3Ca%20href%3D"
        "%22http%3A//porn.example.org/%22%3Ex%3C/a%3E%3C/div%3E'));</script>"
    )
    [link] = find_hidden_links(page(script), PAGE)
    assert link.href == "http://porn.example.org/"


def test_a_document_write_inside_a_hidden_element_is_hidden():
    script = '<div style="display:none"><script>document.write(\'<a href="http://x.example.com/">x</a>\')</script></div>'
    [link] = find_hidden_links(page(script), PAGE)
    assert "display:none" in link.why


def test_a_visible_document_write_of_a_link_is_not_reported():
    script = "<script>document.write('<a href=\"http://partner.example.com/\">合作</a>')</script>"
    assert find_hidden_links(page(script), PAGE) == []


def test_visible_external_links_are_not_hidden_links():
    assert find_hidden_links(page(f"<p>友情链接：{SPAM}</p>"), PAGE) == []


def test_a_hidden_dropdown_menu_of_same_site_links_is_not_reported():
    menu = """<ul class="menu"><li><a href="/col/col3/">机构概况</a>
      <ul style="display:none"><li><a href="/col/col4/">领导信息</a></li>
      <li><a href="http://www.mzz.gov.cn/col/col5/">机构职能</a></li>
      <li><a href="https://mzz.gov.cn/col/col6/">内设机构</a></li></ul></li></ul>"""
    assert find_hidden_links(page(menu), PAGE) == []


def test_hidden_links_to_government_and_trusted_hosts_are_not_reported():
    block = """<div style="display:none">
      <a href="http://www.gov.cn/">中国政府网</a><a href="http://www.ah.gov.cn/">安徽省政府</a>
      <a href="http://www.people.com.cn/">人民网</a><a href="http://cpc.people.com.cn/">共产党新闻网</a>
      <a href="https://www.cnzz.com/stat/website.php?web_id=1">站长统计</a>
      <a href="http://www.hanweb.com">Produced By 大汉网络</a></div>"""
    assert find_hidden_links(page(block), PAGE) == []


def test_a_hidden_tab_mixing_site_links_with_an_external_one_is_navigation():
    tab = """<div class="tab" style="display:none"><a href="/art/1.html">通知一</a>
      <a href="http://www.bank.example.com/">县农商银行</a></div>"""
    assert find_hidden_links(page(tab), PAGE) == []


def test_a_hidden_menu_item_in_a_list_of_site_links_is_navigation():
    menu = """<ul><li><a href="/a/">首页</a></li>
      <li style="display:none"><a href="http://www.partner.example.com/">合作单位</a></li></ul>"""
    assert find_hidden_links(page(menu), PAGE) == []


def test_an_injected_block_inside_a_body_is_reported_even_though_the_body_links_home():
    injected = f'<div style="display:none">{SPAM}<a href="http://b.example.net/">时时彩</a></div>'
    links = find_hidden_links(page(injected), PAGE)
    assert [link.text for link in links] == ["亚博体育", "时时彩"]


def test_font_size_zero_reset_by_a_classed_child_is_not_hidden():
    html = page(
        '<ul style="font-size:0"><li class="item"><a href="http://x.example.com/">合作</a></li></ul>'
    )
    assert find_hidden_links(html, PAGE) == []


def test_a_child_that_sets_visibility_visible_is_visible():
    html = page(
        f'<div style="visibility:hidden"><span style="visibility:visible">{SPAM}</span></div>'
    )
    assert find_hidden_links(html, PAGE) == []


def test_a_stylesheet_text_indent_on_a_logo_link_is_image_replacement():
    html = page(
        '<a class="logo" href="http://partner.example.com/">合作</a>',
        "<style>.logo{text-indent:-9999px;background:url(l.png)}</style>",
    )
    assert find_hidden_links(html, PAGE) == []


def test_links_without_host_or_to_scripts_are_ignored():
    block = """<div style="display:none"><a href="javascript:void(0)">x</a><a href="#top">y</a>
      <a href="mailto:a@b.cn">z</a><a>no href</a></div>"""
    assert find_hidden_links(page(block), PAGE) == []


def test_the_same_link_is_reported_once():
    html = page(f'<div style="display:none">{SPAM}{SPAM}</div>')
    assert len(find_hidden_links(html, PAGE)) == 1


def test_an_empty_page_has_no_hidden_links():
    assert find_hidden_links("", PAGE) == []


@pytest.mark.parametrize(
    ("name", "url"),
    [
        ("gzggw", "http://fzggw.zj.gov.cn/art/2016/11/22/art_1599546_30400062.html"),
        ("shanxi", "http://www.shanxi.gov.cn/yw/sxyw/201911/t20191112_1093245.shtml"),
        ("cmse", "http://www.cmse.gov.cn/art/2019/11/11/art_1010_2591.html"),
    ],
)
def test_real_government_pages_have_no_hidden_links(name, url):
    """Checked by eye: these pages hide dropdown menus, a 纠错 widget, the CMS vendor's credit
    (大汉网络) and a bShare 分享到 pop-up — none of them an injected link."""
    raw = (GNE / name / "1.html").read_bytes()
    assert find_hidden_links(raw.decode("utf-8"), url) == []


def test_the_real_government_pages_do_hide_external_links_that_are_trusted():
    raw = (GNE / "gzggw" / "1.html").read_bytes().decode("utf-8")
    url = "http://fzggw.zj.gov.cn/art/2016/11/22/art_1599546_30400062.html"
    untrusted = find_hidden_links(raw, url, trusted=[])
    assert {link.href.split("/")[2] for link in untrusted} == {"121.43.68.40", "www.hanweb.com"}


def test_a_backslash_path_that_browsers_read_as_another_host_is_external():
    body = '<div style="display:none"><a href="/\\www.yabo-casino.com/">亚博体育</a></div>'
    [link] = find_hidden_links(page(body), PAGE)
    assert link.href == "http://www.yabo-casino.com/"


def test_hidden_relative_links_stay_on_the_site_and_are_not_reported():
    body = '<div style="display:none"><a href="../col3/">信息公开</a><a href="?p=2">下页</a></div>'
    assert find_hidden_links(page(body), PAGE) == []
