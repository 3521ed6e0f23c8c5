"""The database schema, created and migrated by sqlite-utils `Migrations`.

A migration is a function registered on `migrations`; applied ones are
recorded in ``_sqlite_migrations``, so opening an older database brings it up
to date and a newer one is refused. Never edit an applied migration: add one.

Growth follows changes, not polls: `observations` collapses identical
consecutive polls into one row (first_at, last_at, polls), snapshots and
details are written only when their hash changes, and `signature_counts` gets
a row only when the count moves.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

migrations = Migrations("govwatch")


@migrations(name="0001_petitions")
def create_petition_tables(db: Database) -> None:
    """Create watches, observations, petitions and their history, and events."""
    db.executescript(
        """
        CREATE TABLE watches (
            id TEXT PRIMARY KEY,
            kind TEXT NOT NULL,
            url TEXT NOT NULL,
            configured_url TEXT NOT NULL,
            tags TEXT NOT NULL DEFAULT '[]',
            active INTEGER NOT NULL DEFAULT 1,
            added_at TEXT NOT NULL,
            last_checked_at TEXT,
            last_outcome TEXT,
            last_error TEXT,
            last_success_at TEXT,
            failures INTEGER NOT NULL DEFAULT 0,
            next_due_at TEXT,
            fresh_until TEXT,
            last_modified TEXT,
            last_modified_fetched_at TEXT,
            count_last_modified TEXT,
            count_last_modified_fetched_at TEXT,
            last_full_at TEXT,
            sweeps_completed INTEGER NOT NULL DEFAULT 0,
            gone INTEGER NOT NULL DEFAULT 0
        );

        CREATE TABLE petitions (
            id TEXT PRIMARY KEY,
            site TEXT NOT NULL,
            number INTEGER NOT NULL,
            url TEXT NOT NULL,
            archived INTEGER NOT NULL DEFAULT 0,
            action TEXT,
            background TEXT,
            additional_details TEXT,
            committee_note TEXT,
            state TEXT,
            signature_count INTEGER NOT NULL DEFAULT 0,
            closing_date TEXT,
            created_at TEXT,
            opened_at TEXT,
            closed_at TEXT,
            rejected_at TEXT,
            response_threshold_reached_at TEXT,
            government_response_at TEXT,
            debate_threshold_reached_at TEXT,
            scheduled_debate_date TEXT,
            debate_outcome_at TEXT,
            creator_name TEXT,
            rejection_code TEXT,
            rejection_details TEXT,
            response_summary TEXT,
            response_details TEXT,
            response_updated_at TEXT,
            debated_on TEXT,
            debate TEXT,
            departments TEXT,
            topics TEXT,
            parliament TEXT,
            site_updated_at TEXT,
            first_seen_at TEXT NOT NULL,
            changed_at TEXT NOT NULL,
            count_changed_at TEXT NOT NULL,
            content_hash TEXT NOT NULL,
            details_hash TEXT,
            snapshot_id INTEGER
        );
        CREATE INDEX petitions_site_number ON petitions(site, number);

        CREATE TABLE observations (
            id INTEGER PRIMARY KEY,
            watch_id TEXT NOT NULL REFERENCES watches(id),
            url TEXT NOT NULL,
            kind TEXT NOT NULL,
            first_at TEXT NOT NULL,
            last_at TEXT NOT NULL,
            polls INTEGER NOT NULL DEFAULT 1,
            status INTEGER,
            outcome TEXT NOT NULL,
            error TEXT,
            petition_id TEXT REFERENCES petitions(id)
        );
        CREATE INDEX observations_watch_url ON observations(watch_id, url, id);

        CREATE TABLE petition_snapshots (
            id INTEGER PRIMARY KEY,
            petition_id TEXT NOT NULL REFERENCES petitions(id),
            observed_at TEXT NOT NULL,
            hash TEXT NOT NULL,
            content TEXT NOT NULL
        );
        CREATE INDEX petition_snapshots_petition ON petition_snapshots(petition_id, id);

        CREATE TABLE petition_details (
            id INTEGER PRIMARY KEY,
            petition_id TEXT NOT NULL REFERENCES petitions(id),
            observed_at TEXT NOT NULL,
            hash TEXT NOT NULL,
            signatures_by_country TEXT NOT NULL,
            signatures_by_constituency TEXT NOT NULL,
            signatures_by_region TEXT NOT NULL,
            other_parliamentary_business TEXT NOT NULL
        );
        CREATE INDEX petition_details_petition ON petition_details(petition_id, id);

        CREATE TABLE places (
            kind TEXT NOT NULL,
            code TEXT NOT NULL,
            name TEXT,
            mp TEXT,
            PRIMARY KEY (kind, code)
        ) WITHOUT ROWID;

        CREATE TABLE signature_counts (
            petition_id TEXT NOT NULL REFERENCES petitions(id),
            observed_at TEXT NOT NULL,
            signature_count INTEGER NOT NULL,
            PRIMARY KEY (petition_id, observed_at)
        ) WITHOUT ROWID;

        CREATE TABLE watch_petitions (
            watch_id TEXT NOT NULL REFERENCES watches(id),
            petition_id TEXT NOT NULL REFERENCES petitions(id),
            first_seen_at TEXT NOT NULL,
            PRIMARY KEY (watch_id, petition_id)
        ) WITHOUT ROWID;

        CREATE TABLE events (
            id INTEGER PRIMARY KEY,
            key TEXT NOT NULL UNIQUE,
            kind TEXT NOT NULL,
            watch_id TEXT NOT NULL REFERENCES watches(id),
            petition_id TEXT REFERENCES petitions(id),
            occurred_at TEXT NOT NULL,
            detected_at TEXT NOT NULL,
            title TEXT NOT NULL,
            summary TEXT NOT NULL,
            url TEXT NOT NULL,
            data TEXT NOT NULL DEFAULT '{}'
        );
        CREATE INDEX events_detected ON events(detected_at);
        CREATE INDEX events_kind ON events(kind, detected_at);
        CREATE INDEX events_petition ON events(petition_id, detected_at);
        CREATE INDEX events_watch ON events(watch_id, detected_at);
        """
    )


@migrations(name="0002_daemon")
def create_daemon_table(db: Database) -> None:
    """Create the heartbeat of `govwatch run` (one row) and index the schedule."""
    db.executescript(
        """
        CREATE TABLE daemon (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            pid INTEGER NOT NULL,
            started_at TEXT NOT NULL,
            heartbeat_at TEXT NOT NULL,
            stopped_at TEXT,
            watchlist TEXT NOT NULL,
            crawls INTEGER NOT NULL DEFAULT 0,
            last_crawl TEXT
        );
        CREATE INDEX watches_next_due ON watches(active, gone, next_due_at);
        """
    )


# Petition texts a reader searches: the ask, its reasons and the government's answer.
PETITION_SEARCH_COLUMNS = ("action", "background", "additional_details", "response_summary", "response_details")
EVENT_SEARCH_COLUMNS = ("title", "summary")


@migrations(name="0002_datasette")
def shape_for_datasette(db: Database) -> None:
    """Add full-text search, the views Datasette shows for common joins, and their indexes."""
    db["petitions"].enable_fts(PETITION_SEARCH_COLUMNS, create_triggers=True, tokenize="porter")
    # sqlite-utils re-indexes on every UPDATE; the poller updates counts far more often than
    # texts, so re-index only when a searched column is written (bench/history_queries.py measures both).
    _narrow_update_trigger(db, "petitions", PETITION_SEARCH_COLUMNS)
    db["events"].enable_fts(EVENT_SEARCH_COLUMNS, create_triggers=True, tokenize="porter")
    db.executescript(
        """
        CREATE INDEX observations_petition ON observations(petition_id, last_at);
        CREATE INDEX signature_counts_observed ON signature_counts(observed_at);

        CREATE VIEW petitions_latest AS
        SELECT p.id, p.number, p.action, p.state, p.archived, p.signature_count,
               p.count_changed_at, p.changed_at,
               (SELECT max(o.last_at) FROM observations o WHERE o.petition_id = p.id) AS last_polled_at,
               p.response_threshold_reached_at, p.government_response_at, p.response_summary,
               p.debate_threshold_reached_at, p.scheduled_debate_date, p.debated_on, p.closing_date,
               (SELECT count(*) FROM petition_snapshots s WHERE s.petition_id = p.id) AS snapshots,
               (SELECT count(*) FROM events e WHERE e.petition_id = p.id) AS events,
               (SELECT max(e.detected_at) FROM events e WHERE e.petition_id = p.id) AS last_event_at,
               p.site, p.url
        FROM petitions p;

        CREATE VIEW events_with_petitions AS
        SELECT e.id, e.kind, e.occurred_at, e.detected_at, e.title, e.summary, e.watch_id,
               e.petition_id, p.number AS petition_number, p.action AS petition_action,
               p.state AS petition_state, p.signature_count AS petition_signature_count,
               e.url, e.key, e.data
        FROM events e LEFT JOIN petitions p ON p.id = e.petition_id;

        CREATE VIEW signature_curves AS
        SELECT c.petition_id, p.number, p.action, c.observed_at, c.signature_count,
               c.signature_count - lag(c.signature_count) OVER w AS gained,
               round((julianday(c.observed_at) - julianday(lag(c.observed_at) OVER w)) * 24, 3)
                   AS hours_since_previous,
               round((c.signature_count - lag(c.signature_count) OVER w)
                     / (julianday(c.observed_at) - julianday(lag(c.observed_at) OVER w)), 1)
                   AS signatures_per_day
        FROM signature_counts c JOIN petitions p ON p.id = c.petition_id
        WINDOW w AS (PARTITION BY c.petition_id ORDER BY c.observed_at);
        """
    )


@migrations(name="0002_deliveries")
def create_deliveries(db: Database) -> None:
    """Create the alert outbox: one delivery per event and channel that wants it."""
    db.executescript(
        """
        CREATE TABLE deliveries (
            id INTEGER PRIMARY KEY,
            event_id INTEGER NOT NULL REFERENCES events(id),
            channel TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'pending',  -- pending, sending, delivered, failed
            created_at TEXT NOT NULL,
            due_at TEXT NOT NULL,                    -- not sent before (retry backoff, digest period end)
            digest_until TEXT,                       -- end of the digest period; NULL: sent alone
            attempts INTEGER NOT NULL DEFAULT 0,
            claim TEXT,                              -- which dispatcher is sending it
            claimed_until TEXT,                      -- its lease
            last_attempt_at TEXT,
            last_error TEXT,                         -- secrets masked
            delivered_at TEXT,
            UNIQUE (event_id, channel)
        );
        CREATE INDEX deliveries_queue ON deliveries(channel, status, event_id);
        """
    )


@migrations(name="0003_pages")
def create_page_tables(db: Database) -> None:
    """Create pages (current state), page snapshots, the count series and learned noise."""
    db.executescript(
        """
        CREATE TABLE pages (
            watch_id TEXT PRIMARY KEY REFERENCES watches(id),
            url TEXT NOT NULL,
            title TEXT,
            content_hash TEXT,
            count INTEGER,
            lines INTEGER NOT NULL DEFAULT 0,
            items INTEGER NOT NULL DEFAULT 0,
            encoding TEXT,
            first_seen_at TEXT NOT NULL,
            changed_at TEXT,
            count_changed_at TEXT,
            snapshot_id INTEGER
        );

        CREATE TABLE page_snapshots (
            id INTEGER PRIMARY KEY,
            watch_id TEXT NOT NULL REFERENCES watches(id),
            observed_at TEXT NOT NULL,
            hash TEXT NOT NULL,
            title TEXT,
            text_size INTEGER NOT NULL,
            compression TEXT,
            content BLOB NOT NULL
        );
        CREATE INDEX page_snapshots_watch ON page_snapshots(watch_id, id);

        CREATE TABLE page_counts (
            watch_id TEXT NOT NULL REFERENCES watches(id),
            observed_at TEXT NOT NULL,
            count INTEGER NOT NULL,
            PRIMARY KEY (watch_id, observed_at)
        ) WITHOUT ROWID;

        CREATE TABLE page_noise (
            watch_id TEXT NOT NULL REFERENCES watches(id),
            rule TEXT NOT NULL,
            example TEXT,
            learned_at TEXT NOT NULL,
            PRIMARY KEY (watch_id, rule)
        ) WITHOUT ROWID;
        """
    )


# A page's title and current text. Trigram, not porter: pages mix scripts, and Chinese has no spaces
# between words, so word tokenizers see a whole sentence as one token; trigrams find any substring of
# three characters or more ("Tiananmen", "维吾尔"), in any case.
PAGE_SEARCH_COLUMNS = ("title", "text")


@migrations(name="0004_page_search")
def add_page_search(db: Database) -> None:
    """Keep each page's current text readable in `pages.text` and search it (FTS5, trigrams)."""
    db.execute("ALTER TABLE pages ADD COLUMN text TEXT")
    # Snapshots keep every version (compressed when large); the current one, as text, is what one searches.
    rows = db.query(
        "SELECT p.watch_id, s.content, s.compression FROM pages p JOIN page_snapshots s ON s.id = p.snapshot_id"
    )
    for row in list(rows):
        db.execute("UPDATE pages SET text = ? WHERE watch_id = ?",
                   [_snapshot_text(row["content"], row["compression"]), row["watch_id"]])  # fmt: skip
    db["pages"].enable_fts(PAGE_SEARCH_COLUMNS, create_triggers=True, tokenize="trigram")
    # Every poll rewrites pages.title (and url, encoding): re-index only when the title or text really
    # changes, so the index grows with changes, not with polls.
    _narrow_update_trigger(db, "pages", PAGE_SEARCH_COLUMNS, when="old.title IS NOT new.title OR old.text IS NOT new.text")


def _narrow_update_trigger(db: Database, table: str, columns: Sequence[str], when: str | None = None) -> None:
    """Replace sqlite-utils' re-index-on-any-UPDATE trigger of `table` by one that fires on its searched columns."""
    listed = ", ".join(columns)
    old = ", ".join(f"old.{c}" for c in columns)
    new = ", ".join(f"new.{c}" for c in columns)
    condition = f"\n        WHEN {when}" if when else ""
    db.executescript(
        f"""
        DROP TRIGGER {table}_au;
        CREATE TRIGGER {table}_au AFTER UPDATE OF {listed} ON {table}{condition} BEGIN
          INSERT INTO {table}_fts ({table}_fts, rowid, {listed}) VALUES ('delete', old.rowid, {old});
          INSERT INTO {table}_fts (rowid, {listed}) VALUES (new.rowid, {new});
        END;
        """
    )


def _snapshot_text(content: bytes | str, compression: str | None) -> str:
    """Return a stored page snapshot's lines as text (the format of 0003_pages, read here as it was then)."""
    import json
    import zlib

    if compression == "zlib":
        content = zlib.decompress(content)
    state = json.loads(content)
    return "\n".join(text for text, _ in state.get("lines") or [])
