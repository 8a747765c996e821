"""Benchmark a circular's PDF: render (notices.render) + sign (notices.signing) for a long annex.

Run:  .venv/bin/python bench/bench_circular.py [--rows 500,5000] [--max-seconds 900]

Each case runs in a fresh child process (so that its peak RSS, ``ru_maxrss``, is its own):
the seed-shaped circular (body of seed 002/004, annex 1 in seed 004's eight columns on landscape
pages) with N annex rows cycled from seed 004's 51 websites. The child times

- ``html``: render_html (Django template, CSS embedded),
- ``pdf``: html_to_pdf (font check, WeasyPrint layout and write, missing-glyph watch),
- ``sign``: sign_pdf with a demo certificate (PAdES B-B, certified),
- ``verify``: verify_pdf of the signed bytes,

and a second child per case times WeasyPrint alone on the same HTML
(``weasyprint.HTML(string=html).write_pdf()``): the floor the project's code adds to. Both
children import WeasyPrint before their clocks start; the first layout in a process still
pays for loading the fonts, in both.
Progress goes to stderr, the tables to stdout. A child that runs past --max-seconds is killed
and its row says so.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from _common import say, table  # noqa: E402

SHARED = Path(os.environ.get("GOVWATCH_SHARED") or ROOT.parent / "shared")
SEED_004 = SHARED / "seeds" / "004_0ebca7fc0f13ec86.txt"
COLUMNS = (
    "序号",
    "责任单位",
    "网站名称",
    "网址",
    "检查结果",
    "问题描述",
    "检查时最后更新日期",
    "整改时限",
)


def seed_sites() -> list[tuple[str, str, str, str]]:
    """(unit, url, result, problems) of seed 004's annex 1, the spam replaced by the city."""
    text = SEED_004.read_text(encoding="utf-8")
    block = text.split("10月网站检查情况汇总表", 2)[2].split("附件2")[0]
    rows = []
    for line in block.splitlines():
        m = re.match(r"^(\d+) (\S+) (\S+) (合格|单否)\s*(.*)$", line.strip())
        if m:
            unit = re.sub(r"亚博游戏官网:|亚博mg老虎机:", "淮南市", m[2])
            url = m[3] if m[3] != "/" else "http://www.huainan.gov.cn/"
            rows.append((unit, url, m[4], m[5].strip() or "/"))
    return rows


def circular(rows: int):
    import datetime

    from notices.document import Annex, CircularDocument, Section

    sites = seed_sites()
    table_rows = tuple(
        (
            str(n),
            sites[(n - 1) % len(sites)][0],
            sites[(n - 1) % len(sites)][0] + "网站",
            sites[(n - 1) % len(sites)][1],
            sites[(n - 1) % len(sites)][2],
            sites[(n - 1) % len(sites)][3],
            f"2026-10-{(n % 28) + 1:02d}",
            "2026-11-30" if sites[(n - 1) % len(sites)][3] != "/" else "/",
        )
        for n in range(1, rows + 1)
    )
    paragraph = (
        "本月在全国政府网站信息报送系统中备案政府网站51家，经检查，总体合格率为96%（见附件1）。"
        "其中部分网站栏目更新不及时在10个以上，被判定不合格。各地各部门要切实履行主管责任。"
    )
    return CircularDocument(
        office_header="××县人民政府办公室文件",
        doc_number="×政办〔2026〕12号",
        title="××县人民政府办公室关于2026年10月全县政府网站与政务新媒体检查情况的通报",
        recipients="各镇人民政府、街道办事处，县直有关单位",
        preamble=("为做好全县政府网站与政务新媒体的建设管理工作，现将有关情况通报如下：",),
        sections=(
            Section("一、总体情况", ("（一）网站日常监测情况。" + paragraph, paragraph)),
            Section("二、存在问题", (paragraph, paragraph)),
            Section("三、下一步工作要求", (paragraph,)),
        ),
        annexes=(Annex(1, "10月份政府网站检查情况汇总表", COLUMNS, table_rows, landscape=True),),
        issuer="××县人民政府办公室",
        date=datetime.date(2026, 11, 23),
    )


def peak_rss_kb() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # kB on Linux


def pdf_pages(pdf: bytes) -> int:
    out = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=True).stdout
    return int(re.search(rb"Pages:\s+(\d+)", out)[1])


