"""Talk to a real Datasette over HTTP, and look at its pages with headless Chromium."""

from __future__ import annotations

import json
import shutil
import subprocess
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
