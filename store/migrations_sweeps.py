"""Migrations for sweeps: the hash of a petition's index entry, so an unchanged entry is not decoded.

Registered on `store.schema.migrations` (imported by store.db with the schema).
"""

from __future__ import annotations

from sqlite_utils import Database

from store.schema import migrations


@migrations(name="0005_petition_entry_hash")
def add_entry_hash(db: Database) -> None:
    """Keep the hash of the index entry the stored content came from (NULL when a full fetch wrote it)."""
    db.execute("ALTER TABLE petitions ADD COLUMN entry_hash TEXT")