def child(rows: int, kind: str) -> dict:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    import weasyprint  # imported before the clocks start, in both kinds of child

    from notices.render import html_to_pdf, render_html

    doc = circular(rows)
    base_rss = peak_rss_kb()
    started = time.perf_counter()
    html = render_html(doc)
    t_html = time.perf_counter() - started
    if kind == "weasyprint":
        started = time.perf_counter()
        pdf = weasyprint.HTML(string=html).write_pdf()
        return {
            "weasyprint": time.perf_counter() - started,
            "size": len(pdf),
            "pages": pdf_pages(pdf),
            "rss": peak_rss_kb(),
            "base_rss": base_rss,
        }
    from notices.signing import load_office_signer, make_demo_certificates, sign_pdf
    from notices.verification import verify_pdf

    started = time.perf_counter()
    pdf = html_to_pdf(html)
    t_pdf = time.perf_counter() - started
    with tempfile.TemporaryDirectory() as tmp:
        certs = make_demo_certificates(tmp, office_name="××县人民政府办公室", passphrase="bench")
        signer = load_office_signer(certs.office_p12, "bench")
        started = time.perf_counter()
        signed = sign_pdf(pdf, signer)
        t_sign = time.perf_counter() - started
        started = time.perf_counter()
        result = verify_pdf(signed, trust_roots=[certs.ca_pem])
        t_verify = time.perf_counter() - started
    assert result.ok, result.problems
    return {
        "html": t_html,
        "pdf": t_pdf,
        "sign": t_sign,
        "verify": t_verify,
        "size": len(pdf),
        "signed_size": len(signed),
        "pages": pdf_pages(pdf),
        "rss": peak_rss_kb(),
        "base_rss": base_rss,
    }


def run_child(rows: int, kind: str, max_seconds: float) -> dict | None:
    env = dict(os.environ)
    env.setdefault("GOVWATCH_VAR_DIR", tempfile.mkdtemp(prefix="bench-circular-"))
    env["LOG_LEVEL"] = "WARNING"
    args = [sys.executable, __file__, "--child", str(rows), "--kind", kind]
    started = time.perf_counter()
    try:
        done = subprocess.run(
            args, env=env, capture_output=True, text=True, timeout=max_seconds, check=False
        )
    except subprocess.TimeoutExpired:  # run() has killed the child
        say(f"  {kind} {rows} rows: killed after {max_seconds:.0f} s")
        return None
    if done.returncode != 0:
        say(done.stderr[-3000:])
        raise SystemExit(f"child {kind} {rows} failed ({done.returncode})")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["wall"] = time.perf_counter() - started
    return result


def mib(kb: int) -> str:
    return f"{kb / 1024:,.0f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", default="500,5000", help="annex rows per case, comma-separated")
    parser.add_argument("--max-seconds", type=float, default=1800, help="per child process")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    parser.add_argument(
        "--kind", default="full", choices=("full", "weasyprint"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.child is not None:
        print(json.dumps(child(args.child, args.kind)))
        return

    cases = [int(n) for n in args.rows.split(",") if n.strip()]
    rows_out, floor_out = [], []
    for n in cases:
        say(f"{n} rows: render + sign …")
        full = run_child(n, "full", args.max_seconds)
        say(f"{n} rows: WeasyPrint alone …")
        floor = run_child(n, "weasyprint", args.max_seconds)
        if full is None:
            rows_out.append((n, "killed", "", "", "", "", "", "", "", ""))
        else:
            total = full["html"] + full["pdf"] + full["sign"]
            rows_out.append(
                (
                    n,
                    full["pages"],
                    full["html"],
                    full["pdf"],
                    full["sign"],
                    total,
                    full["verify"],
                    f"{full['size'] / 1024 / 1024:.2f}",
                    f"{full['signed_size'] / 1024 / 1024:.2f}",
                    mib(full["rss"]),
                )
            )
        if floor is not None and full is not None:
            ours = full["html"] + full["pdf"]
            floor_out.append(
                (
                    n,
                    floor["weasyprint"],
                    ours,
                    f"{100 * (ours / floor['weasyprint'] - 1):+.1f}%",
                    mib(floor["rss"]),
                    mib(full["rss"]),
                    mib(floor["base_rss"]),
                )
            )
    print("### Render and sign a circular with one long annex (landscape, 8 columns)\n")
    print(
        table(
            (
                "annex rows",
                "pages",
                "HTML s",
                "PDF s",
                "sign s",
                "render+sign s",
                "verify s",
                "PDF MiB",
                "signed MiB",
                "peak RSS MiB",
            ),
            rows_out,
        )
    )
    print("\n### WeasyPrint alone on the same HTML (the floor)\n")
    print(
        table(
            (
                "annex rows",
                "WeasyPrint write_pdf s",
                "render_html + html_to_pdf s",
                "ours vs floor",
                "WeasyPrint peak RSS MiB",
                "full case peak RSS MiB",
                "RSS before rendering MiB",
            ),
            floor_out,
        )
    )
    print(
        f"\nPython {sys.version.split()[0]}, {os.cpu_count()} CPUs; each case in a fresh process; "
        "peak RSS is the child's ru_maxrss (imports included)."
    )


if __name__ == "__main__":
    main()
