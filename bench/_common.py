"""Shared helpers for the benchmarks: the site farm in its own process, a private database,
PostgreSQL/Redis for the Celery bench, the per-host lower bound, memory readings, tables.

Every helper that starts something registers its cleanup with :func:`on_exit`, which runs on
normal exit, on an exception, on Ctrl-C and on SIGTERM, so that nothing is left running.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import math
import os
import queue
import secrets
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

TODAY = "2026-11-23"
DEAD_LINK_NET = "127.0.250.0/24"  # sitefarm.generate.DEAD_LINK_NET: links to dead hosts
# The crawler's per-attempt deadline (audits.crawl.config.CrawlConfig.total_timeout).
CRAWL_TOTAL_TIMEOUT_S = 15.0

# Private PostgreSQL/Redis for bench_runs when DATABASE_URL/REDIS_URL are not set: own ports and
# state directory, so that stopping them never stops the services a test run is using.
BENCH_PG_PORT = int(os.environ.get("GOVWATCH_BENCH_PG_PORT", "54339"))
BENCH_REDIS_PORT = int(os.environ.get("GOVWATCH_BENCH_REDIS_PORT", "63809"))
BENCH_STATE = os.environ.get("GOVWATCH_BENCH_STATE", f"/tmp/govwatch-bench-{os.getuid()}")


# ----- cleanup ---------------------------------------------------------------------------------

_cleanups: list[Callable[[], None]] = []
_cleanup_lock = threading.Lock()


def on_exit(fn: Callable[[], None]) -> Callable[[], None]:
    """Run `fn` once at exit (last registered runs first)."""
    with _cleanup_lock:
        _cleanups.append(fn)
    return fn


def run_cleanups() -> None:
    while True:
        with _cleanup_lock:
            if not _cleanups:
                return
            fn = _cleanups.pop()
        try:
            fn()
        except Exception as exc:  # noqa: BLE001 - keep cleaning up
            print(f"cleanup {getattr(fn, '__name__', fn)} failed: {exc!r}", file=sys.stderr)


def _on_signal(signum, frame) -> None:
    raise SystemExit(128 + signum)  # unwinds try/finally, then atexit runs the rest


atexit.register(run_cleanups)
signal.signal(signal.SIGTERM, _on_signal)
signal.signal(signal.SIGHUP, _on_signal)


def stop_process_group(proc: subprocess.Popen, grace: float = 15.0) -> None:
    """SIGTERM the process we started (a Celery worker then shuts down warm and stops its pool
    children itself); if it lingers, SIGKILL its whole group (start_new_session=True: while
    the leader lives, the group id is surely ours)."""
    if proc.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(grace)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(10)


# ----- the site farm -----------------------------------------------------------------------------


class FarmProcess:
    """`python -m sitefarm` in its own process (own GIL); the ground truth is read back."""

    def __init__(
        self,
        *,
        sites: int,
        columns: int,
        seed: int = 1,
        latency_ms: int = 0,
        today: str = TODAY,
        faults: bool = False,
        max_items: int | None = None,
        start_timeout: float = 600.0,
        styles: str | None = None,
        items: bool = False,
        extra_truth: bool = False,
    ):
        self.dir = Path(tempfile.mkdtemp(prefix="bench-farm-"))
        on_exit(lambda: _rmtree(self.dir))
        self.truth_path = self.dir / "truth.json"
        self.log_path = self.dir / "farm.log"
        cmd = [
            sys.executable, "-m", "sitefarm", "--seed", str(seed), "--sites", str(sites),
            "--columns", str(columns), "--port", "0", "--latency-ms", str(latency_ms),
            "--today", today, "--ground-truth", str(self.truth_path),
        ]  # fmt: skip
        if not faults:
            cmd.append("--no-faults")
        if max_items:
            cmd += ["--max-items", str(max_items)]
        if styles:
            cmd += ["--styles", styles]
        if items:
            cmd.append("--ground-truth-items")
        self.extra_path = self.dir / "extra.json" if extra_truth else None
        if self.extra_path:
            cmd += ["--extra-truth", str(self.extra_path)]
        self.latency_ms = latency_ms
        started = time.monotonic()
        self.proc = subprocess.Popen(
            cmd,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=self.log_path.open("w"),
            text=True,
            start_new_session=True,
        )
        on_exit(self.stop)
        lines: queue.Queue[str | None] = queue.Queue()

        def pump() -> None:
            for line in self.proc.stdout:
                lines.put(line)
            lines.put(None)

        threading.Thread(target=pump, daemon=True, name="farm-stdout").start()
        deadline = started + start_timeout
        banner = None
        while banner is None:
            left = deadline - time.monotonic()
            if left <= 0:
                raise RuntimeError(f"sitefarm did not start within {start_timeout:.0f} s")
            try:
                line = lines.get(timeout=min(left, 1.0))
            except queue.Empty:
                continue
            if line is None:
                raise RuntimeError(
                    "sitefarm exited: " + self.log_path.read_text("utf-8", "replace")[-2000:]
                )
            if line.startswith("sitefarm:"):
                banner = line.strip()
        self.banner = banner
        self.truth = json.loads(self.truth_path.read_text("utf-8"))
        self.extra = json.loads(self.extra_path.read_text("utf-8")) if self.extra_path else None
        self.port = self.truth["port"]
        self.portal_url = next(
            f"http://{s['host']}:{self.port}{s['home_path']}"
            for s in self.truth["sites"]
            if s["is_portal"]
        )
        self._wait_answering(deadline)
        self.startup_s = time.monotonic() - started

    def _wait_answering(self, deadline: float) -> None:
        while True:
            try:
                with urllib.request.urlopen(self.portal_url, timeout=5) as response:
                    if response.status == 200:
                        return
            except OSError:
                pass
            if time.monotonic() > deadline or self.proc.poll() is not None:
                raise RuntimeError(f"sitefarm does not answer at {self.portal_url}")
            time.sleep(0.2)

    def stop(self) -> None:
        stop_process_group(self.proc, grace=10)

    def cpu_seconds(self) -> float:
        return proc_cpu_seconds(self.proc.pid)

    def url(self, host: str, path: str) -> str:
        return f"http://{host}:{self.port}{path}"

    def allow_hosts(self) -> str:
        """GOVWATCH_CRAWL_ALLOW_HOSTS for this farm: every /24 its hosts use, and dead links'."""
        nets = {site["host"].rsplit(".", 1)[0] + ".0/24" for site in self.truth["sites"]}
        nets.add(DEAD_LINK_NET)
        return ",".join(sorted(nets, key=lambda n: tuple(int(p) for p in n[:-3].split("."))))

    def registry_farm(self) -> SimpleNamespace:
        """A light stand-in for sitefarm.model.Farm, built from the ground truth, with what
        dashboard.demo.demo_load reads (so the farm is not generated a second time in-process)."""
        sites = []
        for s in self.truth["sites"]:
            columns = tuple(
                SimpleNamespace(
                    name=c["name"],
                    category=c["category"],
                    is_first_level=c["is_first_level"],
                    path=c["path"],
                )
                for c in s["columns"]
            )
            sites.append(
                SimpleNamespace(
                    key=s["key"],
                    host=s["host"],
                    home_path=s["home_path"],
                    unit_name=s["unit_name"],
                    unit_kind=s["unit_kind"],
                    site_name=s["site_name"],
                    site_code=s["site_code"],
                    counts_in_rates=s["counts_in_rates"],
                    is_portal=s["is_portal"],
                    columns=columns,
                    # opt-in parts the benches' farms do not have
                    search_url="",
                    services_path=None,
                    mailbox_path=None,
                )
            )
        return SimpleNamespace(sites=tuple(sites), accounts=None, county=self.truth["county"])


