"""Column (list) pages: main list vs sidebars, traps, empty, JavaScript, JSON endpoints."""

from datetime import date

from audits.extract.listpage import extract_list, extract_list_json

URL = "http://www.xx.gov.cn/col/gzdt/index.html"
TODAY = date(2026, 11, 23)


def page(body: str, head: str = "") -> str:
    return f"<html><head><meta charset='utf-8'>{head}</head><body>{body}</body></html>"


def li(title: str, when: str, href: str = "./202301/t20230104_1.html") -> str:
    return f'<li><a href="{href}" title="{title}">{title}</a><span class="time">{when}</span></li>'


HEADER = (
    '<div class="header"><span class="today">今天是2026年11月23日 星期一</span>'
    '<ul class="nav"><li><a href="/">首页</a></li><li><a href="/col/gzdt/">工作动态</a></li>'
    '<li><a href="/col/tzgg/">通知公告</a></li></ul></div>'
)
FOOTER = (
    '<div class="footer">版权所有 © 2005-2023 XX县人民政府 皖ICP备05001234号 '
    "电话：0563-7021234 网站标识码：3418210001</div>"
)
HOT = (
    '<div class="side hot"><h3>热点信息</h3><ul>'
    + "".join(
        li(f"热点新闻标题第{i}条内容", f"2026-11-{10 + i}", f"/hot/{i}.html") for i in range(6)
    )
    + "</ul></div>"
)


def main_list(dates: list[str]) -> str:
    items = "".join(li(f"县政府召开第{i}次常务会议研究部署工作", d) for i, d in enumerate(dates))
    return (
        f'<div class="list"><ul>{items}</ul></div>'
        '<div class="page">共1页 首页 上一页 <a href="index_1.html">下一页</a> 尾页</div>'
    )


def test_main_list_wins_over_header_sidebar_and_footer():
    html = page(HEADER + HOT + main_list(["2023-01-04", "2022-12-30", "2022-12-01"]) + FOOTER)
    r = extract_list(html, URL, TODAY)
    assert r.status == "dated"
    assert r.newest == date(2023, 1, 4)
    assert r.item_count == 3
    assert "ul" in r.reason and "2023-01-04" in r.reason
    assert r.items[0].url == "http://www.xx.gov.cn/col/gzdt/202301/t20230104_1.html"
    assert r.items[0].title.startswith("县政府召开")
    assert r.next_page == "http://www.xx.gov.cn/col/gzdt/index_1.html"


def test_day_and_year_month_in_sibling_elements():
    items = "".join(
        f'<li><div class="date"><span class="day">{d}</span><span class="ym">{ym}</span></div>'
        f'<a href="/a/{d}.html">关于做好冬季安全生产工作的通知{d}</a></li>'
        for d, ym in [("04", "2023-01"), ("28", "2022-12"), ("15", "2022-12")]
    )
    r = extract_list(page(f'<ul class="news">{items}</ul>'), URL, TODAY)
    assert r.status == "dated"
    assert r.newest == date(2023, 1, 4)


def test_yearless_dates_take_latest_year_not_after_today():
    items = "".join(
        li(f"乡镇动态新闻第{i}条标题", d) for i, d in enumerate(["[01-03]", "[12-28]", "[12-20]"])
    )
    r = extract_list(page(f'<ul class="list">{items}</ul>'), URL, date(2026, 1, 5))
    assert r.status == "dated"
    assert r.newest == date(2026, 1, 3)
    assert [i.date for i in r.items] == [date(2026, 1, 3), date(2025, 12, 28), date(2025, 12, 20)]
    assert "推断" in r.reason
    assert r.confidence < 0.9


def test_yearless_tomorrow_goes_to_last_year():
    items = "".join(
        li(f"通知公告标题第{i}条", d) for i, d in enumerate(["01-06", "01-02", "12-30"])
    )
    r = extract_list(page(f"<ul>{items}</ul>"), URL, date(2026, 1, 5))
    assert r.newest == date(2026, 1, 2)
    assert r.items[0].date == date(2025, 1, 6)


