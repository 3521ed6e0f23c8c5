"""Real Scrapyd nodes on 127.0.0.1 for the tests and bench/scrapyd.py: own port, config and folders.

A node runs `scrapyd` in its own process group, so stopping or SIGKILLing it
ends the daemon and every spider process it started. It is only configured as
any Scrapyd is (port, folders, max_proc, poll interval): govwatch deploys
itself to it.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from monitor.publish.serve import free_port

SCRAPYD = str(Path(sys.executable).with_name("scrapyd"))


class ScrapydNode:
    """One `scrapyd` process with its own scrapyd.conf and folders under `folder`."""

    def __init__(self, folder: Path, *, max_proc: int = 1, poll_interval: float = 0.1):
        self.folder = folder
        self.folder.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.max_proc = max_proc
        (folder / "scrapyd.conf").write_text(
            "[scrapyd]\n"
            f"bind_address = 127.0.0.1\nhttp_port = {self.port}\n"
            f"max_proc = {max_proc}\npoll_interval = {poll_interval}\n"
            f"eggs_dir = {folder}/eggs\ndbs_dir = {folder}/dbs\nlogs_dir = {folder}/logs\n"
            f"items_dir = {folder}/items\njobs_to_keep = 1000\n"
        )
        self.process: subprocess.Popen | None = None

    def start(self) -> ScrapydNode:
        """Start the daemon and wait until it answers daemonstatus.json."""
        if shutil.which(SCRAPYD) is None:
            raise RuntimeError(f"{SCRAPYD} not found: install govwatch[scrapyd]")
        self.log = open(self.folder / "scrapyd.out", "ab")  # noqa: SIM115  (closed in stop)
        env = os.environ | {"PYTHONUNBUFFERED": "1"}
        env.pop("SCRAPY_SETTINGS_MODULE", None)
        self.process = subprocess.Popen([SCRAPYD], cwd=self.folder, stdout=self.log, stderr=subprocess.STDOUT,
                                        env=env, start_new_session=True)  # fmt: skip
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"scrapyd exited {self.process.returncode}: {(self.folder / 'scrapyd.out').read_text()}")
            try:
                self.status()
                return self
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"scrapyd on port {self.port} did not answer in 20 s")

    def status(self) -> dict:
        """Return daemonstatus.json."""
        with urllib.request.urlopen(f"{self.url}/daemonstatus.json", timeout=2) as r:
            return json.loads(r.read())

    def jobs(self, project: str = "govwatch") -> dict:
        """Return listjobs.json of a project."""
        with urllib.request.urlopen(f"{self.url}/listjobs.json?project={project}", timeout=2) as r:
            return json.loads(r.read())

    def kill(self) -> None:
        """SIGKILL the daemon and every spider process it runs (the node is gone, as a crashed machine)."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def stop(self) -> None:
        """Stop the daemon and its spider processes (SIGTERM, then SIGKILL after 5 s)."""
        if self.process is None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
        try:  # whatever is left of the group (a spider that ignored SIGTERM) ends now
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait()
        self.log.close()

    def __enter__(self) -> ScrapydNode:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def scrapyd_table(nodes: list[ScrapydNode], **extra: object) -> str:
    """Return the [scrapyd] table of a watchlist using these nodes (slots = each node's max_proc)."""
    listed = ", ".join(f'{{ url = "{n.url}", slots = {n.max_proc} }}' for n in nodes)
    more = "".join(f"{k} = {json.dumps(v)}\n" for k, v in extra.items())
    return f"\n[scrapyd]\nnodes = [{listed}]\npoll_interval = 0.1\n{more}"
