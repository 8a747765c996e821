"""Reading site-search results pages and 办事服务 pages as real sites write them.

Search (seed 004: "1条未在搜索结果第一页找到该内容"): a results page echoes the query, so the
title on the page proves nothing; found means the item's link is among the page's links.
Services (W-V6, seed 004: "3个事项无办事指南、1个办理时间表述含糊不清"): the list of 事项, each
item's 办事指南 link, and the key elements a guide states.
"""

from audits.checks.services import GuideFact, ServicesFact, check_services
from audits.checks.site import SearchFact, check_search
from audits.extract.search import find_in_results
from audits.extract.services import ELEMENTS, extract_service_items, read_guide
from audits.rules import NATIONAL_2019

TITLE = "关于做好2026年冬季森林防火工作的通知"
ITEM = "http://mz.gov.cn/zwgk/tzgg/202611/t20261120_4512.html"
SEARCH = f"https://www.mz.gov.cn/search/?q={TITLE}"

HEADER = """<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">
<title>站内搜索 - 梅渚镇人民政府</title></head><body>
<div class="top"><a href="/">网站首页</a> | <a href="/wza/">无障碍浏览</a></div>
<div class="nav"><ul>
<li><a href="/">首页</a></li><li><a href="/zwgk/">政务公开</a></li>
<li><a href="/zwdt/">政务动态</a></li><li><a href="/bsfw/">办事服务</a></li>
<li><a href="/hdjl/">互动交流</a></li><li><a href="/zjmz/">走进梅渚</a></li>
</ul></div>
<div class="search-box"><form action="/search/" method="get">
<input type="text" name="q" value="{q}"><button type="submit">搜索</button></form></div>
"""
FOOTER = """<div class="footer">
<a href="http://www.gov.cn/">中国政府网</a> <a href="http://www.ah.gov.cn/">安徽省人民政府</a>
<a href="/sitemap/">网站地图</a> <a href="/lxwm/">联系我们</a>
<p>主办：梅渚镇人民政府 网站标识码：3418210001 <a href="https://beian.miit.gov.cn/">皖ICP备05001234号-1</a></p>
</div></body></html>"""


def results_page(body: str, q: str = TITLE) -> str:
    return HEADER.replace("{q}", q) + body + FOOTER


ECHO_NONE = results_page(
    f"""<div class="result-info">搜索“{TITLE}”的结果，共找到0条</div>
<div class="noresult"><p>抱歉，没有找到与“<em>{TITLE}</em>”相关的信息。</p>
<p>建议：检查输入是否正确，或使用较短的关键词。</p></div>"""
)

OTHERS = results_page(
    f"""<div class="result-info">搜索“{TITLE}”的结果，共找到3条，用时0.02秒</div>
<ul class="results">
<li><a href="/zwgk/tzgg/202511/t20251118_3990.html" target="_blank">关于做好2025年冬季<em>森林防火</em>工作的通知</a>
<p>……切实做好今冬明春森林防火工作……</p><span>2025-11-18</span></li>
<li><a href="/zwgk/zcjd/202611/t20261121_4520.html" target="_blank">《{TITLE}》政策解读</a>
<p>……</p><span>2026-11-21</span></li>
<li><a href="https://www.ls.gov.cn/zwgk/tzgg/202611/t20261120_4512.html" target="_blank">凌笪镇开展<em>森林防火</em>宣传活动</a>
<span>2026-11-20</span></li>
</ul>
<div class="page"><a href="/search/?q={TITLE}&amp;page=2">下一页</a></div>"""
)


def one_result(href: str, text: str = "关于做好2026年冬季<em>森林防火</em>工作的通知") -> str:
    return results_page(
        f"""<div class="result-info">搜索“{TITLE}”的结果，共找到1条</div>
<ul class="results"><li><a href="{href}" target="_blank">{text}</a>
<p>为切实做好今冬明春<em>森林防火</em>工作……</p><span>2026-11-20</span></li></ul>"""
    )


# --- search --------------------------------------------------------------------------------


