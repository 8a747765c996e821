"""Dictionary scan: typos, leaders, gambling words, allow-list, longest match, context."""

from audits.content import (
    GAMBLING,
    LEADER,
    PORN,
    SENSITIVE,
    TYPO,
    Entry,
    LeaderEntry,
    build_matcher,
    head_text,
    page_text,
    scan_text,
    seed_entries,
)
from tests.paths import SHARED

SEED_004 = SHARED / "seeds" / "004_0ebca7fc0f13ec86.txt"


def test_it_reports_a_typo_with_its_correction_and_context():
    matcher = build_matcher([Entry(TYPO, "即然", "既然")])
    text = "各单位要高度重视这项工作，即然已经部署，就要抓好落实，确保按时完成各项任务。"
    [hit] = scan_text(text, matcher)
    assert (hit.kind, hit.word, hit.correction) == (TYPO, "即然", "既然")
    assert text[hit.start : hit.end] == "即然"
    assert "【即然】" in hit.context
    assert hit.context.startswith("各单位要高度重视这项工作，")
    assert hit.context.endswith("已经部署，就要抓好落实，确保按时完成各项任务。"[:20])


def test_context_is_about_twenty_characters_either_side():
    matcher = build_matcher([Entry(GAMBLING, "百家乐")])
    text = "甲" * 50 + "百家乐" + "乙" * 50
    [hit] = scan_text(text, matcher)
    assert hit.context == "甲" * 20 + "【百家乐】" + "乙" * 20


def test_context_collapses_line_breaks():
    matcher = build_matcher([Entry(GAMBLING, "百家乐")])
    [hit] = scan_text("第一行\n\n  百家乐\n第三行", matcher)
    assert hit.context == "第一行 【百家乐】 第三行"


def test_an_allowed_word_suppresses_a_hit_inside_it():
    matcher = build_matcher([Entry(TYPO, "即然", "既然")], allow=["立即然后"])
    assert scan_text("收到通知后立即然后上报。", matcher) == []
    assert [h.word for h in scan_text("即然如此，立即然后上报。", matcher)] == ["即然"]


def test_allow_entries_of_kind_allow_work_like_the_allow_argument():
    matcher = build_matcher([Entry(GAMBLING, "亚博"), Entry("allow", "亚博览")])
    assert scan_text("参加第六届中国—南亚博览会。", matcher) == []
    assert [h.word for h in scan_text("亚博体育官网", matcher)] == ["亚博"]


def test_an_allowed_word_that_only_overlaps_a_hit_does_not_suppress_it():
    matcher = build_matcher([Entry(GAMBLING, "亚博游戏")], allow=["南亚博"])
    assert [h.word for h in scan_text("南亚博游戏", matcher)] == ["亚博游戏"]


def test_overlapping_hits_keep_the_longest():
    matcher = build_matcher(
        [Entry(GAMBLING, "葡京"), Entry(GAMBLING, "澳门新葡京"), Entry(GAMBLING, "新葡京")]
    )
    hits = scan_text("欢迎访问澳门新葡京官网，葡京娱乐。", matcher)
    assert [h.word for h in hits] == ["澳门新葡京", "葡京"]


def test_same_word_in_two_kinds_gives_two_hits():
    matcher = build_matcher([Entry(SENSITIVE, "代开发票"), Entry(GAMBLING, "代开发票")])
    assert {h.kind for h in scan_text("专业代开发票", matcher)} == {SENSITIVE, GAMBLING}


def test_ascii_matches_case_and_width_insensitively_and_keeps_offsets():
    matcher = build_matcher([Entry(GAMBLING, "bet365"), Entry(PORN, "av女优")])
    text = "访问ＢＥＴ３６５和AV女优"
    hits = scan_text(text, matcher)
    assert [h.word for h in hits] == ["ＢＥＴ３６５", "AV女优"]
    assert all(text[h.start : h.end] == h.word for h in hits)


def test_a_known_wrong_variant_of_a_leader_is_reported_with_the_right_form():
    leader = LeaderEntry("张三", ("县委副书记", "县长"), ("张山",))
    matcher = build_matcher([], [leader])
    [hit] = scan_text("县长张山出席会议。", matcher)
    assert hit.kind == LEADER
    assert hit.word == "张山"
    assert hit.correction == "张三（县委副书记、县长）"


