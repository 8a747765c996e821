"""`python -m sitefarm` serves until SIGTERM and writes the ground truth."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

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
