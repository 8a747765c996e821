"""Unit names, column names and article titles, modelled on a real county circular (seed 001)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date

COUNTY = "示范县"


@dataclass(frozen=True)
class Unit:
    name: str  # short name as circulars write it: "县教体局"
    site_name: str  # "示范县教育体育局"
    kind: str  # township|subdistrict|department|devzone|other
    abbr: str  # path slug for sites under the portal's host: /bm/<abbr>/
    counts_in_rates: bool = True
    is_portal: bool = False


# (short name, full name without the county, slug, counts in pass rates, kind)
# The order puts a vertically managed unit (税务) early so that small farms contain one.
_DEPARTMENTS = [
    ("县教体局", "教育体育局", "jtj", True, "department"),
    ("县司法局", "司法局", "sfj", True, "department"),
    ("县税务局", "@国家税务总局{county}税务局", "swj", False, "department"),
    ("县人社局", "人力资源和社会保障局", "rsj", True, "department"),
    ("县住建局", "住房和城乡建设局", "zjj", True, "department"),
    ("县农业农村局", "农业农村局", "nyncj", True, "department"),
    ("县气象局", "气象局", "qxj", False, "department"),
    ("县商务局", "商务局", "swuj", True, "department"),
    ("县审计局", "审计局", "sjj", True, "department"),
    ("县文旅局", "文化和旅游局", "wlj", True, "department"),
    ("示范经开区管委会", "@示范经济开发区管理委员会", "jkq", True, "devzone"),
    ("县科技经信局", "科技经济信息化局", "kjjxj", True, "department"),
    ("县发改委", "发展和改革委员会", "fgw", True, "department"),
    ("县信访局", "信访局", "xfj", True, "department"),
    ("县数据资源管理局", "数据资源管理局", "sjzyj", True, "department"),
    ("县招商合作服务中心", "招商合作服务中心", "zszx", True, "department"),
    ("县退役军人事务局", "退役军人事务局", "tyjrj", True, "department"),
    ("县乡村振兴局", "乡村振兴局", "xczxj", True, "department"),
    ("县公安局", "公安局", "gaj", True, "department"),
    ("县民政局", "民政局", "mzj", True, "department"),
    ("县财政局", "财政局", "czj", True, "department"),
    ("县自然资源和规划局", "自然资源和规划局", "zrzyj", True, "department"),
    ("县生态环境分局", "@宣城市{county}生态环境分局", "sthjj", False, "department"),
    ("县交运局", "交通运输局", "jtysj", True, "department"),
    ("县水利局", "水利局", "slj", True, "department"),
    ("县卫健委", "卫生健康委员会", "wjw", True, "department"),
    ("县市场监管局", "市场监督管理局", "scjgj", True, "department"),
    ("县统计局", "统计局", "tjj", True, "department"),
    ("县应急局", "应急管理局", "yjj", True, "department"),
    ("县城管执法局", "城市管理行政执法局", "cgj", True, "department"),
    ("县医保局", "医疗保障局", "ybj", True, "department"),
    ("县机关事务管理服务中心", "机关事务管理服务中心", "jgswj", True, "department"),
    ("县融媒体中心", "融媒体中心", "rmtzx", True, "other"),
    ("县残联", "残疾人联合会", "cl", True, "other"),
    ("县总工会", "总工会", "zgh", True, "other"),
    ("县妇联", "妇女联合会", "fl", True, "other"),
    ("县公共资源交易中心", "公共资源交易中心", "ggzy", True, "other"),
    ("县住房公积金管理中心", "住房公积金管理中心", "gjj", True, "other"),
    ("县消防救援大队", "消防救援大队", "xfjy", False, "other"),
    ("县人民医院", "人民医院", "rmyy", True, "other"),
    ("县中医院", "中医院", "zyy", True, "other"),
    ("县疾控中心", "疾病预防控制中心", "jkzx", True, "other"),
    ("示范高新区管委会", "@示范高新技术产业开发区管理委员会", "gxq", True, "devzone"),
]

_TOWNS = ["建平镇", "十字镇", "涛城镇", "新发镇", "梅渚镇", "飞鲤镇", "毕桥镇", "姚村镇", "凌笪镇"]
_SUBDISTRICTS = ["郎步街道", "郎川街道", "钟桥街道"]
_SYLLABLE_1 = "东西南北石高白青云金龙凤桃柳梅竹双三黄马"
_SYLLABLE_2 = "桥山岭河湖港塘坝店集埠口岗溪坪湾庄铺渡堡"


def _department(entry: tuple, county: str) -> Unit:
    name, full, abbr, counts, kind = entry
    site_name = full[1:].format(county=county) if full.startswith("@") else county + full
    return Unit(name, site_name, kind, abbr, counts)


def _locality(name: str, county: str) -> Unit:
    if name.endswith("街道"):
        return Unit(name, f"{county}{name}办事处", "subdistrict", "")
    return Unit(name, f"{county}{name}人民政府", "township", "")


def _synthetic_localities(taken: set[str]):
    rng = random.Random("sitefarm-localities")
    pairs = [a + b for a in _SYLLABLE_1 for b in _SYLLABLE_2]
    rng.shuffle(pairs)
    for stem in pairs:
        roll = rng.random()
        name = stem + ("镇" if roll < 0.7 else "乡" if roll < 0.9 else "街道")
        if name not in taken:
            yield name


def county_units(n: int, county: str = COUNTY) -> list[Unit]:
    """The first n units of the county: the portal, then departments and localities mixed 2:1."""
    portal = Unit("县政府办", f"{county}人民政府", "department", "", True, True)
    departments = [_department(entry, county) for entry in _DEPARTMENTS]
    localities = []
    towns, subs = list(_TOWNS), list(_SUBDISTRICTS)
    while towns or subs:
        localities += [towns.pop(0) for _ in range(3) if towns]
        if subs:
            localities.append(subs.pop(0))
    extra = _synthetic_localities(set(localities))
    units = [portal]
    step = 0
    while len(units) < n:
        step += 1
        if step % 3 and departments:
            units.append(departments.pop(0))
        elif localities:
            units.append(_locality(localities.pop(0), county))
        elif departments:
            units.append(departments.pop(0))
        else:
            name = next(extra, None)
            if name is None:  # far beyond any real county: numbered schools
                number = len(units)
                units.append(Unit(f"县第{number}中学", f"{county}第{number}中学", "other", ""))
            else:
                units.append(_locality(name, county))
    return units[:n]


# Column pool: (name, category, slug, level) with level first|second|any.
COLUMN_POOL = [
    ("工作动态", "news", "gzdt", "first"),
    ("通知公告", "notice", "tzgg", "first"),
    ("政策文件", "policy", "zcwj", "first"),
    ("人事信息", "personnel", "rsxx", "second"),
    ("规划计划", "plan", "ghjh", "second"),
    ("机构职能", "static", "jgzn", "second"),
    ("领导信息", "static", "ldxx", "second"),
    ("政策解读", "interpretation", "zcjd", "any"),
    ("规范性文件", "policy", "gfxwj", "second"),
    ("双随机一公开", "other", "ssjygk", "second"),
    ("公示公告", "notice", "gsgg", "any"),
    ("图片新闻", "news", "tpxw", "first"),
    ("人事任免", "personnel", "rsrm", "second"),
    ("发展规划", "plan", "fzgh", "second"),
    ("概况信息", "static", "gkxx", "any"),
    ("公开指南", "static", "gkzn", "second"),
    ("专题专栏", "topic", "ztzl", "first"),
    ("工作进展", "news", "gzjz", "any"),
    ("财政预决算", "other", "czyjs", "second"),
    ("三公经费", "other", "sgjf", "second"),
    ("行政执法公示", "other", "xzzfgs", "second"),
    ("建议提案办理", "other", "jytabl", "second"),
    ("本级政策解读—负责人解读", "interpretation", "fzrjd", "second"),
    ("政策解读—上级政策解读", "interpretation", "sjzcjd", "second"),
    ("本级政策解读—其他解读", "interpretation", "qtjd", "second"),
    ("财政资金—财政专项资金管理和使用情况", "other", "zxzjgl", "second"),
    ("财政专项资金—制度文件", "policy", "zxzjzd", "second"),
    ("招考录用", "personnel", "zkly", "second"),
    ("工作计划", "plan", "gzjh", "second"),
    ("工作总结", "plan", "gzzj", "second"),
    ("政府信息公开年报", "other", "gknb", "second"),
    ("重大行政决策", "policy", "zdxzjc", "second"),
    ("部门文件", "policy", "bmwj", "any"),
    ("公告公示", "notice", "gggs", "any"),
    ("征地补偿—征收土地公告", "notice", "zsgg", "second"),
    ("政府领导—领导简介", "static", "ldjj", "second"),
    ("乡村振兴", "topic", "xczx", "first"),
    ("安全生产", "other", "aqsc", "any"),
    ("民生工程", "other", "msgc", "any"),
    ("审计结果公告", "notice", "sjjggg", "second"),
    ("统计信息", "other", "tjxx", "second"),
    ("价格收费", "other", "jgsf", "second"),
    ("就业创业", "other", "jycy", "second"),
    ("社会救助", "other", "shjz", "second"),
    ("环境保护", "other", "hjbh", "second"),
    ("食品药品安全", "other", "spypaq", "second"),
    ("教育领域", "other", "jyly", "second"),
    ("医疗卫生", "other", "ylws", "second"),
    ("重点项目", "other", "zdxm", "second"),
    ("政府采购", "notice", "zfcg", "second"),
    ("公共资源交易", "notice", "ggzyjy", "second"),
    ("减税降费", "other", "jsjf", "second"),
    ("优化营商环境", "other", "yhyshj", "second"),
    ("权责清单", "static", "qzqd", "second"),
    ("政务服务", "other", "zwfw", "first"),
    ("办事指南", "static", "bszn", "second"),
    ("民意征集", "notice", "myzj", "second"),
    ("新闻发布会", "news", "xwfbh", "any"),
    ("党建工作", "news", "djgz", "any"),
    ("政务公开工作", "news", "zwgkgz", "second"),
    ("农业农村", "other", "nync", "second"),
    ("防汛抗旱", "topic", "fxkh", "first"),
    ("文明创建", "topic", "wmcj", "first"),
    ("应急管理", "other", "yjgl", "any"),
    ("法治政府建设", "other", "fzzfjs", "second"),
    ("政府会议", "news", "zfhy", "second"),
]

_NEWS_SLUGS = {"本地要闻": "bdyw", "乡镇动态": "xzdt", "街道动态": "jddt", "工作动态": "gzdt"}

# The first columns every site gets (the standard 信息公开 set), in this order.
_CORE = 12


def column_specs(unit: Unit, count: int, rng: random.Random) -> list[tuple[str, str, str, str]]:
    """`count` distinct (name, category, slug, level) tuples for one unit's site."""
    pool = list(COLUMN_POOL)
    news_name = {"township": "乡镇动态", "subdistrict": "街道动态"}.get(unit.kind, "工作动态")
    if unit.is_portal:
        news_name = "本地要闻"
    pool[0] = (news_name, "news", _NEWS_SLUGS[news_name], "first")
    head, tail = pool[:_CORE], pool[_CORE:]
    rng.shuffle(tail)
    specs = (head + tail)[:count]
    while len(specs) < count:  # more columns than names: numbered topic columns
        n = len(specs) + 1
        specs.append((f"专题专栏{n}", "topic", f"zt{n}", "second"))
    return specs


