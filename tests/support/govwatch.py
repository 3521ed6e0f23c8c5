"""Run govwatch for real in a temporary folder, against servers on 127.0.0.1."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

# Politeness lifted for 127.0.0.1: the replica is ours and local (see README, [hosts."127.0.0.1"]).
LOCAL_HOST_RULES = """
[hosts."127.0.0.1"]
robots_txt = true
concurrency = 8
delay = 0
autothrottle = false
retries = 1
backoff = "0.1s"
max_retry_after = "5s"
timeout = "2s"
max_size = "2MB"
"""

# For tests that count requests: no retry of a request a busy machine answered slowly.
PATIENT_HOST_RULES = LOCAL_HOST_RULES.replace('timeout = "2s"', 'timeout = "120s"').replace("retries = 1", "retries = 0")


@dataclass
class Govwatch:
    """A watchlist in a temporary folder and the `govwatch` command run on it."""

    folder: Path
    entries: list[str] = field(default_factory=list)
    settings: str = ""
    hosts: str = LOCAL_HOST_RULES

    @property
    def config(self) -> Path:
        return self.folder / "watchlist.toml"

    @property
    def database(self) -> Path:
        return self.folder / "govwatch.db"

    def add(self, entry: str) -> None:
        """Add an entry (TOML text such as '[[petition]]\\nurl = "…"')."""
        self.entries.append(entry.strip())
        self.write()

    def write(self) -> None:
        head = '[govwatch]\ndatabase = "govwatch.db"\nfeeds_dir = "feeds"\n' + self.settings
        if "approaching_within" not in self.settings:
            # Test counts climb hundreds a second, which puts any threshold "within 24 h": the scenarios
            # that are not about the signature ETA leave threshold_approaching off (tests/test_eta.py turns it on).
            head += 'approaching_within = "0"\n'

        self.config.write_text("\n\n".join([head, self.hosts, *self.entries]) + "\n")

    def run(self, *args: str, check: bool = True, timeout: float = 120) -> subprocess.CompletedProcess:
        """Run `govwatch ARGS --config <this watchlist>` in a subprocess."""
        if not self.config.exists():
            self.write()
        env = os.environ | {"GOVWATCH_CONFIG": str(self.config), "PYTHONUNBUFFERED": "1"}
        proc = subprocess.run([sys.executable, "-m", "monitor.cli", *args], env=env, cwd=self.folder,
                              capture_output=True, text=True, timeout=timeout)  # fmt: skip
        if check and proc.returncode != 0:
            raise AssertionError(f"govwatch {' '.join(args)} exited {proc.returncode}:\n{proc.stdout}\n{proc.stderr}")
        return proc

    def start(self, *args: str) -> subprocess.Popen:
        """Start `govwatch ARGS` (a server) in the background; the caller stops it."""
        if not self.config.exists():
            self.write()
        env = os.environ | {"GOVWATCH_CONFIG": str(self.config), "PYTHONUNBUFFERED": "1"}
        return subprocess.Popen([sys.executable, "-m", "monitor.cli", *args], env=env, cwd=self.folder,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip

    def check(self, *args: str) -> subprocess.CompletedProcess:
        """Run one `govwatch check` (exit 3 or 4, some or every watch failed, is a check that ran too)."""
        proc = self.run("check", *args, check=False)
        if proc.returncode not in (0, 3, 4):
            raise AssertionError(f"govwatch check exited {proc.returncode}:\n{proc.stdout}\n{proc.stderr}")
        return proc

    def query(self, sql: str, params: tuple = ()) -> list[dict]:
        """Read the database directly (nothing before the first run created it)."""
        if not self.database.exists():
            return []
        conn = sqlite3.connect(self.database)
        conn.row_factory = sqlite3.Row
        try:
            return [dict(r) for r in conn.execute(sql, params)]
        finally:
            conn.close()

    def event_keys(self) -> list[str]:
        return [r["key"] for r in self.query("SELECT key FROM events ORDER BY id")]

    def events(self) -> list[dict]:
        rows = self.query("SELECT * FROM events ORDER BY id")
        return [r | {"data": json.loads(r["data"])} for r in rows]

    def count(self, table: str) -> int:
        rows = self.query(f"SELECT count(*) AS n FROM {table}")
        return rows[0]["n"] if rows else 0


def most_in_flight(requests) -> int:
    """Return the most requests of a replica's log that were in flight at once."""
    edges = sorted([(r.started, 1) for r in requests] + [(r.ended, -1) for r in requests])
    most = now = 0
    for _, change in edges:
        now += change
        most = max(most, now)
    return most
