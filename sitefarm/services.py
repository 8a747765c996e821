"""办事服务 (opt-in, W-V6): a list of 事项 whose items link to 办事指南 pages.

    {prefix}/bsfw/index.html              办事服务 / 办事指南 list (a table of 事项)
    {prefix}/bsfw/bszn/<number>.html      a guide: labelled fields "设定依据：…" (table or paragraphs)

Site.services_mode: good (a few faults) | poor (5+ items each missing 4+ elements) | none (no
办事服务 at all: no list page, no link). Faults per item: elements missing (label absent, or
label with an empty value), 办理时间 vague ("另行通知", "工作日", "详见公告"), no guide link at all
(guide "none": the name is plain text), a dead guide link (guide "dead": the page is a 404).
"""

from __future__ import annotations

from dataclasses import replace
from html import escape

from .generate import Dice, _weighted
from .model import SERVICE_ELEMENTS, SERVICE_MODES, Farm, ServiceItem, Site

MODE_WEIGHTS = {"good": 65, "poor": 20, "none": 15}
GOOD_TIME = "周一至周五上午8:30-12:00，下午14:30-17:30（法定节假日除外）"
VAGUE_TIMES = ("另行通知", "工作日", "详见公告")

_LOCAL = [
    "农村宅基地建房审批",
    "最低生活保障申请",
    "特困人员救助供养申请",
    "临时救助申请",
    "高龄津贴申领",
    "困难残疾人生活补贴申请",
    "农村危房改造申请",
    "乡村建设规划许可证核发",
    "城乡居民基本养老保险参保登记",
    "计划生育家庭奖励扶助申请",
    "殡葬惠民补贴申领",
    "退役军人优待证申领",
    "农机购置补贴申请",
    "居住证明开具",
]
_BY_UNIT = {
    "县教体局": ["教师资格认定", "民办学校设立审批", "校外培训机构设立审批", "学生资助申请"],
    "县公安局": ["居民身份证申领", "户口迁移登记", "无犯罪记录证明开具", "机动车驾驶证补领"],
    "县人社局": ["就业登记", "失业登记", "社会保障卡申领", "职业技能等级认定"],
    "县住建局": ["建筑工程施工许可", "商品房预售许可", "建筑业企业资质核准"],
    "县市场监管局": ["个体工商户登记", "食品经营许可", "企业名称变更登记"],
    "县民政局": ["婚姻登记", "社会团体成立登记", "养老机构备案"],
    "县卫健委": ["医疗机构执业登记", "护士执业注册", "出生医学证明办理"],
}
_GENERIC = [
    "政府信息公开申请",
    "行政复议申请",
    "投诉举报受理",
    "政策咨询",
    "档案查询利用",
    "行政许可事项办理",
    "证明材料开具",
    "项目申报受理",
]
_BASIS = [
    "《中华人民共和国行政许可法》第十二条",
    "《社会救助暂行办法》（国务院令第649号）",
    "《中华人民共和国政府信息公开条例》第二十七条",
    "《安徽省实施〈中华人民共和国土地管理法〉办法》第三十五条",
    "《国务院关于加快推进“互联网+政务服务”工作的指导意见》（国发〔2016〕55号）",
]
_CONDITIONS = [
    "户籍在本县，且符合相关政策规定条件的居民",
    "依法设立、具有独立法人资格的单位或个人",
    "家庭人均收入低于当地最低生活保障标准",
    "年满18周岁，具有完全民事行为能力",
]
_MATERIALS = [
    "1.申请表；2.申请人身份证原件及复印件；3.户口簿原件及复印件",
    "1.书面申请；2.营业执照复印件；3.法定代表人身份证明；4.其他相关证明材料",
    "1.申请书；2.家庭收入情况证明；3.户口簿、身份证复印件",
]
_PROCESS = [
    "申请→受理→审查→决定→送达",
    "1.提交材料；2.窗口受理；3.审核；4.办结并告知结果",
    "网上申请或窗口申请→初审→复核→办结",
]


