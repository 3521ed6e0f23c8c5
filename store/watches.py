"""Keep the `watches` table in step with the watchlist."""

from __future__ import annotations

import json

from sqlite_utils import Database

from monitor.clock import now_iso
from monitor.watchlist.config import Config
from store.db import writing


def sync_watches(db: Database, config: Config) -> None:
    """Insert new watches, update changed ones, mark those no longer listed inactive."""
    at = now_iso()
    listed = json.dumps([watch.id for watch in config.watches])
    # tuples of the listed watches only: a database may hold thousands of watches no longer listed
    rows = {r[0]: r for r in db.conn.execute(
        "SELECT id, configured_url, tags, active FROM watches WHERE id IN (SELECT value FROM json_each(?))", [listed])}
    with writing(db):
        for watch in config.watches:
            tags = json.dumps(list(watch.tags))
            row = rows.get(watch.id)
            if row is None:
                db.execute(
                    "INSERT INTO watches (id, kind, url, configured_url, tags, added_at) VALUES (?, ?, ?, ?, ?, ?)",
                    [watch.id, watch.kind, watch.url, watch.url, tags, at],
                )
            elif row[1] != watch.url:  # a new target: forget the old one's HTTP state
                db.execute(
                    "UPDATE watches SET kind = ?, url = ?, configured_url = ?, tags = ?, active = 1, gone = 0,"
                    " last_modified = NULL, count_last_modified = NULL, fresh_until = NULL, last_full_at = NULL,"
                    " next_due_at = NULL"
                    " WHERE id = ?",
                    [watch.kind, watch.url, watch.url, tags, watch.id],
                )
            elif row[2] != tags or not row[3]:  # unchanged rows are not rewritten
                db.execute("UPDATE watches SET tags = ?, active = 1 WHERE id = ?", [tags, watch.id])
        db.execute("UPDATE watches SET active = 0 WHERE active AND id NOT IN (SELECT value FROM json_each(?))",
                   [listed])  # fmt: skip
