"""python manage.py inspect_site URL [--as-of YYYY-MM-DD] [--json]

Discovers a site's columns from its home page, reads each, and prints what it found. Works on
any site; nothing is stored. The JSON schema is documented in README.md.
"""

import datetime as dt
import json
import re
from urllib.parse import urlsplit

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from audits.checks import ColumnFact, HomeFact, MetaProblem, SiteFacts, TlsFact, evaluate_site
from audits.crawl.config import CrawlConfig
from audits.crawl.fetch import Fetcher
from audits.extract.discover import ProposedColumn, guess_category
from audits.extract.links import extract_links
from audits.extract.meta import check_meta_tags
from audits.glossary import Result
from audits.inspection import read_column, read_home
from audits.models import active_rule_set, rules_for
from audits.rules import NATIONAL_2019, Rules
from audits.scoring import Counted, propose_verdict
from units.categories import Category

SCHEMA = "govwatch.inspect_site/1"


class Command(BaseCommand):
    help = "检查一个网站：发现栏目，读取每个栏目的最新信息日期。"

    def add_arguments(self, parser):
        parser.add_argument("url")
        parser.add_argument("--as-of", help="监测时间点 YYYY-MM-DD（默认今天）")
        parser.add_argument("--json", action="store_true", help="输出一个 JSON 文档")
        parser.add_argument("--max-columns", type=int, default=60)

    def handle(self, url, as_of=None, json=False, max_columns=60, **options):
        try:
            today = dt.date.fromisoformat(as_of) if as_of else timezone.localdate()
        except ValueError:
            raise CommandError(f"--as-of {as_of!r}：日期格式应为 YYYY-MM-DD") from None
        report = inspect(url, today, max_columns=max_columns)
        if json:
            self.stdout.write(_dumps(report))
        else:
            self.stdout.write(_text(report))
        if not report["home"]["ok"]:
            raise CommandError(f"首页无法访问：{report['home']['error']}")


def inspect(url: str, today: dt.date, *, max_columns: int = 60) -> dict:
    rules = _rules()
    fetcher = Fetcher(CrawlConfig.from_settings())
    home = read_home(fetcher, url, today)
    page = home.page
    report = {
        "schema": SCHEMA,
        "url": url,
        "as_of": today.isoformat(),
        "home": {
            "url": url,
            "final_url": page.final_url,
            "ok": page.ok,
            "http_status": page.status,
            "error": page.error or None,
            "elapsed_ms": page.elapsed_ms,
            "encoding": page.encoding or None,
            "encoding_how": page.encoding_how or None,
            "tls_problem": page.tls_problem,
            "meta": home.meta,
            "newest_date": _iso(home.recent.newest) if home.recent else None,
        },
        "columns": [],
    }
    queue = list(home.columns)
    seen = {c.url for c in queue} | {page.final_url}
    while queue and len(report["columns"]) < max_columns:
        proposed = queue.pop(0)
        reading = read_column(fetcher, proposed.url, today)
        nested = _index_columns(reading, seen)
        if nested:
            # A second-level index page (信息公开 and the like): its links are the columns.
            queue.extend(nested)
            continue
        result = reading.result
        newest = result.newest if result else None
        report["columns"].append(
            {
                "name": proposed.name,
                "url": proposed.url,
                "category": proposed.category,
                "category_label": Category(proposed.category).label,
                "window_days": rules.window(proposed.category),
                "outcome": reading.outcome,
                "newest_date": _iso(newest),
                "days_since": (today - newest).days if newest else None,
                "item_count": result.item_count if result else None,
                "confidence": round(result.confidence, 2) if result else None,
                "reason": reading.reason,
                "http_status": reading.page.status,
                "followed_json": reading.followed,
            }
        )
    report["findings"], report["verdict"] = _judge(report, home, today)
    return report


