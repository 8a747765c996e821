"""Circulars shaped like the seeds (../shared/seeds): 004's website annex (51 sites), 001's units
(44, three of them vertically managed), an accounts annex and an annex with no rows."""

from __future__ import annotations

import datetime
import re

from notices.document import Annex, CircularDocument, Section
from tests.paths import SHARED

SEEDS = SHARED / "seeds"
# Seed 004 was taken from a tampered mirror: the city's name was replaced by gambling spam.
_SPAM = re.compile(r"亚博游戏官网:|亚博mg老虎机:")

WEBSITE_COLUMNS = (
    "序号",
    "责任单位",
    "网站名称",
    "网址",
    "检查结果",
    "问题描述",
    "检查时最后更新日期",
    "整改时限",
)


def _clean(text: str) -> str:
    return _SPAM.sub("淮南市", text)


def seed_004_sites() -> list[tuple[str, str, str, str]]:
    """(unit, url, result, problems) for the 51 websites of seed 004's annex 1."""
    text = (SEEDS / "004_0ebca7fc0f13ec86.txt").read_text(encoding="utf-8")
    block = text.split("10月网站检查情况汇总表", 2)[2].split("附件2")[0]
    rows = []
    for line in block.splitlines():
        m = re.match(r"^(\d+) (\S+) (\S+) (合格|单否)\s*(.*)$", line.strip())
        if m:
            url = m.group(3) if m.group(3) != "/" else "http://www.huainan.gov.cn/"
            rows.append((_clean(m.group(2)), url, m.group(4), m.group(5).strip()))
    return rows


def seed_001_units() -> list[tuple[str, str, str]]:
    """(unit, result, problems) for the 44 units of seed 001's annex 1."""
    text = (SEEDS / "001_fbcaf0dcd45c9eea.txt").read_text(encoding="utf-8")
    block = text.split("监测发现的突出问题", 1)[1].split("附件2")[0]
    tokens = [t.strip() for t in block.splitlines() if t.strip()]
    rows, i = [], 0
    while i + 1 < len(tokens):
        name, result = tokens[i], tokens[i + 1]
        problems = ""
        if i + 2 < len(tokens) and re.search("未更新|整改", tokens[i + 2]):
            problems = tokens[i + 2]
            i += 1
        rows.append((name, result, problems))
        i += 2
    return rows


ACCOUNTS = (
    ("淮南市人民政府办公室", "微信", "淮南市人民政府发布", "合格", "/"),
    ("淮南市人民政府办公室", "微博", "淮南市人民政府发布", "合格", "/"),
    ("寿县人民政府办公室", "微信", "寿县发布", "合格", "/"),
    ("凤台县信息产业中心", "微信", "凤台县人民政府发布", "合格", "/"),
    ("大通区人民政府办公室", "微博", "大通区人民政府发布", "合格", "/"),
    ("谢家集区人民政府办公室", "微信", "谢家集区人民政府发布", "不合格", "互动交流未回复留言"),
    ("潘集区人民政府办公室", "微信", "潘集发布", "不合格", "互动交流未回复留言"),
    ("淮南市司法局", "微信", "淮南普法", "不合格", "未按要求加入政务新媒体工作群"),
    ("淮南市公安局", "微博", "淮南警方", "合格", "/"),
    ("淮南市水利局", "微信", "淮南河长", "不合格", "互动交流未回复留言"),
    ("淮南市信访局", "微信", "安徽淮南信访", "不合格", "更新不及时"),
    ("潘集区教育体育局", "微信", "潘集教育", "不合格", "更新不及时"),
    ("县自然资源和规划局", "微信", "临沭自然资源", "不合格", "更改账号名称未报备"),
    ("店头镇", "微博", "店头发布", "不合格", "超过2周未更新"),
)


