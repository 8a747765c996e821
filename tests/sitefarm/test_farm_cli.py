"""`python -m sitefarm` serves until SIGTERM and writes the ground truth."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import requests

ROOT = Path(__file__).resolve().parents[2]


def test_cli_serves_writes_truth_and_stops_on_sigterm(tmp_path):
    truth_file = tmp_path / "farm.json"
    command = [
        sys.executable,
        "-m",
        "sitefarm",
        "--seed", "1",
        "--sites", "5",
        "--columns", "4",
        "--port", "0",
        "--latency-ms", "0",
        "--today", "2026-11-23",
        "--ground-truth", str(truth_file),
    ]  # fmt: skip
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        line = process.stdout.readline()
        assert line.startswith("sitefarm:"), line
        truth = json.loads(truth_file.read_text("utf-8"))
        port = truth["port"]
        assert port and truth["today"] == "2026-11-23" and len(truth["sites"]) == 5
        site = truth["sites"][0]
        response = requests.get(f"http://{site['host']}:{port}{site['home_path']}", timeout=5)
        assert response.status_code == 200
        column = site["columns"][0]
        url = f"http://{site['host']}:{port}{column['path']}"
        assert requests.get(url, timeout=5).status_code == 200
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_cli_opt_in_parts_and_bridge(tmp_path):
    extra_file, feed_file = tmp_path / "extra.json", tmp_path / "feeds.json"
    command = [
        sys.executable, "-m", "sitefarm", "--seed", "1", "--sites", "12", "--columns", "6",
        "--port", "0", "--today", "2026-11-23", "--no-faults",
        "--search", "--services", "--interaction", "--nav-home", "1",
        "--styles", "ul_date,pinned,yearless_old,yearless_pinned",
        "--accounts-per-unit", "2", "--posts-per-account", "5", "--bridge-port", "0",
        "--extra-truth", str(extra_file), "--feed-truth", str(feed_file),
    ]  # fmt: skip
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        line = process.stdout.readline()
        assert line.startswith("sitefarm:") and ", bridge http://127.0.3.1:" in line, line
        extra = json.loads(extra_file.read_text("utf-8"))
        assert set(extra) >= {"search", "lists", "services", "interaction", "home"}
        port = extra["port"]
        site = extra["search"]["sites"][0]
        case = site["cases"][0]
        url = f"http://{site['host']}:{port}" + site["url"].replace("{q}", quote(case["query"]))
        response = requests.get(url, timeout=5)
        assert response.status_code == 200
        assert (case["item_path"].encode() in response.content) == case["found"]
        assert extra["lists"]["sites"] and extra["services"]["sites"]
        assert [s for s in extra["home"]["sites"] if s["home_mode"] == "nav_only"]
        feeds = json.loads(feed_file.read_text("utf-8"))
        account = next(
            a for a in feeds["accounts"] if a["fault"] == "ok" and a["encoding"] == "utf-8"
        )
        assert f":{port}/" not in account["feed_url"]  # the bridge has a port of its own
        response = requests.get(account["feed_url"], timeout=5)
        assert response.status_code == 200
        assert account["feed_title"] in response.content.decode("utf-8")
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_cli_help_documents_the_new_flags():
    result = subprocess.run(
        [sys.executable, "-m", "sitefarm", "--help"], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0
    for flag in ("--search", "--services", "--interaction", "--nav-home", "--styles",
                 "--accounts", "--accounts-per-unit", "--bridge-port", "--feed-truth",
                 "--extra-truth"):  # fmt: skip
        assert flag in result.stdout


def test_cli_standalone_accounts_share_the_farm_port(tmp_path):
    feed_file = tmp_path / "feeds.json"
    command = [
        sys.executable, "-m", "sitefarm", "--sites", "2", "--columns", "2", "--port", "0",
        "--today", "2026-11-23", "--accounts", "40", "--posts-per-account", "4",
        "--feed-truth", str(feed_file), "--feed-truth-no-posts",
    ]  # fmt: skip
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert "(40 accounts)" in process.stdout.readline()
        feeds = json.loads(feed_file.read_text("utf-8"))
        assert len(feeds["accounts"]) == 40 and "posts" not in feeds["accounts"][0]
        first = feeds["accounts"][0]
        assert first["feed_url"].startswith(f"http://127.0.3.1:{feeds['port']}/wechat/gh_")
        assert requests.get(first["feed_url"], timeout=5).status_code == 200
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
