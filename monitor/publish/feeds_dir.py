"""Publish the feeds into `feeds_dir`: after every check, and on `govwatch feeds`.

Files are written atomically and only when their bytes change, so a feed's
mtime and ETag move only with its content; a whole update is flushed with one
sync (`monitor.publish.file_batch`). After a check only the feeds that the new events
touch (or whose definition changed) are rendered again; `rebuild` renders
every one. A small state file remembers the last event published.

A [[petition]] watch's feed is its petition's feed (`monitor.publish.feeds.catalog`).
Where an earlier govwatch wrote the watch's own feed (``watches/<id>.atom``),
that address stays, not listed, as a hard link to the petition's feed, so a
reader subscribed to it keeps getting the same document.

`govwatch run` publishes with `monitor.run.feed_publisher.FeedPublisher`, on a
worker thread, so that a crawl never waits for the feeds. Pages written from the same database (a
dashboard) belong after the feeds in `update_feeds`, written through the same
`FileBatch`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from monitor.watchlist.config import Config, Settings
from monitor.publish.dashboard import write_dashboard
from monitor.errors import GovwatchError
from monitor.publish.feed_index import index_files
from monitor.publish.feeds import EPOCH, FORMATS, FeedRenderer, FeedSpec, catalog
from monitor.publish.file_batch import FileBatch
from store import queries
from store.db import open_db

if TYPE_CHECKING:
    from monitor.run.feeds_alongside import EarlyFeeds

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


def update_feeds(config: Config, *, rebuild: bool = False, early: EarlyFeeds | None = None) -> FeedsReport:
    """Bring feeds_dir up to date with the database: the touched feeds, or all with `rebuild`.

    `early` tells which feeds were rendered during the crawl (`monitor.run.feeds_alongside`):
    those not touched since are not rendered again.
    """
    settings = config.settings
    report = FeedsReport(settings.feeds_dir)
    batch = FileBatch(settings.feeds_dir)
    db = open_db(settings.database, lock_wait=settings.lock_wait)
    try:
        old = _read_state(settings.feeds_dir)
        specs = catalog(config, db)
        report.feeds = len(specs)
        everything = rebuild or old is None or old.get("stamp") != _stamp(settings)
        if everything:
            last_id, targets = queries.last_event_id(db), specs
        else:
            new = queries.new_events(db, int(old.get("last_event_id", 0)))
            last_id = new.last_id
            targets = [s for s in specs if old["feeds"].get(s.path) != s.signature() or s.touched_by(new)]
        if early is not None and early.seen_id is not None and early.fresh:
            since = queries.new_events(db, early.seen_id)
            targets = [s for s in targets if early.fresh.get(s.path) != s.signature() or s.touched_by(since)]
            report.written += early.written
        quiet_since = queries.first_watch_added_at(db) or EPOCH
        renderer = FeedRenderer(db, settings, redraw=everything)
        for spec in targets:
            for fmt, data in renderer.documents(spec, quiet_since).items():
                batch.write(f"{spec.path}.{fmt}", data)
        report.rendered = len({s.path for s in targets} | (early.fresh.keys() if early else set()))
        for name, svg in renderer.charts.items():
            batch.write(name, svg)
        for name, data in index_files(settings, specs).items():
            batch.write(name, data)
        aliases = _aliases(settings.feeds_dir, old, specs)
        for alias, target in aliases.items():
            for fmt in FORMATS:
                batch.link(f"{alias}.{fmt}", f"{target}.{fmt}")

        def stage(path: Path, data: bytes) -> bool:  # the dashboard's pages go in the same batch
            batch.write(str(path.relative_to(settings.feeds_dir)), data)
            return False  # counted when the batch is committed

        write_dashboard(config, db, {s.path for s in specs}, stage)
        state = {"stamp": _stamp(settings), "last_event_id": last_id, "feeds": {s.path: s.signature() for s in specs},
                 "aliases": aliases}  # fmt: skip
        batch.write(STATE_FILE, json.dumps(state, indent=1).encode())  # last: it names what is in place
        report.written += sum(not name.startswith(".govwatch-") for name in batch.commit())
        report.removed = _remove_stale(settings.feeds_dir, old, {s.path for s in specs} | aliases.keys())
    except OSError as e:
        batch.abort()
        raise GovwatchError(f"{settings.feeds_dir}: cannot write the feeds: {e}",
                            hint="[govwatch] feeds_dir must be a folder govwatch can write") from None  # fmt: skip
    except BaseException:
        batch.abort()
        raise
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


def _aliases(feeds_dir: Path, old: dict[str, Any] | None, specs: list[FeedSpec]) -> dict[str, str]:
    """Return the watch feed paths to keep as aliases of their petition's feed: those an earlier run wrote."""
    before = set(old["feeds"]) | set(old.get("aliases") or ()) if old is not None else None
    return {
        alias: spec.path
        for spec in specs for alias in spec.aliases
        if (alias in before if before is not None else (feeds_dir / f"{alias}.atom").is_file())
    }  # fmt: skip


def _remove_stale(feeds_dir: Path, old: dict[str, Any] | None, keep: set[str]) -> int:
    """Delete the files of feeds and aliases that no longer exist (a watch or tag left the watchlist)."""
    if old is None:
        return 0
    removed = 0
    for path in (set(old["feeds"]) | set(old.get("aliases") or ())) - keep:
        for fmt in FORMATS:
            target = feeds_dir / f"{path}.{fmt}"
            if target.resolve().is_relative_to(feeds_dir.resolve()) and target.exists():
                target.unlink()
                removed += 1
    return removed