def seed_circular(*, doc_number: str = "沭政督字〔2021〕31号", draft: bool = False):
    """A circular with the seeds' parts: 51 websites (landscape), accounts, 44 units, none."""
    sites = seed_004_sites()
    site_rows = tuple(
        (
            str(n),
            unit,
            unit.replace("人民政府", "人民政府网") if "政府" in unit else f"{unit}网站",
            url,
            result,
            problems or "/",
            f"2019-10-{(n % 20) + 1:02d}",
            "2019-11-25" if result == "单否" or problems else "/",
        )
        for n, (unit, url, result, problems) in enumerate(sites, start=1)
    )
    units = seed_001_units()
    unit_rows = tuple((str(n), u, r, p or "/") for n, (u, r, p) in enumerate(units, start=1))
    account_rows = tuple((str(n), *a) for n, a in enumerate(ACCOUNTS, start=1))
    annexes = (
        Annex(1, "10月份政府网站检查情况汇总表", WEBSITE_COLUMNS, site_rows, landscape=True),
        Annex(
            2,
            "10月份政务微博微信检查汇总表",
            ("序号", "责任单位", "平台", "账号名称", "检查结果", "存在问题"),
            account_rows,
            widths=(5, 18, 7, 18, 8, 24),
        ),
        Annex(
            3,
            "12月份政府信息公开网站监测情况",
            ("序号", "单位名称", "检查结果", "监测发现的突出问题"),
            unit_rows,
            widths=(6, 24, 10, 40),
            note="注：县税务局、县气象局、县生态环境分局为垂直管理单位，列出但不计入合格率。",
        ),
        Annex(
            4,
            "10月份政务新媒体监测情况",
            ("序号", "责任单位", "平台", "账号名称", "检查结果"),
            (),
            note="本期暂无政务新媒体监测数据。",
        ),
    )
    return CircularDocument(
        office_header="临沭政务督查",
        doc_number=doc_number,
        title="临沭县人民政府办公室关于2021年全县第三季度政府网站和政务新媒体检查情况的通报",
        recipients="各镇人民政府、街道办事处，县直有关单位",
        preamble=(
            "为做好全县政府网站与政务新媒体的建设管理工作，根据《关于贯彻落实〈政府网站发展指引〉"
            "有关事项的通知》（皖政办秘〔2017〕239号）要求，县政府办公室开展了2021年第三季度政府"
            "网站与政务新媒体检查工作，现将有关情况通报如下：",
        ),
        sections=(
            Section(
                "一、总体情况",
                (
                    "（一）网站日常监测情况。本季度在全国政府网站信息报送系统中备案政府网站51家，"
                    "经检查，总体合格率为96%（见附件1）。其中谢家集区人民政府、生态环境局网站"
                    "栏目更新不及时在10个以上，被判定不合格。",
                    "（二）政务微博微信检查情况。目前全县政务新媒体总计118家，本季度检查总体合格率"
                    "90%（见附件2）。全县信息公开网站合格36家，合格率87.8%；政务微信合格29家，"
                    "合格率100%；政务微博合格6家，合格率100%。",
                ),
            ),
            Section(
                "二、存在问题",
                (
                    "（一）政府网站栏目更新不及时。店头镇出现长期不更新情况，请落实问题原因，从工作"
                    "人员配备、工作制度完善、工作重视提高三个方面进行深入整改。",
                    "（二）政务新媒体运维不规范依然突出。县自然资源和规划局9月2日更改微信公众号名称，"
                    "事前未向县政府办公室递交审批程序，事后也未在第一时间报备。",
                    "一是部分单位网站问题未得到有效整改。县人社局、县公安局、郎溪经开区管委会整改"
                    "不彻底，部分栏目信息超期未更新的问题仍然存在。二是少数单位网站内容未得到有效"
                    "保障。三是政务新媒体日常运维管理有待加强。",
                ),
            ),
            Section(
                "三、下一步工作要求",
                (
                    "（一）强化网站日常监管。各地各部门政府网站主管单位要切实履行主管责任，加大对"
                    "本地区、本部门政府网站的巡查力度，严查空白栏目和错敏词问题。",
                    "对本次通报存在问题的网站，各有关单位要采取有力措施进行整改，并于11月25日前将"
                    "整改情况报县政府办公室政务公开办公室，电话：5369125。",
                ),
            ),
        ),
        annexes=annexes,
        issuer="临沭县人民政府办公室",
        date=datetime.date(2021, 10, 23),
        draft=draft,
    )


def small_circular(**changes) -> CircularDocument:
    """The seed circular with one short annex: two or three pages, quick to render."""
    import dataclasses

    doc = seed_circular()
    annex = dataclasses.replace(doc.annexes[1], number=1)
    return dataclasses.replace(doc, annexes=(annex,), **changes)
