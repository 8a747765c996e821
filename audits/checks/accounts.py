"""New-media checks (国办秘函〔2019〕19号, new media: single veto only, nationally) and the local
overlays seen in the seeds, each a rule-set switch with a parameter:

- M-V2 内容不更新: no post within the 2 weeks before the monitoring point (veto);
- M-V3 互动回应差: no usable interaction function (veto; U: whether a time limit on unanswered
  messages also applies — here only "none answered at all" is a veto candidate);
- M-V1: the content scan's candidates on post titles (veto, only once staff confirm);
- overlays: update at least every N days (seed 001 每周更新不少于1次), replies within N hours
  (seed 003), auto-reply used as the interaction (seed 004), repost of important items by a
  date (seed 003), share of original posts (seed 002), opening or renaming without filing
  within N working days (seed 002), zombie accounts listed for closure (seed 002).

And the websites' interaction channels (W-V5): a valid message unanswered for more than 3
months within the past year (veto); the local 24-hour rule; seed 003's mailbox statistics.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from audits.checks.base import Draft, Indicator, Kind, Severity
from audits.checks.content import PageContent, check_content
from audits.rules import Rules


@dataclass(frozen=True)
class PostFact:
    at: dt.datetime  # aware
    title: str
    url: str = ""
    original: bool = True


@dataclass(frozen=True)
class MessageFact:
    received: dt.datetime
    replied: dt.datetime | None
    auto_reply: bool = False
    valid: bool = True
    title: str = ""


@dataclass(frozen=True)
class EventFact:
    kind: str  # open | change | suspend | cancel
    date: dt.date
    filed_on: dt.date | None
    new_name: str = ""


@dataclass(frozen=True)
class RepostFact:
    title: str
    url: str
    due: dt.date


@dataclass(frozen=True)
class AccountFacts:
    name: str
    platform: str
    status: str  # active | suspended | cancelled
    has_interaction: bool = True
    feed_title: str = ""  # the name the platform shows now, when a feed was read
    feed_error: str = ""  # why the feed could not be read this time
    posts: tuple[PostFact, ...] = ()
    messages: tuple[MessageFact, ...] = ()
    events: tuple[EventFact, ...] = ()
    reposts: tuple[RepostFact, ...] = ()
    period_start: dt.date | None = None
    content: tuple[PageContent, ...] = ()
    tz: dt.tzinfo = dt.UTC


def _day(at: dt.datetime, tz: dt.tzinfo) -> dt.date:
    return at.astimezone(tz).date()


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days after `start` up to and including `end` (Monday to Friday; public holidays
    and adjusted working days are not known here — a local rule set may allow for them)."""
    days, day = 0, start
    while day < end:
        day += dt.timedelta(days=1)
        days += day.weekday() < 5
    return days