def _judge(report: dict, home, today: dt.date) -> tuple[list, dict]:
    """The checks and the verdict rule on what was read, as if a person confirmed every finding:
    a first machine opinion (机器初判), not a verdict. The same SITE_CHECKS as the runs."""
    rules = _rules()
    columns = tuple(
        ColumnFact(
            name=c["name"],
            url=c["url"],
            category=c["category"],
            window_days=c["window_days"],
            is_first_level=True,
            is_exempt=c["category"] == Category.TOPIC,
            outcome=c["outcome"],
            newest=dt.date.fromisoformat(c["newest_date"]) if c["newest_date"] else None,
            http_status=c["http_status"],
            reason=c["reason"],
        )
        for c in report["columns"]
    )
    facts = SiteFacts(columns=columns)
    if home.page.ok:
        recent = home.recent
        facts = SiteFacts(
            columns=columns,
            home=HomeFact(
                home.url,
                True,
                recent.status if recent else "needs_manual",
                recent.newest if recent else None,
                recent.item_count if recent else 0,
            ),
            tls=TlsFact(home.url, home.page.tls_problem, home.page.cert_not_after),
            meta_problems=tuple(
                MetaProblem(p.code, p.message, home.url)
                for p in check_meta_tags(home.meta, "home")
                if p.level == "error"
            ),
        )
    drafts = evaluate_site(facts, today, rules)
    findings = [
        {
            "key": d.key,
            "indicator": str(d.indicator),
            "severity": str(d.severity),
            "title": d.title,
            "reason": d.reason,
            "count": d.count,
        }
        for d in drafts
    ]
    proposal = propose_verdict(
        [Counted(d.key, d.kind, d.indicator, d.severity, d.title, d.item, d.count) for d in drafts],
        rules,
    )
    verdict = {
        "result": str(proposal.result),
        "label": Result(proposal.result).label,
        "score": proposal.score,
        "reasons": list(proposal.reasons),
        "rule_set": f"{rules.code} v{rules.version}",
        "note": "机器初判：假定以上问题均经人工确认；正式结果以人工复核为准",
    }
    return findings, verdict


def _rules() -> Rules:
    """The active rule set when the database has one, else the national 2019 rules."""
    try:
        return rules_for(active_rule_set())
    except Exception:  # no database configured or not migrated: inspect_site works anyway
        return NATIONAL_2019


def _index_columns(reading, seen: set[str]) -> list:
    """Columns listed by a page that has no dated list of its own but links to several (信息公开
    and other second-level index pages)."""
    if reading.outcome != "needs_manual" or not reading.page.ok:
        return []
    page_url = reading.page.final_url
    host = urlsplit(page_url).netloc
    nested = []
    for link in extract_links(reading.page.text, page_url):
        text = link.text.strip()
        if link.url in seen or urlsplit(link.url).netloc != host or not 2 <= len(text) <= 12:
            continue
        if len(re.findall(r"[\u4e00-\u9fff]", text)) < 2 or re.search(r"\d{4}", text):
            continue
        seen.add(link.url)
        nested.append(ProposedColumn(text, link.url, guess_category(text)))
    return nested if len(nested) >= 3 else []


def _iso(value):
    return value.isoformat() if value else None


def _dumps(report: dict) -> str:
    return json.dumps(report, ensure_ascii=False, indent=2)


_OUTCOME = {"dated": "已取得", "empty": "空栏目", "needs_manual": "需人工核查", "error": "无法访问"}


def _text(report: dict) -> str:
    home = report["home"]
    lines = [
        f"网站：{report['url']}（监测时间点 {report['as_of']}）",
        f"首页：HTTP {home['http_status']}，{home['elapsed_ms']} ms，编码 {home['encoding']}"
        + (f"，证书问题：{home['tls_problem']}" if home["tls_problem"] else ""),
        f"发现栏目 {len(report['columns'])} 个：",
        "",
    ]
    for c in report["columns"]:
        lines.append(
            f"- {c['name']}［{c['category_label']}］ {_OUTCOME.get(c['outcome'], c['outcome'])}"
            f" 最新 {c['newest_date'] or '—'}"
            + (f"（{c['days_since']} 天前）" if c["days_since"] is not None else "")
            + f" 置信度 {c['confidence'] if c['confidence'] is not None else '—'}"
        )
        lines.append(f"    {c['url']}")
        lines.append(f"    依据：{c['reason']}")
    lines += ["", f"发现问题 {len(report['findings'])} 条："]
    lines += [f"- [{f['indicator']}] {f['title']}：{f['reason']}" for f in report["findings"]]
    v = report["verdict"]
    score = f"，得分 {v['score']:g}" if v["score"] is not None else ""
    lines += [
        "",
        f"机器初判：{v['label']}{score}（{v['rule_set']}）"
        + (f"，{'，'.join(v['reasons'])}" if v["reasons"] else ""),
        v["note"],
    ]
    return "\n".join(lines) + "\n"
