"""W-V6 服务不实用 (国办秘函〔2019〕19号): a site with external services and no 办事服务 at all;
办事指南 missing key elements (事项名称, 设定依据, 申请条件, 办理材料, 办理地点, 办理机构, 收费标准,
办理时间, 联系电话, 办理流程). Seed 004 counts them as "3个事项无办事指南、1个办理时间表述含糊不清".

The veto threshold is unverified (recalled: at least 5 items each missing at least 4 elements)
and lives in the rule set; below it each problem is a deduction under 办事服务.
"""

from dataclasses import dataclass

from audits.checks.base import Draft, Indicator, Kind, Severity
from audits.rules import Rules


@dataclass(frozen=True)
class GuideFact:
    title: str
    guide_url: str | None  # None: no 办事指南 link
    state: str  # ok | dead | none
    missing: tuple[str, ...] = ()
    vague_time: bool = False


@dataclass(frozen=True)
class ServicesFact:
    list_url: str | None  # None: no 办事服务 page was found
    ok: bool  # the list page could be read
    items: tuple[GuideFact, ...] = ()
    has_services: bool = True  # the registry says the site offers external services


def check_services(fact: ServicesFact | None, rules: Rules) -> list[Draft]:
    if fact is None or not fact.has_services:
        return []
    if fact.list_url is None or not fact.ok or not fact.items:
        where = f"（{fact.list_url}）" if fact.list_url else ""
        return [
            Draft(
                key="services_manual",
                kind=Kind.SERVICE_MANUAL,
                indicator=Indicator.W_V6,
                severity=Severity.MANUAL,
                title="办事服务需人工核查",
                reason=(
                    f"未能读取办事服务事项列表{where}，请人工核查网站是否提供办事服务及办事指南"
                    "（无办事服务的，按单项否决）。"
                ),
                url=fact.list_url or "",
            )
        ]
    drafts = []
    no_guide = [i for i in fact.items if i.state == "none"]
    dead = [i for i in fact.items if i.state == "dead"]
    lacking = [i for i in fact.items if i.state == "ok" and i.missing]
    vague = [i for i in fact.items if i.state == "ok" and i.vague_time]

    def deduction(key, title, rows, why, url):
        drafts.append(
            Draft(
                key=key,
                kind=Kind.SERVICE_GUIDE,
                indicator=Indicator.DEDUCTION,
                severity=Severity.DEDUCTION,
                title=title,
                reason="；".join(why(i) for i in rows[:10])
                + ("等" if len(rows) > 10 else "")
                + "。",
                item="service_guide",
                count=len(rows),
                url=url,
                evidence={"items": [i.title for i in rows[:50]]},
            )
        )

    if no_guide:
        deduction(
            "services:no_guide",
            f"{len(no_guide)}个事项无办事指南",
            no_guide,
            lambda i: f"“{i.title}”没有办事指南",
            fact.list_url,
        )
    if dead:
        deduction(
            "services:dead_guide",
            f"{len(dead)}个办事指南链接无法访问",
            dead,
            lambda i: f"“{i.title}”的办事指南 {i.guide_url} 无法打开",
            dead[0].guide_url or fact.list_url,
        )
    if lacking:
        deduction(
            "services:missing",
            f"{len(lacking)}个办事指南要素缺失",
            lacking,
            lambda i: f"“{i.title}”缺少{'、'.join(i.missing)}",
            lacking[0].guide_url or fact.list_url,
        )
    if vague:
        deduction(
            "services:vague_time",
            f"{len(vague)}个办理时间表述含糊不清",
            vague,
            lambda i: f"“{i.title}”的办理时间未写明具体时间",
            vague[0].guide_url or fact.list_url,
        )
    severe = [i for i in lacking if len(i.missing) >= rules.service_veto_missing]
    if len(severe) >= rules.service_veto_items:
        drafts.append(
            Draft(
                key="services:veto",
                kind=Kind.SERVICE_GUIDE,
                indicator=Indicator.W_V6,
                severity=Severity.VETO,
                title=f"{len(severe)}个办事指南要素严重缺失",
                reason=(
                    f"{len(severe)}个事项的办事指南各缺少{rules.service_veto_missing}个以上要素"
                    f"（达到{rules.service_veto_items}个事项的单项否决标准，该标准未经核实）："
                    + "；".join(f"“{i.title}”缺少{'、'.join(i.missing)}" for i in severe[:5])
                    + "。"
                ),
                count=len(severe),
                url=fact.list_url,
            )
        )
    return drafts
