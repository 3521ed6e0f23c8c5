"""Serve the history with Datasette, read-only: the command `govwatch datasette` prints and `serve` runs.

Datasette opens the file as a mutable database (``mode=ro`` reads, not
``--immutable``, which would never see what `govwatch check` writes next), with
govwatch's metadata and its plugin that makes every connection ``query_only``,
and a SQL time limit. `DatasetteServer` runs that command as a service with
`name`, `url`, `start()` and `stop()`, so `govwatch serve` runs it on a second
port beside the feed server and stops it with it.
"""

from __future__ import annotations

import shlex
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from importlib.metadata import entry_points
from pathlib import Path
from typing import IO

from monitor.watchlist.config import Config
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


class DatasetteServer:
    """Datasette serving the history in a child process: a service `govwatch serve` runs beside the feeds."""

    name = "the history in Datasette"

    def __init__(self, database: Path, options: DatasetteOptions = DatasetteOptions(), ready_timeout: float = 30):
        self.database, self.options, self.ready_timeout = Path(database), options, ready_timeout
        self.command: list[str] = []
        self.process: subprocess.Popen | None = None
        self._errors: IO[str] | None = None

    @property
    def url(self) -> str:
        """Return the address Datasette answers on."""
        return f"http://{self.options.host}:{self.options.port}"

    def start(self) -> DatasetteServer:
        """Start Datasette and return once it answers (GovwatchError if its port is taken, it stops or stays silent)."""
        from monitor.publish import ports
        from monitor.publish.children import spawn

        if ports.port_taken(self.options.host, self.options.port):
            raise GovwatchError(f"cannot serve Datasette: {ports.describe(self.options.host, self.options.port)}",
                                hint="stop that process or pick another port (--datasette-port; 0: any free port)")
        self.command = datasette_command(prepare_database(self.database), self.options)
        # A file, not a pipe: nobody drains a pipe while Datasette runs, and a full one would block it.
        self._errors = tempfile.TemporaryFile(mode="w+", encoding="utf-8")
        # Tied to this process: a `kill -9` of govwatch takes Datasette (and its port) with it.
        self.process = spawn(self.command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=self._errors)
        deadline = time.monotonic() + self.ready_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                message, code = _last_line(self.errors_text()), self.process.returncode
                self.stop()
                taken = ports.port_taken(self.options.host, self.options.port)
                where = f"; {ports.describe(self.options.host, self.options.port)}" if taken else ""
                raise GovwatchError(f"Datasette stopped at start (exit {code}): {message}{where}",
                                    hint="pick another port (--datasette-port; 0: any free port)")  # fmt: skip
            if _answers(self.url) and self._is_ours():
                return self
            time.sleep(0.1)
        self.stop()
        raise GovwatchError(f"Datasette did not answer on {self.url} within {self.ready_timeout:.0f} s")

    def _is_ours(self) -> bool:
        """Tell whether what answers on the port is this Datasette, not another process that took it."""
        from monitor.publish.ports import held_by

        assert self.process is not None
        mine = held_by(self.options.port, self.process.pid)
        return self.process.poll() is None and mine is not False

    def errors_text(self) -> str:
        """Return what Datasette wrote on stderr so far."""
        if self._errors is None:
            return ""
        self._errors.seek(0)
        return self._errors.read()

    def stop(self, timeout: float = 10) -> None:
        """Ask Datasette to exit (SIGTERM), and kill it if it has not within `timeout` seconds."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self._errors is not None:
            self._errors.close()
            self._errors = None

    def __enter__(self) -> DatasetteServer:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def start_datasette(database: Path, options: DatasetteOptions = DatasetteOptions()) -> DatasetteServer:
    """Start Datasette on the history at `database`; return it answering (use it as a context manager)."""
    return DatasetteServer(database, options).start()


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/-/versions.json", timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


def _last_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else "no message"