def test_it_does_not_find_the_item_on_a_page_that_only_echoes_the_query():
    hit = find_in_results(ECHO_NONE, SEARCH, item_url=ITEM, title=TITLE)
    assert hit.found is False
    assert "回显" in hit.how
    assert hit.results == 1  # the ICP number; navigation links are short


def test_it_does_not_find_the_item_among_other_results():
    hit = find_in_results(OTHERS, SEARCH, item_url=ITEM, title=TITLE)
    assert hit.found is False
    assert hit.results >= 3


def test_the_same_path_on_another_site_is_not_the_item():
    page = one_result("https://www.ls.gov.cn/zwgk/tzgg/202611/t20261120_4512.html", "凌笪镇通知")
    assert find_in_results(page, SEARCH, item_url=ITEM, title=TITLE).found is False


def test_another_query_string_is_not_the_item():
    item = "http://mz.gov.cn/content.jsp?id=4512"
    page = one_result("/content.jsp?id=45120", "森林防火")
    assert find_in_results(page, SEARCH, item_url=item, title=TITLE).found is False
    page = one_result("/content.jsp?id=4512", "森林防火")
    assert find_in_results(page, SEARCH, item_url=item, title=TITLE).found is True


def test_it_finds_the_item_by_a_relative_link():
    page = one_result("/zwgk/tzgg/202611/t20261120_4512.html")
    hit = find_in_results(page, SEARCH, item_url=ITEM, title=TITLE)
    assert hit.found is True
    assert "t20261120_4512.html" in hit.how


def test_it_finds_the_item_over_https_and_with_www():
    for href in (
        "https://mz.gov.cn/zwgk/tzgg/202611/t20261120_4512.html",
        "http://www.mz.gov.cn/zwgk/tzgg/202611/t20261120_4512.html",
        "https://www.mz.gov.cn/zwgk/tzgg/202611/t20261120_4512.html#content",
    ):
        hit = find_in_results(one_result(href, "森林防火"), SEARCH, item_url=ITEM, title=TITLE)
        assert hit.found is True, href


def test_it_finds_the_item_by_a_link_whose_text_is_exactly_its_title():
    # Search platforms often link through a redirect of their own.
    page = one_result("/search/go?id=8f3a91&amp;src=tzgg", "关于做好2026年冬季森林防火工作的 通知")
    hit = find_in_results(page, SEARCH, item_url=ITEM, title=TITLE)
    assert hit.found is True
    assert TITLE in hit.how


def test_it_does_not_find_anything_on_an_empty_results_page():
    empty = "<html><body><p>共找到0条结果</p></body></html>"
    for html in (empty, ""):
        hit = find_in_results(html, SEARCH, item_url=ITEM, title=TITLE)
        assert (hit.found, hit.results) == (False, 0)


def test_a_link_back_to_the_search_for_the_query_is_not_the_item():
    """Many results pages offer the query back as a link ("相关搜索", "搜索历史"): its text is
    the title, but it leads to the search, not to the item."""
    page = results_page(
        f"""<div class="result-info">搜索“{TITLE}”的结果，共找到0条</div>
<div class="related">相关搜索：<a href="/search/?q={TITLE}">{TITLE}</a>
<a href="/search/?q=森林防火">森林防火</a></div>"""
    )
    hit = find_in_results(page, SEARCH, item_url=ITEM, title=TITLE)
    assert hit.found is False, hit.how


def test_misses_on_real_pages_become_seed_004s_phrase():
    facts = [
        SearchFact(TITLE, SEARCH, find_in_results(page, SEARCH, item_url=ITEM, title=TITLE).found)
        for page in (ECHO_NONE, OTHERS, one_result("/zwgk/tzgg/202611/t20261120_4512.html"))
    ]
    assert [f.found for f in facts] == [False, False, True]
    (draft,) = check_search(facts)
    assert draft.title == "2条未在搜索结果第一页找到该内容"


# --- 办事服务: the list of 事项 ----------------------------------------------------------------

LIST_URL = "http://mz.gov.cn/bsfw/bszn/"

SITE_NAV = """<div class="nav"><ul>
<li><a href="/">网站首页</a></li><li><a href="/zwgk/">政务公开</a></li>
<li><a href="/bsfw/">办事服务</a></li><li><a href="/hdjl/">互动交流</a></li>
<li><a href="/zjmz/">走进梅渚</a></li><li><a href="/ztzl/">专题专栏</a></li>
<li><a href="/xxgk/">信息公开</a></li></ul></div>"""

