"""Article publication dates: visible label first, meta conflicts flagged, traps avoided."""

from datetime import date

from audits.extract.article import extract_article_date

URL = "http://www.xx.gov.cn/xxgk/art.html"


def article(
    body: str, head: str = "", title: str = "关于做好2023年元旦春节期间安全生产工作的通知"
) -> str:
    return (
        f"<html><head><title>{title}_XX县人民政府</title>{head}</head><body>"
        '<div class="header">今天是2026年11月23日 星期一</div>'
        f"<h1>{title}</h1>{body}"
        '<div class="footer">© 2005-2023 XX县人民政府 皖ICP备05001234号 电话：0563-7021234</div>'
        "</body></html>"
    )


def test_visible_label_wins_over_conflicting_meta():
    html = article(
        '<div class="info">发布日期：2017-05-15 来源：县政府办公室 浏览次数：123</div><p>正文</p>',
        head='<meta name="PubDate" content="2022-04-24 10:00">',
    )
    r = extract_article_date(html, URL)
    assert r.date == date(2017, 5, 15)
    assert r.source == "visible-label"
    assert r.meta_date == date(2022, 4, 24)
    assert r.conflict is True
    assert "不一致" in r.reason


def test_meta_agreeing_raises_confidence():
    body = '<div class="info">发布时间：2023-01-04 10:20</div>'
    alone = extract_article_date(article(body), URL)
    with_meta = extract_article_date(
        article(body, head='<meta name="PubDate" content="2023-01-04 10:20">'), URL
    )
    assert alone.date == with_meta.date == date(2023, 1, 4)
    assert with_meta.conflict is False
    assert with_meta.confidence > alone.confidence
    assert alone.datetime_text == "2023-01-04 10:20"


def test_chengwen_date_is_not_the_publication_date():
    table = (
        "<table><tr><td>索引号：</td><td>11341722003251630P/202301-00012</td></tr>"
        "<tr><td>成文日期：</td><td>2022年12月30日</td></tr>"
        "<tr><td>发布日期：</td><td>2023年01月04日</td></tr></table>"
    )
    r = extract_article_date(article(table), URL)
    assert r.date == date(2023, 1, 4)


def test_only_chengwen_date_gives_no_answer():
    body = "<table><tr><td>成文日期：</td><td>2022年12月30日</td></tr></table><p>正文</p>"
    r = extract_article_date(article(body), URL)
    assert r.date is None
    assert r.source == "none"
    assert "人工" in r.reason


def test_label_and_date_in_separate_cells():
    body = "<table><tr><td>发布时间：</td><td><span>2023-01-04</span></td></tr></table>"
    assert extract_article_date(article(body), URL).date == date(2023, 1, 4)


def test_meeting_time_is_not_publication_time():
    body = "<p>会议时间：2023-02-01 09:00</p><p>日期：2023-01-04</p>"
    r = extract_article_date(article(body), URL)
    assert r.date == date(2023, 1, 4)


def test_url_fallback():
    url = "http://www.xx.gov.cn/xxgk/202301/t20230104_123.html"
    r = extract_article_date(article("<p>正文没有日期。</p>"), url)
    assert r.date == date(2023, 1, 4)
    assert r.source == "url"


def test_meta_fallback():
    html = article("<p>正文没有日期。</p>", head='<meta name="publishdate" content="2023-01-04">')
    r = extract_article_date(html, URL)
    assert r.date == date(2023, 1, 4)
    assert r.source == "meta"
    assert r.conflict is False


def test_unlabelled_byline_under_title():
    body = '<div class="byline">2023-01-04 10:20 来源：新华社</div><p>正文。</p>'
    r = extract_article_date(article(body), URL)
    assert r.date == date(2023, 1, 4)
    assert r.source == "byline"


def test_header_today_is_ignored():
    r = extract_article_date(article("<p>正文没有日期。</p>"), URL)
    assert r.date is None


def test_date_inside_body_sentence_is_ignored():
    body = "<p>他因病医治无效，于2009年5月14日在上海逝世，享年80岁。</p>"
    assert extract_article_date(article(body), URL).date is None


def test_comment_dates_are_ignored():
    body = (
        "<p>" + "正文内容。" * 50 + "</p>"
        '<div class="comments">发表人：网友甲 发表时间：2024-03-01 09:51 写得好</div>'
    )
    r = extract_article_date(article('<div class="info">日期：2023-01-04</div>' + body), URL)
    assert r.date == date(2023, 1, 4)


def test_future_dates_are_dropped_when_today_given():
    html = article('<div class="info">发布日期：2027-01-01</div>')
    assert extract_article_date(html, URL, today=date(2026, 11, 23)).date is None
    assert extract_article_date(html, URL).date == date(2027, 1, 1)


def test_time_element():
    body = '<p>发表 <time datetime="2022-02-06T12:48:06+00:00" pubdate>06/02/2022</time></p>'
    r = extract_article_date(article(body), URL)
    assert r.date == date(2022, 2, 6)


def test_unambiguous_us_date_after_label():
    r = extract_article_date(article("<p>发布日期： 9/17/2004 5:54:13 AM</p>"), URL)
    assert r.date == date(2004, 9, 17)
    r = extract_article_date(article("<p>发布日期： 7/5/2005 9:23:57 PM</p>"), URL)
    assert r.date is None  # 7 May or 5 July: not guessed


def test_empty_input():
    r = extract_article_date("", URL)
    assert r.date is None and r.source == "none"
