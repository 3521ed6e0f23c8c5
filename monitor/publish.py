"""Publish the feeds into `feeds_dir`: after every check, and on `govwatch feeds`.

Files are written atomically (a temporary file, then rename) and only when
their bytes change, so a feed's mtime and ETag move only with its content.
After a check only the feeds that the new events touch (or whose definition
changed) are rendered again; `rebuild` renders every one. A small state file
remembers the last event published.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from monitor.config import Config, Settings
from monitor.dashboard import write_dashboard
from monitor.errors import GovwatchError
from monitor.feed_index import index_files
from monitor.feeds import EPOCH, FORMATS, FeedRenderer, FeedSpec, catalog
from store import queries
from store.db import open_db

STATE_FILE = ".govwatch-feeds.json"  # a dotfile: `govwatch serve` never serves it
LAYOUT = 1  # bump when the rendering changes, so the next update rewrites every feed


@dataclass
class FeedsReport:
    """What one update of the feeds did."""

    feeds_dir: Path
    feeds: int = 0
    rendered: int = 0
    written: int = 0
    removed: int = 0

    def line(self) -> str:
        """Return the line `govwatch check` and `govwatch feeds` print."""
        removed = f", {self.removed} removed" if self.removed else ""
        return (f"Feeds: {self.rendered} of {self.feeds} rendered, {self.written} files written{removed}"
                f" in {self.feeds_dir}")  # fmt: skip


def write_if_changed(path: Path, data: bytes) -> bool:
    """Write a file atomically unless it already holds `data`; tell whether it was written."""
    try:
        if path.read_bytes() == data:
            return False
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return True


def update_feeds(config: Config, *, rebuild: bool = False) -> FeedsReport:
    """Bring feeds_dir up to date with the database: the touched feeds, or all with `rebuild`."""
    settings = config.settings
    report = FeedsReport(settings.feeds_dir)
    db = open_db(settings.database)
    try:
        state = _read_state(settings.feeds_dir)
        specs = catalog(config, db)
        report.feeds = len(specs)
        everything = rebuild or state is None or state.get("stamp") != _stamp(settings)
        if everything:
            last_id, targets = queries.last_event_id(db), specs
        else:
            new = queries.new_events(db, int(state.get("last_event_id", 0)))
            last_id = new.last_id
            targets = [s for s in specs if state["feeds"].get(s.path) != s.signature() or s.touched_by(new)]
        quiet_since = queries.first_watch_added_at(db) or EPOCH
        renderer = FeedRenderer(db, settings, redraw=everything)
        for spec in targets:
            for fmt, data in renderer.documents(spec, quiet_since).items():
                report.written += write_if_changed(settings.feeds_dir / f"{spec.path}.{fmt}", data)
        report.rendered = len(targets)
        for name, svg in renderer.charts.items():
            report.written += write_if_changed(settings.feeds_dir / name, svg)
        report.written += sum(write_if_changed(settings.feeds_dir / name, data)
                              for name, data in index_files(settings, specs).items())  # fmt: skip
        report.written += write_dashboard(config, db, {s.path for s in specs}, write_if_changed)
        report.removed = _remove_stale(settings.feeds_dir, state, specs)
        state = {"stamp": _stamp(settings), "last_event_id": last_id, "feeds": {s.path: s.signature() for s in specs}}
        write_if_changed(settings.feeds_dir / STATE_FILE, json.dumps(state, indent=1).encode())
    except OSError as e:
        raise GovwatchError(f"{settings.feeds_dir}: cannot write the feeds: {e}",
                            hint="[govwatch] feeds_dir must be a folder govwatch can write") from None  # fmt: skip
    finally:
        db.close()
    return report


def rebuild(config: Config) -> FeedsReport:
    """Render every feed again from the database (files whose bytes do not change stay untouched)."""
    return update_feeds(config, rebuild=True)


def _read_state(feeds_dir: Path) -> dict[str, Any] | None:
    try:
        state = json.loads((feeds_dir / STATE_FILE).read_text())
    except (FileNotFoundError, ValueError):
        return None
    return state if isinstance(state, dict) and isinstance(state.get("feeds"), dict) else None


def _stamp(settings: Settings) -> dict[str, Any]:
    return {"layout": LAYOUT, "feeds_url": settings.feeds_url, "feed_entries": settings.feed_entries}


def _remove_stale(feeds_dir: Path, state: dict[str, Any] | None, specs: list[FeedSpec]) -> int:
    """Delete the files of feeds that no longer exist (a watch or tag left the watchlist)."""
    if state is None:
        return 0
    removed = 0
    for path in set(state["feeds"]) - {s.path for s in specs}:
        for fmt in FORMATS:
            target = feeds_dir / f"{path}.{fmt}"
            if target.resolve().is_relative_to(feeds_dir.resolve()) and target.exists():
                target.unlink()
                removed += 1
    return removed
