"""The benchmarks run end to end at a tiny size, so they cannot rot between the runs the README quotes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench"

# (script, tiny-size arguments, a line its figures must contain)
SMALL_RUNS = [
    ("feeds.py", ["--petitions", "20", "--events-each", "2"], "full rebuild:"),
    ("history_queries.py", ["--petitions", "20", "--points", "5"], "signature_curve"),
    ("pages.py", ["--polls", "2", "--comments-mb", "0.5"], "polls of 3 watches"),
    ("page_search.py", ["--pages", "5", "--changes", "1"], "search '维吾尔': 5 pages"),
    ("diff.py", ["--words", "200", "--megabytes", "0.05"], "200-word paragraph rewritten"),
]


@pytest.mark.slow
@pytest.mark.parametrize(("script", "args", "expected"), SMALL_RUNS, ids=[run[0] for run in SMALL_RUNS])
def test_benchmark_runs_and_prints_its_figures(script, args, expected):
    done = subprocess.run([sys.executable, str(BENCH / script), *args], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert expected in done.stdout, done.stdout
    assert "Traceback" not in done.stderr


@pytest.mark.slow
def test_crash_campaign_at_a_tiny_size_finds_every_change_once():
    done = subprocess.run([sys.executable, str(BENCH / "crash.py"), "--kills", "2", "--petitions", "2"],
                          capture_output=True, text=True, timeout=240)  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert "lost 0, duplicates 0, unexpected 0" in done.stdout and "integrity         ok" in done.stdout
    assert "full rebuild identical" in done.stdout and "undelivered 0" in done.stdout
    assert "Traceback" not in done.stderr