# ----- the lower bound the per-host limit allows ---------------------------------------------------


def is_exempt(column: dict) -> bool:
    """dashboard.demo.demo_load marks topic columns exempt: a run does not fetch them."""
    return column["category"] == "topic"


def per_host_bound(
    truth: dict, latency_ms: int, per_host: int, observed: dict[str, int] | None = None
) -> dict:
    """Lower bound on a whole run's wall time set by the per-host concurrency limit.

    A host can have at most `per_host` requests in flight; each takes at least the simulated
    latency (plus the site's extra delay on slow hosts, capped by the crawler's deadline), so a
    host with n requests needs ceil(n / per_host) * latency. Hosts run in parallel: the bound is
    the slowest host. Several department sites share the portal's host, so count per host.

    From the ground truth: pages = home page + each non-exempt column page; requests add the
    JSON endpoint a json_api column is read from. `observed` (host -> requests the run really
    made, see :func:`observed_requests`) also counts article pages, links and searches, so its
    bound is the one to compare with. Dead hosts answer at once (refused) and are left out.
    """
    hosts: dict[str, dict] = {}
    for site in truth["sites"]:
        if site["flags"]["dead"]:
            continue
        h = hosts.setdefault(
            site["host"], {"pages": 0, "requests": 0, "observed": 0, "delay_ms": 0, "sites": 0}
        )
        columns = [c for c in site["columns"] if not is_exempt(c)]
        pages = 1 + len(columns)
        h["sites"] += 1
        h["pages"] += pages
        h["requests"] += pages + sum(1 for c in columns if c["style"] == "json_api")
        h["delay_ms"] = max(h["delay_ms"], site["flags"]["delay_ms"])
    for host, n in (observed or {}).items():
        if host in hosts:
            hosts[host]["observed"] += n

    def host_seconds(h: dict, key: str) -> float:
        per_request = min((latency_ms + h["delay_ms"]) / 1000, CRAWL_TOTAL_TIMEOUT_S)
        return math.ceil(h[key] / per_host) * per_request

    key = "observed" if observed else "requests"
    worst = max(hosts, key=lambda k: host_seconds(hosts[k], key)) if hosts else None
    out = {"hosts": len(hosts), "basis": key, "worst_host": worst}
    for name in ("pages", "requests", "observed"):
        out[name] = sum(h[name] for h in hosts.values())
        out[f"bound_{name}_s"] = max((host_seconds(h, name) for h in hosts.values()), default=0)
        out[f"worst_host_{name}"] = hosts[worst][name] if worst else 0
    out["worst_host_sites"] = hosts[worst]["sites"] if worst else 0
    out["bound_s"] = out[f"bound_{key}_s"]
    return out