_TOPICS = [
    "安全生产",
    "森林防火",
    "乡村振兴",
    "文明城市创建",
    "防汛抗旱",
    "优化营商环境",
    "农村人居环境整治",
    "秸秆禁烧",
    "消防安全",
    "食品安全",
    "党史学习教育",
    "民生工程",
    "河长制",
    "林长制",
    "耕地保护",
    "信访维稳",
    "政务公开",
    "招商引资",
    "城乡环境整治",
    "燃气安全",
    "校园安全",
    "医保基金监管",
    "根治欠薪",
    "养老服务",
]

_TEMPLATES = {
    "news": [
        "{unit}召开{topic}工作推进会",
        "{unit}开展{topic}专项行动",
        "{unit}扎实推进{topic}工作",
        "{unit}部署{topic}重点工作",
        "{county}{topic}工作取得阶段性成效",
        "{unit}组织开展{topic}集中宣传活动",
        "{unit}召开党组理论学习中心组学习会",
        "{unit}迎接市{topic}工作督查",
    ],
    "notice": [
        "关于开展{topic}专项检查的通知",
        "关于{topic}有关事项的公告",
        "{unit}关于{topic}工作的公示",
        "关于做好{month}月份{topic}工作的通知",
        "关于{topic}项目拟立项的公示",
    ],
    "policy": [
        "{county}人民政府办公室关于印发《{county}{topic}实施方案》的通知",
        "{unit}关于进一步加强{topic}工作的实施意见",
        "《{county}{topic}三年行动方案》政策解读",
        "关于印发《{topic}工作考核办法》的通知",
    ],
    "interpretation": [
        "《{county}{topic}三年行动方案》政策解读",
        "一图读懂《{unit}关于进一步加强{topic}工作的实施意见》",
        "{unit}负责人解读《{topic}工作考核办法》",
    ],
    "personnel": [
        "{unit}关于{name}等同志任职的通知",
        "{year}年{unit}公开招聘工作人员拟聘用人员公示",
        "{unit}干部任前公示",
        "关于{name}同志免职的通知",
    ],
    "plan": [
        "{unit}{year}年工作计划",
        "{unit}{year}年工作总结",
        "{unit}{year}年{topic}工作要点",
        "{county}“十四五”{topic}发展规划",
    ],
    "static": [
        "{unit}主要职责",
        "{unit}内设机构",
        "{unit}领导简介",
        "{unit}政府信息公开指南",
    ],
    "topic": [
        "{topic}专题：{unit}在行动",
        "{topic}知识问答",
        "{topic}宣传月活动掠影",
    ],
    "other": [
        "{unit}{year}年{topic}情况公开",
        "{unit}{year}年度部门预算公开",
        "{unit}双随机抽查结果公示",
        "{unit}行政处罚决定书（{topic}）",
        "{unit}{year}年{month}月{topic}工作信息",
    ],
}

_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾"
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚桂英华建国志红"


def person_name(rng: random.Random) -> str:
    return rng.choice(_SURNAMES) + "".join(rng.choice(_GIVEN) for _ in range(rng.randint(1, 2)))


def make_title(rng: random.Random, category: str, unit: Unit, day: date, county: str) -> str:
    templates = _TEMPLATES[category]
    roll = rng.random() * len(templates)  # one draw picks the template and the topic
    template = templates[int(roll)]
    return template.format(
        unit=unit.name,
        county=county,
        topic=_TOPICS[int((roll % 1) * len(_TOPICS))],
        name=person_name(rng) if "{name}" in template else "",
        year=day.year,
        month=day.month,
    )


def paragraph(rng: random.Random, unit_name: str, title: str) -> str:
    topic = rng.choice(_TOPICS)
    return (
        f"为深入贯彻落实上级关于{topic}工作的决策部署，{unit_name}高度重视，精心组织，"
        f"围绕“{title}”扎实开展各项工作。下一步，{unit_name}将持续压实责任，"
        f"强化督促检查，确保各项任务落到实处。"
    )