def check_account_updates(f: AccountFacts, point: dt.date, rules: Rules) -> list[Draft]:
    if f.status != "active":
        return []
    days = sorted(_day(p.at, f.tz) for p in f.posts if _day(p.at, f.tz) <= point)
    newest = days[-1] if days else None
    drafts = []
    stale = rules.account_stale_days
    if f.feed_error and (newest is None or (point - newest).days > stale):
        # M-V2 is a veto: the posts known from earlier readings being old does not show that the
        # account stopped posting when this reading failed, so a person looks instead.
        known = f"，此前读到的最近一次发布为{newest:%Y年%m月%d日}" if newest else ""
        return [
            Draft(
                key="account:manual",
                kind=Kind.ACCOUNT_STALE,
                indicator=Indicator.M_V2,
                severity=Severity.MANUAL,
                title="发布情况需人工核查",
                reason=(
                    f"未能读取“{f.name}”的发布记录（{f.feed_error}）{known}，"
                    "请人工核查是否按时更新。"
                ),
                evidence={"newest": newest.isoformat() if newest else None},
            )
        ]
    if newest is None or (point - newest).days > stale:
        when = f"最近一次发布于{newest:%Y年%m月%d日}" if newest else "没有任何发布记录"
        drafts.append(
            Draft(
                key="account:stale",
                kind=Kind.ACCOUNT_STALE,
                indicator=Indicator.M_V2,
                severity=Severity.VETO,
                title="超过2周未更新",
                reason=f"“{f.name}”{when}，监测时间点{point:%Y年%m月%d日}前2周内没有发布信息。",
                evidence={"newest": newest.isoformat() if newest else None},
            )
        )
    if newest is None or (point - newest).days > rules.account_zombie_days:
        drafts.append(
            Draft(
                key="account:zombie",
                kind=Kind.ACCOUNT_ZOMBIE,
                indicator=Indicator.M_LOCAL,
                severity=Severity.PROBLEM,
                title="长期不更新（僵尸账号），应予关停注销",
                reason=(
                    f"“{f.name}”超过{rules.account_zombie_days}天没有发布信息，"
                    "按要求应关停注销并报备。"
                ),
            )
        )
    every = rules.overlays.account_update_every_days
    if every and newest is not None and (point - newest).days <= stale:
        start = f.period_start or point - dt.timedelta(days=30)
        marks = [start - dt.timedelta(days=1)] + [d for d in days if d >= start] + [point]
        gaps = [(b - a).days for a, b in zip(marks, marks[1:], strict=False)]
        if max(gaps) > every:
            drafts.append(
                Draft(
                    key="account:weekly",
                    kind=Kind.ACCOUNT_RULE,
                    indicator=Indicator.M_LOCAL,
                    severity=Severity.PROBLEM,
                    title=f"未做到每{_every(every)}更新",
                    reason=(
                        f"“{f.name}”在{start:%m月%d日}至{point:%m月%d日}间最长"
                        f"{max(gaps)}天没有发布，未达到每{_every(every)}至少更新1次的要求。"
                    ),
                )
            )
    return drafts


def _every(days: int) -> str:
    return {7: "周", 10: "10天", 14: "2周"}.get(days, f"{days}天")


def check_account_interaction(f: AccountFacts, point: dt.date, rules: Rules) -> list[Draft]:
    if f.status != "active":
        return []
    if not f.has_interaction:
        return [
            Draft(
                key="account:no_interaction",
                kind=Kind.ACCOUNT_INTERACTION,
                indicator=Indicator.M_V3,
                severity=Severity.VETO,
                title="无可用的互动功能",
                reason=f"“{f.name}”未开通留言、评论等互动功能。",
            )
        ]
    since = point - dt.timedelta(days=rules.interaction_lookback_days)
    msgs = [m for m in f.messages if m.valid and since <= _day(m.received, f.tz) <= point]
    drafts = []
    if msgs and not any(m.replied and not m.auto_reply for m in msgs):
        auto = any(m.auto_reply for m in msgs)
        drafts.append(
            Draft(
                key="account:unanswered",
                kind=Kind.ACCOUNT_INTERACTION,
                indicator=Indicator.M_V3,
                severity=Severity.VETO,
                title="互动回应差：留言均未人工回复",
                reason=(
                    f"“{f.name}”近一年收到{len(msgs)}条留言，"
                    + ("只有自动回复，" if auto else "")
                    + "没有一条得到工作人员回复。机器发现的候选问题，须人工确认。"
                ),
                count=len(msgs),
            )
        )
    hours = rules.overlays.reply_within_hours
    if hours:
        end = dt.datetime.combine(point, dt.time.max, tzinfo=f.tz)
        late = [
            m
            for m in msgs
            if (m.replied or end) - m.received > dt.timedelta(hours=hours) and not m.auto_reply
        ]
        if late:
            drafts.append(
                Draft(
                    key="account:late_replies",
                    kind=Kind.ACCOUNT_RULE,
                    indicator=Indicator.M_LOCAL,
                    severity=Severity.PROBLEM,
                    title="留言互动未及时回复",
                    reason=f"{len(late)}条留言未在{hours}小时内回复（共{len(msgs)}条）。",
                    count=len(late),
                )
            )
    if rules.overlays.account_auto_reply_is_problem and msgs:
        replies = [m for m in msgs if m.replied]
        if replies and all(m.auto_reply for m in replies):
            drafts.append(
                Draft(
                    key="account:auto_reply",
                    kind=Kind.ACCOUNT_RULE,
                    indicator=Indicator.M_LOCAL,
                    severity=Severity.PROBLEM,
                    title="互动交流功能使用自动回复",
                    reason=f"“{f.name}”的留言只有自动回复，存在安全隐患（见淮南市2019年10月通报）。",
                )
            )
    return drafts


