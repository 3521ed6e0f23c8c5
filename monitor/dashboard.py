"""Write the dashboard (`index.html`) and its pages into feeds_dir, beside the feeds.

Static files, so any static web server can publish them; `monitor.publish`
calls `write_dashboard` after every update of the feeds (every check and every
crawl of `govwatch run`), and a file is rewritten only when its bytes change.
Pages of petitions and watches that left the dashboard are deleted.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

from sqlite_utils import Database

from monitor.clock import now as clock_now
from monitor.config import Config, Settings
from monitor.dashboard_data import gather, petition_page, watch_page
from monitor.dashboard_html import Links, dashboard_html
from monitor.detail_pages import page_watch_html, petition_html
from store import queries
from store.pages import snapshot_rows

DASHBOARD_FILE = "index.html"
STATE_FILE = ".govwatch-dashboard.json"  # the pages written last time (a dotfile: never served)
DATASETTE_PORT = 8001
MAX_PAGE_EVENTS = 100
MAX_PAGE_VERSIONS = 200


def datasette_url(settings: Settings) -> str:
    """Return the address of the history's database in Datasette, as `govwatch serve` starts it.

    `[govwatch] datasette_url` when set, else feeds_url's host on port 8001.
    """
    configured = getattr(settings, "datasette_url", None)
    name = Path(settings.database).stem
    if configured:
        return f"{configured.rstrip('/')}/{name}"
    parts = urlsplit(settings.feeds_url)
    return f"{parts.scheme}://{parts.hostname}:{DATASETTE_PORT}/{name}"


def write_dashboard(config: Config, db: Database, feed_paths: set[str],
                    write: Callable[[Path, bytes], bool], now: datetime | None = None) -> int:  # fmt: skip
    """Write index.html and the pages of its petitions and page watches; return the files written."""
    folder = config.settings.feeds_dir
    now = now or clock_now()
    board = gather(config, db, now)
    links = Links(frozenset(feed_paths), datasette_url(config.settings))
    files: dict[str, str] = {}
    for p in board.petitions:
        row = next(db.query("SELECT * FROM petitions WHERE id = ?", [p.id]))
        events = queries.events(db, petition=p.id, limit=MAX_PAGE_EVENTS)
        files[p.page] = petition_html(p, row, events, links)
    for row in board.pages:
        watch = config.watch(row["watch_id"])
        snaps = snapshot_rows(db, watch.id)[-MAX_PAGE_VERSIONS:]
        counts = [(r["observed_at"], r["count"]) for r in db.query(
            "SELECT observed_at, count FROM page_counts WHERE watch_id = ? ORDER BY observed_at", [watch.id])]  # fmt: skip
        events = queries.events(db, watch=watch.id, limit=MAX_PAGE_EVENTS)
        files[watch_page(watch.id)] = page_watch_html(watch.id, watch.url, row, snaps, counts, events, links)
    files[DASHBOARD_FILE] = dashboard_html(board, links, set(files))
    written = sum(write(folder / path, text.encode()) for path, text in files.items())
    _remove_stale(folder, set(files))
    return written


def _remove_stale(folder: Path, pages: set[str]) -> None:
    """Delete the pages written last time that are not written now; remember the new list."""
    state = folder / STATE_FILE
    try:
        before = set(json.loads(state.read_text()).get("pages", []))
    except (FileNotFoundError, ValueError, AttributeError):
        before = set()
    for path in before - pages:
        target = folder / path
        if target.suffix == ".html" and target.resolve().is_relative_to(folder.resolve()):
            target.unlink(missing_ok=True)
    text = json.dumps({"pages": sorted(pages)}, indent=1)
    if not state.exists() or state.read_text() != text:
        state.write_text(text)


__all__ = ["write_dashboard", "datasette_url", "petition_page", "watch_page"]
