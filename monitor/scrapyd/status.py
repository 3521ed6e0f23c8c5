"""`govwatch status`'s part about Scrapyd nodes: each node's state now, and the jobs govwatch ran there."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

from monitor.watchlist.config import Config
from monitor.scrapyd.node import NodeClient, NodeError
from store.db import open_db

STATUS_TIMEOUT = 3.0  # seconds: `status` answers promptly even when a node hangs


def nodes_text(config: Config) -> str:
    """Format each node's live state (running, pending, free slots) and govwatch's jobs on it."""
    settings = replace(config.scrapyd, timeout=min(config.scrapyd.timeout, STATUS_TIMEOUT))
    clients = [NodeClient(node, settings) for node in settings.nodes]
    with ThreadPoolExecutor(max_workers=len(clients)) as pool:
        live = list(pool.map(_live, clients))
    db = open_db(config.settings.database)
    try:
        jobs = {
            (r["node"], r["state"]): r for r in db.query(
                "SELECT node, state, count(*) AS n, max(scheduled_at) AS last FROM scrapyd_jobs GROUP BY node, state")
        }  # fmt: skip
        health = {r["url"]: r for r in db.query("SELECT url, failures, last_error FROM scrapyd_nodes")}
    finally:
        db.close()
    lines = [f"Scrapyd nodes (project {settings.project}):",
             f"{'node':<32} {'state':<42} {'ingested':>8} {'lost':>5} {'fails':>5}"]  # fmt: skip
    for client, state in zip(clients, live, strict=True):
        url = client.url
        ingested, lost = (jobs.get((url, s), {}).get("n", 0) for s in ("ingested", "lost"))
        failures = health.get(url, {}).get("failures", 0)
        lines.append(f"{url:<32} {state:<42} {ingested:>8} {lost:>5} {failures:>5}")
        if failures and health[url]["last_error"]:
            lines.append(f"{'':34}{health[url]['last_error']}")
    return "\n".join(lines)


def _live(client: NodeClient) -> str:
    try:
        status = client.status()
    except NodeError as e:
        return "down: " + str(e).removeprefix(f"{client.url}: ")[:34]
    return f"up: {status.running} running, {status.pending} pending, {status.free} free"
