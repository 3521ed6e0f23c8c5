"""Persist petition states: the current row, snapshots, details and the count series.

A snapshot is written only when the petition's content hash changes, a
details row only when the breakdowns change, a count row only when the count
moves, so the history grows with changes, not with polls.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from collections.abc import Sequence
from typing import Any

from sqlite_utils import Database

from monitor.items import (
    PetitionDetails,
    PetitionState,
    petition_from_jsonable,
)
from monitor.jsonable import dumps, loads
from store.db import defer_search


@dataclass(slots=True)
class Known:
    """What the store remembers of a petition to tell quickly whether it changed."""

    content_hash: str
    signature_count: int
    details_hash: str | None
    snapshot_id: int | None
    entry_hash: str | None = None  # of the index entry saying what is stored (`spiders.petition_json.entry_hash`)


class PetitionStore:
    """Reads and writes petitions in one database, with small caches for speed."""

    def __init__(self, db: Database):
        self.db = db
        self._known: dict[str, Known | None] = {}
        self._places: dict[tuple[str, str], tuple[str | None, str | None]] | None = None
        self._codes: dict[str, set[str]] = {}
        self._entry_hashes: dict[str, str] = {}  # petition id -> index entry hash, to store (`flush`)

    def known(self, petition_id: str) -> Known | None:
        """Return what is known of a petition, or None if it was never seen."""
        if petition_id not in self._known:
            row = self.db.conn.execute(
                "SELECT content_hash, signature_count, details_hash, snapshot_id, entry_hash FROM petitions"
                " WHERE id = ?",
                [petition_id],
            ).fetchone()  # fmt: skip
            self._known[petition_id] = Known(*row) if row else None
        return self._known[petition_id]

    def preload(self, petition_ids: list[str]) -> None:
        """Load what is known of many petitions in one query (an index page's fifty)."""
        wanted = [pid for pid in petition_ids if pid not in self._known]
        if not wanted:
            return
        # one row of JSON, not a row a petition: each row fetched gives the interpreter lock away and takes it
        # back, and the crawl's thread holds it most of the time (a first sweep preloads 20,000 petitions)
        (rows,) = self.db.conn.execute(
            "SELECT json_group_array(json_array(id, content_hash, signature_count, details_hash, snapshot_id,"
            " entry_hash)) FROM petitions WHERE id IN (SELECT value FROM json_each(?))", [dumps(wanted)],
        ).fetchone()  # fmt: skip
        found = {row[0]: Known(*row[1:]) for row in loads(rows)}
        for pid in wanted:
            self._known[pid] = found.get(pid)

    def state(self, petition_id: str) -> PetitionState | None:
        """Return the last stored state of a petition, with its current count."""
        known = self.known(petition_id)
        if known is None or known.snapshot_id is None:
            return None
        row = next(self.db.query(
            "SELECT content FROM petition_snapshots WHERE id = ?", [known.snapshot_id]
        ))  # fmt: skip
        state = petition_from_jsonable(loads(row["content"]))
        return replace(state, signature_count=known.signature_count)

    def write(self, petition: PetitionState, at: str, content_hash: str | None = None,
              entry_hash: str | None = None) -> tuple[bool, bool]:  # fmt: skip
        """Store a fetched state (with its `content_hash()` if already made); return (content changed, count changed).

        `entry_hash` is the hash of the index entry that says the same (an entry's own, or the one a
        detail document gives; None: unknown), so the sweep that finds that entry need not decode it.
        """
        pid = petition.key
        known = self.known(pid)
        content_hash = content_hash or petition.content_hash()
        content_changed = known is None or known.content_hash != content_hash
        count_changed = known is None or known.signature_count != petition.signature_count
        if content_changed:
            row = _petition_row(petition) | {"changed_at": at, "content_hash": content_hash, "entry_hash": entry_hash}
            if count_changed:
                row["count_changed_at"] = at
            if known is None:
                row |= {"id": pid, "first_seen_at": at}
                marks = ", ".join("?" * len(row))
                self.db.execute(f"INSERT INTO petitions ({', '.join(row)}) VALUES ({marks})", list(row.values()))
            else:
                sets = ", ".join(f"{c} = ?" for c in row)
                self.db.execute(f"UPDATE petitions SET {sets} WHERE id = ?", [*row.values(), pid])
            snapshot_id = self.db.execute(
                "INSERT INTO petition_snapshots (petition_id, observed_at, hash, content) VALUES (?, ?, ?, ?)",
                [pid, at, content_hash, dumps(petition)],  # encoded only when it is stored
            ).lastrowid
            self.db.execute("UPDATE petitions SET snapshot_id = ? WHERE id = ?", [snapshot_id, pid])
            self._entry_hashes.pop(pid, None)  # the row above names its entry
            details_hash = known.details_hash if known else None
            self._known[pid] = Known(content_hash, petition.signature_count, details_hash, snapshot_id, entry_hash)
        elif entry_hash is not None and known.entry_hash != entry_hash:  # same content, newly seen as this entry
            self._entry_hashes[pid] = entry_hash  # stored with the page's others by `flush`
            known.entry_hash = entry_hash
        if count_changed:  # the row is written already when the content changed
            row = None if content_changed else {"site_updated_at": petition.updated_at}
            self._write_count(pid, petition.signature_count, at, row)
        return content_changed, count_changed

    def insert_new(self, petitions: list[tuple[PetitionState, str | None]], at: str) -> None:
        """Store petitions never seen before, each (state, entry hash), in four statements.

        An index page's new petitions (a first sweep stores thousands) cost one statement a
        table instead of five a petition. Each key must be new and appear once. The snapshot
        ids are given here (after the largest one, inside the caller's write transaction), so
        each row names its snapshot without a second UPDATE. Their search index entries are
        written in one statement before the transaction commits (`store.db.defer_search`).
        """
        if not petitions:
            return
        defer_search(self.db.conn)  # indexed for search in one statement before the commit
        (last,) = self.db.conn.execute("SELECT COALESCE(MAX(id), 0) FROM petition_snapshots").fetchone()
        rows, snapshots, counts = [], [], []
        for snapshot_id, (petition, entry_hash) in enumerate(petitions, start=last + 1):
            pid = petition.key
            text, content_hash = petition.snapshot()
            rows.append((*_row_values(petition), at, content_hash, entry_hash, at, pid, at, snapshot_id))
            snapshots.append((snapshot_id, pid, at, content_hash, text))
            counts.append((pid, at, petition.signature_count))
            self._known[pid] = Known(content_hash, petition.signature_count, None, snapshot_id, entry_hash)
        conn = self.db.conn
        insert_rows(conn, _INSERT_NEW, rows)
        insert_rows(conn, "INSERT INTO petition_snapshots (id, petition_id, observed_at, hash, content)", snapshots)
        insert_rows(conn, "INSERT OR REPLACE INTO signature_counts (petition_id, observed_at, signature_count)",
                    counts)  # fmt: skip

    def flush(self) -> None:
        """Store the entry hashes `write` left pending, in one statement (called before an observation's commit).

        The first sweep after detail polls finds most petitions as stored, each under an
        entry hash of its own: one UPDATE a page rather than one a petition.
        """
        if not self._entry_hashes:
            return
        pending = list(self._entry_hashes.items())
        self._entry_hashes.clear()
        per = MAX_VARIABLES // 2
        for start in range(0, len(pending), per):
            chunk = pending[start:start + per]
            values = ", ".join(["(?, ?)"] * len(chunk))
            self.db.conn.execute(
                f"UPDATE petitions SET entry_hash = v.column2 FROM (VALUES {values}) AS v WHERE petitions.id = v.column1",
                [value for pair in chunk for value in pair],
            )  # fmt: skip

    def write_count(self, petition_id: str, count: int, at: str) -> bool:
        """Store a count from count.json; return whether it changed."""
        known = self.known(petition_id)
        if known is None or known.signature_count == count:
            return False
        self._write_count(petition_id, count, at, {})
        return True

    def _write_count(self, pid: str, count: int, at: str, row: dict[str, Any] | None) -> None:
        """Add a point to the signature curve; update the petition's row too, with `row`, unless it is None."""
        if row is not None:
            row = {"signature_count": count, **row, "count_changed_at": at}
            sets = ", ".join(f"{c} = ?" for c in row)
            self.db.execute(f"UPDATE petitions SET {sets} WHERE id = ?", [*row.values(), pid])
        self.db.execute(
            "INSERT OR REPLACE INTO signature_counts (petition_id, observed_at, signature_count) VALUES (?, ?, ?)",
            [pid, at, count],
        )
        self._known[pid].signature_count = count

    def write_details(self, petition_id: str, details: PetitionDetails, at: str) -> bool:
        """Store signature breakdowns and other business if they changed."""
        known = self.known(petition_id)
        details_hash, (by_country, by_constituency, by_region, business) = details.encoded()
        if known is None or known.details_hash == details_hash:
            return False
        self.db.execute(
            "INSERT INTO petition_details (petition_id, observed_at, hash, signatures_by_country,"
            " signatures_by_constituency, signatures_by_region, other_parliamentary_business)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            [petition_id, at, details_hash, by_country, by_constituency, by_region, business],
        )  # fmt: skip
        self.db.execute("UPDATE petitions SET details_hash = ? WHERE id = ?", [details_hash, petition_id])
        known.details_hash = details_hash
        self._write_places(details)
        return True

    def _write_places(self, details: PetitionDetails) -> None:
        """Keep the names (and MPs) of breakdown codes: all once per run, then only new codes."""
        if self._places is None:
            self._places = {
                (r["kind"], r["code"]): (r["name"], r["mp"])
                for r in self.db.query("SELECT kind, code, name, mp FROM places")
            }
            self._codes = {}
            for kind, code in self._places:
                self._codes.setdefault(kind, set()).add(code)
            places = details.places()  # names and MPs change (elections): check them all once
        else:
            new = {kind: codes - self._codes.get(kind, set()) for kind, codes in details.codes().items()}
            places = details.places(new) if any(new.values()) else []
        for kind, code, name, mp in places:
            if self._places.get((kind, code)) != (name, mp):
                self.db.execute(
                    "INSERT OR REPLACE INTO places (kind, code, name, mp) VALUES (?, ?, ?, ?)", [kind, code, name, mp]
                )
                self._places[(kind, code)] = (name, mp)
                self._codes.setdefault(kind, set()).add(code)

    def forget(self) -> None:
        """Drop the caches (after a rolled-back transaction)."""
        self._known.clear()
        self._entry_hashes.clear()
        self._places = None


MAX_VARIABLES = 32766  # bound parameters of one SQLite statement (SQLITE_MAX_VARIABLE_NUMBER since 3.32)


def insert_rows(conn: Any, head: str, rows: Sequence[tuple[Any, ...]]) -> None:
    """Run ``head VALUES (…), (…), …`` for `rows`, as few statements as SQLite's parameter limit allows.

    One statement for a page's rows, not one step a row as executemany takes: the writer
    thread then releases and takes back the GIL once a statement, not once a row, while the
    crawl's thread parses (bench/archive_sweep.py).
    """
    if not rows:
        return
    width = len(rows[0])
    group = "(" + ", ".join("?" * width) + ")"
    per = max(1, MAX_VARIABLES // width)
    for start in range(0, len(rows), per):
        chunk = rows[start:start + per]
        conn.execute(f"{head} VALUES {', '.join([group] * len(chunk))}", [v for row in chunk for v in row])


# The petitions table's columns that come from a PetitionState (the others are the store's own).
ROW_COLUMNS = (
    "site", "number", "url", "archived", "action", "background", "additional_details", "committee_note", "state",
    "signature_count", "closing_date", "created_at", "opened_at", "closed_at", "rejected_at",
    "response_threshold_reached_at", "government_response_at", "debate_threshold_reached_at",
    "scheduled_debate_date", "debate_outcome_at", "creator_name", "rejection_code", "rejection_details",
    "response_summary", "response_details", "response_updated_at", "debated_on", "debate", "departments", "topics",
    "parliament", "site_updated_at",
)  # fmt: skip
_INSERT_NEW = (f"INSERT INTO petitions ({', '.join(ROW_COLUMNS)}, changed_at, content_hash, entry_hash,"
               " count_changed_at, id, first_seen_at, snapshot_id)")  # fmt: skip


def _petition_row(p: PetitionState) -> dict[str, Any]:
    """Return the petitions row of a state, column by column (`ROW_COLUMNS`)."""
    return dict(zip(ROW_COLUMNS, _row_values(p)))


def _row_values(p: PetitionState) -> tuple[Any, ...]:
    """Return the values of `ROW_COLUMNS` for a state, in that order (a tuple: a first sweep makes thousands)."""
    response, debate, rejection = p.government_response, p.debate, p.rejection
    return (
        p.site, p.number, p.page_url, int(p.archived), p.action, p.background, p.additional_details,
        p.committee_note, p.state, p.signature_count, p.closing_date, p.created_at, p.opened_at, p.closed_at,
        p.rejected_at, p.response_threshold_reached_at, p.government_response_at, p.debate_threshold_reached_at,
        p.scheduled_debate_date, p.debate_outcome_at, p.creator_name,
        rejection.code if rejection else None, rejection.details if rejection else None,
        response.summary if response else None, response.details if response else None,
        response.updated_at if response else None,
        debate.debated_on if debate else None, dumps(debate) if debate else None,
        dumps(p.departments), dumps(list(p.topics)), dumps(p.parliament) if p.parliament else None,
        p.updated_at,
    )  # fmt: skip