UL_LIST = f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>办事指南</title></head><body>
{SITE_NAV}
<div class="location">当前位置：<a href="/">首页</a> &gt; <a href="/bsfw/">办事服务</a> &gt; 办事指南</div>
<div class="bszn"><h2>办事指南</h2>
<ul class="list">
<li><a href="./202303/t20230301_101.html" target="_blank" title="最低生活保障审批">最低生活保障审批</a><span class="date">2023-03-01</span></li>
<li><a href="./202303/t20230301_102.html" target="_blank" title="特困人员救助供养审批">特困人员救助供养审批</a><span class="date">2023-03-01</span></li>
<li><a href="./202304/t20230412_117.html" target="_blank" title="临时救助审批">临时救助审批</a><span class="date">2023-04-12</span></li>
<li><a href="/bsfw/bszn/202305/t20230508_123.html" target="_blank" title="生育登记服务">生育登记服务</a><span class="date">2023-05-08</span></li>
<li><a href="./202305/t20230508_124.html" target="_blank" title="农村宅基地和建房（规划许可）审批">农村宅基地和建房（规划许可）审批</a><span class="date">2023-05-08</span></li>
<li><a href="./202306/t20230602_131.html" target="_blank" title="高龄津贴申领">高龄津贴申领</a><span class="date">2023-06-02</span></li>
<li><a href="./202306/t20230602_132.html" target="_blank" title="城乡居民基本养老保险参保登记">城乡居民基本养老保险参保登记</a><span class="date">2023-06-02</span></li>
<li><span class="title">残疾人两项补贴申请</span><span class="tip">暂无指南</span></li>
</ul></div>
<div class="footer">主办：梅渚镇人民政府</div></body></html>"""


def test_it_reads_each_item_of_a_services_list_with_its_guide_link():
    items = extract_service_items(UL_LIST, LIST_URL)
    assert [i.title for i in items] == [
        "最低生活保障审批",
        "特困人员救助供养审批",
        "临时救助审批",
        "生育登记服务",
        "农村宅基地和建房（规划许可）审批",
        "高龄津贴申领",
        "城乡居民基本养老保险参保登记",
        "残疾人两项补贴申请",
    ]
    assert [i.guide_url for i in items] == [
        "http://mz.gov.cn/bsfw/bszn/202303/t20230301_101.html",
        "http://mz.gov.cn/bsfw/bszn/202303/t20230301_102.html",
        "http://mz.gov.cn/bsfw/bszn/202304/t20230412_117.html",
        "http://mz.gov.cn/bsfw/bszn/202305/t20230508_123.html",
        "http://mz.gov.cn/bsfw/bszn/202305/t20230508_124.html",
        "http://mz.gov.cn/bsfw/bszn/202306/t20230602_131.html",
        "http://mz.gov.cn/bsfw/bszn/202306/t20230602_132.html",
        None,  # an item without a guide link
    ]


TABLE_LIST = """<html><body>
<table class="sxlist" width="100%">
<tr><th>序号</th><th>事项名称</th><th>实施主体</th><th>办事指南</th></tr>
<tr><td>1</td><td>最低生活保障审批</td><td>梅渚镇民政办</td><td><a href="zn/101.html">查看指南</a></td></tr>
<tr><td>2</td><td>临时救助审批</td><td>梅渚镇民政办</td><td><a href="zn/117.html">查看指南</a></td></tr>
<tr><td>3</td><td>农村危房改造补助申请</td><td>梅渚镇建设办</td><td>暂无</td></tr>
</table></body></html>"""


def test_it_reads_a_services_table_by_its_item_names_not_its_header():
    items = extract_service_items(TABLE_LIST, LIST_URL)
    assert [(i.title, i.guide_url) for i in items] == [
        ("最低生活保障审批", "http://mz.gov.cn/bsfw/bszn/zn/101.html"),
        ("临时救助审批", "http://mz.gov.cn/bsfw/bszn/zn/117.html"),
        ("农村危房改造补助申请", None),
    ]


def test_the_site_menu_is_not_taken_for_a_short_services_list():
    page = f"""<html><body>{SITE_NAV}