def test_a_leader_title_with_fu_dropped_or_miswritten_is_reported():
    leader = LeaderEntry("李四", ("副县长",), ())
    matcher = build_matcher([], [leader])
    assert [h.word for h in scan_text("县长李四主持会议", matcher)] == ["县长李四"]
    assert [h.word for h in scan_text("付县长李四主持会议", matcher)] == ["付县长李四"]
    assert [h.word for h in scan_text("李四县长讲话", matcher)] == ["李四县长"]
    hit = scan_text("县长李四主持会议", matcher)[0]
    assert hit.correction == "李四（副县长）"
    assert "副县长" in hit.note


def test_the_correct_leader_title_is_not_reported():
    leader = LeaderEntry("李四", ("副县长",), ())
    matcher = build_matcher([], [leader])
    assert scan_text("副县长李四主持会议，李四副县长讲话，常务副县长李四。", matcher) == []


def test_a_leader_holding_both_titles_is_not_reported_for_either():
    leader = LeaderEntry("王五", ("县委副书记", "县长"), ())
    matcher = build_matcher([], [leader])
    assert scan_text("县委副书记、县长王五；县长王五。", matcher) == []
    assert [h.word for h in scan_text("县委书记王五", matcher)] == ["县委书记王五"]


def test_an_empty_dictionary_finds_nothing():
    assert scan_text("任何文字", build_matcher([])) == []
    assert scan_text("", build_matcher([Entry(TYPO, "即然", "既然")])) == []


def test_the_tampered_seed_circular_is_full_of_yabo_gambling_spam():
    text = SEED_004.read_text(encoding="utf-8")
    matcher = build_matcher(seed_entries())
    gambling = [h for h in scan_text(text, matcher) if h.kind == GAMBLING]
    assert len(gambling) > 50
    assert all(h.word.startswith("亚博") or h.word == "老虎机" for h in gambling)
    assert any(h.word == "亚博游戏" for h in gambling)
    assert "【亚博游戏】官网:人民政府办公室" in gambling[0].context
    # The circular's own wording is not accused of typos (截止10月15日 is left alone on purpose).
    assert [h for h in scan_text(text, matcher) if h.kind == TYPO] == []


def test_seed_gambling_list_leaves_expo_names_alone():
    matcher = build_matcher(seed_entries())
    assert scan_text("第五届中国—南亚博览会在昆明开幕，东亚博物馆开馆。", matcher) == []


def test_seed_dictionaries_are_well_formed():
    entries = seed_entries()
    kinds = {e.kind for e in entries}
    assert {TYPO, GAMBLING, PORN, SENSITIVE, "allow"} <= kinds
    assert all(len(e.word) >= 2 for e in entries)
    typos = [e for e in entries if e.kind == TYPO]
    assert len(typos) > 1000
    assert all(e.correction and e.correction != e.word for e in typos)
    assert all(len(e.correction) == len(e.word) for e in typos if "odw" in e.note)


def test_page_text_keeps_what_a_visitor_reads():
    html = """<html><head><title>某县人民政府</title><style>.x{color:red}</style>
    <script>var a = "百家乐";</script></head><body>
    <div class="nav"><a href="/">首页</a><a href="/a/">政务公开</a></div>
    <p>即然已经部署，<b>就要</b>抓好落实。</p>
    <div style="display:none">隐藏的文字</div><noscript>请启用脚本</noscript>
    <!-- 注释 --><table><tr><td>第一格</td><td>第二格</td></tr></table></body></html>"""
    text = page_text(html)
    assert text.splitlines()[0] == "某县人民政府"
    assert "即然已经部署，就要抓好落实。" in text
    assert "第一格\n第二格" in text
    for hidden in ("百家乐", "隐藏的文字", "请启用脚本", "注释", "color"):
        assert hidden not in text
    assert "某县人民政府" not in page_text(html, include_title=False)


def test_page_text_handles_empty_and_bytes():
    assert page_text("") == ""
    assert "你好" in page_text("<p>你好</p>".encode("gb18030"))


def test_head_text_has_title_keywords_and_description():
    html = """<html><head><title>首页</title><meta name="keywords" content="亚博体育,百家乐">
    <meta name="Description" content="欢迎访问"></head><body></body></html>"""
    assert head_text(html) == "首页\n亚博体育,百家乐\n欢迎访问"
