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


@migrations(name="0002_pages")
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
            snapshot_id INTEGER,
            empty_polls INTEGER NOT NULL DEFAULT 0,
            empty_since TEXT
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
