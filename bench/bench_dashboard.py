"""Dashboard pages on a province-size database: server time (p50, p95) and queries per page.

Generates, with PostgreSQL COPY (psycopg), a province into a dedicated database on the
DATABASE_URL server: at --scale 1, 5,000 units, 15,000 websites, 1,000,000 columns, 12 monthly
periods, one done office run per period (its RunSite rows; the latest run's observations: a
home page and every column), 5,000,000 findings, a verdict per website per period and 200,000
audit-log rows. Each table is loaded with its secondary indexes and unique/foreign-key
constraints dropped and put back afterwards, then VACUUM ANALYZE.

Then it asks each page --reps times through Django's test Client, in process, logged in as
office staff, timing each request with time.perf_counter, and counts its queries once
(CaptureQueriesContext). Statements are cancelled after --timeout-s (a page that needs longer is
reported as a timeout). It prints Markdown tables (page | p50 ms | p95 ms | queries | rows | …)
and, for each page whose p95 misses --target-ms (and the export), the EXPLAIN (ANALYZE, BUFFERS)
of its slowest query (plain EXPLAIN when it would run past the timeout). Two modes (--modes):
`as-is`, the code as it is, and `proposed`, with the fixes the report proposes patched into
this process only (module functions replaced, two indexes created in the bench database; no
file changes), so that the remaining costs show.

    eval "$(scripts/services.sh start | sed 's/^/export /')"
    .venv/bin/python bench/bench_dashboard.py --scale 0.01        # a few minutes
    .venv/bin/python bench/bench_dashboard.py                     # the province, ~12 minutes

The database `bench_dashboard_<pid>` is created (CREATE DATABASE as the DATABASE_URL role,
which needs CREATEDB), migrated, filled and dropped at exit unless --keep; --reuse NAME measures
a database kept by an earlier run without generating it again (and drops it unless --keep).
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import logging
import math
import os
import re
import secrets
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

from _common import _pg_admin, _pg_url, _rmtree, on_exit, say, table

PROVINCE = {"units": 5_000, "columns": 1_000_000, "findings": 5_000_000, "audit": 200_000}
SITES_PER_UNIT = 3
EXPORT_GROUP = "（导出组）"  # in the names of the units whose findings the export asks for
LATEST_POINT_DAY = 23
CATEGORIES = ("news", "notice", "policy", "personnel", "plan", "static", "topic", "other")


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--scale", type=float, default=1.0, help="1 = the province (5,000 units)")
    p.add_argument("--periods", type=int, default=12, help="monthly periods, the last 2026-11")
    p.add_argument("--reps", type=int, default=30, help="timed requests per page")
    p.add_argument("--export-reps", type=int, default=5, help="timed requests of the export")
    p.add_argument("--page-budget-s", type=float, default=120, help="time cap per page's reps")
    p.add_argument("--deep-page", type=int, default=2000)
    p.add_argument("--export-rows", type=int, default=10_000)
    p.add_argument("--target-ms", type=float, default=300)
    p.add_argument("--no-extra", action="store_true", help="only the pages of the brief")
    p.add_argument("--keep", action="store_true", help="keep the database at the end")
    p.add_argument("--reuse", metavar="DBNAME", help="measure a database kept with --keep")
    p.add_argument("--plan-lines", type=int, default=30)
    p.add_argument("--timeout-s", type=float, default=30, help="statement timeout, measuring")
    p.add_argument(
        "--modes",
        default="as-is,proposed",
        help="as-is: the code as it is; proposed: with the report's fixes patched in",
    )
    return p.parse_args(argv)


@dataclass(frozen=True)
class Sizes:
    units: int
    sites: int
    columns: int
    findings: int
    audit: int
    periods: int

    @classmethod
    def of(cls, scale: float, periods: int) -> Sizes:
        units = max(4, round(PROVINCE["units"] * scale))
        sites = units * SITES_PER_UNIT
        return cls(
            units=units,
            sites=sites,
            columns=max(sites * 3, round(PROVINCE["columns"] * scale)),
            findings=max(sites * periods * 4, round(PROVINCE["findings"] * scale)),
            audit=max(200, round(PROVINCE["audit"] * scale)),
            periods=periods,
        )


# --- the database ---------------------------------------------------------------------------------


def prepare_database(args) -> tuple[str, bool]:
    """Point DATABASE_URL at the bench's own database; returns (name, fresh)."""
    server = os.environ.get("DATABASE_URL", "")
    if not server.startswith(("postgres://", "postgresql://")):
        sys.exit(
            "DATABASE_URL must name a PostgreSQL server: "
            "eval \"$(scripts/services.sh start | sed 's/^/export /')\""
        )
    var_dir = Path(tempfile.mkdtemp(prefix="bench-dashboard-var-"))
    on_exit(lambda: _rmtree(var_dir))
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ["GOVWATCH_VAR_DIR"] = str(var_dir)
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(48))
    os.environ["LOG_LEVEL"] = "WARNING"
    os.environ["DEBUG"] = "false"
    name = args.reuse or f"bench_dashboard_{os.getpid()}"
    if not args.reuse:
        _pg_admin(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        _pg_admin(server, f'CREATE DATABASE "{name}"')
    if not args.keep:

        def drop() -> None:
            try:
                from django.db import connections

                connections.close_all()
            except Exception:  # noqa: BLE001 - Django may not be set up yet
                pass
            _pg_admin(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            say(f"dropped database {name}")

        on_exit(drop)
    os.environ["DATABASE_URL"] = _pg_url(server, name)
    return name, not args.reuse


def conninfo() -> str:
    parts = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(("postgresql", parts.netloc, parts.path, parts.query, ""))


class Loader:
    """COPY into a table with its secondary indexes, unique and foreign-key constraints
    dropped, then put back (one index build, one validating join each), as a bulk load does."""

    def __init__(self, conn):
        self.conn = conn
        self.timings: list[tuple[str, int, float]] = []

    def copy(self, table_name: str, columns: tuple[str, ...], rows) -> int:
        started = time.monotonic()
        cur = self.conn.cursor()
        cur.execute("SET maintenance_work_mem = '512MB'")
        cur.execute(
            "SELECT conname, contype, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype IN ('f', 'u')",
            (table_name,),
        )
        constraints = cur.fetchall()
        cur.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s AND indexname NOT IN "
            "(SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass "
            "AND contype IN ('p', 'u'))",
            (table_name, table_name),
        )
        indexes = cur.fetchall()
        for name, _, _ in constraints:
            cur.execute(f'ALTER TABLE "{table_name}" DROP CONSTRAINT "{name}"')
        for name, _ in indexes:
            cur.execute(f'DROP INDEX "{name}"')
        count = 0
        with cur.copy(f'COPY "{table_name}" ({", ".join(columns)}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row(row)
                count += 1
        loaded = time.monotonic()
        for _, definition in indexes:
            cur.execute(definition)
        for name, _kind, definition in sorted(constraints, key=lambda c: c[1] != "u"):
            cur.execute(f'ALTER TABLE "{table_name}" ADD CONSTRAINT "{name}" {definition}')
        cur.execute(
            f"SELECT setval(pg_get_serial_sequence('{table_name}', 'id'), "
            f'coalesce((SELECT max(id) FROM "{table_name}"), 1))'
        )
        self.conn.commit()
        done = time.monotonic()
        self.timings.append((table_name, count, done - started))
        say(
            f"  {table_name}: {count:,} rows, copy {loaded - started:.1f} s, "
            f"indexes and constraints {done - loaded:.1f} s"
        )
        return count


def _ts(day: dt.date, hour: int = 10) -> str:
    return f"{day.isoformat()} {hour:02d}:00:00+08"


def generate(sizes: Sizes, args) -> dict:
    """The province. Returns what the measurements need (ids, names, the latest period)."""
    import psycopg
    from django.contrib.auth.models import Group, User
    from django.contrib.contenttypes.models import ContentType

    from audits.models import Finding, InspectionRun, Period, RuleSet
    from units.access import OFFICE_LEAD, OFFICE_STAFF

    staff = User.objects.create_user("bench_staff", password=secrets.token_urlsafe(12))
    staff.groups.add(Group.objects.get(name=OFFICE_STAFF))
    lead = User.objects.create_user("bench_lead", password=secrets.token_urlsafe(12))
    lead.groups.add(Group.objects.get(name=OFFICE_LEAD))
    rule_set = RuleSet.objects.filter(is_active=True).order_by("-version").first()
    finding_type = ContentType.objects.get_for_model(Finding).pk

    months = []
    y, m = 2026, 11
    for _ in range(sizes.periods):
        months.append((y, m))
        y, m = (y - 1, 12) if m == 1 else (y, m - 1)
    months.reverse()
    periods = [Period.for_code(f"{y}-{m:02d}") for y, m in months]
    latest = periods[-1]
    Period.objects.filter(pk__in=[p.pk for p in periods[:-1]]).update(
        locked_at=dt.datetime(2026, 11, 1, tzinfo=dt.UTC), locked_by=lead
    )
    points = [dt.date(p.start.year, p.start.month, LATEST_POINT_DAY) for p in periods]
    runs = InspectionRun.objects.bulk_create(
        InspectionRun(
            scope=InspectionRun.Scope.ALL,
            period=p,
            monitoring_point=point,
            trigger=InspectionRun.Trigger.SCHEDULE,
            status=InspectionRun.Status.DONE,
            started_at=dt.datetime.combine(point, dt.time(2), tzinfo=dt.UTC),
            finished_at=dt.datetime.combine(point, dt.time(6), tzinfo=dt.UTC),
            sites_total=sizes.sites,
            sites_done=sizes.sites,
            pages_total=sizes.columns + sizes.sites,
            pages_done=sizes.columns + sizes.sites,
        )
        for p, point in zip(periods, points, strict=True)
    )
    run_ids = [r.pk for r in runs]
    per_period = [p.pk for p in periods]
    latest_point = points[-1]

    # Export group: the first k units, as many as give about --export-rows latest findings.
    per_site_period = sizes.findings / (sizes.sites * sizes.periods)
    export_units = min(
        sizes.units, math.ceil(args.export_rows / (per_site_period * SITES_PER_UNIT))
    )
    said = time.monotonic()
    with psycopg.connect(conninfo()) as conn:
        load = Loader(conn)

        def unit_name(i: int) -> str:
            group = EXPORT_GROUP if i <= export_units else ""
            return f"{i % 97:02d}市{i:05d}号单位{group}"

        load.copy(
            "units_unit",
            ("id", "name", "kind", "contact_person", "phone", "email", "counts_in_rates",
             "is_active", "sort_order", "notes", "webhook_kind", "webhook_url", "webhook_secret"),
            (
                (i, unit_name(i), ("township", "subdistrict", "department")[i % 3], f"联系人{i}",
                 "0571-00000000", "", i % 25 != 0, True, i, "", "", "", "")
                for i in range(1, sizes.units + 1)
            ),
        )  # fmt: skip
        load.copy(
            "units_website",
            ("id", "unit_id", "name", "home_url", "site_code", "kind", "status", "search_url",
             "has_services", "services_url", "messages_url"),
            (
                (s, (s - 1) // SITES_PER_UNIT + 1,
                 f"{unit_name((s - 1) // SITES_PER_UNIT + 1)}网站{(s - 1) % SITES_PER_UNIT}",
                 f"https://s{s}.gov.example.cn/", f"{s:010d}",
                 "portal" if s % SITES_PER_UNIT == 1 else "department", "running", "", True, "",
                 "")
                for s in range(1, sizes.sites + 1)
            ),
        )  # fmt: skip
        base, extra = divmod(sizes.columns, sizes.sites)
        first_col = [0] * (sizes.sites + 1)
        ncol = [0] * (sizes.sites + 1)
        next_id = 1
        for s in range(1, sizes.sites + 1):
            first_col[s], ncol[s] = next_id, base + (1 if s <= extra else 0)
            next_id += ncol[s]

        def columns():
            for s in range(1, sizes.sites + 1):
                home = f"https://s{s}.gov.example.cn/"
                for k in range(ncol[s]):
                    category = CATEGORIES[k % 8]
                    yield (first_col[s] + k, s, None, f"栏目{k:02d}", f"{home}c{k}/", category,
                           None, k < 8, category == "topic", "专题" if category == "topic" else "")  # fmt: skip

        load.copy(
            "units_column",
            ("id", "website_id", "parent_id", "name", "url", "category", "window_days",
             "is_first_level", "is_exempt", "exempt_reason"),
            columns(),
        )  # fmt: skip

        def run_sites():
            i = 0
            for r, run_id in enumerate(run_ids):
                started, finished = _ts(points[r], 2), _ts(points[r], 6)
                for s in range(1, sizes.sites + 1):
                    i += 1
                    failed = s % 97 == 0 and r == len(run_ids) - 1
                    yield (i, run_id, s, "failed" if failed else "done", 1,
                           "连接超时" if failed else "", started, finished)  # fmt: skip

        load.copy(
            "audits_runsite",
            ("id", "run_id", "website_id", "status", "attempts", "error", "started_at",
             "finished_at"),
            run_sites(),
        )  # fmt: skip

        items = (
            '{"items": [{"title": "关于做好今冬明春安全生产工作的通知", "date": "2026-11-20"}, '
            '{"title": "县政府常务会议研究部署近期重点工作", "date": "2026-11-18"}]}'
        )

        def observations():
            i = 0
            seen = _ts(latest_point, 3)
            run_id = run_ids[-1]
            for s in range(1, sizes.sites + 1):
                home = f"https://s{s}.gov.example.cn/"
                i += 1
                proposals = json.dumps(
                    {
                        "list_status": "dated",
                        "proposed_columns": [
                            {"url": f"{home}new/", "name": "新栏目", "category": "news"}
                        ],
                    },
                    ensure_ascii=False,
                )
                yield (i, run_id, s, None, None, "home", home, "ok", seen, 200, 120, 30000,
                       "utf-8", latest_point - dt.timedelta(days=s % 5), None, None, "", proposals,
                       None)  # fmt: skip
                for k in range(ncol[s]):
                    i += 1
                    empty = (s + k) % 23 == 0
                    yield (i, run_id, s, None, first_col[s] + k, "column", f"{home}c{k}/",
                           "empty" if empty else "dated", seen, 200, 80, 20000, "utf-8",
                           None if empty else latest_point - dt.timedelta(days=(s * 7 + k) % 200),
                           0 if empty else 20, 0.95, "读取 ul.list 中 20 条 li 的日期", items,
                           None)  # fmt: skip

        load.copy(
            "audits_observation",
            ("id", "run_id", "website_id", "account_id", "column_id", "kind", "url", "outcome",
             "observed_at", "http_status", "elapsed_ms", "bytes", "encoding", "newest_date",
             "item_count", "confidence", "reason", "evidence", "slot"),
            observations(),
        )  # fmt: skip

        load.copy(
            "audits_finding",
            FINDING_COLUMNS,
            findings(sizes, per_period, run_ids, points, first_col, ncol, staff.pk),
        )

        def verdicts():
            i = 0
            results = ("clean", "pass", "pass", "fail", "veto")
            for p, period_id in enumerate(per_period):
                is_latest = p == len(per_period) - 1
                computed = _ts(points[p], 7)
                for s in range(1, sizes.sites + 1):
                    i += 1
                    h = (s * 7 + p * 3) % 20
                    proposed = results[h % 5]
                    undecided = is_latest and h < 8
                    yield (i, (s - 1) // SITES_PER_UNIT + 1, s, None, period_id, points[p],
                           run_ids[p], rule_set.pk, rule_set.version, proposed, 80.0 + h,
                           '["3个应更未更"]' if proposed in ("fail", "veto") else "[]", "[]",
                           "[]", (h % 6) if is_latest else 0, results[(h + 1) % 5], "[]",
                           computed, "" if undecided else proposed, "",
                           None if undecided else staff.pk, None if undecided else computed)  # fmt: skip

        load.copy(
            "audits_verdict",
            ("id", "unit_id", "website_id", "account_id", "period_id", "monitoring_point",
             "monitoring_run_id", "rule_set_id", "rule_set_version", "proposed_result",
             "proposed_score", "reasons", "finding_ids", "carried_keys", "pending_count",
             "projected_result", "projected_reasons", "computed_at", "result",
             "override_reason", "decided_by_id", "decided_at"),
            verdicts(),
        )  # fmt: skip

        actions = ("finding_confirmed", "finding_dismissed", "verdict_adopt", "verdict_override",
                   "registry_import", "period_lock")  # fmt: skip
        year_start = dt.datetime(2025, 12, 1, tzinfo=dt.UTC)
        span = 365 * 24 * 3600

        def audit_rows():
            for i in range(1, sizes.audit + 1):
                at = year_start + dt.timedelta(seconds=i * span // sizes.audit)
                yield (i, at, (staff.pk, lead.pk, None)[i % 3], actions[i % 6],
                       i % sizes.units + 1, finding_type, i, f"问题 {i}",
                       '{"status": "pending"}', '{"status": "confirmed", "note": "批量确认"}',
                       f'{{"finding": {i}, "note": "批量确认"}}')  # fmt: skip

        load.copy(
            "core_auditlogentry",
            ("id", "at", "actor_id", "action", "unit_id", "object_type_id", "object_id",
             "target", "before", "after", "detail"),
            audit_rows(),
        )  # fmt: skip
        copied = time.monotonic() - said
        say("  ANALYZE …")
        started = time.monotonic()
        conn.autocommit = True
        conn.execute("VACUUM ANALYZE")
        analyzed = time.monotonic() - started

    InspectionRun.objects.bulk_create(
        InspectionRun(
            scope=InspectionRun.Scope.UNIT,
            unit_id=1 + i,
            period=latest if i % 2 else None,
            monitoring_point=latest_point,
            trigger=InspectionRun.Trigger.STAFF if i % 2 else InspectionRun.Trigger.SELF_CHECK,
            status=InspectionRun.Status.RUNNING,
            pages_total=200,
            pages_done=20 * i,
        )
        for i in range(min(8, sizes.units))
    )
    return {
        "timings": load.timings,
        "copy_s": copied,
        "analyze_s": analyzed,
        "export_units": export_units,
    }


FINDING_COLUMNS = (
    "id", "unit_id", "website_id", "account_id", "column_id", "run_id", "period_id",
    "monitoring_point", "key", "kind", "indicator", "severity", "title", "reason", "item",
    "count", "url", "evidence", "screenshot", "source", "status", "review_note",
    "reviewed_by_id", "reviewed_at", "rectification", "deadline", "closed_at", "first_seen",
    "last_seen",
)  # fmt: skip

# (kind, indicator, severity, title pattern, reason)
KINDS = {
    "overdue": ("column_overdue", "W-V4a", "problem", "“栏目{k:02d}”栏目超过2周未更新",
                "机器读取的最新日期距监测时间点 40 天，超过更新周期 14 天"),
    "due": ("column_due_soon", "W-V4", "warning", "“栏目{k:02d}”栏目即将超期",
            "距更新周期届满还有若干天"),
    "empty": ("column_empty", "W-V4c", "problem", "“栏目{k:02d}”栏目为空栏目", "栏目列表没有条目"),
    "manual": ("column_manual", "W-V4", "manual", "“栏目{k:02d}”栏目需人工核查",
               "列表由脚本生成，机器无法读取日期"),
    "home": ("home_stale", "W-V3", "veto", "首页超过2周未更新", "首页最新信息距监测时间点 20 天"),
    "gambling": ("gambling", "W-V1", "veto", "首页出现涉赌内容", "【亚博】游戏官网……"),
}  # fmt: skip


def findings(sizes: Sizes, periods, run_ids, points, first_col, ncol, staff_id):
    """Each site gets about findings / (sites x periods) findings per period; the latest
    period's are mostly pending, earlier ones reviewed."""
    total_slots = sizes.sites * sizes.periods
    base, extra = divmod(sizes.findings, total_slots)
    titles: dict = {}
    evidence_due = [
        json.dumps({"newest": "2026-10-20", "age_days": 14 - d, "days_left": d}) for d in range(15)
    ]
    evidence_col = '{"newest": "2026-10-01", "age_days": 53, "window": 14}'
    i = 0
    slot = 0
    last = len(periods) - 1
    for p, period_id in enumerate(periods):
        point, run_id = points[p], run_ids[p]
        seen = _ts(point, 6)
        reviewed = _ts(point + dt.timedelta(days=3), 9)
        deadline = point + dt.timedelta(days=15)
        for s in range(1, sizes.sites + 1):
            n = base + (1 if slot < extra else 0)
            slot += 1
            unit_id = (s - 1) // SITES_PER_UNIT + 1
            home = f"https://s{s}.gov.example.cn/"
            for j in range(n):
                if j == 0 and s % 10 == 0:
                    what = "home"
                elif j == 1:
                    what = "due"
                elif j == 2 and s % 20 == 0:
                    what = "gambling"
                elif j % 5 == 3:
                    what = "empty"
                elif j % 9 == 8:
                    what = "manual"
                else:
                    what = "overdue"
                kind, indicator, severity, title, reason = KINDS[what]
                k = j % ncol[s]
                on_column = what not in ("home", "gambling")
                key_title = (what, k)
                if key_title not in titles:
                    titles[key_title] = title.format(k=k)
                h = (s * 31 + j * 17 + p * 7) % 100
                if p == last:
                    status = (
                        "pending"
                        if h < 60
                        else "confirmed"
                        if h < 90
                        else "dismissed"
                        if h < 98
                        else "exempt"
                    )
                else:
                    status = "confirmed" if h < 70 else "dismissed" if h < 95 else "exempt"
                done = status != "pending"
                i += 1
                yield (
                    i, unit_id, s, None, first_col[s] + k if on_column else None, run_id,
                    period_id, point, f"{kind}:c{j}", kind, indicator, severity,
                    titles[key_title], reason, "", 1, f"{home}c{k}/" if on_column else home,
                    evidence_due[j % 15] if what == "due" else evidence_col, "",
                    "machine" if h % 10 else "import", status,
                    "批量确认" if status == "confirmed" else "已核实" if done else "",
                    staff_id if done else None, reviewed if done else None,
                    "closed" if status == "confirmed" and p < last else "open",
                    deadline if status == "confirmed" else None, None, seen, seen,
                )  # fmt: skip


# --- measuring ----------------------------------------------------------------------------------


def database_size() -> int:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT pg_database_size(current_database())")
        return cur.fetchone()[0]


def table_sizes() -> list[tuple[str, int, int]]:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(
            "SELECT relname, n_live_tup, pg_total_relation_size(relid) FROM pg_stat_user_tables "
            "ORDER BY pg_total_relation_size(relid) DESC LIMIT 8"
        )
        return cur.fetchall()


def pages_to_measure(args, info: dict) -> list[dict]:
    from audits.models import Finding, Period
    from units.models import Unit, Website

    latest = Period.objects.order_by("-end").first()
    pending = Finding.objects.filter(period=latest, status="pending").count()
    pages = max(1, math.ceil(pending / 50))
    deep = min(args.deep_page, pages)
    unit = Unit.objects.get(sort_order=Unit.objects.count() // 2)
    site = Website.objects.filter(unit=unit).order_by("pk").first()
    base = f"/review/?period={latest.code}&status=pending"
    out = [
        {"page": "overview", "url": "/"},
        {"page": "review queue, page 1 (default: latest period, pending)", "url": "/review/"},
        {"page": f"review queue, page {deep:,} of {pages:,}", "url": f"{base}&page={deep}"},
        {
            "page": "review queue, unit name filter",
            "url": f"{base}&unit={quote(unit.name)}",
        },
        {"page": "unit page", "url": f"/units/{unit.pk}/"},
        {"page": "website page", "url": f"/websites/{site.pk}/"},
        {
            "page": "review queue Excel export",
            "url": f"/review/?period={latest.code}&unit={quote(EXPORT_GROUP)}&_export=xlsx",
            "export": True,
        },
    ]
    if not args.no_extra:
        from audits.models import InspectionRun

        run = InspectionRun.objects.filter(period=latest, trigger="schedule").first()
        out += [
            {"page": "(extra) verdict list, latest period", "url": "/verdicts/", "extra": True},
            {"page": "(extra) audit log, page 1", "url": "/audit-log/", "extra": True},
            {"page": "(extra) run detail, page 1", "url": f"/runs/{run.pk}/", "extra": True},
            {"page": "(extra) circular list", "url": "/drafts/", "extra": True},
        ]
    return out


def rows_of(page: dict, response) -> int:
    if page.get("export"):
        from openpyxl import load_workbook

        sheet = load_workbook(io.BytesIO(response.content), read_only=True).active
        return sum(1 for _ in sheet.iter_rows(values_only=True)) - 1
    html = response.content.decode()
    if page["url"].startswith("/review/"):
        return html.count('id="finding-')
    return len(re.findall(r"<tr[\s>]", html))


def _timed_out(exc: BaseException) -> bool:
    import psycopg

    return isinstance(exc.__cause__, psycopg.errors.QueryCanceled)


def measure(page: dict, client, args) -> dict:
    """One request with its queries captured (also the warm-up), then the timed ones. A page
    whose query runs past --timeout-s is reported as such, with that query."""
    from django.db import OperationalError, connection
    from django.test.utils import CaptureQueriesContext

    timed_out = False
    with CaptureQueriesContext(connection) as ctx:
        try:
            response = client.get(page["url"])
            assert response.status_code == 200, (page, response.status_code)
        except OperationalError as exc:
            if not _timed_out(exc):
                raise
            timed_out = True
    queries = [(float(q["time"]) * 1000, q["sql"]) for q in ctx.captured_queries]
    slowest = max(queries, default=(0.0, ""))
    out = {
        **page,
        "timed_out": timed_out,
        "queries": len(queries),
        "db_ms": sum(t for t, _ in queries),
        "slowest_ms": slowest[0],
        "slowest_sql": slowest[1],
    }
    if timed_out:
        return {**out, "n": 0, "p50": None, "p95": None, "rows": None}
    rows = rows_of(page, response)
    reps = args.export_reps if page.get("export") else args.reps
    times = []
    budget = time.monotonic() + args.page_budget_s
    for _ in range(reps):
        started = time.perf_counter()
        client.get(page["url"])
        times.append((time.perf_counter() - started) * 1000)
        if time.monotonic() > budget and len(times) >= 3:
            break
    return {
        **out,
        "n": len(times),
        "p50": statistics.median(times),
        "p95": percentile(times, 95),
        "rows": rows,
    }


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    rank = (len(ordered) - 1) * pct / 100
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def explain(sql: str, analyze: bool) -> tuple[list[str], bool]:
    """The plan, executed (ANALYZE, BUFFERS) unless it would run past the timeout."""
    from django.db import OperationalError, connection

    if analyze:
        try:
            with connection.cursor() as cur:
                cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
                return [r[0] for r in cur.fetchall()], True
        except OperationalError as exc:
            if not _timed_out(exc):
                raise
    with connection.cursor() as cur:
        cur.execute("EXPLAIN " + sql)
        return [r[0] for r in cur.fetchall()], False


def set_statement_timeout(seconds: float) -> None:
    """Every connection Django opens from now on cancels a statement after `seconds`."""
    from django.db import connections
    from django.db.backends.signals import connection_created

    def on_connect(sender, connection, **kwargs):
        with connection.cursor() as cur:
            cur.execute(f"SET statement_timeout = {int(seconds * 1000)}")

    connection_created.connect(on_connect, weak=False)
    connections.close_all()


# --- what the report proposes, applied in this process only ------------------------------------

PROPOSED_INDEXES = (
    "CREATE INDEX IF NOT EXISTS finding_due_soon ON audits_finding (period_id) "
    "WHERE kind = 'column_due_soon'",
    "CREATE INDEX IF NOT EXISTS observation_run_url ON audits_observation (run_id, url)",
)
PROPOSED = (
    "selectors.periods(): EXISTS (verdicts of the period) OR EXISTS (findings of the period) "
    "instead of DISTINCT over LEFT JOIN verdict x LEFT JOIN finding (a product per period)",
    "the queue newest first, as FindingQueueTable.Meta.order_by = ('-pk',) says (django-tables2 "
    "drops that alias, so the model's ordering joins units and sorts every matching row): "
    "Finding._meta.ordering = ('-pk',) here",
    "selectors.due_soon(): the latest period only, ordered by days left in the query (LIMIT), "
    "unit joined; index finding_due_soon ON audits_finding (period_id) WHERE kind = "
    "'column_due_soon'",
    "the queue's evidence (dashboard.views.queue._attach_evidence: run_id IN … AND url IN …): "
    "index observation_run_url ON audits_observation (run_id, url); the unique index "
    "(run_id, kind, url) cannot serve it, kind is not in the query",
)


def apply_proposed() -> float:
    """Patch the module functions the views call (no file is changed); create the index."""
    from django.db import connection
    from django.db.models import Exists, IntegerField, OuterRef
    from django.db.models.fields.json import KT
    from django.db.models.functions import Cast

    import dashboard.views.circulars as circulars
    from audits import selectors
    from audits.glossary import Kind
    from audits.models import Finding, Period, Verdict
    from units.access import visible_to

    def periods():
        return Period.objects.filter(
            Exists(Verdict.objects.filter(period=OuterRef("pk")))
            | Exists(Finding.objects.filter(period=OuterRef("pk")))
        ).order_by("-end", "-start")

    def due_soon(user, units, limit: int = 50):
        period = selectors.latest_period()
        rows = (
            Finding.objects.filter(unit__in=units, kind=Kind.COLUMN_DUE_SOON, period=period)
            .exclude(status=Finding.Status.DISMISSED)
            .select_related("unit", "website", "period")
            .annotate(days_left=Cast(KT("evidence__days_left"), IntegerField()))
            .order_by("days_left", "pk")
        )
        return list(visible_to(user, rows)[:limit])

    selectors.periods = periods
    circulars.periods = periods
    selectors.due_soon = due_soon
    Finding._meta.ordering = ("-pk",)
    started = time.monotonic()
    with connection.cursor() as cur:
        cur.execute("SET statement_timeout = 0")
        for statement in PROPOSED_INDEXES:
            cur.execute(statement)
        cur.execute("ANALYZE audits_finding")
        cur.execute("ANALYZE audits_observation")
    return time.monotonic() - started


def report(results: list[dict], args, mode: str) -> None:
    def ms(v):
        return f"> {args.timeout_s * 1000:,.0f} (timeout)" if v is None else v

    print(
        table(
            ["page", "p50 ms", "p95 ms", "queries", "rows", "N", "DB ms (1 req)",
             "slowest query ms", "target"],
            [
                (r["page"], ms(r["p50"]), ms(r["p95"]),
                 f"{r['queries']} (so far)" if r["timed_out"] else r["queries"],
                 "—" if r["rows"] is None else r["rows"], r["n"], r["db_ms"], r["slowest_ms"],
                 "MISS" if r["timed_out"] else "export" if r.get("export")
                 else "ok" if r["p95"] < args.target_ms else "MISS")
                for r in results
            ],
        )
    )  # fmt: skip
    print()
    print("rows: findings on the page (queue), data rows (export), else table rows (<tr>).\n")
    for r in results:
        if not r["timed_out"] and (r["p95"] < args.target_ms or not r["slowest_sql"]):
            continue
        analyze = not r["timed_out"] and r["slowest_ms"] < args.timeout_s * 1000
        plan, analyzed = explain(r["slowest_sql"], analyze)
        label = "EXPLAIN (ANALYZE, BUFFERS)" if analyzed else "EXPLAIN (not executed: too slow)"
        print(f"#### {mode}: {r['page']}: slowest query {r['slowest_ms']:,.0f} ms, {label}\n")
        sql = r["slowest_sql"]
        print("```sql\n" + sql[:1200] + (" …" if len(sql) > 1200 else "") + "\n```\n")
        print("```\n" + "\n".join(plan[: args.plan_lines]))
        if len(plan) > args.plan_lines:
            print(f"… ({len(plan) - args.plan_lines} more lines)")
        print("```\n")


def main(argv=None) -> int:
    args = parse_args(argv)
    sizes = Sizes.of(args.scale, args.periods)
    name, fresh = prepare_database(args)
    import django
    from django.core.management import call_command

    started = time.monotonic()
    django.setup()
    if fresh:
        call_command("migrate", verbosity=0, interactive=False)
        migrated = time.monotonic() - started
        say(f"database {name}: migrated in {migrated:.1f} s; generating {sizes} …")
        gen_started = time.monotonic()
        info = generate(sizes, args)
        info["generate_s"] = time.monotonic() - gen_started
        say(f"generated in {info['generate_s']:.0f} s")
    else:
        info = {"generate_s": None, "timings": []}
        say(f"database {name}: reused")
    set_statement_timeout(args.timeout_s)
    # A page cancelled by the statement timeout is reported in the table, not as a traceback.
    logging.getLogger("django.request").setLevel(logging.CRITICAL)

    from django.contrib.auth.models import User
    from django.test import Client

    from audits.models import Finding, Observation, Period, Verdict
    from core.models import AuditLogEntry
    from units.models import Column, Unit, Website

    counted = {
        "units": Unit.objects.count(),
        "websites": Website.objects.count(),
        "columns": Column.objects.count(),
        "periods": Period.objects.count(),
        "observations": Observation.objects.count(),
        "findings": Finding.objects.count(),
        "verdicts": Verdict.objects.count(),
        "audit-log rows": AuditLogEntry.objects.count(),
    }
    size = database_size()
    print(f"## Dashboard pages on a generated province (--scale {args.scale:g})\n")
    print(table(["table", "rows"], counted.items()))
    print()
    summary = [("database", f"{name} ({'kept' if args.keep else 'dropped at exit'})")]
    summary.append(("database size", f"{size / 2**30:,.2f} GiB ({size / 2**20:,.0f} MiB)"))
    if info["generate_s"] is not None:
        summary += [
            ("generation, COPY + indexes + constraints, s", f"{info['copy_s']:.0f}"),
            ("VACUUM ANALYZE, s", f"{info['analyze_s']:.0f}"),
            ("generation in all (with users, periods, runs), s", f"{info['generate_s']:.0f}"),
        ]
    summary.append(("statement timeout while measuring, s", f"{args.timeout_s:g}"))
    print(table(["", ""], summary))
    print()
    if info["timings"]:
        print(table(["table loaded", "rows", "seconds"], info["timings"]))
        print()
    print(table(["largest tables", "live rows", "MiB"],
                [(t, n, round(b / 2**20)) for t, n, b in table_sizes()]))  # fmt: skip
    print()
    sys.stdout.flush()

    client = Client()
    client.force_login(User.objects.get(username="bench_staff"))
    for mode in args.modes.split(","):
        if mode == "proposed":
            seconds = apply_proposed()
            print("### With the proposed fixes, applied in the bench process only\n")
            for line in PROPOSED:
                print(f"- {line}")
            print(f"\n(indexes built in {seconds:.1f} s)\n")
        elif mode == "as-is":
            print("### The code as it is\n")
        else:
            sys.exit(f"unknown mode {mode!r}")
        print(
            f"Server time per request, in process (Django test Client, logged in as staff), "
            f"target p95 < {args.target_ms:g} ms (the export excepted):\n"
        )
        results = []
        for page in pages_to_measure(args, info):
            say(f"[{mode}] measuring {page['page']} …")
            results.append(measure(page, client, args))
        report(results, args, mode)
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
