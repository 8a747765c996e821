"""Content scan findings: typos (deduction), and the W-V1 candidates — leaders' names and titles
written wrong, sensitive, gambling or pornographic words, hidden links (暗链) — which count only
after a person confirms them (国办秘函〔2019〕19号 W-V1: 严重表述错误; 内容被篡改、暗链)."""

from dataclasses import dataclass

from audits.checks.base import Draft, Indicator, Kind, Severity

_W_V1_TITLES = {
    "leader": "领导姓名职务表述错误",
    "sensitive": "疑似敏感词",
    "gambling": "疑似涉赌内容（内容被篡改）",
    "porn": "疑似涉黄内容（内容被篡改）",
}


@dataclass(frozen=True)
class PageContent:
    """What the scan found on one page: hits as dicts (kind, word, correction, context) and
    hidden links as dicts (text, href, why)."""

    url: str
    hits: tuple[dict, ...] = ()
    hidden_links: tuple[dict, ...] = ()


def check_content(pages: list[PageContent]) -> list[Draft]:
    by_word: dict[tuple[str, str], list[tuple[str, dict]]] = {}
    for page in pages:
        for hit in page.hits:
            by_word.setdefault((hit["kind"], hit["word"]), []).append((page.url, hit))
    drafts = []
    for (kind, word), seen in sorted(by_word.items()):
        examples = "；".join(f"{h['context']}（{url}）" for url, h in seen[:3])
        correction = seen[0][1].get("correction", "")
        if kind == "typo":
            drafts.append(
                Draft(
                    key=f"typo:{word}",
                    kind=Kind.TYPO,
                    indicator=Indicator.DEDUCTION,
                    severity=Severity.DEDUCTION,
                    title=f"错别字“{word}”应为“{correction}”",
                    reason=f"共{len(seen)}处：{examples}",
                    item="typo",
                    count=len(seen),
                    url=seen[0][0],
                    evidence={"pages": sorted({u for u, _ in seen})[:20]},
                )
            )
        elif kind in _W_V1_TITLES:
            fix = f"，应为“{correction}”" if correction else ""
            drafts.append(
                Draft(
                    key=f"{kind}:{word}",
                    kind=Kind(kind),
                    indicator=Indicator.W_V1,
                    severity=Severity.VETO,
                    title=f"{_W_V1_TITLES[kind]}：“{word}”",
                    reason=f"共{len(seen)}处{fix}：{examples}。机器发现的候选问题，须人工确认。",
                    count=len(seen),
                    url=seen[0][0],
                    evidence={"pages": sorted({u for u, _ in seen})[:20]},
                )
            )
    hidden = [(page.url, link) for page in pages for link in page.hidden_links]
    if hidden:
        hosts = sorted({link["href"] for _, link in hidden})
        drafts.append(
            Draft(
                key="hidden_links",
                kind=Kind.HIDDEN_LINK,
                indicator=Indicator.W_V1,
                severity=Severity.VETO,
                title=f"疑似暗链{len(hosts)}个",
                reason="；".join(
                    f"{url} 中隐藏的链接“{link['text']}”→ {link['href']}（{link['why']}）"
                    for url, link in hidden[:5]
                )
                + "。机器发现的候选问题，须人工确认。",
                count=len(hosts),
                url=hidden[0][0],
                evidence={"links": [link["href"] for _, link in hidden[:50]]},
            )
        )
    return drafts