def check_account_rules(f: AccountFacts, point: dt.date, rules: Rules) -> list[Draft]:
    """Reposts, originality and filing: the local overlays."""
    drafts = []
    due = [r for r in f.reposts if r.due <= point]
    missing = [r for r in due if not any(_reposted(p, r, f.tz) for p in f.posts)]
    if missing:
        drafts.append(
            Draft(
                key="account:reposts",
                kind=Kind.ACCOUNT_RULE,
                indicator=Indicator.M_LOCAL,
                severity=Severity.PROBLEM,
                title="未及时转载重要信息",
                reason="；".join(f"“{r.title}”应于{r.due:%m月%d日}前转载" for r in missing[:5])
                + "。",
                count=len(missing),
            )
        )
    share = rules.overlays.account_original_share
    start = f.period_start or point - dt.timedelta(days=30)
    recent = [p for p in f.posts if start <= _day(p.at, f.tz) <= point]
    if share is not None and len(recent) >= 5:
        original = sum(1 for p in recent if p.original) / len(recent)
        if original < share:
            drafts.append(
                Draft(
                    key="account:originality",
                    kind=Kind.ACCOUNT_RULE,
                    indicator=Indicator.M_LOCAL,
                    severity=Severity.PROBLEM,
                    title="发布内容原创性不高",
                    reason=f"本期发布{len(recent)}条，原创{original:.0%}，低于{share:.0%}的要求。",
                )
            )
    limit = rules.overlays.account_filing_working_days
    if limit is not None:
        for e in f.events:
            if e.kind not in ("open", "change") or e.date > point:
                continue
            late = e.filed_on is None or working_days_between(e.date, e.filed_on) > limit
            if late:
                act = "开设" if e.kind == "open" else "更改名称"
                when = f"{e.filed_on:%m月%d日}才报备" if e.filed_on else "未报备"
                drafts.append(
                    Draft(
                        key=f"account:filing:{e.kind}:{e.date.isoformat()}",
                        kind=Kind.ACCOUNT_FILING,
                        indicator=Indicator.M_LOCAL,
                        severity=Severity.PROBLEM,
                        title=f"账号{act}未按时报备",
                        reason=(
                            f"“{f.name}”于{e.date:%Y年%m月%d日}{act}，{when}"
                            f"（应在{limit}个工作日内向县政府办公室报备）。"
                        ),
                    )
                )
    # Renamed on the platform: the name shown differs from the registered one and no filed
    # change says it became that name (an old filed rename does not cover a new one).
    filed_names = {e.new_name for e in f.events if e.kind == "change" and e.filed_on}
    if f.feed_title and f.feed_title != f.name and f.feed_title not in filed_names:
        drafts.append(
            Draft(
                key="account:renamed",
                kind=Kind.ACCOUNT_FILING,
                indicator=Indicator.M_LOCAL,
                severity=Severity.PROBLEM,
                title="账号名称与登记不一致（疑似更名未报备）",
                reason=f"登记名称为“{f.name}”，平台上显示为“{f.feed_title}”，没有变更报备记录。",
            )
        )
    return drafts


