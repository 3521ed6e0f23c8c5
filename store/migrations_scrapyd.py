"""Tables of the Scrapyd nodes: each node's state, and each job's bookkeeping (ingested once, by job id)."""

from __future__ import annotations

from sqlite_utils import Database

from store.schema import migrations


@migrations(name="0005_scrapyd")
def create_scrapyd_tables(db: Database) -> None:
    """Create scrapyd_nodes (state, failures in a row) and scrapyd_jobs (one row a job, ingested once)."""
    db.executescript(
        """
        CREATE TABLE scrapyd_nodes (
            url TEXT PRIMARY KEY,
            state TEXT NOT NULL DEFAULT 'unknown',
            failures INTEGER NOT NULL DEFAULT 0,
            last_error TEXT,
            last_ok_at TEXT,
            checked_at TEXT,
            running INTEGER,
            pending INTEGER,
            deployed TEXT
        );
        CREATE TABLE scrapyd_jobs (
            id TEXT PRIMARY KEY,
            node TEXT NOT NULL,
            spider TEXT NOT NULL,
            polls INTEGER NOT NULL,
            scheduled_at TEXT NOT NULL,
            state TEXT NOT NULL DEFAULT 'scheduled',
            finished_at TEXT,
            items INTEGER,
            error TEXT
        );
        CREATE INDEX scrapyd_jobs_node ON scrapyd_jobs(node, scheduled_at);
        """
    )


@migrations(name="0007_scrapyd_streaming")
def add_ingested_bytes(db: Database) -> None:
    """Count the bytes of a job's items file recorded so far (its items are recorded while it runs)."""
    db.execute("ALTER TABLE scrapyd_jobs ADD COLUMN ingested_bytes INTEGER NOT NULL DEFAULT 0")