def test_future_date_is_discarded_with_note():
    r = extract_list(page(main_list(["2027-03-01", "2023-01-04", "2022-12-30"])), URL, TODAY)
    assert r.status == "dated"
    assert r.newest == date(2023, 1, 4)
    assert "晚于监测时间点" in r.reason
    assert all(i.date is None or i.date <= TODAY for i in r.items)


def test_only_future_dates_need_manual_check():
    r = extract_list(page(main_list(["2027-03-01", "2027-02-01", "2027-01-01"])), URL, TODAY)
    assert r.status == "needs_manual"
    assert r.newest is None


def test_date_inside_title_is_not_the_item_date():
    items = "".join(
        f'<li><a href="/a/{i}.html">2023年1月{i}日全县安全生产工作会议召开</a></li>'
        for i in range(1, 6)
    )
    r = extract_list(page(f'<ul class="list">{items}</ul>'), URL, TODAY)
    assert r.status == "needs_manual"
    assert r.newest is None


def test_table_rows_with_index_numbers():
    rows = "".join(
        f"<tr><td>11341722003251630P/202301-0001{i}</td>"
        f'<td><a href="/xxgk/{i}.html">关于印发某某实施方案的通知{i}</a></td>'
        f"<td>2023-01-0{i}</td></tr>"
        for i in range(1, 5)
    )
    html = page(
        f'<table class="xxgk"><tr><th>索引号</th><th>标题</th><th>日期</th></tr>{rows}</table>'
    )
    r = extract_list(html, URL, TODAY)
    assert r.status == "dated"
    assert r.newest == date(2023, 1, 4)
    assert r.item_count == 4


def test_flat_links_and_dates():
    body = (
        '<div class="list">'
        + "".join(
            f'<a href="/a/{i}.html">部门动态标题第{i}条内容</a><span>2023-01-0{i}</span><br/>'
            for i in range(1, 5)
        )
        + "</div>"
    )
    r = extract_list(page(body), URL, TODAY)
    assert r.status == "dated"
    assert r.newest == date(2023, 1, 4)
    assert r.item_count == 4


def test_dl_with_dt_and_dd():
    body = (
        "<dl>"
        + "".join(
            f'<dt><a href="/a/{i}.html">人事任免信息标题第{i}条</a></dt><dd>2022-0{i}-10</dd>'
            for i in range(1, 4)
        )
        + "</dl>"
    )
    r = extract_list(page(body), URL, TODAY)
    assert r.newest == date(2022, 3, 10)


def test_list_split_into_several_uls_is_merged():
    uls = "".join(
        "<ul>"
        + "".join(li(f"工作动态第{g}{i}条标题", f"2022-0{g}-1{i}") for i in range(5))
        + "</ul>"
        '<div class="line"></div>'
        for g in (3, 2, 1)
    )
    r = extract_list(page(f'<div class="list">{uls}</div>'), URL, TODAY)
    assert r.status == "dated"
    assert r.item_count == 15
    assert r.newest == date(2022, 3, 14)


def test_empty_marker():
    r = extract_list(page(HEADER + '<div class="list"><p>暂无信息</p></div>' + FOOTER), URL, TODAY)
    assert r.status == "empty"
    assert "暂无信息" in r.reason


def test_empty_marker_in_main_area_beats_sidebar_dates():
    r = extract_list(page(HOT + '<div class="list"><p>暂无数据</p></div>'), URL, TODAY)
    assert r.status == "empty"


def test_empty_list_container():
    r = extract_list(page(HEADER + '<div class="main"><ul class="list"></ul></div>'), URL, TODAY)
    assert r.status == "empty"


def test_js_only_list_with_endpoint():
    body = (
        '<div id="list"></div><script>$.ajax({url: "/api/article/list.json?col=12", '
        "type: 'get', success: function(d){render(d)}});</script>"
    )
    r = extract_list(page(body), URL, TODAY)
    assert r.status == "needs_manual"
    assert r.json_endpoint == "http://www.xx.gov.cn/api/article/list.json?col=12"
    assert r.newest is None


