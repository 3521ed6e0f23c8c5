"""Migrations for sweeps: hashes of index entries and pages, so what did not change is not decoded.

Registered on `store.schema.migrations` (imported by store.db with the schema).
"""

from __future__ import annotations

from sqlite_utils import Database

from store.schema import migrations


@migrations(name="0005_petition_entry_hash")
def add_entry_hash(db: Database) -> None:
    """Keep the hash of the index entry the stored content came from (NULL when a full fetch wrote it)."""
    db.execute("ALTER TABLE petitions ADD COLUMN entry_hash TEXT")


@migrations(name="0006_index_pages")
def add_index_pages(db: Database) -> None:
    """Keep the body hash of each index page a sweep recorded, so the same page next pass is not decoded."""
    db.execute(
        "CREATE TABLE index_pages (watch_id TEXT NOT NULL, url TEXT NOT NULL, hash TEXT NOT NULL,"
        " recorded_at TEXT NOT NULL, PRIMARY KEY (watch_id, url))"
    )