def _names(site: Site, rng) -> list[str]:
    pool = list(_BY_UNIT.get(site.unit_name, []))
    pool += _LOCAL if site.unit_kind in ("township", "subdistrict") else _GENERIC
    rng.shuffle(pool)
    return pool[: rng.randint(min(8, len(pool)), min(15, len(pool)))]


def _fields(site: Site, name: str, rng, county: str) -> dict[str, str]:
    place = (
        f"{county}政务服务中心{rng.randint(1, 3)}楼{rng.randint(1, 40)}号窗口"
        if site.unit_kind not in ("township", "subdistrict")
        else f"{site.unit_name}便民服务中心"
    )
    return {
        "事项名称": name,
        "设定依据": rng.choice(_BASIS),
        "申请条件": rng.choice(_CONDITIONS),
        "办理材料": rng.choice(_MATERIALS),
        "办理地点": place,
        "办理机构": site.site_name,
        "收费标准": rng.choice(["不收费", "不收费", "按物价部门核定标准收取"]),
        "办理时间": GOOD_TIME,
        "联系电话": site.phone,
        "办理流程": rng.choice(_PROCESS),
    }


def _item(
    site: Site, k: int, name: str, rng, county: str, n_missing: int, fault: str
) -> ServiceItem:
    values = _fields(site, name, rng, county)
    if fault == "vague":
        values["办理时间"] = rng.choice(VAGUE_TIMES)
    dropped = set(rng.sample(SERVICE_ELEMENTS[1:], n_missing)) if n_missing else set()
    fields = []
    for element in SERVICE_ELEMENTS:
        if element in dropped:
            if rng.random() < 0.3:
                fields.append((element, ""))  # the label is there, the value is not
            continue
        fields.append((element, values[element]))
    number = (site.index + 1) * 100 + k + 1
    guide = fault if fault in ("none", "dead") else "ok"
    return ServiceItem(
        number=number,
        name=name,
        guide=guide,
        guide_path="" if guide == "none" else f"{site.prefix}/bsfw/bszn/{number}.html",
        fields=tuple(fields),
        layout="table" if site.index % 2 == 0 else "para",
    )


def _items(site: Site, mode: str, rng, county: str) -> tuple[ServiceItem, ...]:
    names = _names(site, rng)
    poor = set(rng.sample(range(len(names)), min(len(names), rng.randint(5, 7))))
    items = []
    for k, name in enumerate(names):
        roll = rng.random()
        fault = "none" if roll < 0.08 else "dead" if roll < 0.13 else ""
        if not fault and rng.random() < 0.12:
            fault = "vague"
        if mode == "poor" and k in poor:
            n_missing = rng.randint(4, 7)
            fault = "" if fault in ("none", "dead") else fault  # a readable, poor guide
        else:
            n_missing = rng.randint(1, 2) if rng.random() < 0.15 else 0
        items.append(_item(site, k, name, rng, county, n_missing, fault))
    return tuple(items)


def assign(seed: int, sites: list[Site], county: str) -> list[Site]:
    """Give every site a 办事服务 mode and items (the portal's mode is always good)."""
    rng = Dice(f"{seed}:services:{len(sites)}")
    modes = ["good" if s.is_portal else _weighted(rng, MODE_WEIGHTS) for s in sites]
    healthy = [k for k, s in enumerate(sites) if _healthy(s) and not s.is_portal]
    if len(healthy) >= 2 * len(SERVICE_MODES):
        for n, mode in enumerate(SERVICE_MODES):
            if not any(modes[k] == mode for k in healthy):
                modes[healthy[-1 - n]] = mode
    out = []
    for site, mode in zip(sites, modes, strict=True):
        site_rng = Dice(f"{seed}:site:{site.index}:services")
        items = () if mode == "none" else _items(site, mode, site_rng, county)
        out.append(replace(site, services_mode=mode, services=items))
    # every item-level fault somewhere on a healthy site, so that checks can be tested
    good = [k for k, s in enumerate(out) if s.services_mode == "good" and _healthy(s)]
    if good:
        k = good[0]
        items = list(out[k].services)
        kinds = {
            "missing": any(i.missing and i.guide == "ok" for i in items),
            "vague": any(i.vague and i.guide == "ok" for i in items),
            "none": any(i.guide == "none" for i in items),
            "dead": any(i.guide == "dead" for i in items),
        }
        frng = Dice(f"{seed}:site:{out[k].index}:services:fix")
        for n, (kind, present) in enumerate(kinds.items()):
            if present or n >= len(items):
                continue
            slot = len(items) - 1 - n
            fault = {"missing": "", "vague": "vague"}.get(kind, kind)
            n_missing = 2 if kind == "missing" else 0
            items[slot] = _item(out[k], slot, items[slot].name, frng, county, n_missing, fault)
        out[k] = replace(out[k], services=tuple(items))
    return out


