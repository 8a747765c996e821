"""config.env: environment variables are parsed strictly, and a bad one names itself."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_float, env_int, env_list, env_str, env_url

ROOT = Path(__file__).resolve().parent.parent
VAR = "GOVWATCH_TEST_VALUE"


@pytest.fixture(autouse=True)
def _unset(monkeypatch):
    monkeypatch.delenv(VAR, raising=False)


# --- env_bool -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1", True),
        ("true", True),
        ("TRUE", True),
        (" yes ", True),
        ("on", True),
        ("0", False),
        ("false", False),
        ("No", False),
        ("off", False),
        ("", False),
    ],
)
def test_env_bool_accepts_the_usual_spellings(monkeypatch, value, expected):
    monkeypatch.setenv(VAR, value)
    assert env_bool(VAR, default=not expected) is expected


@pytest.mark.parametrize("default", [True, False])
def test_env_bool_uses_the_default_when_unset(default):
    assert env_bool(VAR, default=default) is default


@pytest.mark.parametrize("value", ["maybe", "2", "y", "开", "tru e"])
def test_env_bool_refuses_anything_else_and_names_the_variable(monkeypatch, value):
    monkeypatch.setenv(VAR, value)
    with pytest.raises(ImproperlyConfigured, match=VAR) as caught:
        env_bool(VAR, default=False)
    assert repr(value) in str(caught.value)


# --- env_int ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("value", "expected"), [("0", 0), ("42", 42), (" 7 ", 7), ("-3", -3)])
def test_env_int_reads_integers(monkeypatch, value, expected):
    monkeypatch.setenv(VAR, value)
    assert env_int(VAR, 5) == expected


def test_env_int_uses_the_default_when_unset():
    assert env_int(VAR, 5, minimum=1) == 5


@pytest.mark.parametrize("value", ["", "abc", "1.5", "10MB", "1e3"])
def test_env_int_refuses_a_non_integer_and_names_the_variable(monkeypatch, value):
    monkeypatch.setenv(VAR, value)
    with pytest.raises(ImproperlyConfigured, match=f"{VAR}=.*expected an integer"):
        env_int(VAR, 5)


def test_env_int_refuses_a_value_below_its_minimum(monkeypatch):
    monkeypatch.setenv(VAR, "0")
    with pytest.raises(ImproperlyConfigured, match=f"{VAR}=0: must be at least 1"):
        env_int(VAR, 5, minimum=1)


def test_env_int_accepts_its_minimum(monkeypatch):
    monkeypatch.setenv(VAR, "1")
    assert env_int(VAR, 5, minimum=1) == 1


# --- env_float ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("value", "expected"), [("0.5", 0.5), ("5", 5.0), (" 2.25 ", 2.25)])
def test_env_float_reads_numbers(monkeypatch, value, expected):
    monkeypatch.setenv(VAR, value)
    assert env_float(VAR, 1.0) == expected


def test_env_float_uses_the_default_when_unset():
    assert env_float(VAR, 1.5, minimum=0.01) == 1.5


@pytest.mark.parametrize("value", ["", "fast", "1,5", "5/s"])
def test_env_float_refuses_a_non_number_and_names_the_variable(monkeypatch, value):
    monkeypatch.setenv(VAR, value)
    with pytest.raises(ImproperlyConfigured, match=f"{VAR}=.*expected a number"):
        env_float(VAR, 1.0)


def test_env_float_refuses_a_value_below_its_minimum(monkeypatch):
    monkeypatch.setenv(VAR, "0.001")
    with pytest.raises(ImproperlyConfigured, match=f"{VAR}=0.001: must be at least 0.01"):
        env_float(VAR, 1.0, minimum=0.01)


# --- env_list -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("a.example.cn", ["a.example.cn"]),
        ("a.example.cn, b.example.cn", ["a.example.cn", "b.example.cn"]),
        (" a ,, b , ", ["a", "b"]),
        ("", []),
    ],
)
def test_env_list_splits_on_commas_and_drops_blanks(monkeypatch, value, expected):
    monkeypatch.setenv(VAR, value)
    assert env_list(VAR, ["default"]) == expected


def test_env_list_returns_a_copy_of_the_default_when_unset():
    default = ["localhost"]
    result = env_list(VAR, default)
    assert result == default
    result.append("changed")
    assert default == ["localhost"]


# --- env_url and env_str ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    ["postgres://u:p@127.0.0.1:5432/db", "postgresql://db", "sqlite:////tmp/x.sqlite3"],
)
def test_env_url_accepts_a_supported_scheme(monkeypatch, value):
    monkeypatch.setenv(VAR, value)
    assert env_url(VAR, ("postgres", "postgresql", "sqlite")) == value


@pytest.mark.parametrize("value", [None, "", "   "])
def test_env_url_is_none_when_unset_or_blank(monkeypatch, value):
    if value is not None:
        monkeypatch.setenv(VAR, value)
    assert env_url(VAR, ("redis",)) is None


@pytest.mark.parametrize(
    ("value", "shown"),
    [("mysql://x", "'mysql'"), ("127.0.0.1:6379", "'(none)'"), ("http://redis", "'http'")],
)
def test_env_url_refuses_another_scheme_and_names_the_variable(monkeypatch, value, shown):
    monkeypatch.setenv(VAR, value)
    with pytest.raises(ImproperlyConfigured, match=VAR) as caught:
        env_url(VAR, ("redis", "rediss"))
    assert shown in str(caught.value)
    assert "redis, rediss" in str(caught.value)


def test_env_str_strips_and_falls_back_to_the_default(monkeypatch):
    assert env_str(VAR, "fallback") == "fallback"
    monkeypatch.setenv(VAR, "  value  ")
    assert env_str(VAR, "fallback") == "value"


# --- the whole settings module at start-up ------------------------------------------------------


def _setup_django(tmp_path, **overrides) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "DEBUG")}
    env |= {
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "GOVWATCH_VAR_DIR": str(tmp_path),
        "PYTHONPATH": str(ROOT),
        **overrides,
    }
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_django_starts_with_a_clean_environment(tmp_path):
    result = _setup_django(tmp_path)
    assert result.returncode == 0, result.stderr


def test_django_refuses_to_start_with_a_bad_debug_flag(tmp_path):
    result = _setup_django(tmp_path, DEBUG="maybe")

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "DEBUG='maybe'" in result.stderr


def test_django_refuses_to_start_with_an_unsupported_database_url(tmp_path):
    result = _setup_django(tmp_path, DATABASE_URL="mysql://x")

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "DATABASE_URL" in result.stderr
    assert "'mysql'" in result.stderr


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("GOVWATCH_MAX_IMPORT_BYTES", "5MB"),
        ("GOVWATCH_CRAWL_PER_HOST_RATE", "0"),
        ("REDIS_URL", "localhost:6379"),
        ("SECURE_COOKIES", "sometimes"),
    ],
)
def test_django_refuses_to_start_naming_any_bad_variable(tmp_path, name, value):
    result = _setup_django(tmp_path, **{name: value})

    assert result.returncode != 0
    assert name in result.stderr


# --- GOVWATCH_WORKER_CPU (config/celery.py) -----------------------------------------------------


def _pin_in_a_thread(settings, cpu, pool="threads"):
    """Run the worker_init handler in a thread of its own (it pins the calling thread)."""
    import threading
    from types import SimpleNamespace

    from config.celery import pin_worker

    settings.GOVWATCH_WORKER_CPU = cpu
    out = {}

    def run():
        try:
            pin_worker(sender=SimpleNamespace(pool_cls=pool))
        except SystemExit as exc:
            out["error"] = str(exc)
        out["cpus"] = os.sched_getaffinity(0)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    return out


def test_a_worker_given_a_core_is_pinned_to_it(settings, monkeypatch):
    monkeypatch.setenv("GOVWATCH_CPUS_BEFORE_PIN", "")  # restored (removed) afterwards
    every = os.sched_getaffinity(0)
    out = _pin_in_a_thread(settings, max(every))
    assert out["cpus"] == {max(every)}
    # what its Chromium may use later: the cores it had before
    assert os.environ["GOVWATCH_CPUS_BEFORE_PIN"] == ",".join(map(str, sorted(every)))


def test_a_worker_without_a_core_is_left_where_it_is(settings):
    assert _pin_in_a_thread(settings, None)["cpus"] == os.sched_getaffinity(0)


def test_a_core_the_machine_does_not_have_stops_the_worker(settings):
    out = _pin_in_a_thread(settings, 4096)
    assert "GOVWATCH_WORKER_CPU=4096" in out["error"]
    assert out["cpus"] == os.sched_getaffinity(0)


def test_pinning_a_prefork_worker_is_refused(settings):
    """Its children would all share the one core."""
    out = _pin_in_a_thread(settings, min(os.sched_getaffinity(0)), pool="prefork")
    assert "--pool threads" in out["error"] and out["cpus"] == os.sched_getaffinity(0)


def test_a_real_worker_with_a_wrong_core_exits_and_says_why(tmp_path):
    """Celery ignores what a signal handler raises, except SystemExit: the worker must stop."""
    env = {
        **{k: v for k, v in os.environ.items() if k != "REDIS_URL"},
        "GOVWATCH_WORKER_CPU": "4096",
        "GOVWATCH_VAR_DIR": str(tmp_path),
    }
    celery = Path(sys.executable).with_name("celery")
    proc = subprocess.run(
        [str(celery), "-A", "config", "worker", "--pool", "threads", "--loglevel", "WARNING"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert proc.returncode != 0
    assert "GOVWATCH_WORKER_CPU=4096" in proc.stdout + proc.stderr


def test_a_negative_core_is_refused_at_start(monkeypatch):
    env = {**os.environ, "GOVWATCH_WORKER_CPU": "-1", "DJANGO_SETTINGS_MODULE": "config.settings"}
    proc = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT, env=env, capture_output=True, text=True,
    )  # fmt: skip
    assert proc.returncode != 0 and "GOVWATCH_WORKER_CPU=-1" in proc.stderr


# --- GOVWATCH_WORKER_GC_THRESHOLD (config/celery.py) ---------------------------------------------

_GC_PROBE = (
    "import gc, django; django.setup(); from celery import signals; from config.celery import "
    "app, tune_gc; assert any(r() is tune_gc for _, r in signals.worker_init.receivers); "
    "tune_gc(); print(gc.get_threshold()[0], gc.get_freeze_count() > 1000)"
)


def _gc_in_a_worker(value: str | None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "GOVWATCH_WORKER_GC_THRESHOLD"}
    env["DJANGO_SETTINGS_MODULE"] = "config.settings"
    if value is not None:
        env["GOVWATCH_WORKER_GC_THRESHOLD"] = value
    return subprocess.run(
        [sys.executable, "-c", _GC_PROBE], cwd=ROOT, env=env, capture_output=True, text=True
    )


def test_a_worker_collects_garbage_less_often_with_its_imports_frozen():
    assert _gc_in_a_worker(None).stdout.split() == ["50000", "True"]
    assert _gc_in_a_worker("20000").stdout.split() == ["20000", "True"]


def test_a_zero_gc_threshold_leaves_pythons_collector_as_it_is():
    assert _gc_in_a_worker("0").stdout.split() == ["700", "False"]


def test_a_negative_gc_threshold_is_refused_at_start():
    proc = _gc_in_a_worker("-5")
    assert proc.returncode != 0 and "GOVWATCH_WORKER_GC_THRESHOLD" in proc.stderr