def observed_requests(run_id: int) -> dict[str, int]:
    """Requests a run made, per host, counted from its observations (one fetch each: home,
    column, article, link, search) plus the JSON endpoints columns were read from. Retries and
    the GET after a failed link HEAD are not counted. Needs Django set up."""
    from urllib.parse import urlsplit as split

    from audits.models import Observation

    counts: dict[str, int] = {}
    rows = (
        Observation.objects.filter(run_id=run_id)
        .exclude(kind=Observation.Kind.PROBE)
        .values_list("url", "evidence__followed_json")
    )
    for url, followed in rows:
        for u in (url, followed):
            if u:
                host = split(u).hostname or ""
                counts[host] = counts.get(host, 0) + 1
    return counts


def bound_rows(bound: dict, wall: float, pages: int) -> list[tuple[str, str]]:
    """The lower-bound lines of a report table."""
    b = bound["bound_s"]
    basis = {
        "observed": "requests the run made (observations + JSON follow-ups)",
        "requests": "pages + JSON follow-ups from the ground truth",
    }[bound["basis"]]
    w = bound["worst_host"]
    return [
        ("requests on the farm: pages / + JSON / as made by the run",
         f"{bound['pages']} / {bound['requests']} / {bound['observed'] or 'n/a'}"),
        ("busiest host", f"{w}: {bound['worst_host_sites']} sites, {bound['worst_host_pages']} "
         f"pages, {bound['worst_host_observed'] or bound['worst_host_requests']} requests"),
        ("lower bound, pages only (issue's formula), s", f"{bound['bound_pages_s']:.2f}"),
        (f"lower bound from {basis}, s", f"{b:.2f}"),
        ("pages/s the bound allows", f"{pages / b:.0f}" if b else "n/a"),
        ("ratio wall / lower bound", f"{wall / b:.1f}x" if b else "n/a"),
    ]  # fmt: skip


