"""The ``[scrapyd]`` table of a watchlist: the Scrapyd nodes that run govwatch's spiders.

    [scrapyd]
    nodes = ["http://127.0.0.1:6800", { url = "http://10.0.0.2:6800", slots = 2 }]
    project = "govwatch"
    username = "${SCRAPYD_USER}"
    password = "${SCRAPYD_PASSWORD}"

Without the table govwatch crawls in its own process, as before. `slots` is
how many spider processes a node runs at once (its ``max_proc``; Scrapyd does
not report it); credentials may name environment variables as ``${VAR}``.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from monitor.watchlist.validation import Entry

KEYS = {"nodes", "project", "username", "password", "slots", "poll_interval", "timeout", "job_timeout"}
VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


@dataclass(frozen=True)
class Node:
    """One Scrapyd daemon: its URL and how many spider processes it runs at once."""

    url: str
    slots: int = 1


@dataclass(frozen=True)
class ScrapydSettings:
    """How govwatch drives its Scrapyd nodes."""

    nodes: tuple[Node, ...]
    project: str = "govwatch"
    username: str | None = None
    password: str | None = None
    poll_interval: float = 0.5  # seconds between two looks at a node's jobs
    timeout: float = 10.0  # seconds one request to a node may take
    job_timeout: float = 3600.0  # a job still running after this is cancelled (its unfinished polls stay due)


def parse_scrapyd(entry: Entry) -> ScrapydSettings:
    """Validate the [scrapyd] table (ConfigError naming the key when it is wrong)."""
    entry.check_keys(KEYS)
    slots = entry.get("slots", int, 1)
    if slots < 1:
        raise entry.fail("expected at least 1", "slots")
    raw = entry.get("nodes", list, [])
    if not raw:
        raise entry.fail('expected a list of node URLs, such as ["http://127.0.0.1:6800"]', "nodes")
    nodes = tuple(_node(entry, value, slots) for value in raw)
    if len({n.url for n in nodes}) != len(nodes):
        raise entry.fail("a node is listed twice", "nodes")
    project = entry.get("project", str, "govwatch")
    if not re.fullmatch(r"[A-Za-z0-9_.-]+", project):
        raise entry.fail(f"expected a Scrapyd project name (letters, digits, _ . -), got {project!r}", "project")
    return ScrapydSettings(
        nodes=nodes, project=project,
        username=_expand(entry, "username"), password=_expand(entry, "password"),
        poll_interval=entry.duration("poll_interval", 0.5),
        timeout=entry.duration("timeout", 10.0),
        job_timeout=entry.duration("job_timeout", 3600.0),
    )  # fmt: skip


def _node(entry: Entry, value: Any, slots: int) -> Node:
    if isinstance(value, dict):
        unknown = set(value) - {"url", "slots"}
        if unknown or not isinstance(value.get("url"), str):
            raise entry.fail("expected a node as a URL or { url = \"http://host:6800\", slots = 2 }", "nodes")
        url, slots = value["url"], value.get("slots", slots)
        if not isinstance(slots, int) or isinstance(slots, bool) or slots < 1:
            raise entry.fail(f"{url}: slots must be a whole number, at least 1", "nodes")
    elif isinstance(value, str):
        url = value
    else:
        raise entry.fail(f"expected a node URL, got {value!r}", "nodes")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise entry.fail(f"expected a node's http(s) URL, such as 'http://127.0.0.1:6800', got {url!r}", "nodes")
    return Node(url.rstrip("/"), slots)


def _expand(entry: Entry, key: str) -> str | None:
    value = entry.get(key, str)
    if value is None:
        return None
    missing = [name for name in VARIABLE.findall(value) if name not in os.environ]
    if missing:
        raise entry.fail(f"the environment variable {missing[0]} is not set", key)
    return VARIABLE.sub(lambda m: os.environ[m.group(1)], value)
