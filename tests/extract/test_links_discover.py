"""Links, navigation menus, column proposals and category guesses."""

import pytest

from audits.extract.discover import guess_category, propose_columns
from audits.extract.links import extract_links, extract_nav

HOME_URL = "http://www.xx.gov.cn/"
HOME = """<html><body>
<div class="top"><a href="javascript:void(0)">设为首页</a> <a href="/en/">English</a>
<a href="http://www.xx.gov.cn/login.jsp">登录</a> <a href="mailto:a@xx.gov.cn">信箱</a></div>
<div class="nav"><ul>
<li><a href="/">首页</a></li>
<li><a href="/col/zwgk/index.html">政务公开</a></li>
<li><a href="/col/gzdt/index.html">工作动态</a></li>
<li><a href="http://xxgk.xx.gov.cn/col/tzgg/">通知公告</a></li>
<li><a href="/col/gzdt/index.html#top">工作动态</a></li>
<li><a href="http://www.other.gov.cn/">上级网站</a></li>
<li><a href="/search/index.html">搜索</a></li>
</ul></div>
<div class="box"><div class="tit"><span>人事信息</span><a href="/col/rsxx/">更多&gt;&gt;</a></div>
<ul><li><a href="/col/gzdt/202301/t20230104_1.html">某某同志任职通知</a></li>
<li><a href="/files/plan.pdf">规划计划</a></li></ul></div>
<a href="#main">跳到正文</a>
</body></html>"""


def test_extract_links_absolute_dedup_and_skips():
    links = extract_links(HOME, HOME_URL)
    urls = [link.url for link in links]
    assert "http://www.xx.gov.cn/col/gzdt/index.html" in urls
    assert urls.count("http://www.xx.gov.cn/col/gzdt/index.html") == 1  # #top removed, dedup
    assert not any(u.startswith(("javascript", "mailto")) or "#" in u for u in urls)
    assert all(u.startswith("http") for u in urls)


def test_base_href_is_honoured():
    html = '<html><head><base href="http://cdn.xx.gov.cn/a/"></head><body><a href="b.html">b</a>'
    assert extract_links(html, HOME_URL)[0].url == "http://cdn.xx.gov.cn/a/b.html"


def test_extract_nav():
    nav = extract_nav(HOME, HOME_URL)
    texts = [link.text for link in nav]
    assert texts[:3] == ["首页", "政务公开", "工作动态"]
    assert "跳到正文" not in texts


def test_extract_nav_fallback_without_names():
    html = (
        "<html><body><ul>"
        + "".join(f'<li><a href="/c{i}/">栏目{i}</a></li>' for i in range(5))
        + "</ul></body></html>"
    )
    assert len(extract_nav(html, HOME_URL)) == 5


def test_propose_columns():
    cols = propose_columns(HOME, HOME_URL)
    by_name = {c.name: c for c in cols}
    assert set(by_name) == {"政务公开", "工作动态", "通知公告", "人事信息"}
    assert by_name["通知公告"].url == "http://xxgk.xx.gov.cn/col/tzgg/"  # same site, subdomain
    assert by_name["工作动态"].category == "news"
    assert by_name["通知公告"].category == "notice"
    assert by_name["人事信息"].category == "personnel"
    assert by_name["人事信息"].url == "http://www.xx.gov.cn/col/rsxx/"


@pytest.mark.parametrize(
    ("name", "category"),
    [
        ("本地要闻", "news"),
        ("工作动态", "news"),
        ("部门动态", "news"),
        ("乡镇动态", "news"),
        ("工作进展", "news"),
        ("要闻", "news"),
        ("领导活动", "news"),
        ("通知公告", "notice"),
        ("公示公告", "notice"),
        ("公告公示", "notice"),
        ("政策文件", "policy"),
        ("规范性文件", "policy"),
        ("政府文件", "policy"),
        ("部门文件", "policy"),
        ("政策解读", "interpretation"),
        ("人事信息", "personnel"),
        ("人事任免", "personnel"),
        ("干部任前公示", "personnel"),
        ("规划计划", "plan"),
        ("发展规划", "plan"),
        ("计划生育", "other"),
        ("概况信息", "static"),
        ("机构职能", "static"),
        ("领导简介", "leaders"),
        ("领导信息", "leaders"),
        ("政府信息公开指南", "static"),
        ("专题专栏", "topic"),
        ("扫黑除恶专题", "topic"),
        ("财政预决算", "other"),
        ("", "other"),
    ],
)
def test_guess_category(name, category):
    assert guess_category(name) == category
