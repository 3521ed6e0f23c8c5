"""Talk to a real Datasette over HTTP, and look at its pages with headless Chromium."""

from __future__ import annotations

import json
import shlex
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

# Flags that keep Chromium from reaching any network of its own and from reusing a profile.
CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--no-first-run")  # fmt: skip


@dataclass(frozen=True)
class Answer:
    """One HTTP answer: status and body (JSON decoded when it is JSON)."""

    status: int
    body: Any


def request(url: str, data: bytes | None = None, headers: dict[str, str] | None = None) -> Answer:
    """GET (or POST `data` to) `url`; an HTTP error is an Answer too, not an exception."""
    req = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=10) as response:
            status, raw = response.status, response.read()
    except urllib.error.HTTPError as e:
        status, raw = e.code, e.read()
    try:
        return Answer(status, json.loads(raw))
    except ValueError:
        return Answer(status, raw.decode("utf-8", "replace"))


def rows(base: str, path: str, **params: str) -> list[dict[str, Any]]:
    """Return the rows of a Datasette table, view or query as a list of dicts (asserting 200)."""
    query = urlencode({**params, "_shape": "array"})
    answer = request(f"{base}{path}.json?{query}")
    assert answer.status == 200, f"{path}: HTTP {answer.status}: {answer.body}"
    return answer.body


def chromium() -> str | None:
    """Return the Chromium executable (Debian package `chromium`), or None when it is not installed."""
    return shutil.which("chromium") or shutil.which("chromium-browser")


def browse(url: str, profile: Path, *, screenshot: Path | None = None, size: str = "1200,1000") -> str:
    """Load `url` in headless Chromium (JavaScript run); return the DOM, and take a screenshot if asked."""
    exe = chromium()
    assert exe is not None, "Chromium is not installed"
    common = [exe, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", f"--window-size={size}",
              "--virtual-time-budget=10000"]  # fmt: skip
    if screenshot is not None:
        subprocess.run([*common, f"--screenshot={screenshot}", url], capture_output=True, timeout=60, check=True)
    dom = subprocess.run([*common, "--dump-dom", url], capture_output=True, text=True, timeout=60, check=True)
    return dom.stdout


def printed_command(gw: Any, port: int) -> list[str]:
    """Return the argv `govwatch datasette --port PORT` prints for `gw`'s watchlist."""
    printed = gw.run("datasette", "--port", str(port))
    assert printed.stderr == ""  # no warning: only read-only plugins are installed beside Datasette
    return shlex.split(printed.stdout.strip())


@contextmanager
def serving(argv: list[str]) -> Iterator[str]:
    """Run a `datasette serve` argv as a user would; yield its URL once it answers."""
    url = f"http://127.0.0.1:{argv[argv.index('--port') + 1]}"
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_until(lambda: answers(url), process)
        yield url
    finally:
        process.terminate()
        process.wait(10)


def wait_until(ready: Callable[[], bool], process: subprocess.Popen, timeout: float = 30) -> None:
    """Wait for `ready()` while `process` runs (failing if it exits or `timeout` seconds pass)."""
    deadline = time.monotonic() + timeout
    while not ready():
        assert process.poll() is None, f"{process.args[:4]} exited {process.returncode}"
        assert time.monotonic() < deadline, f"{process.args[:4]} not ready within {timeout:.0f} s"
        time.sleep(0.1)


def answers(url: str, path: str = "/-/versions.json") -> bool:
    try:
        return request(f"{url}{path}").status == 200
    except OSError:
        return False
