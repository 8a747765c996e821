"""互动交流 (opt-in, W-V5): a public message/reply list (县长信箱, 局长信箱, 咨询投诉) and a detail page
per message.

    {prefix}/hdjl/xx/index.html, index_1.html, ...   table: 序号, 标题, 类型, 留言时间, 答复时间
                                                     (blank when unanswered), 答复单位, 状态
    {prefix}/hdjl/xx/<number>.html                   留言时间, 留言内容, 答复单位, 答复时间, 答复内容

Site.interaction: ok (every reply within 24 h) | late_replies (some replies 30-240 h after the
message) | unanswered (1-3 messages 100-300 days old never answered: W-V5) | none (no channel).
Every mode may also hold recent unanswered messages (under 30 days: pending, no fault) and old ones
(over 400 days: outside the one-year look-back).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, time, timedelta
from html import escape

from . import names
from .generate import Dice, _weighted
from .model import INTERACTION_MODES, Farm, Message, Site

MODE_WEIGHTS = {"ok": 55, "late_replies": 20, "unanswered": 15, "none": 10}
LATE_HOURS = 24  # seed 003: reply within 24 hours
OVERDUE_DAYS = 90  # W-V5: unanswered for more than 3 months ...
LOOKBACK_DAYS = 365  # ... within the past year

_PLACES = ["东桥村", "石岭社区", "金塘村", "白湖小区", "龙溪村", "凤山社区", "桃园小区", "青坪村"]
_TITLES = [
    ("咨询", "咨询{topic}相关政策"),
    ("咨询", "关于孩子入学的咨询"),
    ("咨询", "咨询城乡居民医保缴费问题"),
    ("咨询", "关于农村建房审批的咨询"),
    ("咨询", "咨询退休手续办理流程"),
    ("投诉", "反映{place}道路破损问题"),
    ("投诉", "反映{place}小区噪音扰民"),
    ("投诉", "{place}路灯长期不亮"),
    ("投诉", "反映{place}垃圾清运不及时"),
    ("投诉", "关于{place}农民工工资拖欠的投诉"),
    ("建议", "建议增设{place}公交站点"),
    ("建议", "关于加强{topic}工作的建议"),
]
_REPLY_UNITS = ["县住建局", "县交运局", "县教体局", "县人社局", "县医保局", "县城管执法局"]


def mailbox_name(site: Site) -> str:
    if site.is_portal:
        return "县长信箱"
    if site.unit_kind == "township":
        return "乡长信箱" if site.unit_name.endswith("乡") else "镇长信箱"
    if site.unit_kind == "subdistrict":
        return "主任信箱"
    return "局长信箱" if site.unit_name.endswith("局") else "咨询投诉"


def _at(day, rng) -> datetime:
    seconds = rng.randint(8 * 3600, 22 * 3600)
    return datetime.combine(day, time()) + timedelta(seconds=seconds)


def _messages(site: Site, mode: str, rng, today) -> tuple[Message, ...]:
    now = datetime.combine(today, time(8, 0))  # the monitoring point: today's working start
    count = rng.randint(12, 36)
    ages = sorted({rng.randint(31, 380) for _ in range(count)})
    specials = {}  # age -> "late" | "overdue" | "pending" | "old"
    if mode == "late_replies":
        pool = [a for a in ages if a < 300]
        for age in rng.sample(pool, min(rng.randint(3, 6), len(pool))):
            specials[age] = "late"
    if mode == "unanswered":
        for _ in range(rng.randint(1, 3)):
            specials[rng.randint(100, 300)] = "overdue"
    for _ in range(rng.randint(0, 2)):
        specials[rng.randint(1, 29)] = "pending"
    if rng.random() < 0.3:
        specials[rng.randint(400, 500)] = "old"
    ages = sorted(set(ages) | set(specials))
    reply_unit_pool = _REPLY_UNITS if site.is_portal else [site.unit_name]
    messages = []
    for n, age in enumerate(ages):
        number = (site.index + 1) * 10000 + len(ages) - n
        kind, template = rng.choice(_TITLES)
        topic = rng.choice(names._TOPICS)
        title = template.format(topic=topic, place=rng.choice(_PLACES))
        received = _at(today - timedelta(days=age), rng)
        special = specials.get(age, "")
        if special in ("overdue", "pending", "old"):
            replied = None
        elif special == "late":
            replied = received + timedelta(hours=rng.randint(30, 240), minutes=rng.randint(0, 59))
        else:
            replied = received + timedelta(minutes=rng.randint(90, 22 * 60))
        if replied is not None and replied > now:
            replied = None
        unit = rng.choice(reply_unit_pool) if replied else ""
        messages.append(
            Message(
                number=number,
                path=f"{site.prefix}/hdjl/xx/{number}.html",
                title=title,
                kind=kind,
                received_at=received,
                replied_at=replied,
                reply_unit=unit,
                content=f"您好！{title}，希望有关部门尽快了解情况并予以答复，谢谢。",
                reply=(
                    f"您好！您反映的问题已收悉。经{unit}核实，现答复如下：我单位高度重视，"
                    f"已安排专人跟进处理{topic}相关事宜。感谢您的关注与支持！"
                    if replied
                    else ""
                ),
            )
        )
    return tuple(messages)


def assign(seed: int, sites: list[Site], today) -> list[Site]:
    """Give every site an interaction mode and its messages (the portal always has a channel)."""
    rng = Dice(f"{seed}:interaction:{len(sites)}")
    portal_weights = {k: v for k, v in MODE_WEIGHTS.items() if k != "none"}
    modes = [_weighted(rng, portal_weights if s.is_portal else MODE_WEIGHTS) for s in sites]
    healthy = [k for k, s in enumerate(sites) if _healthy(s) and not s.is_portal]
    if len(healthy) >= 2 * len(INTERACTION_MODES):
        for n, mode in enumerate(INTERACTION_MODES):
            if not any(modes[k] == mode for k in healthy):
                modes[healthy[-1 - n]] = mode
    out = []
    for site, mode in zip(sites, modes, strict=True):
        if mode == "none":
            out.append(replace(site, interaction="none"))
            continue
        site_rng = Dice(f"{seed}:site:{site.index}:interaction")
        out.append(
            replace(
                site,
                interaction=mode,
                mailbox=mailbox_name(site),
                messages=_messages(site, mode, site_rng, today),
            )
        )
    return out


def _healthy(site: Site) -> bool:
    return not (site.dead or site.failure or site.delay_ms)


def _stamp(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S") if moment else ""


# ----- pages -----


def render_list(page, page_no: int) -> str:
    site: Site = page.site
    size = site.message_page_size
    shown = site.messages[page_no * size : (page_no + 1) * size]
    rows = "".join(
        f"<tr><td>{page_no * size + n}</td>"
        f'<td class="title"><a href="{m.path}" target="_blank">{escape(m.title)}</a></td>'
        f"<td>{m.kind}</td>"
        f'<td class="ask-time">{_stamp(m.received_at)}</td>'
        f'<td class="reply-time">{_stamp(m.replied_at)}</td>'
        f'<td class="reply-unit">{escape(m.reply_unit)}</td>'
        f"<td>{'已答复' if m.replied_at else '办理中'}</td></tr>\n"
        for n, m in enumerate(shown, 1)
    )
    pages = site.message_pages
    nav = ""
    if pages > 1:
        links = [f"<span>共{len(site.messages)}条 第{page_no + 1}/{pages}页</span>"]
        if page_no > 0:
            links.append(f'<a href="{site.message_page_path(page_no - 1)}">上一页</a>')
        if page_no < pages - 1:
            links.append(f'<a href="{site.message_page_path(page_no + 1)}">下一页</a>')
        nav = '<div class="pagination">' + " ".join(links) + "</div>\n"
    main = (
        page.crumbs(("互动交流", None), (site.mailbox, None))
        + f'<div class="hdjl"><h2>{escape(site.mailbox)}</h2>\n'
        '<table class="message-list">\n<tr><th>序号</th><th>标题</th><th>类型</th>'
        "<th>留言时间</th><th>答复时间</th><th>答复单位</th><th>状态</th></tr>\n"
        f"{rows}</table>\n{nav}</div>\n"
    )
    return page.document(f"{site.mailbox}_{site.site_name}", site.encoding, page.meta(), main)


def render_detail(page, message: Message) -> str:
    site: Site = page.site
    reply = escape(message.reply) if message.replied_at else "该留言正在办理中。"
    rows = (
        f"<tr><th>留言标题</th><td>{escape(message.title)}</td></tr>\n"
        f"<tr><th>留言类型</th><td>{message.kind}</td></tr>\n"
        f'<tr><th>留言时间</th><td class="ask-time">{_stamp(message.received_at)}</td></tr>\n'
        f"<tr><th>留言内容</th><td>{escape(message.content)}</td></tr>\n"
        f'<tr><th>答复单位</th><td class="reply-unit">{escape(message.reply_unit)}</td></tr>\n'
        f'<tr><th>答复时间</th><td class="reply-time">{_stamp(message.replied_at)}</td></tr>\n'
        f"<tr><th>答复内容</th><td>{reply}</td></tr>\n"
    )
    main = (
        page.crumbs(("互动交流", None), (site.mailbox, site.mailbox_path), ("详情", None))
        + f'<div class="message-detail"><h1>{escape(message.title)}</h1>\n'
        f'<table class="message">\n{rows}</table></div>\n'
    )
    return page.document(f"{message.title}_{site.site_name}", site.encoding, page.meta(), main)


# ----- truth -----


def message_flags(message: Message, today) -> dict:
    age = (today - message.received_at.date()).days
    hours = message.reply_hours
    return {
        "overdue_unanswered": hours is None and OVERDUE_DAYS < age <= LOOKBACK_DAYS,
        "late_reply": hours is not None and hours > LATE_HOURS,
        "pending": hours is None and age <= OVERDUE_DAYS,
    }


def interaction_truth(farm: Farm) -> dict:
    sites = []
    for site in farm.sites:
        if not site.interaction:
            continue
        messages = []
        for m in site.messages:
            flags = message_flags(m, farm.today)
            messages.append(
                {
                    "number": m.number,
                    "path": m.path,
                    "title": m.title,
                    "kind": m.kind,
                    "received_at": m.received_at.isoformat(sep=" "),
                    "replied_at": m.replied_at.isoformat(sep=" ") if m.replied_at else None,
                    "reply_unit": m.reply_unit or None,
                    "reply_hours": round(m.reply_hours, 2) if m.replied_at else None,
                    **flags,
                }
            )
        sites.append(
            {
                "key": site.key,
                "mode": site.interaction,
                "mailbox": site.mailbox or None,
                "list_path": site.mailbox_path,
                "pages": [site.message_page_path(k) for k in range(site.message_pages)]
                if site.messages
                else [],
                "site_reachable": _healthy(site),
                "messages": messages,
                "overdue_unanswered": [m["path"] for m in messages if m["overdue_unanswered"]],
                "late_replies": [m["path"] for m in messages if m["late_reply"]],
            }
        )
    return {
        "today": farm.today.isoformat(),
        "late_hours": LATE_HOURS,
        "overdue_days": OVERDUE_DAYS,
        "lookback_days": LOOKBACK_DAYS,
        "sites": sites,
    }
