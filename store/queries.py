"""Read queries used by the planner, the CLI, feeds and alerts."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database

from monitor.errors import NotFound
from monitor.items import CountState, Event


@dataclass(frozen=True, slots=True)
class WatchStatus:
    """A watch as the database knows it: where it points and how its polls went."""

    id: str
    kind: str
    url: str
    active: bool
    gone: bool
    last_checked_at: str | None
    last_outcome: str | None
    last_error: str | None
    last_success_at: str | None
    failures: int
    next_due_at: str | None
    fresh_until: str | None
    last_modified: str | None
    last_modified_fetched_at: str | None
    count_last_modified: str | None
    count_last_modified_fetched_at: str | None
    last_full_at: str | None
    sweeps_completed: int


def watch_statuses(db: Database) -> dict[str, WatchStatus]:
    """Return every watch's status, by id."""
    names = WatchStatus.__dataclass_fields__
    rows = db.query(f"SELECT {', '.join(names)} FROM watches ORDER BY id")
    return {r["id"]: WatchStatus(**(r | {"active": bool(r["active"]), "gone": bool(r["gone"])})) for r in rows}


@dataclass(frozen=True, slots=True)
class PetitionBrief:
    """What the planner needs of a stored petition."""

    state: str | None
    archived: bool
    closing_date: str | None
    count: CountState


def petition_briefs(db: Database) -> dict[str, PetitionBrief]:
    """Return the state, closing date and count document of every stored petition."""
    rows = db.query(
        "SELECT id, state, archived, closing_date, signature_count, response_threshold_reached_at,"
        " government_response_at, debate_threshold_reached_at, scheduled_debate_date, debate_outcome_at"
        " FROM petitions"
    )
    return {
        r["id"]: PetitionBrief(
            state=r["state"], archived=bool(r["archived"]), closing_date=r["closing_date"],
            count=CountState(
                signature_count=r["signature_count"],
                response_threshold_reached_at=r["response_threshold_reached_at"],
                government_response_at=r["government_response_at"],
                debate_threshold_reached_at=r["debate_threshold_reached_at"],
                scheduled_debate_date=r["scheduled_debate_date"],
                debate_outcome_at=r["debate_outcome_at"],
            ),
        )  # fmt: skip
        for r in rows
    }


def event_from_row(row: dict[str, Any]) -> Event:
    """Build an Event from a row of the events table."""
    return Event(
        key=row["key"], kind=row["kind"], watch_id=row["watch_id"], title=row["title"],
        summary=row["summary"], url=row["url"], occurred_at=row["occurred_at"],
        detected_at=row["detected_at"], petition_id=row["petition_id"], data=json.loads(row["data"]),
    )  # fmt: skip


def events(db: Database, *, since: str | None = None, kind: str | None = None,
           watch: str | None = None, petition: str | None = None, limit: int | None = None) -> list[Event]:
    """Return events, newest detection first, filtered by time, kind, watch or petition."""
    where, args = [], []
    for column, op, value in (("detected_at", ">=", since), ("kind", "=", kind),
                              ("watch_id", "=", watch), ("petition_id", "=", petition)):  # fmt: skip
        if value is not None:
            where.append(f"{column} {op} ?")
            args.append(value)
    sql = "SELECT * FROM events" + (f" WHERE {' AND '.join(where)}" if where else "")
    sql += " ORDER BY detected_at DESC, id DESC" + (f" LIMIT {int(limit)}" if limit else "")
    return [event_from_row(r) for r in db.query(sql, args)]


def resolve_petition(db: Database, name: str) -> dict[str, Any]:
    """Find a stored petition by id ("host/number"), number or URL; raise NotFound."""
    text = name.strip().rstrip("/").removesuffix(".json")
    number = text.rsplit("/", 1)[-1]
    candidates = list(db.query("SELECT * FROM petitions WHERE id = ? OR url = ?", [text, text]))
    if not candidates and number.isdigit():
        candidates = list(db.query("SELECT * FROM petitions WHERE number = ?", [int(number)]))
    if not candidates:
        raise NotFound(f"no stored petition matches {name!r}",
                       hint="run `govwatch check` first, or see `govwatch watches`")  # fmt: skip
    if len(candidates) > 1:
        ids = ", ".join(c["id"] for c in candidates)
        raise NotFound(f"{name!r} matches several petitions: {ids}", hint="give the full id")
    return candidates[0]


def signature_curve(db: Database, petition_id: str) -> Iterator[dict[str, Any]]:
    """Yield (observed_at, signature_count) points of a petition, oldest first."""
    yield from db.query(
        "SELECT observed_at, signature_count FROM signature_counts WHERE petition_id = ? ORDER BY observed_at",
        [petition_id],
    )


def snapshots(db: Database, petition_id: str) -> list[dict[str, Any]]:
    """Return a petition's snapshots (observed_at, hash, content as a dict), oldest first."""
    rows = db.query(
        "SELECT id, observed_at, hash, content FROM petition_snapshots WHERE petition_id = ? ORDER BY id",
        [petition_id],
    )
    return [r | {"content": json.loads(r["content"])} for r in rows]