def _healthy(site: Site) -> bool:
    return not (site.dead or site.failure or site.delay_ms)


# ----- pages -----


def render_list(page) -> str:
    site: Site = page.site
    rows = []
    for n, item in enumerate(site.services, 1):
        if item.guide == "none":
            name, action = escape(item.name), ""
        else:
            name = f'<a href="{item.guide_path}" target="_blank">{escape(item.name)}</a>'
            action = f'<a href="{item.guide_path}" target="_blank">办事指南</a>'
        rows.append(
            f'<tr><td>{n}</td><td class="name">{name}</td>'
            f"<td>{escape(site.unit_name)}</td><td>{action}</td></tr>\n"
        )
    main = (
        page.crumbs(("办事服务", None)) + '<div class="bsfw"><h2>办事服务</h2>\n'
        '<div class="bszn"><h3>办事指南</h3>\n<table class="service-list">\n'
        "<tr><th>序号</th><th>事项名称</th><th>办理机构</th><th>操作</th></tr>\n"
        f"{''.join(rows)}</table></div>\n</div>\n"
    )
    return page.document(f"办事服务_{site.site_name}", site.encoding, page.meta(), main)


def render_guide(page, item: ServiceItem) -> str:
    site: Site = page.site
    if item.layout == "table":
        rows = "".join(
            f"<tr><th>{label}：</th><td>{escape(value)}</td></tr>\n" for label, value in item.fields
        )
        body = f'<table class="guide-table">\n{rows}</table>\n'
    else:
        body = "".join(
            f'<p class="guide-item"><strong>{label}：</strong>{escape(value)}</p>\n'
            for label, value in item.fields
        )
    main = (
        page.crumbs(("办事服务", site.services_path), ("办事指南", None))
        + f'<div class="guide"><h1>{escape(item.name)}</h1>\n{body}</div>\n'
    )
    return page.document(f"{item.name}_办事指南_{site.site_name}", site.encoding, page.meta(), main)


# ----- truth -----


def service_truth(farm: Farm) -> dict:
    sites = []
    for site in farm.sites:
        if not site.services_mode:
            continue
        items = [
            {
                "number": i.number,
                "name": i.name,
                "guide": i.guide,
                "guide_path": i.guide_path or None,
                # None when the guide cannot be read (no link, or a dead one)
                "missing": list(i.missing) if i.guide == "ok" else None,
                "vague": list(i.vague) if i.guide == "ok" else None,
            }
            for i in site.services
        ]
        sites.append(
            {
                "key": site.key,
                "mode": site.services_mode,
                "has_services": bool(site.services),
                "list_path": site.services_path,
                "site_reachable": _healthy(site),
                "items": items,
                # items whose guide is readable and misses at least 4 elements (W-V6, U)
                "poor_items": sum(
                    1 for i in site.services if i.guide == "ok" and len(i.missing) >= 4
                ),
            }
        )
    return {"today": farm.today.isoformat(), "elements": list(SERVICE_ELEMENTS), "sites": sites}
