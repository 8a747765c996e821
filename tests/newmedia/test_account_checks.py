"""The new-media checks and the websites' interaction checks as pure functions: plain facts, a
rule set and a monitoring point in, drafts out (no database, no network).

Rules: ../shared/domain/indicators.md (M-V2, M-V3, the local overlays table, W-V5); the seeds:
002 (临沭县 2021Q3: weekly updates, zombie accounts, low originality, a WeChat account renamed on
9月2日 without filing), 003 (青神县 2021Q1: replies within 24 h, important information not
reposted, 县长信箱 statistics), 004 (淮南市: an auto-reply used as the interaction function).
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from audits.checks.accounts import (
    AccountFacts,
    EventFact,
    MessageFact,
    PostFact,
    RepostFact,
    check_account_interaction,
    check_account_rules,
    check_account_updates,
    check_interaction,
    evaluate_account,
    mailbox_statistics,
    working_days_between,
)
from audits.glossary import Indicator, Kind, Severity
from audits.rules import Overlays, Rules

CHINA = ZoneInfo("Asia/Shanghai")
NATIONAL = Rules(code="national-2019", version=1)
# What audits/defaults.py installs as county-2019-local (the seeds' counties' overlays).
COUNTY = Rules(
    code="county-2019-local",
    version=1,
    overlays=Overlays(
        unfixed_last_period_fails=True,
        due_soon_days=15,
        reply_within_hours=24,
        account_update_every_days=7,
        account_filing_working_days=5,
        account_original_share=0.3,
    ),
)
AUTO_REPLY = Rules(code="huainan", version=1, overlays=Overlays(account_auto_reply_is_problem=True))

Q3_START = dt.date(2021, 7, 1)  # seed 002: 2021年第三季度
Q3_POINT = dt.date(2021, 9, 14)  # its annex: 读网检查情况统计表 9.14


def at(day: dt.date, hour: int = 10, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=CHINA)


def post(day: dt.date, title: str = "我县召开安全生产工作会议", **kw) -> PostFact:
    return PostFact(at(day, kw.pop("hour", 10)), title, **kw)


def message(received: dt.datetime, replied: dt.datetime | None = None, **kw) -> MessageFact:
    return MessageFact(received, replied, **kw)


def facts(**kw) -> AccountFacts:
    kw.setdefault("name", "临沭交通")
    kw.setdefault("platform", "wechat")
    kw.setdefault("status", "active")
    kw.setdefault("tz", CHINA)
    return AccountFacts(**kw)


def by_key(drafts) -> dict:
    keys = [d.key for d in drafts]
    assert len(keys) == len(set(keys)), f"a draft twice: {keys}"
    return {d.key: d for d in drafts}


def every(start: dt.date, end: dt.date, days: int, skip=()) -> tuple[PostFact, ...]:
    out, day = [], start
    while day <= end:
        if day not in skip:
            out.append(post(day))
        day += dt.timedelta(days=days)
    return tuple(out)


# ----- M-V2 内容不更新 ---------------------------------------------------------------------------


def test_m_v2_is_a_veto_only_when_no_post_falls_within_the_2_weeks():
    point = Q3_POINT
    fresh = facts(posts=(post(point - dt.timedelta(days=14)),))
    assert "account:stale" not in by_key(check_account_updates(fresh, point, NATIONAL))

    stale = facts(posts=(post(point - dt.timedelta(days=15)),))
    draft = by_key(check_account_updates(stale, point, NATIONAL))["account:stale"]
    assert (draft.severity, draft.indicator, draft.kind) == (
        Severity.VETO,
        Indicator.M_V2,
        Kind.ACCOUNT_STALE,
    )
    assert "最近一次发布于2021年08月30日" in draft.reason
    assert draft.evidence == {"newest": "2021-08-30"}


def test_m_v2_reads_days_in_the_county_time_zone_and_ignores_posts_after_the_point():
    point = Q3_POINT
    # 2021-08-30 17:30 UTC is 08-31 01:30 in China: 14 days before the point, not 15.
    late_evening_utc = PostFact(dt.datetime(2021, 8, 30, 17, 30, tzinfo=dt.UTC), "夜间发布")
    assert "account:stale" not in by_key(
        check_account_updates(facts(posts=(late_evening_utc,)), point, NATIONAL)
    )
    # A post dated after the monitoring point cannot show the account was updated before it.
    future = facts(posts=(post(point - dt.timedelta(days=20)), post(point + dt.timedelta(days=1))))
    assert "account:stale" in by_key(check_account_updates(future, point, NATIONAL))


def test_a_feed_error_with_no_posts_is_a_manual_check_not_a_veto():
    f = facts(feed_error="订阅源无法读取：连接被拒绝")
    drafts = evaluate_account(f, Q3_POINT, COUNTY)
    assert [(d.key, d.severity, d.indicator) for d in drafts] == [
        ("account:manual", Severity.MANUAL, Indicator.M_V2)
    ]
    assert "连接被拒绝" in drafts[0].reason and "人工核查" in drafts[0].reason
    # Without a feed error, no post at all is the veto (and a zombie account).
    silent = by_key(evaluate_account(facts(), Q3_POINT, COUNTY))
    assert silent["account:stale"].severity == Severity.VETO
    assert "没有任何发布记录" in silent["account:stale"].reason
    assert "account:zombie" in silent


def test_a_zombie_account_is_listed_for_closure_after_180_days():
    point = Q3_POINT
    at_180 = by_key(
        check_account_updates(facts(posts=(post(point - dt.timedelta(days=180)),)), point, COUNTY)
    )
    assert set(at_180) == {"account:stale"}
    at_181 = by_key(
        check_account_updates(facts(posts=(post(point - dt.timedelta(days=181)),)), point, COUNTY)
    )
    assert set(at_181) == {"account:stale", "account:zombie"}
    zombie = at_181["account:zombie"]
    assert (zombie.severity, zombie.indicator, zombie.kind) == (
        Severity.PROBLEM,
        Indicator.M_LOCAL,
        Kind.ACCOUNT_ZOMBIE,
    )
    assert "关停注销" in zombie.title
    # An account already closed (关停/注销) is not judged on updates.
    closed = facts(status="cancelled", posts=(post(point - dt.timedelta(days=400)),))
    assert check_account_updates(closed, point, COUNTY) == []


# ----- the weekly overlay (seeds 001 and 002: 每周更新) ---------------------------------------------


def test_weekly_overlay_accepts_a_post_every_7_days():
    posts = every(Q3_START, Q3_POINT, 7)  # Jul 1, 8, … Sep 9; then 5 days to the point
    f = facts(posts=posts, period_start=Q3_START)
    assert by_key(check_account_updates(f, Q3_POINT, COUNTY)) == {}


def test_weekly_overlay_flags_the_longest_gap_in_the_period():
    posts = every(Q3_START, Q3_POINT, 7, skip={dt.date(2021, 8, 12)})  # Aug 5 -> Aug 19
    f = facts(posts=posts, period_start=Q3_START)
    draft = by_key(check_account_updates(f, Q3_POINT, COUNTY))["account:weekly"]
    assert (draft.severity, draft.indicator) == (Severity.PROBLEM, Indicator.M_LOCAL)
    assert draft.title == "未做到每周更新"
    assert "最长14天没有发布" in draft.reason and "07月01日至09月14日" in draft.reason
    # The national rules know no weekly rule.
    assert "account:weekly" not in by_key(check_account_updates(f, Q3_POINT, NATIONAL))


def test_weekly_overlay_counts_the_quiet_start_of_the_period():
    # Nothing from Jul 1 to Jul 8: the first week of the quarter had no post.
    posts = every(dt.date(2021, 7, 9), Q3_POINT, 5)
    f = facts(posts=posts, period_start=Q3_START)
    draft = by_key(check_account_updates(f, Q3_POINT, COUNTY))["account:weekly"]
    assert "最长9天没有发布" in draft.reason


def test_a_stale_account_is_not_also_told_to_post_weekly():
    posts = every(Q3_START, dt.date(2021, 8, 20), 3)
    drafts = by_key(
        check_account_updates(facts(posts=posts, period_start=Q3_START), Q3_POINT, COUNTY)
    )
    assert set(drafts) == {"account:stale"}


# ----- M-V3 互动回应差, 24 h replies (seed 003), auto-reply (seed 004) ----------------------------------


def test_m_v3_no_interaction_function_is_a_veto():
    drafts = check_account_interaction(facts(has_interaction=False), Q3_POINT, COUNTY)
    assert [(d.key, d.severity, d.indicator) for d in drafts] == [
        ("account:no_interaction", Severity.VETO, Indicator.M_V3)
    ]


def test_m_v3_none_answered_is_a_veto_candidate():
    point = Q3_POINT
    msgs = tuple(message(at(point - dt.timedelta(days=d))) for d in (10, 40, 90))
    draft = by_key(check_account_interaction(facts(messages=msgs), point, NATIONAL))[
        "account:unanswered"
    ]
    assert (draft.severity, draft.indicator, draft.count) == (Severity.VETO, Indicator.M_V3, 3)
    assert "须人工确认" in draft.reason

    answered = msgs + (message(at(point - dt.timedelta(days=5)), at(point - dt.timedelta(days=4))),)
    assert check_account_interaction(facts(messages=answered), point, NATIONAL) == []

    # Only auto-replies: nobody answered.
    auto = tuple(
        message(
            at(point - dt.timedelta(days=d)),
            at(point - dt.timedelta(days=d), 10, 1),
            auto_reply=True,
        )
        for d in (3, 8)
    )
    draft = by_key(check_account_interaction(facts(messages=auto), point, NATIONAL))[
        "account:unanswered"
    ]
    assert "只有自动回复" in draft.reason

    # Invalid messages and those older than a year do not count.
    ignored = (
        message(at(point - dt.timedelta(days=20)), valid=False),
        message(at(point - dt.timedelta(days=400))),
    )
    assert check_account_interaction(facts(messages=ignored), point, NATIONAL) == []


def test_replies_within_24_hours_overlay():
    point = Q3_POINT
    day = point - dt.timedelta(days=6)
    msgs = (
        message(at(day, 9), at(day + dt.timedelta(days=1), 8)),  # 23 h: on time
        message(at(day, 9), at(day + dt.timedelta(days=1), 15)),  # 30 h: late
        message(at(point - dt.timedelta(days=3), 9)),  # not answered after 3 days: late
        message(at(point, 20)),  # left on the evening of the point: not yet late
    )
    draft = by_key(check_account_interaction(facts(messages=msgs), point, COUNTY))[
        "account:late_replies"
    ]
    assert (draft.severity, draft.indicator, draft.count) == (
        Severity.PROBLEM,
        Indicator.M_LOCAL,
        2,
    )
    assert draft.title == "留言互动未及时回复"
    assert draft.reason == "2条留言未在24小时内回复（共4条）。"
    assert "account:late_replies" not in by_key(
        check_account_interaction(facts(messages=msgs), point, NATIONAL)
    )


def test_auto_reply_used_as_the_interaction_is_a_problem_under_the_seed_004_overlay():
    point = Q3_POINT
    auto = tuple(
        message(
            at(point - dt.timedelta(days=d)),
            at(point - dt.timedelta(days=d), 10, 1),
            auto_reply=True,
        )
        for d in (2, 9, 30)
    )
    draft = by_key(check_account_interaction(facts(messages=auto), point, AUTO_REPLY))[
        "account:auto_reply"
    ]
    assert (draft.severity, draft.indicator) == (Severity.PROBLEM, Indicator.M_LOCAL)
    assert draft.title == "互动交流功能使用自动回复"
    # Off by default; and a person's reply among them means auto-reply is not the interaction.
    assert "account:auto_reply" not in by_key(
        check_account_interaction(facts(messages=auto), point, NATIONAL)
    )
    human = auto + (message(at(point - dt.timedelta(days=4)), at(point - dt.timedelta(days=3))),)
    assert "account:auto_reply" not in by_key(
        check_account_interaction(facts(messages=human), point, AUTO_REPLY)
    )


# ----- reposts of important information (seed 003) ----------------------------------------------


REQUIRED = RepostFact(
    title="国务院常务会议部署稳就业工作",
    url="http://www.gov.cn/xinwen/2021-02/03/content_5584600.htm",
    due=dt.date(2021, 2, 10),
)
SEED_003_POINT = dt.date(2021, 2, 22)


def test_a_required_repost_is_matched_by_its_url_before_the_due_date():
    reposted = post(
        dt.date(2021, 2, 5),
        "【转载】稳就业：国常会最新部署",
        url=REQUIRED.url + "/",
        original=False,
    )
    f = facts(posts=(reposted,), reposts=(REQUIRED,))
    assert "account:reposts" not in by_key(check_account_rules(f, SEED_003_POINT, COUNTY))


def test_a_required_repost_is_matched_by_its_title_on_the_due_day_in_china():
    # 2021-02-10 15:30 UTC is 23:30 on the due day in China.
    reposted = PostFact(
        dt.datetime(2021, 2, 10, 15, 30, tzinfo=dt.UTC), "转发：国务院常务会议部署稳就业工作"
    )
    f = facts(posts=(reposted,), reposts=(REQUIRED,))
    assert "account:reposts" not in by_key(check_account_rules(f, SEED_003_POINT, COUNTY))


def test_a_repost_after_the_due_date_or_none_at_all_is_named():
    late = post(dt.date(2021, 2, 11), "国务院常务会议部署稳就业工作", original=False)
    other = RepostFact("省政府召开全省安全生产电视电话会议", "", dt.date(2021, 2, 20))
    not_yet = RepostFact("市委常委会研究乡村振兴工作", "", dt.date(2021, 2, 25))
    f = facts(posts=(late,), reposts=(REQUIRED, other, not_yet))
    draft = by_key(check_account_rules(f, SEED_003_POINT, COUNTY))["account:reposts"]
    assert (draft.title, draft.count, draft.severity) == ("未及时转载重要信息", 2, Severity.PROBLEM)
    assert "“国务院常务会议部署稳就业工作”应于02月10日前转载" in draft.reason
    assert "省政府召开全省安全生产电视电话会议" in draft.reason
    assert "市委常委会" not in draft.reason  # due after the monitoring point: not judged yet


# ----- originality (seed 002: 发布内容原创性不高) --------------------------------------------------


def _mix(originals: int, reposts: int, start: dt.date = Q3_START) -> tuple[PostFact, ...]:
    flags = [True] * originals + [False] * reposts
    return tuple(
        post(start + dt.timedelta(days=3 * k), original=flag) for k, flag in enumerate(flags)
    )


def test_low_originality_is_named_below_the_share():
    f = facts(name="临沭教体", platform="weibo", posts=_mix(2, 8), period_start=Q3_START)
    draft = by_key(check_account_rules(f, Q3_POINT, COUNTY))["account:originality"]
    assert draft.title == "发布内容原创性不高"
    assert draft.reason == "本期发布10条，原创20%，低于30%的要求。"
    assert "account:originality" not in by_key(check_account_rules(f, Q3_POINT, NATIONAL))


def test_originality_at_the_share_or_on_too_few_posts_is_not_named():
    at_share = facts(posts=_mix(3, 7), period_start=Q3_START)
    assert "account:originality" not in by_key(check_account_rules(at_share, Q3_POINT, COUNTY))
    few = facts(posts=_mix(0, 4), period_start=Q3_START)
    assert "account:originality" not in by_key(check_account_rules(few, Q3_POINT, COUNTY))
    # Reposts before the period do not count in this period's share.
    earlier = _mix(0, 10, start=dt.date(2021, 5, 1)) + _mix(5, 0)
    mixed = facts(posts=earlier, period_start=Q3_START)
    assert "account:originality" not in by_key(check_account_rules(mixed, Q3_POINT, COUNTY))


# ----- filing of opening and renaming (seed 002) --------------------------------------------------


def test_working_days_skip_weekends():
    thursday = dt.date(2021, 9, 2)
    assert working_days_between(thursday, dt.date(2021, 9, 3)) == 1
    assert working_days_between(thursday, dt.date(2021, 9, 6)) == 2  # Sat and Sun skipped
    assert working_days_between(thursday, dt.date(2021, 9, 9)) == 5
    assert working_days_between(thursday, dt.date(2021, 9, 10)) == 6
    assert working_days_between(thursday, thursday) == 0


def test_seed_002_the_bureau_renamed_its_wechat_account_on_september_2_without_filing():
    renamed = EventFact("change", dt.date(2021, 9, 2), None)
    f = facts(name="临沭县自然资源和规划局", events=(renamed,))
    drafts = by_key(check_account_rules(f, Q3_POINT, COUNTY))
    draft = drafts["account:filing:change:2021-09-02"]
    assert (draft.kind, draft.severity, draft.indicator) == (
        Kind.ACCOUNT_FILING,
        Severity.PROBLEM,
        Indicator.M_LOCAL,
    )
    assert draft.title == "账号更改名称未按时报备"
    assert "于2021年09月02日更改名称，未报备" in draft.reason
    assert "5个工作日" in draft.reason
    assert "account:renamed" not in drafts  # the rename is known: one finding, not two


def test_filing_within_5_working_days_is_in_time():
    on_time = EventFact("change", dt.date(2021, 9, 2), dt.date(2021, 9, 9))
    late = EventFact("open", dt.date(2021, 8, 2), dt.date(2021, 8, 10))
    after_point = EventFact("open", dt.date(2021, 9, 20), None)
    closing = EventFact("cancel", dt.date(2021, 7, 5), None)  # only 开设 and 变更 are judged here
    f = facts(events=(on_time, late, after_point, closing))
    drafts = by_key(check_account_rules(f, Q3_POINT, COUNTY))
    assert set(drafts) == {"account:filing:open:2021-08-02"}
    assert drafts["account:filing:open:2021-08-02"].title == "账号开设未按时报备"
    assert "08月10日才报备" in drafts["account:filing:open:2021-08-02"].reason
    assert check_account_rules(f, Q3_POINT, NATIONAL) == []


def test_a_feed_title_unlike_the_registered_name_is_a_suspected_unfiled_rename():
    f = facts(name="临沭县自然资源和规划局", feed_title="临沭自然资源和规划")
    draft = by_key(check_account_rules(f, Q3_POINT, COUNTY))["account:renamed"]
    assert draft.title == "账号名称与登记不一致（疑似更名未报备）"
    assert "“临沭县自然资源和规划局”" in draft.reason and "“临沭自然资源和规划”" in draft.reason
    same = facts(name="临沭交通", feed_title="临沭交通")
    assert "account:renamed" not in by_key(check_account_rules(same, Q3_POINT, COUNTY))
    unread = facts(name="临沭交通", feed_title="")
    assert "account:renamed" not in by_key(check_account_rules(unread, Q3_POINT, COUNTY))


def test_an_old_filed_rename_does_not_hide_a_new_unfiled_one():
    """The account was renamed in 2019 and filed (the registry has the new name); in 2021 the
    platform shows yet another name and nothing was filed. The 2019 event must not excuse it."""
    filed_2019 = EventFact("change", dt.date(2019, 5, 6), dt.date(2019, 5, 7))
    f = facts(name="临沭县自然资源和规划局", feed_title="临沭自然资源和规划", events=(filed_2019,))
    drafts = by_key(check_account_rules(f, Q3_POINT, COUNTY))
    assert "account:renamed" in drafts, (
        "a feed title that differs from the registered name is hidden by any earlier change "
        f"event, however old and however filed: {sorted(drafts)}"
    )


# ----- websites' interaction channels: W-V5 -------------------------------------------------------


def test_w_v5_a_valid_message_unanswered_over_3_months_within_the_year_vetoes():
    point = SEED_003_POINT
    msgs = [
        message(at(point - dt.timedelta(days=100)), title="咨询城乡居民医保缴费问题"),
        message(at(point - dt.timedelta(days=60)), title="关于孩子入学的咨询"),  # not yet 3 months
        message(at(point - dt.timedelta(days=400)), title="去年的留言"),  # outside the year
    ]
    drafts = by_key(check_interaction(msgs, point, NATIONAL, CHINA, channel="县长信箱"))
    draft = drafts["interaction:unanswered"]
    assert (draft.indicator, draft.severity, draft.count) == (Indicator.W_V5, Severity.VETO, 1)
    assert draft.title == "1条留言超过3个月未答复"
    assert "“县长信箱”" in draft.reason and "咨询城乡居民医保缴费问题" in draft.reason
    assert "关于孩子入学" not in draft.reason


def test_w_v5_an_answer_after_more_than_3_months_was_unanswered_for_3_months():
    point = SEED_003_POINT
    received = at(point - dt.timedelta(days=200))
    msgs = [message(received, received + dt.timedelta(days=95))]
    assert (
        by_key(check_interaction(msgs, point, NATIONAL, CHINA))["interaction:unanswered"].count == 1
    )


def test_w_v5_invalid_messages_such_as_petitions_do_not_count():
    point = SEED_003_POINT
    petitions = [
        message(at(point - dt.timedelta(days=150)), valid=False, title="网上信访：反映征地补偿"),
        message(at(point - dt.timedelta(days=120)), valid=False, title="纪检举报"),
    ]
    assert check_interaction(petitions, point, NATIONAL, CHINA) == []
    assert check_interaction(petitions, point, COUNTY, CHINA) == []


def test_w_v5_the_24_hour_overlay_is_a_deduction_not_counted_twice():
    point = SEED_003_POINT
    day = point - dt.timedelta(days=30)
    overdue = message(at(point - dt.timedelta(days=100)))
    late = message(at(day, 9), at(day, 9) + dt.timedelta(hours=30))
    fine = message(at(day, 9), at(day, 9) + dt.timedelta(hours=3))
    drafts = by_key(check_interaction([overdue, late, fine], point, COUNTY, CHINA))
    assert drafts["interaction:unanswered"].count == 1
    assert (drafts["interaction:late"].count, drafts["interaction:late"].indicator) == (
        1,
        Indicator.DEDUCTION,
    )
    assert drafts["interaction:late"].title == "1条留言未在24小时内答复"
    assert "interaction:late" not in by_key(check_interaction([late], point, NATIONAL, CHINA))


# ----- seed 003's mailbox statistics ------------------------------------------------------------------


SEED_003_START, SEED_003_END = dt.date(2020, 11, 24), dt.date(2021, 2, 22)


def _mailbox(n: int, late: int = 0) -> list[MessageFact]:
    out = []
    for k in range(n):
        received = at(SEED_003_START + dt.timedelta(days=k % 88), 9 + k % 8)
        hours = 48 if k < late else 3
        out.append(message(received, received + dt.timedelta(hours=hours), title=f"来信{k}"))
    return out


def test_mailbox_statistics_as_seed_003_reports_them():
    # 第一季度，县政府门户网站收到“县长信箱”45件、“部门信箱”15件，办结率100%。
    county = _mailbox(45, late=5)
    departments = _mailbox(15)
    outside = [
        message(at(dt.date(2020, 11, 23), 23, 30), at(dt.date(2020, 11, 24), 9)),
        message(at(dt.date(2021, 2, 23), 0, 10)),
    ]
    # 2021-02-22 15:30 UTC is 23:30 on the last day of the window in China: inside.
    last_evening = dt.datetime(2021, 2, 22, 15, 30, tzinfo=dt.UTC)
    inside = [message(last_evening, last_evening + dt.timedelta(hours=10))]
    stats = mailbox_statistics(county + outside + inside, SEED_003_START, SEED_003_END, CHINA)
    assert stats == {"received": 46, "answered": 46, "on_time": 41, "rate": 100.0}
    assert mailbox_statistics(departments, SEED_003_START, SEED_003_END, CHINA) == {
        "received": 15,
        "answered": 15,
        "on_time": 15,
        "rate": 100.0,
    }


def test_mailbox_statistics_count_an_auto_reply_as_not_answered():
    day = dt.date(2021, 1, 10)
    msgs = [message(at(day, h), at(day, h) + dt.timedelta(hours=2)) for h in (9, 10, 11)]
    msgs.append(message(at(day, 12), at(day, 12, 1), auto_reply=True))
    stats = mailbox_statistics(msgs, SEED_003_START, SEED_003_END, CHINA)
    assert stats == {"received": 4, "answered": 3, "on_time": 3, "rate": 75.0}
    assert mailbox_statistics([], SEED_003_START, SEED_003_END, CHINA)["received"] == 0


@pytest.mark.parametrize("hours, on_time", [(24, 1), (25, 0)])
def test_mailbox_on_time_means_within_24_hours(hours, on_time):
    received = at(dt.date(2021, 1, 5), 9)
    stats = mailbox_statistics(
        [message(received, received + dt.timedelta(hours=hours))],
        SEED_003_START,
        SEED_003_END,
        CHINA,
    )
    assert stats["on_time"] == on_time


def test_a_feed_error_with_only_old_posts_known_is_a_manual_check_not_a_veto():
    point = Q3_POINT
    old = facts(feed_error="订阅源返回 HTTP 502", posts=(post(point - dt.timedelta(days=40)),))
    drafts = evaluate_account(old, point, COUNTY)
    assert [(d.key, d.severity) for d in drafts] == [("account:manual", Severity.MANUAL)]
    assert "HTTP 502" in drafts[0].reason
    assert f"{point - dt.timedelta(days=40):%Y年%m月%d日}" in drafts[0].reason
    # The same old posts read without an error: the account did stop, and that is the veto.
    assert (
        by_key(evaluate_account(facts(posts=old.posts), point, COUNTY))["account:stale"].severity
        == Severity.VETO
    )
    # A recent post known despite the error shows the account was updated: no finding for it.
    recent = facts(feed_error="订阅源返回 HTTP 502", posts=(post(point - dt.timedelta(days=3)),))
    assert not {"account:manual", "account:stale"} & set(
        by_key(check_account_updates(recent, point, NATIONAL))
    )