def test_js_only_list_without_endpoint():
    body = '<div id="app"></div><script>new Vue({el: "#app", data: {items: []}});</script>'
    r = extract_list(page(body), URL, TODAY)
    assert r.status == "needs_manual"
    assert r.json_endpoint is None
    assert "JavaScript" in r.reason


def test_list_without_dates_needs_manual():
    items = "".join(f'<li><a href="/a/{i}.html">无日期的条目标题第{i}条</a></li>' for i in range(8))
    r = extract_list(page(f'<ul class="list">{items}</ul>'), URL, TODAY)
    assert r.status == "needs_manual"
    assert r.item_count == 8
    assert "没有可见日期" in r.reason


def test_undated_main_list_with_dated_sidebar_needs_manual():
    items = "".join(
        f'<li><a href="/a/{i}.html">无日期的本栏目条目标题{i}</a></li>' for i in range(10)
    )
    side = (
        "<div><ul>"
        + "".join(li(f"其他栏目最新信息标题{i}", "2026-11-2" + str(i)) for i in range(2))
        + "</ul></div>"
    )
    r = extract_list(page(f'<div class="list"><ul>{items}</ul></div>{side}'), URL, TODAY)
    assert r.status == "needs_manual"
    assert r.newest is None


def test_two_comparable_lists_with_different_dates_need_manual():
    a = (
        "<div><ul>"
        + "".join(li(f"甲栏目标题第{i}条内容", f"2023-01-0{i}") for i in range(1, 7))
        + "</ul></div>"
    )
    b = (
        "<div><ul>"
        + "".join(li(f"乙栏目标题第{i}条内容", f"2021-05-0{i}") for i in range(1, 7))
        + "</ul></div>"
    )
    r = extract_list(page(a + b), URL, TODAY)
    assert r.status == "needs_manual"
    assert "2023-01-06" in r.reason and "2021-05-06" in r.reason


def test_relative_times_need_manual():
    items = "".join(li(f"滚动新闻标题第{i}条", f"{i + 1}小时前") for i in range(5))
    r = extract_list(page(f"<ul>{items}</ul>"), URL, TODAY)
    assert r.status == "needs_manual"
    assert "相对时间" in r.reason


def test_jcms_xml_records():
    records = "".join(
        f'<record><![CDATA[<li><a href="/art/2023/1/{d}/art_123_{d}.html" title="标题{d}">'
        f"大汉jcms栏目信息标题{d}</a><span>2023-01-0{d}</span></li>]]></record>"
        for d in (4, 3, 2)
    )
    body = (
        '<div id="4567"><script type="text/xml"><datastore><nextgroup><![CDATA[<a href="/module/'
        'web/jpage/dataproxy.jsp?page=1&appid=1&webid=1&columnid=123"></a>]]></nextgroup>'
        f"<recordset>{records}</recordset></datastore></script></div>"
    )
    r = extract_list(page(body), URL, TODAY)
    assert r.status == "dated"
    assert r.newest == date(2023, 1, 4)
    assert r.item_count == 3
    assert r.items[0].url == "http://www.xx.gov.cn/art/2023/1/4/art_123_4.html"
    assert "jcms" in r.reason


def test_jcms_raw_datastore_response():
    text = (
        '<?xml version="1.0" encoding="utf-8"?><datastore><recordset>'
        '<record><![CDATA[<li><a href="/art/1.html">信息标题一二三</a><span>2022-06-01</span></li>]]>'
        '</record><record><![CDATA[<li><a href="/art/2.html">信息标题四五六</a>'
        "<span>2022-05-01</span></li>]]></record></recordset></datastore>"
    )
    r = extract_list(text, URL, TODAY)
    assert r.newest == date(2022, 6, 1)