# ----- a private database --------------------------------------------------------------------------


def _pg_url(url: str, dbname: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + dbname, parts.query, ""))


def _pg_admin(url: str, sql: str) -> None:
    import psycopg

    parts = urlsplit(url)
    conninfo = urlunsplit(("postgresql", parts.netloc, parts.path or "/postgres", parts.query, ""))
    with psycopg.connect(conninfo, autocommit=True, connect_timeout=10) as conn:
        conn.execute(sql)


def prepare_environment(name: str, extra_env: dict[str, str] | None = None) -> dict:
    """Before django.setup(): a private GOVWATCH_VAR_DIR (crawl locks, SQLite), a fresh database
    (PostgreSQL `bench_<name>_<pid>` on the DATABASE_URL server, else SQLite in that directory)
    and quiet logging. Returns what was chosen; the database is dropped at exit."""
    var_dir = Path(tempfile.mkdtemp(prefix=f"bench-{name}-var-"))
    on_exit(lambda: _rmtree(var_dir))
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ["GOVWATCH_VAR_DIR"] = str(var_dir)
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(48))
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ.update(extra_env or {})
    server_url = os.environ.get("DATABASE_URL", "")
    if server_url.startswith(("postgres://", "postgresql://")):
        dbname = f"bench_{name}_{os.getpid()}"
        _pg_admin(server_url, f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')
        _pg_admin(server_url, f'CREATE DATABASE "{dbname}"')

        def drop() -> None:
            with contextlib.suppress(Exception):
                from django.db import connections

                connections.close_all()
            _pg_admin(server_url, f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')

        on_exit(drop)
        os.environ["DATABASE_URL"] = _pg_url(server_url, dbname)
        return {"database": f"PostgreSQL {dbname}", "url": os.environ["DATABASE_URL"]}
    # The embedded default (DATABASE_URL unset): var/govwatch.sqlite3 under the private
    # GOVWATCH_VAR_DIR, with the settings' busy timeout and BEGIN IMMEDIATE. (DATABASE_URL=
    # sqlite:///... would lose both: config/settings.py only sets them without a URL.)
    os.environ.pop("DATABASE_URL", None)
    path = var_dir / "govwatch.sqlite3"
    return {"database": f"SQLite {path}", "url": f"sqlite:///{path}"}


def django_setup_and_migrate() -> float:
    import django
    from django.core.management import call_command

    started = time.monotonic()
    django.setup()
    call_command("migrate", verbosity=0, interactive=False)
    return time.monotonic() - started


def _rmtree(path: Path) -> None:
    import shutil

    shutil.rmtree(path, ignore_errors=True)


def ensure_services() -> dict:
    """DATABASE_URL and REDIS_URL: the environment's, or a private PostgreSQL and Redis started
    with scripts/services.sh on their own ports and state directory (stopped at exit)."""
    if os.environ.get("DATABASE_URL") and os.environ.get("REDIS_URL"):
        return {"services": "from the environment"}
    env = {
        **os.environ,
        "GOVWATCH_TEST_PG_PORT": str(BENCH_PG_PORT),
        "GOVWATCH_TEST_REDIS_PORT": str(BENCH_REDIS_PORT),
        "GOVWATCH_TEST_STATE": BENCH_STATE,
    }
    script = str(ROOT / "scripts" / "services.sh")

    def stop() -> None:
        subprocess.run([script, "stop"], env=env, timeout=120, check=False)

    on_exit(stop)
    out = subprocess.run(
        [script, "start"], env=env, capture_output=True, text=True, timeout=300, check=True
    ).stdout
    for line in out.splitlines():
        key, _, value = line.partition("=")
        if key in ("DATABASE_URL", "REDIS_URL") and not os.environ.get(key):
            os.environ[key] = value.strip()
    return {"services": f"private, scripts/services.sh (ports {BENCH_PG_PORT}, {BENCH_REDIS_PORT})"}


# ----- process readings ----------------------------------------------------------------------------


def proc_status_kb(pid: int, field: str) -> int:
    """A `kB` field of /proc/<pid>/status (VmHWM, VmRSS), 0 when the process is gone."""
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


def core_for(n: int) -> int:
    """The core worker N is pinned to: the usable cores in turn (as scripts/workers.sh does)."""
    cpus = sorted(os.sched_getaffinity(0))
    return cpus[n % len(cpus)]


def proc_cpu_seconds(pid: int) -> float:
    """utime + stime of a process (its own threads; not its children)."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return 0.0


def machine_busy() -> float:
    """CPU seconds all cores spent busy since boot (/proc/stat: all but idle and iowait)."""
    with open("/proc/stat") as fh:
        ticks = [int(x) for x in fh.readline().split()[1:]]
    return (sum(ticks[:8]) - ticks[3] - ticks[4]) / os.sysconf("SC_CLK_TCK")


def machine_steal() -> float:
    """CPU seconds since boot that the hypervisor ran other guests while this one wanted to run
    (/proc/stat's steal): when it grows during a bench, the figures are not this machine's."""
    with open("/proc/stat") as fh:
        ticks = [int(x) for x in fh.readline().split()[1:]]
    return ticks[7] / os.sysconf("SC_CLK_TCK")


def process_tree(pid: int) -> list[int]:
    """`pid` and every descendant (read from /proc/*/stat)."""
    parents: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                ppid = int(fh.read().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        parents.setdefault(ppid, []).append(int(entry))
    tree, todo = [], [pid]
    while todo:
        p = todo.pop()
        tree.append(p)
        todo.extend(parents.get(p, ()))
    return tree


def open_fds() -> int:
    try:
        return len(os.listdir("/proc/self/fd"))
    except OSError:
        return 0


# ----- output --------------------------------------------------------------------------------------


def table(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """A Markdown table; numbers right-aligned."""
    rows = [[_cell(v) for v in row] for row in rows]
    numeric = [
        all(_is_number(row[i]) for row in rows) if rows else False for i in range(len(headers))
    ]
    lines = ["| " + " | ".join(headers) + " |"]
    lines.append("| " + " | ".join("---:" if n else "---" for n in numeric) + " |")
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def _cell(value: object) -> str:
    if isinstance(value, float):
        text = f"{value:,.2f}" if abs(value) < 100 else f"{value:,.0f}"
    elif isinstance(value, int) and not isinstance(value, bool):
        text = f"{value:,}"
    else:
        text = str(value)
    return text.replace("|", "\\|").replace("\n", " ")


def _is_number(text: str) -> bool:
    try:
        float(text.replace(",", "").rstrip("%"))
        return True
    except ValueError:
        return False


def pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.2f}%" if whole else "n/a"


def mib(kb: int) -> str:
    return f"{kb / 1024:,.0f} MiB"


def say(*parts: object) -> None:
    """Progress on stderr, so that stdout holds only the tables."""
    print(*parts, file=sys.stderr, flush=True)


def load_registry(farm, say) -> float:
    """Fill the registry from the farm (dashboard.demo.demo_load); returns the seconds it took."""
    from dashboard.demo import demo_load

    started = time.monotonic()
    loaded = demo_load(farm.registry_farm(), farm.port)
    seconds = time.monotonic() - started
    say(f"demo_load {seconds:.1f} s: {loaded}")
    return seconds
