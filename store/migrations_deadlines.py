"""Migrations for response deadlines: find the petitions awaiting a response without a full scan."""

from __future__ import annotations

from sqlite_utils import Database

from store.schema import migrations


@migrations(name="0005_response_deadlines")
def index_awaited_responses(db: Database) -> None:
    """Index the petitions past their response threshold that have no response yet (a small, partial index)."""
    db.execute(
        "CREATE INDEX IF NOT EXISTS petitions_awaiting_response ON petitions (response_threshold_reached_at)"
        " WHERE response_threshold_reached_at IS NOT NULL AND government_response_at IS NULL"
    )