def test_trs_create_page_html_gives_next_page():
    body = (
        main_list(["2023-01-04", "2023-01-03", "2023-01-02"]).replace(
            '<a href="index_1.html">下一页</a>', ""
        )
        + '<script>createPageHTML(5, 0, "index", "html");</script>'
    )
    r = extract_list(page(body), URL, TODAY)
    assert r.next_page == "http://www.xx.gov.cn/col/gzdt/index_1.html"


def test_empty_and_garbage_input():
    assert extract_list("", URL, TODAY).status == "needs_manual"
    assert extract_list("<html></html>", URL, TODAY).status == "needs_manual"


# --- JSON endpoints -----------------------------------------------------------------------------


def test_json_records():
    text = (
        '{"code":0,"data":{"total":3,"list":['
        '{"title":"通知一","pubDate":"2023-01-04 10:00:00","url":"/a/1.html"},'
        '{"title":"通知二","pubDate":"2023-01-02 10:00:00","url":"/a/2.html"},'
        '{"title":"通知三","pubDate":"2022-12-30","url":"/a/3.html"}]}}'
    )
    r = extract_list_json(text, "http://www.xx.gov.cn/api/list.json", TODAY)
    assert r.status == "dated"
    assert r.newest == date(2023, 1, 4)
    assert r.items[0].url == "http://www.xx.gov.cn/a/1.html"


def test_json_epoch_millis_and_jsonp():
    # 1672797600000 = 2023-01-04 10:00 Beijing time
    text = 'cb({"rows":[{"DOCTITLE":"标题一","CRTIME":1672797600000},{"DOCTITLE":"标题二","CRTIME":1672624800000}]});'
    r = extract_list_json(text, "http://www.xx.gov.cn/api", TODAY)
    assert r.newest == date(2023, 1, 4)


def test_json_future_dates_dropped():
    text = '[{"title":"甲","date":"2099-01-01"},{"title":"乙","date":"2023-01-04"}]'
    r = extract_list_json(text, "http://x.gov.cn/api", TODAY)
    assert r.newest == date(2023, 1, 4)


def test_json_empty_list():
    r = extract_list_json('{"total":0,"list":[]}', "http://x.gov.cn/api", TODAY)
    assert r.status == "empty"


def test_json_html_fragment():
    text = '{"html":"<ul><li><a href=\\"/a/1.html\\">片段标题一</a><span>2023-01-04</span></li>'
    text += '<li><a href=\\"/a/2.html\\">片段标题二</a><span>2023-01-03</span></li></ul>"}'
    r = extract_list_json(text, "http://x.gov.cn/api", TODAY)
    assert r.newest == date(2023, 1, 4)


def test_json_not_json():
    assert extract_list_json("<html>", "http://x.gov.cn/api", TODAY).status == "needs_manual"


def test_date_inside_the_title_link():
    items = "".join(
        f'<li><a href="/a/{d}.html"><span class="tit">县委常委会召开会议{d}</span>'
        f'<span class="date">2023-01-{d}</span></a></li>'
        for d in ("04", "03", "02")
    )
    r = extract_list(page(f"<ul>{items}</ul>"), URL, TODAY)
    assert r.newest == date(2023, 1, 4)
    assert r.items[0].title == "县委常委会召开会议04"


def test_period_and_deadline_are_not_item_dates():
    items = "".join(
        f'<li><a href="/zb/{i}.html">某某项目招标公告第{i}号</a>'
        f"<span>2023-01-0{i} 至 2023-02-0{i}</span></li>"
        for i in range(1, 4)
    ) + "".join(
        f'<li><a href="/zb/x{i}.html">某某项目中标公示第{i}号</a>'
        f"<span>2022-12-0{i}</span><span>截止日期：2023-03-0{i}</span></li>"
        for i in range(1, 4)
    )
    r = extract_list(page(f'<ul class="list">{items}</ul>'), URL, TODAY)
    assert r.newest == date(2022, 12, 3)


def test_empty_placeholder_of_a_js_list_is_not_empty():
    body = (
        '<table id="list"><tr><td>暂无数据</td></tr></table>'
        '<script>$.get("/api/news/list?page=1", function(d){ fill(d); });</script>'
    )
    r = extract_list(page(body), URL, TODAY)
    assert r.status == "needs_manual"
    assert r.json_endpoint == "http://www.xx.gov.cn/api/news/list?page=1"