def _reposted(post: PostFact, r: RepostFact, tz) -> bool:
    if _day(post.at, tz) > r.due:
        return False
    if r.url and post.url and r.url.rstrip("/") == post.url.rstrip("/"):
        return True
    return bool(r.title) and r.title in post.title


def check_account_content(f: AccountFacts, point: dt.date, rules: Rules) -> list[Draft]:
    """M-V1 candidates from the content scan of post titles, as for web pages; typos are a
    website deduction and are not scored for new media."""
    drafts = []
    for d in check_content(list(f.content)):
        if d.indicator == Indicator.W_V1:
            drafts.append(
                Draft(
                    key=f"account:{d.key}",
                    kind=d.kind,
                    indicator=Indicator.M_V1,
                    severity=Severity.VETO,
                    title=d.title,
                    reason=d.reason,
                    count=d.count,
                    url=d.url,
                    evidence=d.evidence,
                )
            )
    return drafts


ACCOUNT_CHECKS = (
    check_account_updates,
    check_account_interaction,
    check_account_rules,
    check_account_content,
)


def evaluate_account(facts: AccountFacts, point: dt.date, rules: Rules) -> list[Draft]:
    return [d for check in ACCOUNT_CHECKS for d in check(facts, point, rules)]


# --- websites' interaction channels (W-V5) ---------------------------------------------------------


def check_interaction(
    messages: list[MessageFact], point: dt.date, rules: Rules, tz: dt.tzinfo, channel: str = ""
) -> list[Draft]:
    """W-V5 互动回应差: within the past year, a valid 政务咨询 message unanswered for more than 3
    months (veto); the local rule "replies within N hours"."""
    since = point - dt.timedelta(days=rules.interaction_lookback_days)
    end = dt.datetime.combine(point, dt.time.max, tzinfo=tz)
    msgs = [m for m in messages if m.valid and since <= _day(m.received, tz) <= point]
    limit = dt.timedelta(days=rules.interaction_unanswered_days)
    overdue = [m for m in msgs if (m.replied or end) - m.received > limit]
    drafts = []
    where = f"“{channel}”" if channel else "网站互动栏目"
    if overdue:
        drafts.append(
            Draft(
                key="interaction:unanswered",
                kind=Kind.INTERACTION,
                indicator=Indicator.W_V5,
                severity=Severity.VETO,
                title=f"{len(overdue)}条留言超过3个月未答复",
                reason=f"{where}近一年有{len(overdue)}条有效留言超过3个月未答复，例如："
                + "；".join(f"“{m.title}”（{m.received:%Y-%m-%d}留言）" for m in overdue[:3])
                + "。",
                count=len(overdue),
            )
        )
    hours = rules.overlays.reply_within_hours
    if hours:
        late = [m for m in msgs if (m.replied or end) - m.received > dt.timedelta(hours=hours)]
        late = [m for m in late if m not in overdue]
        if late:
            drafts.append(
                Draft(
                    key="interaction:late",
                    kind=Kind.INTERACTION,
                    indicator=Indicator.DEDUCTION,
                    severity=Severity.PROBLEM,
                    title=f"{len(late)}条留言未在{hours}小时内答复",
                    reason=f"{where}共{len(msgs)}条有效留言，{len(late)}条未在{hours}小时内答复。",
                    count=len(late),
                )
            )
    return drafts


def mailbox_statistics(messages: list[MessageFact], start: dt.date, end: dt.date, tz, hours=24):
    """Seed 003's mailbox statistics for a window: received, answered, on time, 办结率."""
    inside = [m for m in messages if start <= _day(m.received, tz) <= end]
    answered = [m for m in inside if m.replied and not m.auto_reply]
    on_time = [m for m in answered if m.replied - m.received <= dt.timedelta(hours=hours)]
    rate = round(100 * len(answered) / len(inside), 1) if inside else 0.0
    return {
        "received": len(inside),
        "answered": len(answered),
        "on_time": len(on_time),
        "rate": rate,
    }
