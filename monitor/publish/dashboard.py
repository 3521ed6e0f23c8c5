"""Write the dashboard (`index.html`) and its pages into feeds_dir, beside the feeds.

Static files, so any static web server can publish them; `monitor.publish.feeds_dir`
calls `write_dashboard` after every update of the feeds (every check and every
crawl of `govwatch run`), and a file is rewritten only when its bytes change.
Pages of petitions and watches that left the dashboard are deleted.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

from sqlite_utils import Database

from monitor.clock import now as clock_now
from monitor.watchlist.config import Config, Settings
from monitor.publish.dashboard_data import curve, gather, petition_page, watch_page
from monitor.publish.dashboard_html import Links, dashboard_html
from monitor.publish.detail_pages import page_watch_html, petition_html
from store import queries
from store.pages import snapshot_rows

DASHBOARD_FILE = "index.html"
STATE_FILE = ".govwatch-dashboard.json"  # the pages written last time, with fingerprints (a dotfile: never served)
LAYOUT = 1  # bump when the pages' HTML changes, so every page is written again
DATASETTE_PORT = 8001
MAX_PAGE_EVENTS = 100
COUNTS_EVERY = 10.0  # seconds: counts that moved (without an event) show within this, not after every crawl
MAX_PAGE_VERSIONS = 200


def datasette_url(settings: Settings) -> str:
    """Return the address of the history's database in Datasette, as `govwatch serve` starts it by default.

    feeds_url's host on port 8001, and the database file's name.
    """
    name = Path(settings.database).stem
    parts = urlsplit(settings.feeds_url)
    return f"{parts.scheme}://{parts.hostname}:{DATASETTE_PORT}/{name}"


def write_dashboard(config: Config, db: Database, feed_paths: set[str],
                    write: Callable[[Path, bytes], bool], now: datetime | None = None) -> int:  # fmt: skip
    """Write index.html and the pages of its petitions and page watches; return the files written.

    A page whose inputs did not change since it was written (its fingerprint) is not rendered again.
    """
    folder = config.settings.feeds_dir
    now = now or clock_now()
    links = Links(frozenset(feed_paths), datasette_url(config.settings))
    state = _read_state(folder)
    before = state.get("pages", {})
    feeds_hash = hashlib.sha1("\n".join(sorted(feed_paths)).encode()).hexdigest()[:12]
    stamp = f"{LAYOUT}|{links.datasette}|{feeds_hash}"
    urgent, counts = _changes(config, db)
    overall = f"{stamp}|{now.date()}|{urgent}|{counts}"
    if state.get("overall") == overall and (folder / DASHBOARD_FILE).is_file():
        return 0  # no poll changed anything the pages show: skip the reading and rendering
    written_at = state.get("written_at", 0)
    if (state.get("urgent") == f"{stamp}|{now.date()}|{urgent}" and (folder / DASHBOARD_FILE).is_file()
            and 0 <= time.time() - written_at < COUNTS_EVERY):  # fmt: skip
        return 0  # only counts moved, and the pages were written moments ago: the next crawl will
    board = gather(config, db, now)
    fingerprints: dict[str, str] = {}
    written = 0

    def fresh(path: str, fingerprint: str) -> bool:
        fingerprints[path] = fingerprint = f"{stamp}|{fingerprint}"
        return before.get(path) == fingerprint and (folder / path).is_file()

    for p in board.petitions:
        if fresh(p.page, p.fingerprint):
            continue
        row = next(db.query("SELECT * FROM petitions WHERE id = ?", [p.id]))
        events = queries.events(db, petition=p.id, limit=MAX_PAGE_EVENTS)
        full = replace(p, points=curve(db, p.id))
        written += write(folder / p.page, petition_html(full, row, events, links).encode())
    for row in board.pages:
        watch = config.watch(row["watch_id"])
        last_event = next(db.query("SELECT max(id) AS id FROM events WHERE watch_id = ?", [watch.id]))["id"]
        if fresh(watch_page(watch.id), f"{row['changed_at']}|{row['count']}|{last_event}"):
            continue
        snaps = snapshot_rows(db, watch.id)[-MAX_PAGE_VERSIONS:]
        counts = [(r["observed_at"], r["count"]) for r in db.query(
            "SELECT observed_at, count FROM page_counts WHERE watch_id = ? ORDER BY observed_at", [watch.id])]  # fmt: skip
        events = queries.events(db, watch=watch.id, limit=MAX_PAGE_EVENTS)
        html = page_watch_html(watch.id, watch.url, row, snaps, counts, events, links)
        written += write(folder / watch_page(watch.id), html.encode())
    written += write(folder / DASHBOARD_FILE, dashboard_html(board, links, set(fingerprints)).encode())
    _remove_stale(folder, before, fingerprints)
    write(folder / STATE_FILE, json.dumps({"overall": overall, "urgent": f"{stamp}|{now.date()}|{urgent}",
                                           "written_at": time.time(), "pages": fingerprints}, indent=1).encode())
    return written


def _changes(config: Config, db: Database) -> tuple[str, str]:
    """Summarise what the pages show that a poll can change (cheap: a few aggregates).

    Return what must show at once (events, failing watches, the watchlist) and what may wait a
    few seconds (counts moving).
    """
    urgent = db.conn.execute(
        "SELECT (SELECT max(id) FROM events),"
        " (SELECT group_concat(id || ':' || failures || ':' || gone) FROM watches WHERE failures > 0 OR gone),"
        " (SELECT max(coalesce(changed_at, '')) FROM pages),"
        " (SELECT count(*) FROM watch_petitions)").fetchone()  # fmt: skip
    counts = db.conn.execute(
        "SELECT (SELECT max(count_changed_at) || max(changed_at) FROM petitions),"
        " (SELECT max(coalesce(count_changed_at, '')) FROM pages),"
        " (SELECT max(coalesce(last_checked_at, '')) FROM watches WHERE failures > 0)").fetchone()  # fmt: skip
    watches = hashlib.sha1("\n".join(sorted(w.id for w in config.watches)).encode()).hexdigest()[:12]
    digest = hashlib.sha1(repr((urgent, watches, config.settings)).encode()).hexdigest()
    return digest, hashlib.sha1(repr(counts).encode()).hexdigest()


def _read_state(folder: Path) -> dict:
    try:
        state = json.loads((folder / STATE_FILE).read_text())
    except (FileNotFoundError, ValueError):
        return {}
    return state if isinstance(state, dict) and isinstance(state.get("pages", {}), dict) else {}


def _remove_stale(folder: Path, before: dict[str, str], now: dict[str, str]) -> None:
    """Delete the pages written last time that are not written now."""
    for path in before.keys() - now.keys():
        target = folder / path
        if target.suffix == ".html" and target.resolve().is_relative_to(folder.resolve()):
            target.unlink(missing_ok=True)


__all__ = ["write_dashboard", "datasette_url", "petition_page", "watch_page"]
