"""The shortcuts that make list extraction fast must give exactly what the plain code gives."""

import re
from urllib.parse import urljoin, urlsplit

import pytest

from audits.extract._blocks import _resolve
from audits.extract._html import PageText, clean_text, parse_html, text_segments

TRICKY = """<html><head><title>t</title><script>var a = 1;</script></head><body>
 lead<!-- a comment -->after comment<?pi x?>after pi
 <div style="display: none">hidden <p>inner <b>bold</b> tail</p> after</div>
 <div hidden><a href="/x">hidden link</a> text</div>
 <ul class="list">
   <li><a href="/a.html" title="标题">标题<span>2023-01-04</span></a> 来源\u200b：县政府办</li>
   <li><select><option>opt</option></select>after select<noscript>ns</noscript>after ns</li>
   <li>\u3000 <span>04</span>\u00a0<span>2023-01</span> </li>
 </ul>
 <table><tr><td>单元格<br/>换行</td></tr></table>
 <p style="visibility:hidden">invisible <em>em</em></p>tail of p
</body></html>"""


def test_page_segments_equal_text_segments_for_every_element():
    root = parse_html(TRICKY)
    page = PageText(root)
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        got, want = page.segments(el), text_segments(el)
        assert got == want
        assert all(g[1] is w[1] for g, w in zip(got, want, strict=True))  # same holders


def test_page_text_is_clean_text_content():
    root = parse_html(TRICKY)
    page = PageText(root)
    for el in root.iter("a", "li", "td", "div"):
        assert page.text(el) == clean_text(el.text_content())


@pytest.mark.parametrize(
    "text",
    ["", " ", "\u3000a \u00a0 b\t\n", "a\u200bb", "\ufeff x \u200b", "\u2028a\u2029", "中 文"],
)
def test_clean_text_matches_the_regex(text):
    want = re.sub(r"[\s\u00a0\u3000\u200b\ufeff]+", " ", text).strip() if text else ""
    assert clean_text(text) == want


@pytest.mark.parametrize("base", ["http://a.gov.cn/x/y.html", "HTTPS://A.cn:8080/?q#f", "http:/p"])
@pytest.mark.parametrize(
    "href", ["/art/2023/1/4/a.html", "/a//b.html", "/a/../b", "/./a", "//h/a", "/a;p", "/a?q", "a"]
)
def test_resolve_fast_path_matches_urljoin(base, href):
    absolute = urljoin(base, href)
    want = absolute if urlsplit(absolute).scheme in ("http", "https") else ""
    assert _resolve(base, href) == want


def test_a_page_is_parsed_once_per_thread_and_never_shared_between_threads():
    import threading

    from audits.content.hidden_links import find_hidden_links
    from audits.content.styles import own_hiding, page_rules
    from audits.content.text import page_text

    page = TRICKY + "<p>x</p>"  # a string of its own, not interned with the module constant
    root = parse_html(page)
    assert parse_html(page) is root
    equal_copy = "".join([page[:10], page[10:]])
    assert equal_copy == page and parse_html(equal_copy) is not root  # keyed by identity
    other = []
    thread = threading.Thread(target=lambda: other.append(parse_html(page)))
    thread.start()
    thread.join()
    assert other[0] is not root and other[0] is not None
    # Readers of a shared tree give what they give on a fresh one.
    text, hidden = page_text(page), find_hidden_links(page, "http://www.x.gov.cn/")
    for _ in range(5):  # push the page out of this thread's cache
        parse_html(f"<p>{_}</p>")
    assert parse_html(page) is not root
    assert page_text(page) == text and find_hidden_links(page, "http://www.x.gov.cn/") == hidden
    # The shortcut for elements without style, class, id or hidden agrees with the full rules.
    rules = page_rules(parse_html("<style>.x{display:none}</style>"))
    for el in root.iter():
        if isinstance(el.tag, str) and not el.attrib:
            assert own_hiding(el, rules) is None
    hidden_by_class = parse_html('<div class="x">a</div>').find(".//div")
    assert own_hiding(hidden_by_class, rules) is not None