<div class="bszn"><ul class="list">
<li><a href="zn/101.html">最低生活保障审批</a></li>
<li><a href="zn/117.html">临时救助审批</a></li>
<li><a href="zn/123.html">生育登记服务</a></li>
<li><a href="zn/131.html">残疾人两项补贴申请</a></li>
<li><a href="zn/140.html">高龄津贴申领</a></li>
</ul></div></body></html>"""
    items = extract_service_items(page, LIST_URL)
    assert [i.title for i in items] == [
        "最低生活保障审批",
        "临时救助审批",
        "生育登记服务",
        "残疾人两项补贴申请",
        "高龄津贴申领",
    ]


def test_a_page_without_a_list_has_no_items():
    assert extract_service_items("<html><body><p>办事服务建设中</p></body></html>", LIST_URL) == []
    assert extract_service_items("", LIST_URL) == []


# --- 办事指南: the key elements -------------------------------------------------------------

GUIDE_P = """<html><head><title>最低生活保障审批办事指南</title></head><body>
<div class="location">当前位置：首页 &gt; 办事服务 &gt; 办事指南</div>
<h1>最低生活保障审批办事指南</h1>
<div class="TRS_Editor">
<p>一、事项名称：最低生活保障审批</p>
<p>二、设定依据：《社会救助暂行办法》（国务院令第649号）第九条至第十三条</p>
<p>三、申请条件：共同生活的家庭成员人均收入低于当地最低生活保障标准，且符合当地最低生活保障家庭财产状况规定的家庭</p>
<p>四、办理材料：1.户口簿；2.身份证；3.家庭收入及财产申报表</p>
<p>五、办理地点：梅渚镇便民服务中心一楼民政窗口</p>
<p>六、办理机构：梅渚镇人民政府</p>
<p>七、收费标准：不收费</p>
<p>八、办理时间：周一至周五上午8:30—12:00，下午14:30—17:30（法定节假日除外）</p>
<p>九、联系电话：0563-7012345</p>
<p>十、办理流程：申请—受理—家庭经济状况调查—审核—公示—审批</p>
</div></body></html>"""


def test_a_complete_guide_misses_nothing():
    reading = read_guide(GUIDE_P)
    assert reading.missing == ()
    assert reading.vague_time is False
    assert reading.values["设定依据"].startswith("《社会救助暂行办法》")
    assert reading.values["联系电话"] == "0563-7012345"


def guide_table(rows: list[tuple[str, str]]) -> str:
    cells = "\n".join(f"<tr><td class='label'>{k}</td><td>{v}</td></tr>" for k, v in rows)
    return f"""<html><body><h1>临时救助审批</h1>
<table class="bszn" border="1" cellspacing="0">{cells}</table></body></html>"""


def test_it_reads_a_guide_written_as_a_table_of_labels_and_values():
    html = guide_table(
        [
            ("事项名称", "临时救助审批"),
            ("实施依据", "《社会救助暂行办法》第四十七条"),
            ("受理条件", "因火灾、交通事故等意外事件导致基本生活暂时出现严重困难的家庭"),
            ("申请材料", "申请书、身份证、户口簿"),
            ("受理地点", "梅渚镇便民服务中心"),
            ("实施主体", "梅渚镇人民政府"),
            ("是否收费", "否"),
            ("办理时间", "工作日 上午9:00-12:00 下午14:00-17:00"),
        ]
    )
    reading = read_guide(html)
    assert reading.missing == ("联系电话", "办理流程")
    assert reading.vague_time is False
    assert reading.values["办理机构"] == "梅渚镇人民政府"


def test_it_reads_a_guide_written_as_a_definition_list():
    html = """<html><body><dl class="zn">
