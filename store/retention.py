"""Bounded history: drop observations and page snapshots older than `[govwatch] keep`.

What is never dropped:
- events (and so the feeds, alerts and their diffs, which events carry);
- the latest observation of each watch and URL (the run a poll extends, the
  last poll a status shows), and a petition's or page's current state (the
  `petitions` and `pages` rows, the snapshot they point to);
- the snapshots an event's diff was made from: the snapshot a page event
  was detected with, and the one before it, so `govwatch history PAGE`
  can still show every change an event announced;
- signature counts and petition snapshots (the curves and texts are history
  people read; they grow with changes, not with polls).
Then the file is vacuumed, so it shrinks, and the full-text indexes are rebuilt (VACUUM may renumber
the rows they point at).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from sqlite_utils import Database

from monitor.clock import iso, now
from store.db import writing

logger = logging.getLogger("govwatch.prune")

# Page snapshots an event's diff needs: the one it was detected with (same time, same watch) and the one before.
_NEEDED_SNAPSHOTS = """
    SELECT id FROM (
    WITH after AS (
        SELECT s.id, s.watch_id FROM page_snapshots s
        JOIN events e ON e.watch_id = s.watch_id AND e.detected_at = s.observed_at
    )
    SELECT id FROM after
    UNION
    SELECT (SELECT max(b.id) FROM page_snapshots b WHERE b.watch_id = after.watch_id AND b.id < after.id) FROM after
    UNION
    SELECT snapshot_id FROM pages
    ) WHERE id IS NOT NULL
"""


@dataclass
class PruneReport:
    """What one prune removed, and the file's size before and after."""

    cutoff: str
    observations: int = 0
    page_snapshots: int = 0
    bytes_before: int = 0
    bytes_after: int = 0

    def line(self) -> str:
        """Return the one-line summary `govwatch prune` prints."""
        return (f"Pruned history older than {self.cutoff}: {self.observations} observations, "
                f"{self.page_snapshots} page snapshots; database {self.bytes_before / 1024:.0f} KB -> "
                f"{self.bytes_after / 1024:.0f} KB")  # fmt: skip


def prune(db: Database, keep: float, *, at: str | None = None, vacuum: bool = True) -> PruneReport:
    """Delete observations and page snapshots older than `keep` seconds (see the module's rules)."""
    cutoff = at or iso(now() - timedelta(seconds=keep))
    report = PruneReport(cutoff, bytes_before=_size(db))
    with writing(db):
        report.observations = db.execute(
            "DELETE FROM observations WHERE last_at < ? AND id NOT IN"
            " (SELECT max(id) FROM observations GROUP BY watch_id, url)", [cutoff]).rowcount  # fmt: skip
        report.page_snapshots = db.execute(
            f"DELETE FROM page_snapshots WHERE observed_at < ? AND id NOT IN ({_NEEDED_SNAPSHOTS})", [cutoff]
        ).rowcount
    if report.observations or report.page_snapshots:
        if vacuum:
            db.execute("VACUUM")
        rebuild_search(db)  # after VACUUM: it may renumber the rows of text-keyed tables the indexes point at
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    report.bytes_after = _size(db)
    return report


def rebuild_search(db: Database) -> None:
    """Rebuild every full-text index from its table."""
    for table in db.table_names():
        if not table.endswith("_fts") and db[table].detect_fts():
            db[table].rebuild_fts()


def _size(db: Database) -> int:
    pages = db.execute("PRAGMA page_count").fetchone()[0]
    return pages * db.execute("PRAGMA page_size").fetchone()[0]
