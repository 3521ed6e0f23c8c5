"""Migrations for sweeps: hashes of index entries and pages, so what did not change is not decoded.

Registered on `store.schema.migrations` (imported by store.db with the schema).
"""

from __future__ import annotations

from sqlite_utils import Database

from store.schema import PETITION_SEARCH_COLUMNS, migrations


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


@migrations(name="0006_bulk_search")
def defer_search_of_bulk_inserts(db: Database) -> None:
    """Let petitions stored in bulk be indexed for search once a transaction, not once a row.

    While `search_pending` holds a row, the petitions from its `since` rowid on are left
    out by the search triggers and indexed in one statement before the transaction
    commits (`store.db.writing`): an archive sweep's first pass stores thousands of
    petitions, and the per-row trigger cost twice the statement (bench/archive_sweep.py).
    """
    listed = ", ".join(PETITION_SEARCH_COLUMNS)
    old = ", ".join(f"old.{c}" for c in PETITION_SEARCH_COLUMNS)
    new = ", ".join(f"new.{c}" for c in PETITION_SEARCH_COLUMNS)
    indexed = "NOT EXISTS (SELECT 1 FROM search_pending WHERE {}.rowid >= since)"
    db.executescript(
        f"""
        CREATE TABLE search_pending (id INTEGER PRIMARY KEY CHECK (id = 1), since INTEGER NOT NULL);
        DROP TRIGGER petitions_ai;
        CREATE TRIGGER petitions_ai AFTER INSERT ON petitions WHEN {indexed.format("new")} BEGIN
          INSERT INTO petitions_fts (rowid, {listed}) VALUES (new.rowid, {new});
        END;
        DROP TRIGGER petitions_ad;
        CREATE TRIGGER petitions_ad AFTER DELETE ON petitions WHEN {indexed.format("old")} BEGIN
          INSERT INTO petitions_fts (petitions_fts, rowid, {listed}) VALUES ('delete', old.rowid, {old});
        END;
        DROP TRIGGER petitions_au;
        CREATE TRIGGER petitions_au AFTER UPDATE OF {listed} ON petitions WHEN {indexed.format("new")} BEGIN
          INSERT INTO petitions_fts (petitions_fts, rowid, {listed}) VALUES ('delete', old.rowid, {old});
          INSERT INTO petitions_fts (rowid, {listed}) VALUES (new.rowid, {new});
        END;
        """
    )