def test_endpoint_prefers_the_list_over_counters():
    body = (
        '<div id="list"></div><script>$.ajax({url: "/api/visit/count"});'
        '$.ajax({url: "/api/search/query?col=1"}); $.ajax({url: "/api/article/list?col=1"});</script>'
    )
    r = extract_list(page(body), URL, TODAY)
    assert r.json_endpoint == "http://www.xx.gov.cn/api/article/list?col=1"


def test_json_endpoint_returning_html():
    frag = '<li><a href="/a/1.html">片段标题一二</a><span>2023-01-04</span></li>' * 2
    r = extract_list_json(frag, "http://x.gov.cn/list_content.html", TODAY)
    assert r.newest == date(2023, 1, 4)


def test_table_prefers_publication_column_over_chengwen_column():
    rows = "".join(
        f'<tr><td>{i}</td><td><a href="/xxgk/{i}.html">关于某某事项的批复{i}</a></td>'
        f"<td>2023-01-0{i}</td><td>2023-01-1{i}</td></tr>"
        for i in range(1, 4)
    )
    head = "<tr><th>序号</th><th>标题</th><th>成文日期</th><th>发布日期</th></tr>"
    r = extract_list(page(f'<table class="list-table">{head}{rows}</table>'), URL, TODAY)
    assert r.newest == date(2023, 1, 13)


def test_single_row_table_beats_its_wrapper():
    head = "<tr><th>标题</th><th>成文日期</th><th>发布日期</th></tr>"
    row = '<tr><td><a href="/a.html">政府信息公开指南</a></td><td>2026-04-05</td><td>2026-04-07</td></tr>'
    body = (
        f'<div class="main"><div class="column"><h2>公开指南</h2><table class="list-table">{head}'
        f'{row}</table></div><div class="sidebar"><div class="box hot"><h3>热点推荐</h3><ul>'
        + "".join(li(f"侧栏热点标题第{i}条", f"2026-11-1{i}") for i in range(5))
        + "</ul></div></div></div>"
    )
    r = extract_list(page(body, "<title>公开指南_XX县</title>"), URL, TODAY)
    assert r.status == "dated"
    assert r.newest == date(2026, 4, 7)


def test_own_column_heading_is_not_noise():
    items = "".join(li(f"专题栏目信息标题第{i}条", f"2023-01-0{i}") for i in range(1, 4))
    body = f'<h2 class="column-title">热点关注</h2><div class="list-content"><ul>{items}</ul></div>'
    r = extract_list(page(body, "<title>热点关注_XX县人民政府</title>"), URL, TODAY)
    assert r.newest == date(2023, 1, 3)


def test_sidebar_only_page_needs_manual():
    r = extract_list(page(HOT + '<div class="list"><ul id="data"></ul></div>'), URL, TODAY)
    assert r.status == "needs_manual"
    assert r.newest is None


def test_date_sharing_a_text_node_with_the_source():
    items = "".join(
        f'<li><a href="/a/{d}.html">县卫健委工作信息第{d}期</a><p>2023-01-{d} | 县卫健委</p></li>'
        f'<li><a href="/b/{d}.html">县教体局工作信息第{d}期</a><p>来源：县教体局 2022-12-{d}</p></li>'
        for d in ("04", "03")
    )
    r = extract_list(page(f'<ul class="list">{items}</ul>'), URL, TODAY)
    assert r.newest == date(2023, 1, 4)
    assert sorted(i.date for i in r.items)[0] == date(2022, 12, 3)


def test_date_at_the_start_of_a_title_is_not_an_item_date():
    items = "".join(
        f'<li><a href="/a/{d}.html">2023年1月{d}日全县会议召开</a></li>' for d in range(1, 6)
    )
    r = extract_list(page(f'<ul class="list">{items}</ul>'), URL, TODAY)
    assert r.newest is None
