"""Migrations for response deadlines: answer the response-time questions from an index, not the wide rows."""

from __future__ import annotations

from sqlite_utils import Database

from store.schema import migrations


@migrations(name="0005_response_deadlines")
def index_response_times(db: Database) -> None:
    """Index what the response-time queries and the overdue check read, for the petitions past their threshold.

    A petition row is wide (texts of a few KB, `parliament` after them), so these questions
    would otherwise read the whole table; the partial index holds only the petitions that
    passed their response threshold, with every column those questions use.
    """
    db.execute(
        "CREATE INDEX IF NOT EXISTS petitions_response_times ON petitions"
        " (response_threshold_reached_at, government_response_at, state, parliament)"
        " WHERE response_threshold_reached_at IS NOT NULL"
    )
