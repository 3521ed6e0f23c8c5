"""What a crawl did (`CrawlReport`), and which watches failed in it: for local and Scrapyd crawls alike."""

from __future__ import annotations

from contextlib import closing
from dataclasses import dataclass, field

from monitor.run.plan import Skipped
from monitor.watchlist.config import Config
from store.db import Database, open_db


@dataclass
class CrawlReport:
    """What one crawl did: for the summary table and the log line."""

    started_at: str
    watches: int = 0
    requests: int = 0
    responses: int = 0
    not_modified: int = 0
    errors: int = 0
    events: int = 0
    duration: float = 0.0
    skipped: list[Skipped] = field(default_factory=list)
    polled: tuple[str, ...] = ()
    record_errors: int = 0  # polls the database could not store (each logged at ERROR)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (watch id, error)

    def line(self) -> str:
        """Return the one-line log of this crawl."""
        watches = f"{self.watches} watch" + ("" if self.watches == 1 else "es")
        return (f"crawl: {watches}, {self.requests} requests, {self.not_modified} not modified, "
                f"{self.errors} errors, {self.events} events, {self.duration:.1f} s")  # fmt: skip


def failures(config: Config, since: str, watch_ids: set[str], db: Database | None = None) -> list[tuple[str, str]]:
    """Return (watch id, error) of the given watches whose last check since `since` failed (read on `db` if given)."""
    if db is None:
        with closing(open_db(config.settings.database, lock_wait=config.settings.lock_wait)) as own:
            return failures(config, since, watch_ids, own)
    rows = db.query(
        "SELECT id, last_error FROM watches WHERE last_outcome = 'error' AND last_checked_at >= ? ORDER BY id",
        [since],
    )
    return [(r["id"], r["last_error"]) for r in rows if r["id"] in watch_ids]
