"""Serve the history with Datasette, read-only: the command `govwatch datasette` prints and `serve` runs.

Datasette opens the file as a mutable database (``mode=ro`` reads, not
``--immutable``, which would never see what `govwatch check` writes next), with
govwatch's metadata and its plugin that makes every connection ``query_only``,
and a SQL time limit. `start_datasette` runs that command beside another
server (`govwatch serve` puts it on a second port) and stops it with it.
"""

from __future__ import annotations

import shlex
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from pathlib import Path
from typing import IO

from monitor.config import Config
from monitor.errors import GovwatchError
from store import datasette as shipped
from store.db import open_db

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8001
SQL_TIME_LIMIT_MS = 3000
# Long enough for a signature curve polled every 10 minutes for two months.
MAX_RETURNED_ROWS = 10000
# Plugins known not to write: anything else installed beside Datasette is reported.
READ_ONLY_PLUGINS = frozenset({"datasette_vega"})


@dataclass(frozen=True, slots=True)
class DatasetteOptions:
    """Where Datasette listens and how long one query may run."""

    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    sql_time_limit_ms: int = SQL_TIME_LIMIT_MS


def datasette_executable() -> list[str]:
    """Return the argv prefix that runs this environment's Datasette."""
    script = Path(sys.executable).with_name("datasette")
    return [str(script)] if script.exists() else [sys.executable, "-m", "datasette"]


def datasette_command(database: Path, options: DatasetteOptions = DatasetteOptions()) -> list[str]:
    """Return the exact `datasette serve` argv for the history at `database`."""
    settings = {"sql_time_limit_ms": options.sql_time_limit_ms, "max_returned_rows": MAX_RETURNED_ROWS}
    return [
        *datasette_executable(), "serve", str(Path(database).resolve()),
        "--host", options.host, "--port", str(options.port),
        "--metadata", str(shipped.METADATA), "--plugins-dir", str(shipped.PLUGINS_DIR),
        *[arg for name, value in settings.items() for arg in ("--setting", name, str(value))],
    ]  # fmt: skip


def prepare_database(database: Path) -> Path:
    """Create or migrate the history so Datasette finds its views and search tables; return its path."""
    open_db(database).close()
    return Path(database)


def unexpected_plugins() -> list[str]:
    """Return the Datasette plugins installed here that govwatch does not know to be read-only."""
    names = {ep.module.split(".")[0] for ep in entry_points(group="datasette")}
    return sorted(names - READ_ONLY_PLUGINS)


def command_text(config: Config, options: DatasetteOptions = DatasetteOptions()) -> str:
    """Return the `datasette` command line for the watchlist's history, ready to paste into a shell."""
    return shlex.join(datasette_command(prepare_database(config.settings.database), options))


@dataclass
class RunningDatasette:
    """A Datasette process serving the history; stop() ends it."""

    process: subprocess.Popen
    url: str
    command: list[str] = field(default_factory=list)
    errors: IO[str] | None = None

    def errors_text(self) -> str:
        """Return what Datasette wrote on stderr so far."""
        if self.errors is None:
            return ""
        self.errors.seek(0)
        return self.errors.read()

    def stop(self, timeout: float = 10) -> None:
        """Ask Datasette to exit (SIGTERM), and kill it if it has not within `timeout` seconds."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.errors is not None:
            self.errors.close()
            self.errors = None

    def __enter__(self) -> RunningDatasette:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def start_datasette(database: Path, options: DatasetteOptions = DatasetteOptions(),
                    ready_timeout: float = 30) -> RunningDatasette:  # fmt: skip
    """Start Datasette on the history at `database` and return once it answers."""
    command = datasette_command(prepare_database(database), options)
    # A file, not a pipe: nobody drains a pipe while Datasette runs, and a full one would block it.
    errors = tempfile.TemporaryFile(mode="w+", encoding="utf-8")
    process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=errors)
    running = RunningDatasette(process, f"http://{options.host}:{options.port}", command, errors)
    deadline = time.monotonic() + ready_timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            message = _last_line(running.errors_text())
            running.stop()
            raise GovwatchError(
                f"Datasette stopped at start (exit {process.returncode}): {message}",
                hint=f"is port {options.port} already in use? Try another port",
            )
        if _answers(running.url):
            return running
        time.sleep(0.1)
    running.stop()
    raise GovwatchError(f"Datasette did not answer on {running.url} within {ready_timeout:.0f} s")


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/-/versions.json", timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


def _last_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else "no message"