<dt>事项名称</dt><dd>生育登记服务</dd><dt>设定依据</dt><dd>《安徽省人口与计划生育条例》</dd>
<dt>办理时间</dt><dd>另行通知</dd></dl></body></html>"""
    reading = read_guide(html)
    assert reading.values["设定依据"] == "《安徽省人口与计划生育条例》"
    assert "设定依据" not in reading.missing and "申请条件" in reading.missing
    assert reading.vague_time is True


def test_placeholders_are_missing_elements():
    html = guide_table(
        [("事项名称", "高龄津贴申领"), ("设定依据", "暂无"), ("办理材料", "——"), ("办理流程", "/")]
    )
    reading = read_guide(html)
    assert {"设定依据", "办理材料", "办理流程"} <= set(reading.missing)
    assert "事项名称" not in reading.missing


def test_a_blank_field_is_missing_and_does_not_take_the_next_ones_text():
    """Guides left half-filled by the CMS template: the label is there, its value is not."""
    para = """<html><body><h1>残疾人两项补贴申请</h1>
<p>事项名称：残疾人两项补贴申请</p><p>设定依据：</p>
<p>申请条件：持有第二代残疾人证的本县户籍居民</p><p>办理时间：</p>
<p>联系电话：0563-7012345</p></body></html>"""
    table = guide_table(
        [("事项名称", "残疾人两项补贴申请"), ("设定依据", ""), ("申请条件", "持有残疾人证")]
    )
    for html in (para, table):
        reading = read_guide(html)
        assert "设定依据" in reading.missing, reading.values
    assert "办理时间" in read_guide(para).missing


def test_a_vague_handling_time_is_flagged_and_a_precise_one_is_not():
    def time_of(text):
        return read_guide(guide_table([("事项名称", "临时救助审批"), ("办理时间", text)]))

    for vague in ("工作日", "法定工作日", "另行通知", "详见大厅公告", "按窗口公布的时间办理"):
        assert time_of(vague).vague_time is True, vague
    for precise in (
        "周一至周五 上午8:30-12:00，下午14:30-17:30",
        "法定工作日 9:00—17:00",
        "工作日上午9点至12点",
    ):
        assert time_of(precise).vague_time is False, precise
    assert read_guide(guide_table([("事项名称", "临时救助审批")])).vague_time is False


def test_the_ten_key_elements_are_those_of_the_2019_indicators():
    assert [e for e, _ in ELEMENTS] == [
        "事项名称",
        "设定依据",
        "申请条件",
        "办理材料",
        "办理地点",
        "办理机构",
        "收费标准",
        "办理时间",
        "联系电话",
        "办理流程",
    ]


def test_a_services_list_and_its_guides_give_seed_004s_phrases():
    """Read as the run does: the list, then each guide; 3 items have no guide, 1 guide's
    办理时间 is vague (seed 004 row 1: "3个事项无办事指南、1个办理时间表述含糊不清")."""
    page = """<html><body><div class="bszn"><ul class="list">
<li><a href="zn/101.html">最低生活保障审批</a><span>2023-03-01</span></li>
<li><a href="zn/117.html">临时救助审批</a><span>2023-03-01</span></li>
<li><a href="zn/123.html">生育登记服务</a><span>2023-05-08</span></li>
<li>残疾人两项补贴申请<span>暂无指南</span></li>
<li>高龄津贴申领<span>暂无指南</span></li>
<li>农村危房改造补助申请<span>暂无指南</span></li>
</ul></div></body></html>"""
    guides = {
        f"{LIST_URL}zn/101.html": GUIDE_P,
        f"{LIST_URL}zn/117.html": GUIDE_P.replace(
            "周一至周五上午8:30—12:00，下午14:30—17:30（法定节假日除外）", "工作日"
        ),
        f"{LIST_URL}zn/123.html": GUIDE_P,
    }
    facts = []
    for item in extract_service_items(page, LIST_URL):
        if item.guide_url is None:
            facts.append(GuideFact(item.title, None, "none"))
            continue
        reading = read_guide(guides[item.guide_url])
        facts.append(
            GuideFact(item.title, item.guide_url, "ok", reading.missing, reading.vague_time)
        )
    drafts = check_services(ServicesFact(LIST_URL, True, tuple(facts)), NATIONAL_2019)
    assert sorted(d.title for d in drafts) == ["1个办理时间表述含糊不清", "3个事项无办事指南"]
